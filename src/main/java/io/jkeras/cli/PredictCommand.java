package io.jkeras.cli;

import io.jkeras.InputException;
import io.jkeras.JKerasException;
import io.jkeras.model.Model;
import io.jkeras.model.Session;
import io.jkeras.model.Tensor;
import io.jkeras.npy.Npy;
import io.jkeras.util.AtomicFiles;
import io.jkeras.util.Printable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code jkeras predict MODEL -i X.npy … -o Y.npy …}. The i-th {@code -i} feeds the model's i-th
 * input, the i-th {@code -o} receives its i-th output; k times as many files are k consecutive
 * batches, a stateful model carrying its state from one to the next.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Run the model on .npy inputs and write .npy outputs (float32, C order).")
final class PredictCommand implements Runnable {
    @Mixin
    ModelArgs args = new ModelArgs();

    @Option(names = {"-i", "--input"}, paramLabel = "X.npy", required = true,
            description = "Input .npy (float32/float64/int32/int64, C order), one per model input; repeat for consecutive batches.")
    List<Path> inputs = new ArrayList<>();

    @Option(names = {"-o", "--output"}, paramLabel = "Y.npy", required = true,
            description = "Output .npy, one per model output and batch.")
    List<Path> outputs = new ArrayList<>();

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        Model m = args.load();
        int nIn = m.inputCount(), nOut = m.outputCount();
        if (inputs.size() % nIn != 0) {
            throw new InputException("model has " + nIn + " input(s) but " + inputs.size() + " -i files were given; give a multiple of " + nIn);
        }
        int batches = inputs.size() / nIn;
        if (outputs.size() != batches * nOut) {
            throw new InputException(inputs.size() + " -i file(s) make " + batches + " batch(es) of a model with " + nOut
                    + " output(s): give " + batches * nOut + " -o files, got " + outputs.size());
        }
        Session session = m.newSession();
        for (int b = 0; b < batches; b++) {
            Tensor[] x = new Tensor[nIn];
            for (int i = 0; i < nIn; i++) x[i] = Npy.read(inputs.get(b * nIn + i)).tensor();
            Tensor[] y;
            try {
                y = session.predict(x);
            } catch (JKerasException e) {
                throw e.in(inputs.get(b * nIn).toString(), null);
            }
            for (int o = 0; o < nOut; o++) {
                Path p = outputs.get(b * nOut + o);
                Tensor t = y[o];
                try {
                    AtomicFiles.write(p, out -> Npy.write(out, t));
                } catch (IOException e) {
                    throw new io.jkeras.JKerasException(p.toString(), null, null, "cannot write: " + e.getMessage(), e);
                }
                spec.commandLine().getOut().println(Printable.escape("wrote " + p + " " + Tensor.shapeString(t.shape())));
            }
        }
        spec.commandLine().getOut().flush();
    }
}

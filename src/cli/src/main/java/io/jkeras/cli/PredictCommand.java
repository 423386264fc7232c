package io.jkeras.cli;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.JKerasException;
import io.jkeras.model.Model;
import io.jkeras.model.Session;
import io.jkeras.tensor.Tensor;
import io.jkeras.npy.Npy;
import io.jkeras.util.OutputFiles;
import io.jkeras.text.Printable;
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
            description = "Input .npy (float32/float64/int32/int64, C order), one per model input; repeat for"
                    + " consecutive batches.")
    List<Path> inputs = new ArrayList<>();

    @Option(names = {"-o", "--output"}, paramLabel = "Y.npy", required = true,
            description = "Output .npy, one per model output and batch.")
    List<Path> outputs = new ArrayList<>();

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--force", description = "Replace output files that exist.")
    boolean force;

    @Override
    public void run() {
        try (OutputFiles files = OutputFiles.create(force)) {
            files.inputs(args.inputFiles()).inputs(inputs);
            for (Path p : outputs) files.add("-o", p);
            predict(files);
        } catch (IOException e) {
            throw new JKerasException(null, null, null, "cannot write the outputs: " + e.getMessage(), e);
        }
        spec.commandLine().getOut().flush();
    }

    /** Runs every batch and stages every output; nothing reaches the target files before all are written. */
    private void predict(OutputFiles files) throws IOException {
        Model m = args.load();
        int nIn = m.inputCount(), nOut = m.outputCount();
        if (inputs.size() % nIn != 0) {
            throw new InputException("model has " + nIn + " input(s) but " + inputs.size()
                    + " -i files were given; give a multiple of " + nIn);
        }
        int batches = inputs.size() / nIn;
        if (outputs.size() != batches * nOut) {
            throw new InputException(inputs.size() + " -i file(s) make " + batches + " batch(es) of a model with "
                    + nOut
                    + " output(s): give " + batches * nOut + " -o files, got " + outputs.size());
        }
        Session session = m.newSession();
        List<String> wrote = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            Tensor[] x = new Tensor[nIn];
            for (int i = 0; i < nIn; i++) x[i] = Npy.readInput(inputs.get(b * nIn + i), m, i).tensor();
            Tensor[] y;
            try {
                y = session.predict(x);
            } catch (JKerasException e) {
                throw e.in(inputs.get(b * nIn).toString(), null);
            }
            for (int o = 0; o < nOut; o++) {
                Path p = outputs.get(b * nOut + o);
                Tensor t = y[o];
                files.write(p, out -> Npy.write(out, t));
                wrote.add(Printable.escape("wrote " + p + " " + Tensor.shapeString(t.shape())));
            }
        }
        // said once every output is staged: a later failure leaves no file and no "wrote" line
        files.commit();
        for (String w : wrote) spec.commandLine().getOut().println(w);
    }
}

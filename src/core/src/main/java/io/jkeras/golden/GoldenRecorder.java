package io.jkeras.golden;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.JKerasException;
import io.jkeras.util.Sha256;
import io.jkeras.model.Model;
import io.jkeras.model.Session;
import io.jkeras.tensor.Tensor;
import io.jkeras.npy.Npy;
import io.jkeras.util.AtomicFiles;
import io.jkeras.util.Json;
import io.jkeras.util.OutputFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Records a golden case from jkeras itself, to pin today's behaviour: runs the model on the inputs
 * (k times as many inputs as the model takes are k consecutive batches, in one session) and writes
 * {@code x0.npy…} (the inputs, byte for byte as given), {@code y0.npy…} (float32 outputs) and
 * {@code golden.json} (tolerances and provenance: jkeras version, the model file's name and
 * SHA-256, the date). The directory appears complete or not at all: everything is written to a
 * temporary sibling directory, forced to disk and renamed into place ({@link OutputFiles}).
 */
public final class GoldenRecorder {
    /**
     * @param atol      the tolerance {@code verify} uses for the case (unless overridden)
     * @param rtol      the relative tolerance
     * @param force     replace a directory that exists and is not empty
     * @param copyModel also store the model file in the case as {@code model.<ext>}
     */
    public record Options(double atol, double rtol, boolean force, boolean copyModel) {
        public static final Options DEFAULT = new Options(1e-5, 0, false, false);

        public Options withTolerance(double a, double r) { return new Options(a, r, force, copyModel); }

        public Options withForce(boolean f) { return new Options(atol, rtol, f, copyModel); }

        public Options withCopyModel(boolean c) { return new Options(atol, rtol, force, c); }
    }

    private GoldenRecorder() {}

    /**
     * @param model     the model to run
     * @param modelFile the file it was loaded from (for provenance and {@code copyModel}), or null
     * @param inputs    the input {@code .npy} files, the model's inputs in order, batch after batch
     * @return the outputs, batch after batch
     */
    public static List<Tensor> record(Model model, Path modelFile, List<Path> inputs, Path dir,
            Options options) throws IOException {
        try (OutputFiles files = target(dir, inputs, modelFile, options.force())) {
            return record(model, modelFile, inputs, dir, options, files);
        }
    }

    /**
     * As {@link #record(Model, Path, List, Path, Options)}, into {@code dir} as already declared in
     * {@code files} ({@link #target}, e.g. before the model was loaded); commits {@code files}.
     */
    public static List<Tensor> record(Model model, Path modelFile, List<Path> inputs, Path dir, Options options,
                                      OutputFiles files) throws IOException {
        int nIn = model.inputCount();
        if (inputs.isEmpty() || inputs.size() % nIn != 0) {
            throw new InputException("model has " + nIn + " input(s) but " + inputs.size()
                    + " input file(s) were given; give a positive multiple of " + nIn);
        }
        int batches = inputs.size() / nIn;
        Session s = model.newSession();
        List<Tensor> ys = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            Tensor[] x = new Tensor[nIn];
            for (int i = 0; i < nIn; i++) x[i] = Npy.readInput(inputs.get(b * nIn + i), model, i).tensor();
            try {
                for (Tensor y : s.predict(x)) ys.add(y);
            } catch (JKerasException e) {
                throw e.in(inputs.get(b * nIn).toString(), null);
            }
        }
        Path tmp = files.stage(dir);
        List<String> xNames = new ArrayList<>(), yNames = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            Path src = inputs.get(i);
            String n = "x" + i + ".npy";
            AtomicFiles.write(tmp.resolve(n), out -> Files.copy(src, out));
            xNames.add(n);
        }
        for (int i = 0; i < ys.size(); i++) {
            Tensor t = ys.get(i);
            String n = "y" + i + ".npy";
            AtomicFiles.write(tmp.resolve(n), out -> Npy.write(out, t));
            yNames.add(n);
        }
        String modelCopy = null;
        if (options.copyModel()) {
            if (modelFile == null || !Files.isRegularFile(modelFile)) {
                throw new InputException("the model is not a single file, so it cannot be stored with the case");
            }
            String f = modelFile.getFileName().toString();
            int dot = f.lastIndexOf('.');
            modelCopy = "model" + (dot >= 0 ? f.substring(dot) : ".h5");
            String mc = modelCopy;
            AtomicFiles.write(tmp.resolve(mc), out -> Files.copy(modelFile, out));
        }
        byte[] bytes = json(model, modelFile, modelCopy, xNames, yNames, batches, options).toPrettyBytes();
        AtomicFiles.write(tmp.resolve("golden.json"), out -> out.write(bytes));
        files.commit();
        return ys;
    }

    /**
     * Declares the case directory as the one output: refused when it is not a directory, is not
     * empty (without {@code force}), or holds one of the inputs or the model. Callers may call this
     * before loading the model, to refuse a bad target before any work.
     */
    public static OutputFiles target(Path dir, List<Path> inputs, Path modelFile, boolean force) {
        OutputFiles files = OutputFiles.create(force).inputs(inputs);
        if (modelFile != null) files.inputs(List.of(modelFile));
        files.addDirectory("--dir", dir);
        return files;
    }

    private static Json json(Model model, Path modelFile, String modelCopy, List<String> xs, List<String> ys,
            int batches,
                                   Options o) throws IOException {
        Json.ObjectBuilder j = Json.object();
        j.put("atol", o.atol());
        j.put("rtol", o.rtol());
        j.put("n_inputs", model.inputCount());
        j.put("n_outputs", model.outputCount());
        j.put("batches", batches);
        j.put("stateful", model.stateful());
        Json.ArrayBuilder in = j.putArray("inputs");
        xs.forEach(in::add);
        Json.ArrayBuilder out = j.putArray("outputs");
        ys.forEach(out::add);
        Json.ArrayBuilder names = j.putArray("output_names");
        for (int i = 0; i < model.outputCount(); i++) names.add(model.outputName(i));
        Json.ObjectBuilder p = j.putObject("provenance");
        p.put("recorded_by", "jkeras golden record");
        p.put("jkeras_version", io.jkeras.util.Version.jkeras());
        p.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        p.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        Json.ObjectBuilder m = p.putObject("model");
        m.put("name", model.name());
        m.put("file", modelFile == null ? null : modelFile.getFileName().toString());
        m.put("sha256", modelFile != null && Files.isRegularFile(modelFile) ? Sha256.of(modelFile) : null);
        m.put("format", model.metadata().get("format"));
        m.put("keras_version", model.metadata().get("keras_version"));
        if (modelCopy != null) m.put("stored_as", modelCopy);
        return j.build();
    }
}

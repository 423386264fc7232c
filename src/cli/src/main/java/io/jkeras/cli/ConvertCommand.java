package io.jkeras.cli;

import io.jkeras.exceptions.InputException;
import io.jkeras.JKeras;
import io.jkeras.exceptions.JKerasException;
import io.jkeras.format.EmbeddedCheck;
import io.jkeras.format.Jkm;
import io.jkeras.format.JkmReader;
import io.jkeras.format.JkmWriter;
import io.jkeras.golden.Comparison;
import io.jkeras.golden.GoldenCase;
import io.jkeras.golden.Tolerance;
import io.jkeras.layers.InputLayer;
import io.jkeras.layers.Layer;
import io.jkeras.model.Model;
import io.jkeras.model.Session;
import io.jkeras.tensor.Tensor;
import io.jkeras.npy.Npy;
import io.jkeras.onnx.OnnxExporter;
import io.jkeras.util.OutputFiles;
import io.jkeras.text.Printable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * {@code jkeras convert IN OUT}: writes the model IN (any format jkeras loads) as OUT, the format
 * chosen by OUT's extension: {@code .jkm} (native), {@code .h5}, {@code .keras} or {@code .onnx}
 * ({@link OnnxExporter}: ONNX opset 17 with the fused RNN/LSTM/GRU operators). Atomic; an
 * existing OUT is replaced only with {@code --force}. {@code --embed-check} stores test vectors in
 * a native file, which loading re-runs.
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = {"Convert a model: OUT's extension picks the format (.jkm native, .h5, .keras, .onnx).",
                "The native file records the source's name, Keras version and SHA-256; with --embed-check it also"
                        + " holds "
                        + "an input and its expected output, re-run (and compared) every time the file is loaded."})
final class ConvertCommand implements Callable<Integer> {
    @Mixin
    ModelArgs args = new ModelArgs();

    @Parameters(index = "1", paramLabel = "OUT", description = "Output file: .jkm, .h5, .keras or .onnx.")
    Path out;

    @Option(names = "--force", description = "Replace OUT when it exists.")
    boolean force;

    @Option(names = "--embed-check",
            description = "Store an input and jkeras' output for it in the .jkm file (the input is "
            + "--check-input, else generated from a fixed seed).")
    boolean embedCheck;

    @Option(names = "--check-input", paramLabel = "X.npy",
            description = "Input(s) for --embed-check, one per model input; repeat for consecutive batches.")
    List<Path> checkInputs = new ArrayList<>();

    @Option(names = "--embed-check-golden", paramLabel = "DIR",
            description = "Store a golden case (x*.npy and the reference outputs y*.npy, "
            + "e.g. Keras') in the .jkm file, with the case's tolerance; the conversion is refused when the model"
                    + " does not match it now.")
    Path checkGolden;

    @Option(names = "--check-atol", paramLabel = "A", description = "Absolute tolerance of the embedded check, 0 to "
            + Tolerance.MAX
            + " (default 1e-6 for jkeras' own outputs; the case's, else 1e-5, for --embed-check-golden).")
    Double checkAtol;

    @Option(names = "--check-rtol", paramLabel = "R", description = "Relative tolerance of the embedded check, 0 to "
            + Tolerance.MAX
            + " (default: 1e-6 for jkeras' own outputs; the case's, else 0, for --embed-check-golden).")
    Double checkRtol;

    @Option(names = "--onnx-precision", paramLabel = "P", description = "For .onnx: float (default, every "
            + "operator in float32) or double_dense (Dense layers in float64, rounded once: closer to Keras where "
            + "their outputs are large; slower).")
    String onnxPrecision;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private enum Kind { JKM, H5, KERAS, ONNX }

    @Override
    public Integer call() throws IOException {
        // embedded checks are bounded by Tolerance.MAX without exception: a reader refuses a looser one
        new OptionRanges(spec).strictTolerance("--check-atol", checkAtol).strictTolerance("--check-rtol", checkRtol);
        if ((checkAtol != null || checkRtol != null) && !embedCheck && checkGolden == null) {
            throw new InputException("--check-atol and --check-rtol need --embed-check or --embed-check-golden");
        }
        String name = out.getFileName() == null ? "" : out.getFileName().toString().toLowerCase(Locale.ROOT);
        Kind kind = name.endsWith(".jkm") ? Kind.JKM : name.endsWith(".h5") ? Kind.H5 : name.endsWith(".keras")
                ? Kind.KERAS : name.endsWith(".onnx") ? Kind.ONNX : null;
        if (kind == null) throw new InputException(out.toString(), null, null,
                "OUT must end in .jkm (native), .h5, .keras or .onnx");
        if ((embedCheck || checkGolden != null || !checkInputs.isEmpty()) && kind != Kind.JKM) {
            throw new InputException(out.toString(), null, null,
                    "embedded checks are stored in native (.jkm) files only");
        }
        if (!checkInputs.isEmpty() && !embedCheck) throw new InputException("--check-input needs --embed-check");
        if (onnxPrecision != null && kind != Kind.ONNX) {
            throw new InputException(out.toString(), null, null, "--onnx-precision applies to .onnx outputs only");
        }
        precision();
        try (OutputFiles files = OutputFiles.create(force)) {
            files.inputs(args.inputFiles()).inputs(checkInputs);
            if (checkGolden != null) files.inputs(List.of(checkGolden));
            files.add("OUT", out);
            convert(files, kind);
        }
        return 0;
    }

    /** --onnx-precision: float (the default) or double_dense, in any case. */
    private OnnxExporter.Precision precision() {
        if (onnxPrecision == null) return OnnxExporter.Precision.FLOAT;
        for (OnnxExporter.Precision p : OnnxExporter.Precision.values()) {
            if (p.name().equalsIgnoreCase(onnxPrecision)) return p;
        }
        throw new InputException("--onnx-precision must be float or double_dense, got '"
                + Printable.escape(onnxPrecision) + "'");
    }

    /** Writes OUT's temporary, reads it back, and moves it into place only when it loads. */
    private void convert(OutputFiles files, Kind kind) throws IOException {
        Model m = args.load();
        var pw = spec.commandLine().getOut();
        if (kind == Kind.ONNX) {
            byte[] onnx = OnnxExporter.toBytes(m, precision());   // refuses before anything is staged
            Files.write(files.stage(out), onnx);
            files.commit();
            pw.println(Printable.escape("wrote " + out + " (" + onnx.length + " bytes, ONNX opset "
                    + OnnxExporter.OPSET + ")"));
            pw.flush();
            return;
        }
        Path staged = files.stage(out); // ends in OUT's name, so the saver picks OUT's format
        if (kind != Kind.JKM) {
            JKeras.save(m, staged);
            long size = Files.size(staged);
            files.commit();
            pw.println(Printable.escape("wrote " + out + " (" + size + " bytes, " + m.weights().size() + " weights)"));
            pw.flush();
            return;
        }
        JkmWriter.Options o = JkmWriter.Options.DEFAULT.withSourceFile(sourceFile(m));
        if (embedCheck) o = o.withCheck(jkerasCheck(m));
        if (checkGolden != null) o = o.withCheck(goldenCheck(m));
        Jkm.save(m, staged, o);
        // read it back as a service would, embedded checks included: a file that does not load is never moved into
        // place
        try {
            Jkm.load(staged, JkmReader.Options.DEFAULT.withLoadOptions(
                    io.jkeras.model.LoadOptions.DEFAULT.withAllowNonFiniteWeights(args.allowNonFinite)));
        } catch (JKerasException e) {
            throw new JKerasException(out.toString(), e.layer(), e.weight(),
                    "the converted file does not load back, so it was not written: " + e.detail(), e);
        }
        long size = Files.size(staged);
        files.commit();
        pw.println(Printable.escape("wrote " + out + " (" + size + " bytes, " + m.weights().size()
                + " weights, native format "
                + Jkm.MAJOR + "." + Jkm.MINOR
                        + (o.checks().isEmpty() ? "" : ", " + o.checks().size() + " embedded check(s)") + ")"));
        pw.flush();
    }

    /** The file the model was read from, for its SHA-256 (null when the source is not one file). */
    private static Path sourceFile(Model m) {
        String s = m.metadata().get("source");
        if (s == null || "jkm".equals(m.metadata().get("format"))) return null;
        try {
            Path p = Path.of(s);
            return Files.isRegularFile(p) ? p : null;
        } catch (java.nio.file.InvalidPathException e) {
            return null; // a label that is not a path
        }
    }

    private EmbeddedCheck jkerasCheck(Model m) {
        List<Tensor[]> xs = new ArrayList<>();
        if (!checkInputs.isEmpty()) {
            int nIn = m.inputCount();
            if (checkInputs.size() % nIn != 0) {
                throw new InputException("model has " + nIn + " input(s) but " + checkInputs.size()
                        + " --check-input files were given");
            }
            for (int b = 0; b < checkInputs.size() / nIn; b++) {
                Tensor[] x = new Tensor[nIn];
                for (int i = 0; i < nIn; i++) x[i] = Npy.readInput(checkInputs.get(b * nIn + i), m, i).tensor();
                xs.add(x);
            }
        } else {
            Tensor[] x = syntheticInput(m, false);
            try {
                m.predict(x);
            } catch (InputException e) {
                x = syntheticInput(m, true); // an input feeding an Embedding that is not declared as integer
            }
            xs.add(x);
        }
        Session s = m.newSession();
        List<Tensor[]> ys = new ArrayList<>();
        for (Tensor[] x : xs) ys.add(s.predict(x));
        return new EmbeddedCheck("jkeras " + io.jkeras.util.Version.jkeras(), checkAtol != null ? checkAtol : 1e-6,
                checkRtol != null ? checkRtol : 1e-6, xs, ys);
    }

    private EmbeddedCheck goldenCheck(Model m) {
        GoldenCase c = GoldenCase.open(checkGolden);
        int nIn = m.inputCount(), nOut = m.outputCount();
        int nx = c.inputFiles().size(), ny = c.outputFiles().size();
        if (nx % nIn != 0 || ny != nx / nIn * nOut) {
            throw new InputException(checkGolden.toString(), null, null, "holds " + nx + " input and " + ny
                    + " output file(s), which do not fit a model with "
                    + nIn + " input(s) and " + nOut + " output(s)");
        }
        Tolerance tol = Tolerance.resolveStrict(checkAtol, "--check-atol", checkRtol, "--check-rtol", c);
        double atol = tol.atol(), rtol = tol.rtol();
        List<Tensor[]> xs = new ArrayList<>(), ys = new ArrayList<>();
        Session s = m.newSession();
        for (int b = 0; b < nx / nIn; b++) {
            Tensor[] x = new Tensor[nIn], y = new Tensor[nOut];
            for (int i = 0; i < nIn; i++) x[i] = c.input(b * nIn + i);
            for (int o = 0; o < nOut; o++) y[o] = c.expected(b * nOut + o);
            Tensor[] got = s.predict(x);
            for (int o = 0; o < nOut; o++) {
                Comparison cmp = Comparison.of("y" + (b * nOut + o) + ".npy", got[o], y[o], atol, rtol);
                if (!cmp.passed()) {
                    throw new InputException(checkGolden.toString(), null, null,
                            "the model does not match this golden case, so it is not embedded: " + cmp.describe());
                }
            }
            xs.add(x);
            ys.add(y);
        }
        return new EmbeddedCheck("golden case " + checkGolden.toAbsolutePath().normalize().getFileName(), atol, rtol,
                xs, ys);
    }

    /**
     * A fixed-seed input for each model input: batch 2 (or the fixed batch size), unknown
     * dimensions 5, values uniform in [-1, 1); integer inputs (token ids) in [0, the smallest
     * vocabulary of the model's Embedding layers; all inputs with {@code ids}).
     */
    static Tensor[] syntheticInput(Model m, boolean ids) {
        SplittableRandom rnd = new SplittableRandom(20240501L);
        int vocab = Integer.MAX_VALUE;
        for (Layer l : m.layers()) {
            int n = l.vocabulary();
            if (n > 0) vocab = Math.min(vocab, n);
        }
        if (vocab == Integer.MAX_VALUE) vocab = 2;
        Tensor[] x = new Tensor[m.inputCount()];
        for (int i = 0; i < x.length; i++) {
            InputLayer in = m.input(i);
            int[] s = in.shape();
            int[] full = new int[s.length + 1];
            full[0] = in.batchSize() > 0 ? in.batchSize() : 2;
            for (int d = 0; d < s.length; d++) full[d + 1] = s[d] < 0 ? 5 : s[d];
            long n = 1;
            for (int d : full) n *= d;
            if (n > 1 << 24) throw new InputException(null, in.name(), null, "input " + Tensor.shapeString(full)
                    + " is too large to synthesize; pass --check-input");
            float[] v = new float[(int) n];
            for (int j = 0; j < v.length; j++) v[j] = ids || in.integer() ? rnd.nextInt(vocab)
                    : (float) (rnd.nextDouble() * 2 - 1);
            x[i] = new Tensor(full, v);
        }
        return x;
    }
}

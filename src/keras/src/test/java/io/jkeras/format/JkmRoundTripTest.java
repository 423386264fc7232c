package io.jkeras.format;

import io.jkeras.util.Sha256;
import io.jkeras.JKeras;
import io.jkeras.fixtures.FixtureCase;
import io.jkeras.layers.Layer;
import io.jkeras.model.Model;
import io.jkeras.model.Node;
import io.jkeras.model.Session;
import io.jkeras.tensor.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every Keras 3 fixture (model.h5 and model.keras) converts to the native format and back: the
 * native model has the same layers (names, types, summary), the same weights bit for bit, and
 * predicts bit for bit what the source model predicts; writing the loaded native model again gives
 * the same bytes.
 */
public class JkmRoundTripTest {
    @TempDir
    Path tmp;

    @TestFactory
    Stream<DynamicTest> everyFixtureRoundTripsBitForBit() {
        List<DynamicTest> tests = new ArrayList<>();
        for (FixtureCase c : FixtureCase.all("keras3")) {
            for (String f : new String[]{"model.h5", "model.keras"}) {
                Path p = c.dir().resolve(f);
                if (Files.exists(p)) tests.add(DynamicTest.dynamicTest(c.name() + "/" + f, () -> roundTrip(c, p)));
            }
        }
        return tests.stream();
    }

    /**
     * Keras -> native -> Keras: the native model saved back as .h5 (from model.h5) and as .keras
     * (from model.keras) with {@code JKeras.save} loads with the same layer names, weights bit for
     * bit, and predictions bit for bit.
     */
    @TestFactory
    Stream<DynamicTest> everyFixtureGoesBackToKeras() {
        List<DynamicTest> tests = new ArrayList<>();
        for (FixtureCase c : FixtureCase.all("keras3")) {
            for (String f : new String[]{"model.h5", "model.keras"}) {
                Path p = c.dir().resolve(f);
                if (Files.exists(p)) {
                    tests.add(DynamicTest.dynamicTest(c.name() + "/" + f, () -> goesBackToKeras(c, p, tmp)));
                }
            }
        }
        return tests.stream();
    }

    /**
     * {@code p} (a case's model.h5 or model.keras) → native → saved back by {@code JKeras.save} in the same
     * format (a .keras archive when the legacy config attribute would be too large) under {@code tmp}: the same
     * layer names, weights bit for bit and predictions bit for bit.
     */
    public static void goesBackToKeras(FixtureCase c, Path p, Path tmp) {
        Model src = JKeras.load(p);
        Model nat = JkmReader.read(JkmWriter.toBytes(src, JkmWriter.Options.DEFAULT), c.name() + ".jkm",
                JkmReader.Options.DEFAULT);
        String f = p.getFileName().toString();
        Path back = tmp.resolve(c.name() + "-back" + f.substring(f.indexOf('.')));
        try {
            JKeras.save(nat, back);
        } catch (io.jkeras.exceptions.UnsupportedModelException e) {
            // KerasWriter's documented limit: a legacy file's config attribute holds at most 48 KB
            assertThat(e.getMessage()).contains("save a .keras archive instead");
            back = tmp.resolve(c.name() + "-back.keras");
            JKeras.save(nat, back);
        }
        Model again = JKeras.load(back);
        assertThat(names(again.layers())).containsExactlyElementsOf(names(src.layers()));
        List<Model.NamedWeight> wa = src.weights(), wb = again.weights();
        assertThat(wb).hasSameSizeAs(wa);
        for (int i = 0; i < wa.size(); i++) {
            assertThat(wb.get(i).fullName()).isEqualTo(wa.get(i).fullName());
            assertThat(bits(wb.get(i).weight().values())).as(wa.get(i).fullName())
                    .containsExactly(bits(wa.get(i).weight().values()));
        }
        assertSamePredictions(src, again, c);
    }

    /** The old Keras files of the zoo (Keras 1.2.2 to 2.2.4, Theano and TensorFlow) round-trip as well. */
    @TestFactory
    Stream<DynamicTest> zooFilesRoundTripBitForBit() {
        return FixtureCase.all("zoo").stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Path source = Files.exists(c.dir().resolve("model.h5")) ? c.dir().resolve("model.h5") : c.dir()
                    .resolve("weights.h5");
            roundTrip(c, c.load(), source);
        }));
    }

    public static void roundTrip(FixtureCase c, Path source) throws Exception {
        roundTrip(c, JKeras.load(source), source);
    }

    static void roundTrip(FixtureCase c, Model src, Path source) throws Exception {
        byte[] bytes = JkmWriter.toBytes(src, JkmWriter.Options.DEFAULT.withSourceFile(source));
        Model nat = JkmReader.read(bytes, c.name() + ".jkm", JkmReader.Options.DEFAULT);
        assertSameModel(src, nat, c.name());
        assertSamePredictions(src, nat, c);
        // native -> native: the provenance is carried over, so the bytes are identical
        assertThat(JkmWriter.toBytes(nat, JkmWriter.Options.DEFAULT)).as("re-written native file").isEqualTo(bytes);
        assertThat(nat.metadata()).containsEntry("source_sha256", Sha256.of(source))
                .containsEntry("source_file", source.getFileName().toString())
                .containsEntry("keras_version", src.metadata().get("keras_version")).containsEntry("format", "jkm");
    }

    static void assertSameModel(Model a, Model b, String what) {
        assertSameModel(a, b, what, true);
    }

    /** {@code training}: also compare the training configs (a frozen file keeps those of the jkeras that wrote it). */
    static void assertSameModel(Model a, Model b, String what, boolean training) {
        assertThat(b.name()).isEqualTo(a.name());
        assertThat(names(b.layers())).as(what + " layers").containsExactlyElementsOf(names(a.layers()));
        assertThat(b.summary()).isEqualTo(a.summary());
        assertThat(b.nodes()).hasSameSizeAs(a.nodes());
        for (int i = 0; i < a.nodes().size(); i++) {
            Node x = a.nodes().get(i), y = b.nodes().get(i);
            assertThat(y.layer().name()).isEqualTo(x.layer().name());
            assertThat(y.layer().getClass()).isEqualTo(x.layer().getClass());
            assertThat(y.inputs()).isEqualTo(x.inputs());
            assertThat(y.mask()).isEqualTo(x.mask());
            assertThat(y.outputShapes()).isDeepEqualTo(x.outputShapes());
        }
        assertThat(b.inputNodeIds()).isEqualTo(a.inputNodeIds());
        assertThat(b.outputRefs()).isEqualTo(a.outputRefs());
        if (training) assertThat(b.trainingConfigs()).usingRecursiveComparison().isEqualTo(a.trainingConfigs());
        List<Model.NamedWeight> wa = a.weights(), wb = b.weights();
        assertThat(wb).hasSameSizeAs(wa);
        for (int i = 0; i < wa.size(); i++) {
            assertThat(wb.get(i).fullName()).isEqualTo(wa.get(i).fullName());
            assertThat(wb.get(i).weight().shape()).containsExactly(wa.get(i).weight().shape());
            assertThat(bits(wb.get(i).weight().values())).as(wa.get(i).fullName() + " bits")
                    .containsExactly(bits(wa.get(i).weight().values()));
        }
    }

    static void assertSamePredictions(Model a, Model b, FixtureCase c) {
        Session sa = a.newSession(), sb = b.newSession();
        for (int batch = 0; batch < c.batches(); batch++) {
            Tensor[] x = new Tensor[c.inputs()];
            for (int i = 0; i < x.length; i++) x[i] = c.x(batch, i);
            Tensor[] ya = sa.predict(x), yb = sb.predict(x);
            assertThat(yb).hasSameSizeAs(ya);
            for (int o = 0; o < ya.length; o++) {
                assertThat(yb[o].shape()).containsExactly(ya[o].shape());
                assertThat(bits(yb[o].data())).as(c.name() + " batch " + batch + " output " + o + " bits")
                        .containsExactly(bits(ya[o].data()));
            }
        }
    }

    static List<String> names(List<Layer> ls) { return ls.stream().map(l -> l.name() + ":" + l.typeName()).toList(); }

    static int[] bits(float[] f) {
        int[] r = new int[f.length];
        for (int i = 0; i < f.length; i++) r[i] = Float.floatToRawIntBits(f[i]);
        return r;
    }

    static float[] random(java.util.SplittableRandom r, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) (r.nextDouble() - 0.5);
        return f;
    }

    /** No Keras 3 fixture holds a CuDNN layer: a synthetic one, with a training config of every kind. */
    @Test
    void cudnnLayersAndTrainingConfigsRoundTrip() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        int in = 3, u = 4;
        float[] k = random(r, in * 4 * u), rk = random(r, u * 4 * u), b = random(r, 4 * u), b8 = random(r, 8 * u);
        io.jkeras.layers.Lstm inner = new io.jkeras.layers.Lstm("cu_dnnlstm", u, in, io.jkeras.kernels.Activation.TANH,
                io.jkeras.kernels.Activation.SIGMOID, k, rk, b,
                        new io.jkeras.layers.RecurrentOptions(true, false, false, false));
        io.jkeras.layers.CudnnRecurrent cu = new io.jkeras.layers.CudnnRecurrent("CuDNNLSTM", inner, List.of(
                new io.jkeras.layers.Weight("kernel", new int[]{in, 4 * u}, k),
                        new io.jkeras.layers.Weight("recurrent_kernel", new int[]{u, 4 * u}, rk),
                new io.jkeras.layers.Weight("bias", new int[]{8 * u}, b8)));
        io.jkeras.layers.InputLayer il = new io.jkeras.layers.InputLayer("input_1", new int[]{-1, in}, -1, false);
        Node n0 = new Node(0, il, List.of(), new int[][]{{-1, in}});
        Node n1 = new Node(1, cu, List.of(new Node.Ref(0, 0)), cu.outputShapes(new int[][]{{-1, in}}));
        io.jkeras.layers.TrainingConfig tc = new io.jkeras.layers.TrainingConfig(false, 0.25, 0.5,
                java.util.Map.of("kernel", new io.jkeras.layers.TrainingConfig.Regularizer(0.01, 0)),
                new io.jkeras.layers.TrainingConfig.Regularizer(0, 0.5),
                java.util.Map.of("kernel", new io.jkeras.layers.TrainingConfig.Constraint.MaxNorm(2, new int[]{0}),
                        "bias", new io.jkeras.layers.TrainingConfig.Constraint.NonNeg()),
                java.util.Map.of("kernel",
                        new io.jkeras.layers.TrainingConfig.Initializer("GlorotUniform",
                                java.util.Map.of("seed", 42L, "gain", 1.5, "mode", "fan_avg"))));
        Model m = new Model("cudnn", List.of(n0, n1), List.of(0), List.of(new Node.Ref(1, 0)), List.of(il, cu),
                java.util.Map.of("keras_version", "2.2.4", "backend", "tensorflow"),
                        java.util.Map.of("cu_dnnlstm", tc));
        Model nat = JkmReader.read(JkmWriter.toBytes(m, JkmWriter.Options.DEFAULT), "cudnn.jkm",
                JkmReader.Options.DEFAULT);
        assertThat(nat.layers().get(1).typeName()).isEqualTo("CuDNNLSTM");
        assertThat(nat.weights().get(2).weight().shape()).containsExactly(8 * u);
        assertThat(nat.trainingConfigs()).usingRecursiveComparison().isEqualTo(m.trainingConfigs());
        Tensor x = new Tensor(new int[]{2, 5, in}, random(r, 2 * 5 * in));
        assertThat(bits(nat.predict(x)[0].data())).containsExactly(bits(m.predict(x)[0].data()));
        for (int i = 0; i < 3; i++) assertThat(bits(nat.weights().get(i).weight().values()))
                .containsExactly(bits(m.weights().get(i).weight().values()));
    }

    @Test
    void savedFileLoadsThroughJKerasLoadByItsMagic(@TempDir Path dir) throws Exception {
        FixtureCase c = FixtureCase.all("keras3").stream().filter(f -> f.name().equals("stack_lstm_lstm_dense"))
                .findFirst().orElseThrow();
        Model src = c.load();
        Path out = dir.resolve("weird-name.bin");
        Jkm.save(src, out);
        assertThat(Files.size(out) % 64).isZero();
        Model nat = JKeras.load(out);
        assertSameModel(src, nat, c.name());
        assertSamePredictions(src, nat, c);
        assertThat(nat.metadata()).containsEntry("source", out.toString())
                .containsEntry("jkm_version", Jkm.MAJOR + "." + Jkm.MINOR);
    }
}

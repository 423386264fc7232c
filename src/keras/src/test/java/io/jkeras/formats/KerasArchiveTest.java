package io.jkeras.formats;

import io.jhdf.HdfFile;
import io.jkeras.JKeras;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.fixtures.FixtureCase;
import io.jkeras.keras.KerasFiles;
import io.jkeras.keras.KerasH5Reader;
import io.jkeras.keras.KerasLoader;
import io.jkeras.model.LoadOptions;
import io.jkeras.keras.WeightArray;
import io.jkeras.model.Model;
import io.jkeras.model.Session;
import io.jkeras.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Keras 3 {@code .keras} archives and {@code config.json + model.weights.h5} pairs from
 * fixtures/keras3 (written by real Keras 3.15.1 next to the same model's legacy {@code model.h5}):
 * every output within the case's tolerance of Keras' {@code y*.npy} and bit for bit equal to what
 * the {@code model.h5} gives; the arrays handed to the mappers (names, shapes, values, order) equal
 * those the legacy reader gives. A case whose layers jkeras does not run yet is skipped only when
 * its {@code model.h5} is refused the same way.
 */
class KerasArchiveTest {

    @TestFactory
    Stream<DynamicTest> kerasArchives() {
        return FixtureCase.all("keras3").stream()
                .filter(c -> Files.exists(c.dir().resolve("model.keras")))
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> {
                    Path keras = c.dir().resolve("model.keras");
                    Model reference = referenceOrSkip(c, () -> JKeras.load(keras));
                    Model m = JKeras.load(keras);
                    assertThat(m.metadata()).containsEntry("format", "keras-zip").containsEntry("keras_version",
                            c.json().path("provenance").path("keras_version").asText());
                    sameArrays(KerasLoader.archiveWeights(keras, LoadOptions.DEFAULT), legacyArrays(c));
                    sameModel(c, m, reference);
                }));
    }

    @TestFactory
    Stream<DynamicTest> configPlusWeightsH5() {
        List<FixtureCase> cases = FixtureCase.all("keras3").stream()
                .filter(c -> Files.exists(c.dir().resolve("config.json"))
                && Files.exists(c.dir().resolve("model.weights.h5")))
                .toList();
        if (cases.isEmpty()) {
            return Stream.of(DynamicTest.dynamicTest("no config.json + model.weights.h5 case yet", ()
                    -> Assumptions.abort(
                    "fixtures/keras3 holds no case with config.json + model.weights.h5 (tools/gen_fixtures.py writes"
                            + " them)")));
        }
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Path config = c.dir().resolve("config.json");
            Path weights = c.dir().resolve("model.weights.h5");
            Model reference = referenceOrSkip(c, () -> JKeras.load(config, weights));
            Model m = JKeras.load(config, weights);
            assertThat(m.metadata()).containsEntry("format", "keras-weights-h5");
            // config.json from to_json() records no version: the `layers/` layout is Keras 3's
            assertThat(m.metadata().get("keras_version")).startsWith("3");
            sameModel(c, m, reference);
        }));
    }

    /** The format is told by the first bytes: a .keras named .h5 and an .h5 named .keras both load. */
    @Test
    void formatByMagicBytesNotExtension(@TempDir Path tmp) throws Exception {
        FixtureCase c = FixtureCase.all("keras3").stream().filter(x -> x.name().equals("stack_lstm_lstm_dense"))
                .findFirst().orElseThrow();
        Path zipNamedH5 = Files.copy(c.dir().resolve("model.keras"), tmp.resolve("really_a_zip.h5"));
        Path h5NamedKeras = Files.copy(c.dir().resolve("model.h5"), tmp.resolve("really_hdf5.keras"));
        Model a = JKeras.load(zipNamedH5);
        Model b = JKeras.load(h5NamedKeras);
        assertThat(a.metadata()).containsEntry("format", "keras-zip");
        assertThat(b.metadata()).containsEntry("format", "keras-hdf5");
        sameModel(c, a, b);
        try (InputStream in = Files.newInputStream(c.dir().resolve("model.keras"))) {
            Model s = JKeras.load(in, "stream.bin");
            assertThat(s.metadata()).containsEntry("format", "keras-zip");
            sameModel(c, s, b);
        }
        // config.json + a .keras archive as the weights file: the archive's weights, the given config
        Path config = tmp.resolve("config.json");
        try (var z = new java.util.zip.ZipFile(c.dir().resolve("model.keras").toFile())) {
            Files.write(config, z.getInputStream(z.getEntry("config.json")).readAllBytes());
        }
        sameModel(c, JKeras.load(config, c.dir().resolve("model.keras")), b);
    }

    @Test
    void weightsOnlyH5AloneNamesWhatIsMissing() {
        Path w = FixtureCase.all("keras3").stream().map(c -> c.dir().resolve("model.weights.h5")).filter(Files::exists)
                .findFirst().orElse(null);
        Assumptions.assumeTrue(w != null, "no model.weights.h5 fixture yet");
        var e = assertThrows(io.jkeras.exceptions.ModelFormatException.class, () -> JKeras.load(w));
        assertThat(e.getMessage()).contains("weights-only").contains("config JSON");
    }

    // ------------------------------------------------------------------------------------------

    /** The model.h5 of the case, or a skip when both it and the new format are refused as unsupported. */
    static Model referenceOrSkip(FixtureCase c, Supplier<Model> newFormat) {
        try {
            return JKeras.load(c.dir().resolve("model.h5"));
        } catch (UnsupportedModelException e) {
            UnsupportedModelException other = assertThrows(UnsupportedModelException.class, newFormat::get,
                    "model.h5 is unsupported, so the new format must be too");
            Assumptions.abort("not supported yet, by model.h5 and the new format alike: " + e.getMessage()
                    + " / " + other.getMessage());
            return null;
        }
    }

    /** Outputs within atol of Keras and bit-identical to the reference model; same weights. */
    static void sameModel(FixtureCase c, Model m, Model reference) {
        List<String> got = new ArrayList<>();
        List<String> want = new ArrayList<>();
        for (Model.NamedWeight w : m.weights()) got.add(w.fullName() + " " + w.weight().shapeString());
        for (Model.NamedWeight w : reference.weights()) want.add(w.fullName() + " " + w.weight().shapeString());
        assertThat(got).as("weight names and shapes").containsExactlyElementsOf(want);
        for (int i = 0; i < m.weights().size(); i++) {
            assertThat(bits(m.weights().get(i).weight().values())).as(got.get(i) + " values")
                    .containsExactly(bits(reference.weights().get(i).weight().values()));
        }
        assertThat(m.inputCount()).isEqualTo(c.inputs());
        assertThat(m.outputCount()).isEqualTo(c.outputs());
        Session s = c.stateful() ? m.newSession() : null;
        Session rs = c.stateful() ? reference.newSession() : null;
        for (int b = 0; b < c.batches(); b++) {
            Tensor[] in = new Tensor[c.inputs()];
            for (int i = 0; i < in.length; i++) in[i] = c.x(b, i);
            Tensor[] out = s != null ? s.predict(in) : m.predict(in);
            Tensor[] ref = rs != null ? rs.predict(in) : reference.predict(in);
            for (int o = 0; o < c.outputs(); o++) {
                Tensor want0 = c.y(b, o);
                String what = c.name() + " batch " + b + " output " + o;
                assertThat(out[o].shape()).as(what + " shape").containsExactly(want0.shape());
                assertThat(maxAbsDiff(out[o], want0)).as(what + " max |jkeras - keras|").isLessThanOrEqualTo(c.atol());
                assertThat(bits(out[o].data())).as(what + " bit-identical to model.h5")
                        .containsExactly(bits(ref[o].data()));
            }
        }
    }

    static Map<String, List<WeightArray>> legacyArrays(FixtureCase c) {
        String label = c.dir().resolve("model.h5").toString();
        try (HdfFile f = KerasFiles.openHdf5(c.dir().resolve("model.h5"), label)) {
            return KerasH5Reader.read(f, label, LoadOptions.DEFAULT).weights();
        }
    }

    /** Same layers with weights, each with the same arrays in the same order: name, shape, every bit. */
    static void sameArrays(Map<String, List<WeightArray>> got, Map<String, List<WeightArray>> want) {
        assertThat(nonEmpty(got)).as("layers with weights").containsExactlyInAnyOrderElementsOf(nonEmpty(want));
        for (String layer : nonEmpty(want)) {
            List<WeightArray> g = got.get(layer);
            List<WeightArray> w = want.get(layer);
            assertThat(g.stream().map(a -> a.name() + " " + a.shapeString()).toList()).as(layer + " arrays")
                    .containsExactlyElementsOf(w.stream().map(a -> a.name() + " " + a.shapeString()).toList());
            for (int i = 0; i < w.size(); i++) {
                assertThat(bits(g.get(i).data())).as(layer + "/" + w.get(i).name() + " values")
                        .containsExactly(bits(w.get(i).data()));
            }
        }
    }

    private static List<String> nonEmpty(Map<String, List<WeightArray>> m) {
        return m.entrySet().stream().filter(e -> !e.getValue().isEmpty()).map(Map.Entry::getKey).toList();
    }

    static int[] bits(float[] a) {
        int[] r = new int[a.length];
        for (int i = 0; i < a.length; i++) r[i] = Float.floatToRawIntBits(a[i]);
        return r;
    }

    static double maxAbsDiff(Tensor a, Tensor b) {
        double m = 0;
        for (int i = 0; i < a.size(); i++) {
            double d = Math.abs((double) a.data()[i] - b.data()[i]);
            if (Double.isNaN(d)) return Double.POSITIVE_INFINITY;
            m = Math.max(m, d);
        }
        return m;
    }
}

package io.jkeras.format;

import com.fasterxml.jackson.databind.JsonNode;
import io.jkeras.JKeras;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.fixtures.FixtureCase;
import io.jkeras.fixtures.KerasFixturesTest;
import io.jkeras.layers.GlobalPooling;
import io.jkeras.layers.Identity;
import io.jkeras.layers.Layer;
import io.jkeras.layers.Pooling;
import io.jkeras.layers.SpatialResize;
import io.jkeras.model.Model;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The real-Keras 3.15.1 cases of fixtures/keras3/layers14 for the pooling and shape layers (pooling, global
 * pooling, zero padding, cropping, upsampling, spatial dropout) and of fixtures/keras3/layers14-pooling-extra
 * (tools/gen_pooling_extra_fixtures.py: the 3D shape layers, TimeDistributed pooling before an LSTM or GRU), from
 * model.h5 and from model.keras: outputs within the case's tolerance of Keras' y*.npy, Keras' parameter counts,
 * the native format round trip bit for bit, and saving back to .h5/.keras (same outputs bit for bit after loading
 * again). The composite cases that also use layers of other families run once those layers load.
 */
class PoolingShapeFixturesTest {
    private static final Pattern OWN = Pattern.compile(
            "(max_pool|avg_pool|global_(max|avg)_pool|zero_padding|cropping|upsampling|spatial_dropout)\\d.*");
    private static final Set<String> COMPOSITES = Set.of("composite_lrcn", "composite_lrcn_batchnorm",
            "composite_cnn_bilstm_spatial_dropout", "spatial_dropout1d_cnn_lstm");
    private static final Pattern OWN_CLASS = Pattern.compile(
            "(Global)?(Max|Average)Pooling\\dD|ZeroPadding\\dD|Cropping\\dD|UpSampling\\dD|SpatialDropout\\dD");
    private static final String[] FILES = {"model.h5", "model.keras"};

    @TempDir
    Path tmp;

    /** This family's cases of layers14, and every case of layers14-pooling-extra (3D shape layers, LRCN pooling). */
    static List<FixtureCase> cases() {
        List<FixtureCase> out = new ArrayList<>(FixtureCase.all("keras3/layers14").stream()
                .filter(c -> OWN.matcher(c.name()).matches() || COMPOSITES.contains(c.name())).toList());
        out.addAll(FixtureCase.all("keras3/layers14-pooling-extra"));
        return out;
    }

    /**
     * Loads a case's file; a case that also uses a layer of another family (Conv2D before SpatialDropout2D, the
     * composites) is skipped while that layer is not supported on this build.
     */
    private static Model load(FixtureCase c, String file) {
        try {
            return JKeras.load(c.dir().resolve(file));
        } catch (UnsupportedModelException e) {
            String m = e.getMessage();
            Assumptions.assumeFalse(m.contains(": layer class '") && m.contains("' is not supported;"),
                    () -> c.name() + " needs a layer of another family: " + m.substring(0, m.indexOf(';')));
            throw e;
        }
    }

    private Stream<DynamicTest> each(Check check) {
        List<DynamicTest> tests = new ArrayList<>();
        for (FixtureCase c : cases()) {
            for (String f : FILES) tests.add(DynamicTest.dynamicTest(c.name() + "/" + f, () -> check.run(c, f)));
        }
        return tests.stream();
    }

    interface Check {
        void run(FixtureCase c, String file) throws Exception;
    }

    @Test
    void fixturesCoverEveryLayerOfTheFamily() {
        Set<String> seen = new TreeSet<>();
        for (FixtureCase c : cases()) {
            for (JsonNode l : c.json().path("layers")) seen.add(l.path("class_name").asText());
        }
        assertThat(seen).contains("MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D",
                "AveragePooling2D", "AveragePooling3D", "GlobalMaxPooling1D", "GlobalMaxPooling2D",
                "GlobalMaxPooling3D", "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D",
                "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D", "Cropping1D", "Cropping2D", "Cropping3D",
                "UpSampling1D", "UpSampling2D", "UpSampling3D",
                "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D");
    }

    @TestFactory
    Stream<DynamicTest> eachKerasClassMapsToItsEngineLayer() {
        return each((c, f) -> {
            Model m = load(c, f);
            for (JsonNode l : c.json().path("layers")) {
                String cls = l.path("class_name").asText();
                if (!OWN_CLASS.matcher(cls).matches()) continue;
                Layer x = m.layers().stream().filter(y -> y.name().equals(l.path("name").asText())).findFirst()
                        .orElseThrow();
                assertThat(x.typeName()).isEqualTo(cls);
                assertThat(x).isInstanceOfAny(Pooling.class, GlobalPooling.class, SpatialResize.class,
                        Identity.class);
                if (cls.startsWith("SpatialDropout")) {
                    // keras spatial_dropout.py _get_noise_shape: one draw per sample and channel
                    int[] noise = ((Identity) x).noiseShape();
                    int rank = cls.charAt(14) - '0' + 2;
                    boolean cf = "channels_first".equals(kerasConfig(c, l.path("name").asText())
                            .path("data_format").asText());
                    assertThat(noise).hasSize(rank);
                    for (int a = 0; a < rank; a++) {
                        boolean perElement = a == 0 || a == (cf && rank > 3 ? 1 : rank - 1);
                        assertThat(noise[a]).as("%s axis %d", cls, a).isEqualTo(perElement ? -1 : 1);
                    }
                }
            }
        });
    }

    /** The Keras config of layer {@code name} as the case's model.keras stores it. */
    private static JsonNode kerasConfig(FixtureCase c, String name) throws java.io.IOException {
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(c.dir().resolve("model.keras").toFile())) {
            JsonNode model = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(z.getInputStream(z.getEntry("config.json")));
            for (JsonNode l : model.path("config").path("layers")) {
                if (name.equals(l.path("config").path("name").asText())) return l.path("config");
            }
        }
        throw new AssertionError(c.name() + ": no layer " + name + " in model.keras");
    }

    @TestFactory
    Stream<DynamicTest> outputsMatchKeras() {
        return each((c, f) -> KerasFixturesTest.checkOutputs(c, load(c, f)));
    }

    @TestFactory
    Stream<DynamicTest> parameterCountsAndSummaryMatchKeras() {
        return each((c, f) -> KerasFixturesTest.checkParamCounts(c, load(c, f)));
    }

    @TestFactory
    Stream<DynamicTest> nativeFormatRoundTripsBitForBit() {
        return each((c, f) -> {
            load(c, f);
            JkmRoundTripTest.roundTrip(c, c.dir().resolve(f));
        });
    }

    /**
     * fixtures/keras1_pooling (tools/make_keras1_pooling_fixtures.py): Keras 1.2.2 spellings (pool_length, stride,
     * border_mode, dim_ordering th/tf, UpSampling1D's length, ZeroPadding2D's 4-tuple) of Keras 3 cases, which
     * must give Keras 3's outputs; a case with {@code expected_error} must be refused with that message.
     */
    @TestFactory
    Stream<DynamicTest> keras1SpellingsGiveKeras3Outputs() {
        return FixtureCase.all("keras1_pooling").stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            JsonNode err = c.json().get("expected_error");
            if (err == null) {
                Model m = c.load();
                KerasFixturesTest.checkOutputs(c, m);
                KerasFixturesTest.checkParamCounts(c, m);
                assertThat(m.layers().get(m.layers().size() - 1).typeName())
                        .isEqualTo(c.json().path("keras1_config").path("class_name").asText());
                return;
            }
            List<String> parts = new ArrayList<>();
            err.path("message_contains").forEach(p -> parts.add(p.asText()));
            assertThatThrownBy(c::load).isInstanceOf(UnsupportedModelException.class)
                    .hasMessageContainingAll(parts.toArray(new String[0]));
        }));
    }

    @TestFactory
    Stream<DynamicTest> savedBackToKerasGivesTheSameOutputs() {
        return each((c, f) -> {
            Model src = load(c, f);
            Path back = tmp.resolve(c.name() + "-back" + f.substring(f.indexOf('.')));
            JKeras.save(src, back);
            Model again = JKeras.load(back);
            assertThat(JkmRoundTripTest.names(again.layers())).containsExactlyElementsOf(
                    JkmRoundTripTest.names(src.layers()));
            JkmRoundTripTest.assertSamePredictions(src, again, c);
        });
    }
}

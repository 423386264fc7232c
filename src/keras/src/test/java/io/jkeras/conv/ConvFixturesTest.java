package io.jkeras.conv;

import com.fasterxml.jackson.databind.JsonNode;
import io.jkeras.JKeras;
import io.jkeras.fixtures.FixtureCase;
import io.jkeras.fixtures.KerasFixturesTest;
import io.jkeras.format.JkmRoundTripTest;
import io.jkeras.exceptions.UnsupportedModelException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The convolution cases of fixtures/keras3/layers14 (real Keras 3.15.1: Conv1D/2D/3D, DepthwiseConv1D/2D,
 * SeparableConv1D/2D, Conv1D/2D/3DTranspose, every option, and the CNN-LSTM and LRCN composites): model.h5 and
 * model.keras both predict Keras' outputs within the case's tolerance, parameter counts equal Keras', the native
 * format round-trips bit for bit and a model saved back to .h5/.keras reloads bit for bit. In the three cases where
 * Keras' TensorFlow backend adds a channels_first bias on the wrong axis (conv1d_cf, separable_conv2d_cf,
 * depthwise_conv1d_cf: fixtures/keras3/layers14/README.md, "channels_first"), y0.npy is the generator's
 * independent NumPy reference ({@code expected_output} in case.json) and that is what jkeras must match.
 */
class ConvFixturesTest {
    private static final List<String> PREFIXES = List.of("conv1d", "conv2d", "conv3d", "separable", "depthwise",
            "composite_lrcn", "composite_cnn_");

    @TempDir
    Path tmp;

    static List<FixtureCase> cases() {
        return FixtureCase.all("keras3/layers14").stream()
                .filter(c -> PREFIXES.stream().anyMatch(p -> c.name().startsWith(p))).toList();
    }

    /**
     * The composites also hold pooling, dropout and normalization layers, which other layer families bring: a case
     * whose file names a layer class no mapper knows yet is skipped, saying which (every class of this family is
     * registered, so a convolution can never be skipped so).
     */
    private static void assumeEveryLayerSupported(FixtureCase c, Path p) {
        try {
            JKeras.load(p);
        } catch (UnsupportedModelException e) {
            Matcher m = UNKNOWN_CLASS.matcher(e.getMessage());
            Assumptions.assumeFalse(m.find(), () -> c.name() + " needs " + m.group(1) + ", not on this branch");
            throw e;
        }
    }

    private static final Pattern UNKNOWN_CLASS = Pattern.compile("layer class '([A-Za-z0-9]+)' is not supported");

    private static Stream<DynamicTest> perFile(java.util.function.BiConsumer<FixtureCase, Path> check) {
        List<DynamicTest> tests = new ArrayList<>();
        for (FixtureCase c : cases()) {
            for (String f : new String[]{"model.h5", "model.keras"}) {
                tests.add(DynamicTest.dynamicTest(c.name() + "/" + f, () -> {
                    assumeEveryLayerSupported(c, c.dir().resolve(f));
                    check.accept(c, c.dir().resolve(f));
                }));
            }
        }
        return tests.stream();
    }

    @Test
    void everyConvolutionLayerAndOptionHasCases() {
        List<String> classes = new ArrayList<>();
        for (FixtureCase c : cases()) for (JsonNode l : c.json().path("layers")) classes.add(l.path("class_name")
                .asText());
        assertThat(classes).contains("Conv1D", "Conv2D", "Conv3D", "DepthwiseConv1D", "DepthwiseConv2D",
                "SeparableConv1D", "SeparableConv2D", "Conv1DTranspose", "Conv2DTranspose");
        assertThat(cases()).extracting(FixtureCase::name).contains("conv2d_groups_dilation_cf", "conv3d_groups",
                "conv2d_transpose_output_padding", "depthwise_conv2d_same_strides_mult2", "composite_lrcn");
    }

    @Test
    void casesWhereKerasAddsTheBiasOnTheWrongAxisCarryTheNumpyReference() {
        List<String> withReference = cases().stream().filter(c -> c.json().has("expected_output"))
                .map(FixtureCase::name).toList();
        assertThat(withReference).containsExactlyInAnyOrder("conv1d_cf", "separable_conv2d_cf", "depthwise_conv1d_cf");
        for (FixtureCase c : cases()) {
            if (!c.json().has("expected_output")) continue;
            assertThat(c.json().path("expected_output").asText()).isEqualTo("numpy_reference");
            // y0.npy is the NumPy reference; Keras' own (wrong) output is kept beside it, and differs
            Path keras = c.dir().resolve("keras_tf_y0.npy");
            assertThat(keras).exists();
            double off = c.json().path("numpy_reference").path("keras_tf_max_abs_diff").asDouble();
            assertThat(off).as(c.name()).isGreaterThan(100 * c.atol());
            assertThat(c.json().path("numpy_reference").path("max_abs_diff_to_y0").asDouble()).isLessThan(1e-6);
        }
    }

    @TestFactory
    Stream<DynamicTest> outputsMatchKeras() {
        return perFile((c, p) -> KerasFixturesTest.checkOutputs(c, JKeras.load(p)));
    }

    @TestFactory
    Stream<DynamicTest> outputsDifferFromKerasWrongChannelsFirstBias() {
        return cases().stream().filter(c -> c.json().has("expected_output")).map(c -> DynamicTest.dynamicTest(
                c.name(), () -> {
                    io.jkeras.tensor.Tensor wrong = io.jkeras.npy.Npy.read(c.dir().resolve("keras_tf_y0.npy"))
                            .tensor();
                    io.jkeras.tensor.Tensor got = JKeras.load(c.dir().resolve("model.keras")).predict(c.x(0, 0))[0];
                    double d = 0;
                    for (int i = 0; i < got.size(); i++) d = Math.max(d, Math.abs(got.data()[i] - wrong.data()[i]));
                    assertThat(d).isGreaterThan(0.1);
                }));
    }

    /**
     * Keras 1.2.2 spellings (Convolution2D/3D, AtrousConvolution2D; nb_filter, nb_row/nb_col, kernel_dim1..3,
     * subsample, border_mode, atrous_rate, dim_ordering th/tf; W stored (nb_filter, stack, k…) for th, flipped for
     * Theano), converted from Keras 3 cases by tools/make_keras1_conv_fixtures.py: same outputs as Keras 3's.
     */
    @TestFactory
    Stream<DynamicTest> keras1SpellingsGiveKeras3Outputs() {
        List<FixtureCase> k1 = FixtureCase.all("keras1conv");
        assertThat(k1).extracting(FixtureCase::name).contains("k1_convolution2d_th_theano", "k1_convolution3d_th",
                "k1_atrous_convolution2d_tf", "k1_convolution2d_tf_same_subsample");
        return k1.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            io.jkeras.model.Model m = c.load();
            KerasFixturesTest.checkOutputs(c, m);
            assertThat(m.paramCount()).isEqualTo(c.json().path("total_params").asLong());
        }));
    }

    @TestFactory
    Stream<DynamicTest> parameterCountsEqualKeras() {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            assumeEveryLayerSupported(c, c.dir().resolve("model.h5"));
            KerasFixturesTest.checkParamCounts(c);
        }));
    }

    @TestFactory
    Stream<DynamicTest> nativeFormatRoundTripsBitForBit() {
        return perFile((c, p) -> {
            try {
                JkmRoundTripTest.roundTrip(c, p);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> savedBackToKerasReloadsBitForBit() {
        return perFile((c, p) -> JkmRoundTripTest.goesBackToKeras(c, p, tmp));
    }
}

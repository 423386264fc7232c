package io.jkeras.hostile;

import io.jkeras.exceptions.InputException;
import io.jkeras.JKeras;
import io.jkeras.exceptions.ModelFormatException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.cli.CliResult;
import io.jkeras.model.LoadOptions;
import io.jkeras.layers.Concatenate;
import io.jkeras.layers.Flatten;
import io.jkeras.layers.Reshape;
import io.jkeras.model.Model;
import io.jkeras.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static io.jkeras.hostile.LimitsTest.refused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Sizes a config gives or a layer computes are checked against {@link LoadOptions#maxDimension()}
 * and {@link LoadOptions#maxActivationElements()} before anything of that size exists; intermediates
 * are checked with their batch before a layer runs.
 */
class BoundsTest {
    private static final Path BAD = Path.of("fixtures", "bad");
    private static final Path K3 = Path.of("fixtures", "keras3");

    @Test
    void repeatVectorCountsOverTheDimensionLimitAreRefusedAtLoad() {
        for (long n : new long[]{2147483647L, 100000000L, 10000000L}) {
            Path p = BAD.resolve("repeat_vector_n_" + n + ".keras");
            refused(ModelFormatException.class, () -> JKeras.load(p), p.toString(), "layer 'repeat_vector'",
                    "config 'n' is " + n + ", more than the limit of 1048576", "LoadOptions.maxDimension");
            CliResult r = assertTimeoutPreemptively(Duration.ofSeconds(20),
                    () -> CliResult.run("summary", p.toString()));
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.errLines()).hasSize(1);
            assertThat(r.err()).startsWith("jkeras: error: ").contains("LoadOptions.maxDimension")
                    .doesNotContain("\tat ");
        }
    }

    @Test
    void aDimensionUnderItsLimitStillMeetsThePerSampleActivationLimit() {
        // n = 10^7 admitted per dimension: the RepeatVector's output (10^7, units) is then too large per sample
        Path p = BAD.resolve("repeat_vector_n_10000000.keras");
        refused(UnsupportedModelException.class, () -> JKeras.load(p, LoadOptions.DEFAULT.withMaxDimension(1 << 24)),
                "layer 'repeat_vector'", "computes output shape (None, 10000000, ",
                "LoadOptions.maxActivationElements");
        // and each limit is an option: the real encoder-decoder (RepeatVector(5)) is refused under tiny limits
        Path good = K3.resolve("stack_encoder_decoder/model.keras");
        refused(ModelFormatException.class, () -> JKeras.load(good, LoadOptions.DEFAULT.withMaxDimension(4)),
                "more than the limit of 4 (LoadOptions.maxDimension)");
        refused(UnsupportedModelException.class,
                () -> JKeras.load(good, LoadOptions.DEFAULT.withMaxActivationElements(10)),
                "more than the limit of 10 (LoadOptions.maxActivationElements)");
        assertThat(JKeras.load(good).outputShape(0)[0]).isEqualTo(5);
    }

    @Test
    void shapeArithmeticThatOverflowsAnIntIsRefusedNamingTheLayer() {
        var flat = assertThrows(UnsupportedModelException.class,
                () -> new Flatten("flat").outputShapes(new int[][]{{65536, 65536}}));
        assertThat(flat.getMessage()).contains("layer 'flat'", "4294967296");
        var concat = assertThrows(UnsupportedModelException.class,
                () -> new Concatenate("cat", -1, Concatenate.MaskRule.KERAS3_ANY)
                        .outputShapes(new int[][]{{3, Integer.MAX_VALUE}, {3, 1}}));
        assertThat(concat.getMessage()).contains("layer 'cat'", "2147483648");
        var reshape = assertThrows(UnsupportedModelException.class,
                () -> new Reshape("re", new int[]{65536, 65536, -1}).outputShapes(new int[][]{{4}}));
        assertThat(reshape.getMessage()).contains("layer 're'", "4294967296");
    }

    @Test
    void predictRefusesALayerOutputOverTheTensorLimitBeforeTheLayerRuns() {
        Model m = JKeras.load(K3.resolve("stack_encoder_decoder/model.keras"));
        int[] in = m.input(0).shape();
        int[] shape = new int[in.length + 1];
        shape[0] = 64;
        for (int i = 0; i < in.length; i++) shape[i + 1] = in[i] < 0 ? 3 : in[i];
        int size = 1;
        for (int d : shape) size *= d;
        Tensor x = new Tensor(shape, new float[size]);
        int[] out = m.outputShape(0);
        long outElements = 64L * out[0] * out[1];
        Model limited = m.withMaxTensorElements(outElements - 1);
        var e = assertThrows(InputException.class, () -> limited.predict(x));
        assertThat(e.getMessage()).contains("more than the limit of " + (outElements - 1),
                "Model.withMaxTensorElements");
        assertThat(m.withMaxTensorElements(outElements).withMaxTensorElements(1L << 40).predict(x)[0].shape())
                .containsExactly(64, out[0], out[1]);
    }

    @Test
    void predictChecksATimeDimensionKnownOnlyAtRunTimeBeforeTheLayerRuns() {
        // Input((None, 3)) -> LSTM(return_sequences) -> ...: the LSTM output (batch, T, units) is sized at run time
        Model m = JKeras.load(K3.resolve("graph_variable_time/model.keras"));
        int units = -1;
        for (var n : m.nodes()) if (n.layer().name().equals("lstm")) units = n.outputShapes()[0][1];
        assertThat(units).isPositive();
        Model limited = m.withMaxTensorElements(2L * 100 * units);
        assertThat(limited.predict(new Tensor(new int[]{2, 9, 3}, new float[2 * 9 * 3]))[0].dim(0)).isEqualTo(2);
        Tensor longer = new Tensor(new int[]{2, 1000, 3}, new float[2 * 1000 * 3]);
        var e = assertThrows(InputException.class, () -> limited.predict(longer));
        assertThat(e.getMessage()).contains("layer 'lstm'", "would produce (2, 1000, " + units + ")",
                "more than the limit of " + 2L * 100 * units);
    }
}

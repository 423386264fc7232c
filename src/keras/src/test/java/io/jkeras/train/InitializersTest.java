package io.jkeras.train;

import io.jkeras.JKeras;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.layers.Layer;
import io.jkeras.layers.TrainingConfig.Initializer;
import io.jkeras.layers.Weight;
import io.jkeras.model.Model;
import io.jkeras.tensor.Tensor;
import io.jkeras.npy.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Keras 3's initializers: shapes, bounds and distributions (Keras' own random streams cannot be
 * reproduced, so moments are checked statistically on large samples, with tolerances of several
 * standard errors), Orthogonal's orthogonality, Identity, unit_forget_bias, reproducibility, and
 * re-initializing one layer of a loaded model.
 */
class InitializersTest {
    private static final Path FIX = Path.of("fixtures").toAbsolutePath();

    static double mean(float[] v) {
        double s = 0;
        for (float x : v) s += x;
        return s / v.length;
    }

    static double std(float[] v) {
        double m = mean(v), s = 0;
        for (float x : v) s += (x - m) * (x - m);
        return Math.sqrt(s / v.length);
    }

    static float min(float[] v) {
        float m = Float.POSITIVE_INFINITY;
        for (float x : v) m = Math.min(m, x);
        return m;
    }

    static float max(float[] v) {
        float m = Float.NEGATIVE_INFINITY;
        for (float x : v) m = Math.max(m, x);
        return m;
    }

    static double maxAbs(float[] v) {
        double m = 0;
        for (float x : v) m = Math.max(m, Math.abs(x));
        return m;
    }

    private static float[] draw(String cls, Map<String, Object> params, int... shape) {
        return Initializers.sample(new Initializer(cls, params), shape, 1234);
    }

    @Test
    void fansAreKerasComputeFans() {
        assertThat(Initializers.fans(new int[]{})).containsExactly(1, 1);
        assertThat(Initializers.fans(new int[]{7})).containsExactly(7, 7);
        assertThat(Initializers.fans(new int[]{3, 5})).containsExactly(3, 5);
        assertThat(Initializers.fans(new int[]{4, 3, 5})).containsExactly(12, 20); // conv: receptive field 4
    }

    /** Uniform variance scaling: U(-limit, limit), limit = sqrt(3·scale/n); variance limit²/3. */
    @ParameterizedTest(name = "{0} {1}x{2}")
    @CsvSource({"GlorotUniform,300,500,1,avg", "HeUniform,400,300,2,in", "LecunUniform,400,300,1,in"})
    void uniformVarianceScaling(String cls, int in, int out, double scale, String mode) {
        float[] v = draw(cls, Map.of(), in, out);
        assertThat(v).hasSize(in * out);
        double n = mode.equals("avg") ? (in + out) / 2.0 : in;
        double limit = Math.sqrt(3 * scale / n);
        assertThat(maxAbs(v)).isLessThanOrEqualTo(limit).isGreaterThan(0.99 * limit);
        assertThat(mean(v)).isCloseTo(0, within(5 * limit / Math.sqrt(3 * v.length)));
        assertThat(std(v)).isCloseTo(limit / Math.sqrt(3), within(0.01 * limit));
    }

    /** Truncated normal variance scaling: the stddev after truncation is sqrt(scale/n), cut at 2/0.8796 of it. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"GlorotNormal,300,500,1,avg", "HeNormal,400,300,2,in", "LecunNormal,400,300,1,in"})
    void truncatedNormalVarianceScaling(String cls, int in, int out, double scale, String mode) {
        float[] v = draw(cls, Map.of(), in, out);
        double n = mode.equals("avg") ? (in + out) / 2.0 : in;
        double target = Math.sqrt(scale / n);
        double sigma = target / Initializers.TRUNCATED_STDDEV;
        assertThat(maxAbs(v)).isLessThanOrEqualTo(2 * sigma * (1 + 1e-6));
        assertThat(std(v)).isCloseTo(target, within(0.01 * target));
        assertThat(mean(v)).isCloseTo(0, within(5 * target / Math.sqrt(v.length)));
    }

    @Test
    void varianceScalingModesAndDistributions() {
        float[] u = draw("VarianceScaling",
                Map.of("scale", 0.5, "mode", "fan_out", "distribution", "untruncated_normal"), 100, 2000);
        assertThat(std(u)).isCloseTo(Math.sqrt(0.5 / 2000), within(0.01 * Math.sqrt(0.5 / 2000)));
        assertThat(maxAbs(u)).isGreaterThan(3 * Math.sqrt(0.5 / 2000)); // not truncated
        float[] w = draw("VarianceScaling", Map.of("scale", 3.0, "mode", "fan_avg", "distribution", "uniform"), 400,
                200);
        assertThat(maxAbs(w)).isLessThanOrEqualTo(Math.sqrt(9.0 / 300));
        assertThatThrownBy(() -> draw("VarianceScaling", Map.of("mode", "fan_sideways"), 2, 2))
                .isInstanceOf(UnsupportedModelException.class);
    }

    @Test
    void plainDistributions() {
        float[] u = draw("RandomUniform", Map.of("minval", -0.3, "maxval", 0.7), 200_000);
        assertThat(min(u)).isGreaterThanOrEqualTo(-0.3f);
        assertThat(max(u)).isLessThan(0.7f);
        assertThat(mean(u)).isCloseTo(0.2, within(0.005));
        assertThat(std(u)).isCloseTo(1.0 / Math.sqrt(12), within(0.003));
        float[] d = draw("RandomUniform", Map.of(), 100_000); // Keras default ±0.05
        assertThat(maxAbs(d)).isLessThanOrEqualTo(0.05);
        float[] n = draw("RandomNormal", Map.of("mean", 1.5, "stddev", 2.0), 200_000);
        assertThat(mean(n)).isCloseTo(1.5, within(0.03));
        assertThat(std(n)).isCloseTo(2.0, within(0.02));
        float[] t = draw("TruncatedNormal", Map.of("mean", -1.0, "stddev", 0.5), 200_000);
        assertThat(min(t)).isGreaterThanOrEqualTo(-2.0f - 1e-6f);
        assertThat(max(t)).isLessThanOrEqualTo(1e-6f);
        assertThat(mean(t)).isCloseTo(-1.0, within(0.01));
        assertThat(std(t)).isCloseTo(0.5 * Initializers.TRUNCATED_STDDEV, within(0.005));
        assertThat(draw("Zeros", Map.of(), 3, 4)).containsOnly(0f).hasSize(12);
        assertThat(draw("Ones", Map.of(), 5)).containsOnly(1f);
        assertThat(draw("Constant", Map.of("value", 0.25), 2, 3)).containsOnly(0.25f).hasSize(6);
    }

    /** Q (rows·cols) with orthonormal columns (rows ≥ cols) or rows (rows < cols), times the gain. */
    @ParameterizedTest(name = "{0}x{1} gain {2}")
    @CsvSource({"8,8,1.0", "40,12,1.0", "12,40,1.0", "16,64,2.5", "1,5,1.0", "5,1,1.0"})
    void orthogonal(int rows, int cols, double gain) {
        float[] q = draw("Orthogonal", Map.of("gain", gain), rows, cols);
        boolean tall = rows >= cols;
        int k = Math.min(rows, cols), m = Math.max(rows, cols);
        for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) {
                double dot = 0;
                for (int i = 0; i < m; i++) {
                    double x = tall ? q[i * cols + a] : q[a * cols + i];
                    double y = tall ? q[i * cols + b] : q[b * cols + i];
                    dot += x * y;
                }
                assertThat(dot).isCloseTo(a == b ? gain * gain : 0, within(1e-5 * gain * gain));
            }
        }
    }

    @Test
    void orthogonalFlattensLeadingDimensions() {
        float[] q = draw("Orthogonal", Map.of(), 3, 4, 5); // (12, 5): orthonormal columns
        for (int a = 0; a < 5; a++) {
            double n = 0;
            for (int i = 0; i < 12; i++) n += q[i * 5 + a] * q[i * 5 + a];
            assertThat(n).isCloseTo(1, within(1e-5));
        }
        assertThatThrownBy(() -> draw("Orthogonal", Map.of(), 4)).isInstanceOf(UnsupportedModelException.class);
    }

    @Test
    void identityAndUnitForgetBias() {
        assertThat(draw("Identity", Map.of("gain", 2.0), 2, 3)).containsExactly(2, 0, 0, 0, 2, 0);
        assertThat(draw("Identity", Map.of(), 3, 2)).containsExactly(1, 0, 0, 1, 0, 0);
        assertThatThrownBy(() -> draw("Identity", Map.of(), 2, 2, 2)).isInstanceOf(UnsupportedModelException.class);
        // LSTM bias: [init(units), ones(units), init(2·units)] (gates i|f|c|o)
        float[] b = draw("Zeros", Map.of("unit_forget_bias", true), 12);
        assertThat(b).containsExactly(0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0);
        float[] c = draw("Constant", Map.of("value", 0.5, "unit_forget_bias", true), 8);
        assertThat(c).containsExactly(0.5f, 0.5f, 1, 1, 0.5f, 0.5f, 0.5f, 0.5f);
        assertThatThrownBy(() -> draw("Zeros", Map.of("unit_forget_bias", true), 6))
                .isInstanceOf(UnsupportedModelException.class);
        assertThatThrownBy(() -> draw("Mystery", Map.of(), 2)).isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("Mystery");
    }

    @Test
    void aSeedGivesTheSameValues() {
        Initializer g = Initializer.of("GlorotUniform");
        assertThat(Initializers.sample(g, new int[]{5, 7}, 99))
                .containsExactly(Initializers.sample(g, new int[]{5, 7}, 99));
        assertThat(Initializers.sample(g, new int[]{5, 7}, 99))
                .isNotEqualTo(Initializers.sample(g, new int[]{5, 7}, 100));
    }

    @Test
    void reinitializeOneLayerOfALoadedModel() {
        Model m = JKeras.load(FIX.resolve("keras3/stack_lstm_lstm_dense/model.h5"));
        Model r = Initializers.reinitialize(m, "lstm", 5);
        List<Model.NamedWeight> before = m.weights(), after = r.weights();
        assertThat(after).hasSameSizeAs(before);
        for (int i = 0; i < before.size(); i++) {
            Weight a = before.get(i).weight(), b = after.get(i).weight();
            assertThat(b.shape()).containsExactly(a.shape());
            if (before.get(i).layer().equals("lstm")) assertThat(b.values()).isNotEqualTo(a.values());
            else assertThat(b.values()).containsExactly(a.values());
        }
        Weight kernel = after.get(0).weight(), rec = after.get(1).weight(), bias = after.get(2).weight();
        // GlorotUniform on (3, 24), Orthogonal on (6, 24) (orthonormal rows), unit_forget_bias on (24,)
        assertThat(maxAbs(kernel.values()))
                .isLessThanOrEqualTo(Math.sqrt(6.0 / (kernel.shape()[0] + kernel.shape()[1])));
        int units = rec.shape()[0];
        for (int a = 0; a < units; a++) {
            double n = 0;
            for (int j = 0; j < rec.shape()[1]; j++) n += rec.values()[a * rec.shape()[1]
                    + j] * rec.values()[a * rec.shape()[1] + j];
            assertThat(n).isCloseTo(1, within(1e-5));
        }
        for (int j = 0; j < bias.values().length; j++) assertThat(bias.values()[j])
                .isEqualTo(j >= units && j < 2 * units ? 1f : 0f);
        // same seed, same model; the graph, names and training configuration are kept
        assertThat(Initializers.reinitialize(m, "lstm", 5).weights().get(0).weight().values())
                .containsExactly(kernel.values());
        assertThat(r.layers().stream().map(Layer::name).toList())
                .isEqualTo(m.layers().stream().map(Layer::name).toList());
        assertThat(r.trainingConfigs()).isEqualTo(m.trainingConfigs());
        Tensor x = Npy.read(FIX.resolve("keras3/stack_lstm_lstm_dense/x0.npy")).tensor();
        assertThat(r.predict(x)[0].data()).isNotEqualTo(m.predict(x)[0].data());
        assertThatThrownBy(() -> Initializers.reinitialize(m, "nope", 1)).hasMessageContaining("nope");
    }

    @Test
    void reinitializeWrappersAndGru() {
        for (String c : List.of("bidir_gru_seq", "embedding_mask_bidir_lstm_td_dense", "gru_reset_after_false")) {
            Model m = JKeras.load(FIX.resolve("keras3/" + c + "/model.h5"));
            for (Layer l : m.layers()) {
                if (l.weights().isEmpty()) continue;
                Model r = Initializers.reinitialize(m, l.name(), 3);
                List<Weight> w = r.layers().stream().filter(x -> x.name().equals(l.name())).findFirst().orElseThrow()
                        .weights();
                assertThat(w).extracting(Weight::name)
                        .containsExactlyElementsOf(l.weights().stream().map(Weight::name).toList());
            }
        }
    }
}

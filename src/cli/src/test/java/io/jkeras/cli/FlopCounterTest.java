package io.jkeras.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jkeras.JKeras;
import io.jkeras.fixtures.FixtureCase;
import io.jkeras.layers.InputLayer;
import io.jkeras.layers.Weight;
import io.jkeras.model.Model;
import io.jkeras.model.Node;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The FLOP counter against the shared benchmark workloads' own figures (the kit's manifest.json,
 * made by its make_models.py from the workload specs), and on the Keras fixtures against the
 * model's weights: every matrix-product weight (kernel, recurrent_kernel) costs 2 FLOPs per entry
 * per position it is applied at.
 */
class FlopCounterTest {
    /** The peer benchmark kit: -Djkeras.bench.kit=DIR, else ../shared/bench next to the repository. */
    static Path kit() {
        String p = System.getProperty("jkeras.bench.kit");
        return p != null ? Path.of(p) : Path.of("..", "shared", "bench");
    }

    @Test
    void workloadsMatchTheKitManifest() throws Exception {
        Path manifest = kit().resolve("artifacts/manifest.json");
        Assumptions.assumeTrue(Files.exists(manifest),
                "the peer benchmark kit is not at " + kit().toAbsolutePath()
                        + " (set -Djkeras.bench.kit=DIR); skipping the W1-W4 FLOP check");
        JsonNode m = new ObjectMapper().readTree(manifest.toFile());
        int checked = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode w = e.getValue();
            Model model = JKeras.load(kit().resolve("artifacts/" + e.getKey().toLowerCase() + ".h5"));
            long fwd = FlopCounter.forwardPerSample(model);
            assertThat(fwd).as(e.getKey() + " forward FLOPs per sample")
                    .isEqualTo(w.get("flops_fwd_per_sample").asLong());
            JsonNode spec = w.get("spec");
            long unit = spec.get("mode").asText().equals("train")
                    ? FlopCounter.TRAINING_FACTOR * fwd * spec.get("n_samples").asLong()
                    : fwd * spec.get("batch").asLong();
            assertThat(unit).as(e.getKey() + " FLOPs per timed unit").isEqualTo(w.get("flops_per_timed_unit").asLong());
            checked++;
        }
        assertThat(checked).isEqualTo(5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"lstm_default", "gru_default", "gru_reset_after_false", "simple_rnn_default",
            "bidir_lstm_concat",
            "bidir_gru", "stack_lstm_lstm_dense", "masking_lstm_td_dense", "conv1d_strides2_lstm", "conv1d_valid_lstm"})
    void countsEachProductWeightOncePerPosition(String name) {
        Model m = JKeras.load(FixtureCase.root().resolve("keras3").resolve(name).resolve("model.h5"));
        long want = 0;
        for (Node n : m.nodes()) {
            if (n.layer() instanceof InputLayer) continue;
            long products = 0;
            for (Weight w : n.layer().weights()) {
                // kernel, recurrent_kernel, forward_x/kernel, ...
                if (w.name().endsWith("kernel")) products += w.size();
            }
            int[] shape = n.layer().typeName().equals("Conv1D") ? n.outputShapes()[0]
                    : m.nodes().get(n.inputs().get(0).node()).outputShapes()[n.inputs().get(0).index()];
            long positions = 1;
            for (int i = 0; i < shape.length - 1; i++) positions *= shape[i];
            want += 2 * products * positions;
        }
        assertThat(want).isPositive();
        assertThat(FlopCounter.forwardPerSample(m)).isEqualTo(want);
    }

    @Test
    void anUnknownTimeDimensionNeedsAShape() {
        Model m = JKeras.load(FixtureCase.root().resolve("keras3/graph_variable_time/model.h5"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> FlopCounter.forwardPerSample(m))
                .hasMessageContaining("unknown dimension");
        long[] f = new long[4];
        for (int k = 1; k <= 3; k++) {
            int[] s = m.input(0).shape();
            s[0] = 7 * k;
            f[k] = FlopCounter.forwardPerSample(m, new int[][]{s});
        }
        // the recurrent part grows linearly with the time steps given; what follows the last step does not
        assertThat(f[2] - f[1]).isPositive().isEqualTo(f[3] - f[2]);
    }
}

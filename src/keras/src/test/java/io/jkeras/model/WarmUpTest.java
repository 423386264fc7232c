package io.jkeras.model;

import io.jkeras.tensor.Tensor;
import io.jkeras.exceptions.InputException;
import io.jkeras.fixtures.FixtureCase;
import io.jkeras.layers.Embedding;
import io.jkeras.layers.Layer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link Model#warmUp} and the inputs it uses ({@link SampleInputs}); checked for effects, never for speed. */
class WarmUpTest {
    static FixtureCase fixture(String name) {
        return FixtureCase.all("keras3").stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow();
    }

    static Tensor[] firstBatch(FixtureCase c) {
        Tensor[] x = new Tensor[c.inputs()];
        for (int i = 0; i < x.length; i++) x[i] = c.x(0, i);
        return x;
    }

    static int[] bits(Tensor t) {
        float[] d = t.data();
        int[] b = new int[d.length];
        for (int i = 0; i < d.length; i++) b[i] = Float.floatToRawIntBits(d[i]);
        return b;
    }

    @Test
    void warmUpLeavesPredictionsBitForBitAsTheyWere() {
        for (String name : List.of("lstm_default", "gru_default", "simple_rnn_stateful", "embedding_mask_lstm",
                "graph_two_in_two_out")) {
            FixtureCase c = fixture(name);
            Model m = c.load();
            Tensor[] x = firstBatch(c);
            Tensor[] before = m.predict(x);
            Session s = m.newSession();
            Tensor[] sessionBefore = s.predict(x);
            WarmUp w = m.warmUp(Duration.ofMillis(20));
            assertThat(w.calls()).as(name).isPositive();
            Tensor[] after = m.predict(x);
            for (int i = 0; i < before.length; i++) assertThat(bits(after[i])).as(name + " output " + i)
                    .containsExactly(bits(before[i]));
            // a session made before keeps its own state: its next step is the one it would have taken anyway
            Session fresh = m.newSession();
            fresh.predict(x);
            Tensor[] sessionNext = s.predict(x), freshNext = fresh.predict(x);
            for (int i = 0; i < sessionBefore.length; i++) assertThat(bits(sessionNext[i])).as(name)
                    .containsExactly(bits(freshNext[i]));
        }
    }

    @Test
    void aZeroBudgetMakesExactlyOnePrediction() {
        Model m = fixture("lstm_default").load();
        WarmUp w = m.warmUp(Duration.ZERO);
        assertThat(w.calls()).isEqualTo(1);
        assertThat(w.firstCall()).isEqualTo(w.lastCall());
        assertThat(w.elapsed()).isGreaterThanOrEqualTo(w.firstCall());
        WarmUp negative = m.warmUp(Duration.ofSeconds(-1));
        assertThat(negative.calls()).isEqualTo(1);
    }

    @Test
    void warmUpOnGivenInputsChecksThemAsPredictDoes() {
        FixtureCase c = fixture("lstm_default");
        Model m = c.load();
        assertThat(m.warmUp(Duration.ZERO, firstBatch(c)).calls()).isEqualTo(1);
        Tensor wrong = new Tensor(new int[]{1, 2, 99}, new float[2 * 99]);
        assertThatThrownBy(() -> m.warmUp(Duration.ZERO, wrong)).isInstanceOf(InputException.class);
    }

    @Test
    void sampleInputsHaveTheModelsShapesAndValidIds() {
        Model graph = fixture("graph_two_in_two_out").load();
        Tensor[] x = SampleInputs.random(graph, 3, 5, 7);
        assertThat(x).hasSize(graph.inputCount());
        for (int i = 0; i < x.length; i++) {
            int[] s = graph.input(i).shape();
            assertThat(x[i].dim(0)).isEqualTo(3);
            for (int d = 0; d < s.length; d++) assertThat(x[i].dim(d + 1)).isEqualTo(s[d] >= 0 ? s[d] : 5);
        }
        assertThat(graph.predict(x)).hasSize(graph.outputCount());
        // the same seed, the same inputs
        Tensor[] again = SampleInputs.random(graph, 3, 5, 7);
        for (int i = 0; i < x.length; i++) assertThat(bits(again[i])).containsExactly(bits(x[i]));

        Model emb = fixture("embedding_mask_lstm").load();
        int vocab = Integer.MAX_VALUE;
        for (Layer l : emb.layers()) if (l instanceof Embedding e) vocab = Math.min(vocab, e.inputDim());
        Tensor ids = SampleInputs.random(emb, 4, 6, 1)[0];
        assertThat(emb.input(0).integer()).isTrue();
        final int v = vocab;
        for (float id : ids.data()) assertThat(id).isEqualTo((float) Math.floor(id)).isBetween(0f, v - 1f);
        assertThat(Arrays.stream(bits(ids)).distinct().count()).as("ids vary").isGreaterThan(1);
    }

    @Test
    void anUnknownDimensionOtherThanTimeIsRefused() {
        Model m = new Model("m",
                List.of(new Node(0, new io.jkeras.layers.InputLayer("in", new int[]{4, -1}, -1, false), List.of(),
                new int[][]{{4, -1}}, null)), List.of(0), List.of(new Node.Ref(0, 0)), List.of(), java.util.Map.of(),
                        java.util.Map.of());
        assertThatThrownBy(() -> SampleInputs.random(m, 1, 8, 0)).isInstanceOf(InputException.class)
                .hasMessageContaining("unknown dimension other than time");
    }
}

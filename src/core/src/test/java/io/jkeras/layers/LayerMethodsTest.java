package io.jkeras.layers;

import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.kernels.Activation;
import io.jkeras.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the library asks of a layer through {@link Layer}'s own methods rather than through code
 * that knows every class: rebuilding with new weights ({@link Layer#withWeights}), renaming a
 * recurrent layer ({@link Recurrent#withName}), the fused training path's cell
 * ({@link Recurrent#fusedCell}) and the token vocabulary ({@link Layer#vocabulary}).
 */
class LayerMethodsTest {
    private static final int IN = 3, UNITS = 5;

    private static float[] random(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextDouble(-1, 1);
        return v;
    }

    private static Lstm lstm(String name, long seed) { return lstm(name, seed, false); }

    private static Lstm lstm(String name, long seed, boolean goBackwards) {
        SplittableRandom r = new SplittableRandom(seed);
        return new Lstm(name, UNITS, IN, Activation.TANH, Activation.SIGMOID, random(r, IN * 4 * UNITS),
                random(r, UNITS * 4 * UNITS), random(r, 4 * UNITS),
                new RecurrentOptions(true, false, goBackwards, false));
    }

    private static Gru gru(boolean resetAfter, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        return new Gru("gru", UNITS, IN, Activation.TANH, Activation.SIGMOID, resetAfter, random(r, IN * 3 * UNITS),
                random(r, UNITS * 3 * UNITS), random(r, (resetAfter ? 2 : 1) * 3 * UNITS), RecurrentOptions.DEFAULT);
    }

    private static SimpleRnn simpleRnn(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        return new SimpleRnn("rnn", UNITS, IN, Activation.RELU, random(r, IN * UNITS), random(r, UNITS * UNITS), null,
                RecurrentOptions.DEFAULT);
    }

    /** Values of the same shapes as {@code l}'s weights, different from them. */
    private static List<float[]> otherValues(Layer l, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<float[]> out = new ArrayList<>();
        for (Weight w : l.weights()) out.add(random(r, (int) w.size()));
        return out;
    }

    private static void assertHolds(Layer l, List<float[]> values) {
        List<Weight> w = l.weights();
        assertThat(w).hasSameSizeAs(values);
        for (int i = 0; i < w.size(); i++) {
            assertThat(w.get(i).values()).as(w.get(i).name()).containsExactly(values.get(i));
        }
    }

    @Test
    void withWeightsRebuildsEachLayerWithWeightsHoldingTheGivenValues() {
        SplittableRandom r = new SplittableRandom(1);
        Dense dense = new Dense("dense", IN, UNITS, Activation.LINEAR, random(r, IN * UNITS), random(r, UNITS));
        Embedding emb = new Embedding("emb", 7, 4, true, random(r, 28));
        Bidirectional bidi = new Bidirectional("bidi", lstm("fwd", 2), lstm("bwd", 3, true),
                Bidirectional.Merge.CONCAT);
        for (Layer l : List.of(dense, emb, lstm("lstm", 4), gru(true, 5), gru(false, 6), simpleRnn(7),
                new TimeDistributed("td", dense), bidi)) {
            List<float[]> v = otherValues(l, 8);
            Layer rebuilt = l.withWeights(v);
            assertThat(rebuilt).isInstanceOf(l.getClass());
            assertThat(rebuilt.name()).isEqualTo(l.name());
            assertHolds(rebuilt, v);
        }
    }

    @Test
    void withWeightsKeepsALayerWithoutWeightsAndRefusesTheLayersItCannotRebuild() {
        Layer flatten = new Flatten("flatten");
        assertThat(flatten.withWeights(List.of())).isSameAs(flatten);
        BatchNormalization bn = new BatchNormalization("bn", 3, new int[]{2}, new int[]{4}, 1e-3, null, null,
                new float[4], new float[]{1, 1, 1, 1}, List.of());
        assertThatThrownBy(() -> bn.withWeights(otherValues(bn, 1))).isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("layer 'bn'").hasMessageContaining("cannot be re-initialized yet");
        Lstm inner = lstm("cu", 2);
        CudnnRecurrent cu = new CudnnRecurrent("CuDNNLSTM", inner, inner.weights());
        assertThatThrownBy(() -> cu.withWeights(otherValues(cu, 1))).isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("layer type CuDNNLSTM cannot be re-initialized yet");
    }

    @Test
    void aRenamedRecurrentLayerKeepsItsWeightsAndComputesTheSame() {
        Lstm inner = lstm("cu", 9);
        for (Recurrent l : List.of(lstm("lstm", 1), gru(true, 2), gru(false, 3), simpleRnn(4),
                new CudnnRecurrent("CuDNNLSTM", inner, inner.weights()))) {
            Recurrent renamed = l.withName("bidi/forward_" + l.name());
            assertThat(renamed.name()).isEqualTo("bidi/forward_" + l.name());
            assertThat(renamed).isInstanceOf(l.getClass());
            assertThat(renamed.typeName()).isEqualTo(l.typeName());
            List<float[]> before = new ArrayList<>();
            for (Weight w : l.weights()) before.add(w.values());
            assertHolds(renamed, before);
            Tensor x = new Tensor(new int[]{2, 4, IN}, random(new SplittableRandom(5), 2 * 4 * IN));
            assertThat(renamed.forward(new Tensor[]{x}, null)[0].data())
                    .containsExactly(l.forward(new Tensor[]{x}, null)[0].data());
        }
    }

    @Test
    void theFusedCellNamesTheKindAndActivationsOfEachRecurrentLayerAndNoneForCudnn() {
        assertThat(lstm("l", 1).fusedCell())
                .isEqualTo(new Recurrent.FusedCell(Recurrent.FusedCell.Kind.LSTM, Activation.TANH, Activation.SIGMOID));
        assertThat(gru(true, 1).fusedCell().kind()).isEqualTo(Recurrent.FusedCell.Kind.GRU_RESET_AFTER);
        assertThat(gru(false, 1).fusedCell().kind()).isEqualTo(Recurrent.FusedCell.Kind.GRU_RESET_BEFORE);
        assertThat(simpleRnn(1).fusedCell()).isEqualTo(new Recurrent.FusedCell(Recurrent.FusedCell.Kind.SIMPLE_RNN,
                Activation.RELU, Activation.RELU));
        Lstm inner = lstm("cu", 2);
        assertThat(new CudnnRecurrent("CuDNNLSTM", inner, inner.weights()).fusedCell()).isNull();
    }

    @Test
    void theVocabularyIsAnEmbeddingsInputDimAlsoInsideTimeDistributed() {
        Embedding emb = new Embedding("emb", 11, 2, false, new float[22]);
        assertThat(emb.vocabulary()).isEqualTo(11);
        assertThat(new TimeDistributed("td", emb).vocabulary()).isEqualTo(11);
        assertThat(lstm("lstm", 1).vocabulary()).isZero();
        assertThat(new Flatten("f").vocabulary()).isZero();
    }
}

package io.jkeras.layers;

import io.jkeras.exceptions.UnsupportedModelException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Refusals of MultiHeadAttention's use_gate and sliding_window options (outputs: NormAttentionFixturesTest). */
class MultiHeadAttentionOptionsTest {
    private static List<Weight> weights(int gateValueDim) {
        List<Weight> w = new ArrayList<>();
        w.add(new Weight("query/kernel", new int[]{3, 2, 2}, new float[12]));
        w.add(new Weight("key/kernel", new int[]{3, 2, 2}, new float[12]));
        w.add(new Weight("gate/kernel", new int[]{3, 2, gateValueDim}, new float[6 * gateValueDim]));
        w.add(new Weight("value/kernel", new int[]{3, 2, 2}, new float[12]));
        w.add(new Weight("attention_output/kernel", new int[]{2, 2, 3}, new float[12]));
        return w;
    }

    @Test
    void slidingWindowIsRefusedBeyondRank3NamingIt() {
        assertThatThrownBy(() -> new MultiHeadAttention("mha", 2, 2, 2, 4, new int[]{1}, new int[]{3}, false, false,
                false, false, 0, true, 2, weights(2)))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("sliding_window")
                .hasMessageContaining("rank 4");
    }

    @Test
    void gateKernelOfTheWrongShapeIsRefusedNamingIt() {
        assertThatThrownBy(() -> new MultiHeadAttention("mha", 2, 2, 2, 3, new int[]{1}, new int[]{3}, false, false,
                false, false, 0, true, 0, weights(3)))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("gate/kernel")
                .hasMessageContaining("(3, 2, 3)").hasMessageContaining("(D, 2, 2)");
    }

    @Test
    void gateWithoutGateWeightsIsRefused() {
        List<Weight> w = weights(2);
        w.remove(2);
        assertThatThrownBy(() -> new MultiHeadAttention("mha", 2, 2, 2, 3, new int[]{1}, new int[]{3}, false, false,
                false, false, 0, true, 0, w))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("use_gate")
                .hasMessageContaining("got 4");
    }
}

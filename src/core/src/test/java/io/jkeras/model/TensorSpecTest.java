package io.jkeras.model;

import io.jkeras.layers.Embedding;
import io.jkeras.layers.InputLayer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TensorSpecTest {

    /** input declared float32 -> Embedding(vocab 3, dim 2), as a Keras 2 Sequential whose Embedding made its input. */
    private static Model floatInputIntoEmbedding(int batch) {
        InputLayer in = new InputLayer("tokens", new int[]{4}, batch, false);
        Embedding e = new Embedding("emb", 3, 2, false, new float[6]);
        Node n0 = new Node(0, in, List.of(), new int[][]{{4}});
        Node n1 = new Node(1, e, List.of(new Node.Ref(0, 0)), new int[][]{{4, 2}});
        return new Model("m", List.of(n0, n1), List.of(0), List.of(new Node.Ref(1, 0)), List.of(in, e), Map.of());
    }

    @Test
    void anInputFeedingAnEmbeddingIsIntegerEvenWhenDeclaredFloat() {
        Model m = floatInputIntoEmbedding(-1);
        assertThat(m.inputs()).containsExactly(new TensorSpec("tokens", new int[]{-1, 4}, DType.INT32));
        assertThat(m.outputs()).containsExactly(new TensorSpec("emb", new int[]{-1, 4, 2}, DType.FLOAT32));
    }

    @Test
    void aFixedBatchSizeIsTheFirstDimensionOfInputsAndOutputs() {
        Model m = floatInputIntoEmbedding(8);
        assertThat(m.inputs().get(0).shape()).containsExactly(8, 4);
        assertThat(m.outputs().get(0).shape()).containsExactly(8, 4, 2);
    }

    @Test
    void specsCompareByShapeContentAndPrintLikeKeras() {
        TensorSpec a = new TensorSpec("x", new int[]{-1, 7}, DType.INT32);
        assertThat(a).isEqualTo(new TensorSpec("x", new int[]{-1, 7}, DType.INT32)).hasSameHashCodeAs(
                new TensorSpec("x", new int[]{-1, 7}, DType.INT32));
        assertThat(a).isNotEqualTo(new TensorSpec("x", new int[]{-1, 8}, DType.INT32));
        assertThat(a.toString()).isEqualTo("x (None, 7) int32");
        assertThat(a.rank()).isEqualTo(2);
    }
}

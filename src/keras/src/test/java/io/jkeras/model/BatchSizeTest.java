package io.jkeras.model;

import io.jkeras.tensor.Tensor;
import io.jkeras.exceptions.InputException;
import io.jkeras.JKeras;
import io.jkeras.fixtures.FixtureCase;
import io.jkeras.layers.ElementwiseOp;
import io.jkeras.layers.Merge;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The batch axis never broadcasts: inputs of one call hold the same number of samples, as Keras requires. */
class BatchSizeTest {
    static Tensor filled(float v, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return new Tensor(shape, a);
    }

    @Test
    void predictRefusesInputsWithDifferentBatchSizesNamingEach() {
        Model m = JKeras.load(FixtureCase.root().resolve("keras3/graph_two_in_two_out/model.h5"));
        assertThatThrownBy(() -> m.predict(filled(0.1f, 2, 5, 3), filled(0.1f, 3, 7, 2)))
                .isInstanceOf(InputException.class)
                .hasMessageContaining("input 0 'in_a' has 2, input 1 'in_b' has 3");
        assertThatThrownBy(() -> m.newSession().predict(filled(0.1f, 1, 5, 3), filled(0.1f, 2, 7, 2)))
                .isInstanceOf(InputException.class).hasMessageContaining("different batch sizes");
        assertThat(m.predict(filled(0.1f, 2, 5, 3), filled(0.1f, 2, 7, 2))).hasSize(2);
    }

    @Test
    void mergeLayersNeverBroadcastABatchOfOne() {
        for (Merge.Op op : Merge.Op.values()) {
            Merge merge = new Merge("m", op, Merge.MaskRule.KERAS3);
            assertThatThrownBy(() -> merge.forward(new Tensor[]{filled(1, 1, 4), filled(2, 2, 4)}, null)).as(op.name())
                    .isInstanceOf(InputException.class).hasMessageContaining("layer 'm'")
                    .hasMessageContaining("different batch sizes: (1, 4), (2, 4)");
            assertThatThrownBy(() -> merge.forward(new Tensor[]{filled(1, 2, 3, 4), filled(2, 1, 4)}, null))
                    .as(op.name())
                    .isInstanceOf(InputException.class);
        }
    }

    @Test
    void mergeLayersStillBroadcastFeatureAxesOfOneAsKeras() {
        // keras/src/layers/merging/base_merge.py:60: right-aligned, a 1 stretches; a lower rank gains axes after the
        // batch
        Merge add = new Merge("add", Merge.Op.ADD, Merge.MaskRule.KERAS3);
        Tensor y = add.forward(new Tensor[]{filled(1, 2, 3, 4), filled(2, 2, 1, 4)}, null)[0];
        assertThat(y.shape()).containsExactly(2, 3, 4);
        assertThat(y.data()).containsOnly(3f);
        Tensor z = add.forward(new Tensor[]{filled(1, 2, 3, 4), filled(5, 2, 4)}, null)[0];
        assertThat(z.shape()).containsExactly(2, 3, 4);
        assertThat(z.data()).containsOnly(6f);
    }

    @Test
    void elementwiseOpsNeverBroadcastABatchOfOne() {
        ElementwiseOp eq = new ElementwiseOp("not_equal", "NotEqual", ElementwiseOp.Op.NOT_EQUAL, null, false);
        assertThatThrownBy(() -> eq.forward(new Tensor[]{filled(1, 1, 4), filled(1, 2, 4)}, null))
                .isInstanceOf(InputException.class).hasMessageContaining("different batch sizes");
        assertThat(eq.forward(new Tensor[]{filled(1, 2, 4), filled(1, 2, 1)}, null)[0].shape()).containsExactly(2, 4);
    }
}

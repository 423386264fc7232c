package io.jkeras.ops;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.layers.Permute;
import io.jkeras.layers.Reshape;
import io.jkeras.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static io.jkeras.ops.OpsTestUtil.assertClose;
import static io.jkeras.ops.OpsTestUtil.size;
import static io.jkeras.ops.OpsTestUtil.uniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reshape and Permute: shapes, values against index arithmetic written here, masks dropped. */
class ShapeLayersTest {

    @Test
    void reshapeInfersOneDimensionAndKeepsRowMajorOrder() {
        Reshape r = new Reshape("reshape", new int[]{-1, 3});
        assertThat(r.outputShapes(new int[][]{{7, 6}})[0]).containsExactly(14, 3);
        assertThat(r.outputShapes(new int[][]{{-1, 6}})[0]).containsExactly(-1, 3);
        assertThat(new Reshape("r", new int[]{33, 1}).outputShapes(new int[][]{{33}})[0]).containsExactly(33, 1);
        float[] x = uniform(new SplittableRandom(1), 2 * 7 * 6, 1);
        boolean[] mask = new boolean[14];
        Tensor y = r.forward(new Tensor[]{new Tensor(new int[]{2, 7, 6}, x, mask)}, null)[0];
        assertThat(y.shape()).containsExactly(2, 14, 3);
        assertThat(y.data()).containsExactly(x);
        assertThat(y.mask()).as("Keras' Reshape does not support masking").isNull();
        // variable length resolved at run time
        Tensor z = r.forward(new Tensor[]{new Tensor(new int[]{1, 1, 6}, new float[6])}, null)[0];
        assertThat(z.shape()).containsExactly(1, 2, 3);
    }

    @Test
    void reshapeRefusesImpossibleTargets() {
        assertThatThrownBy(() -> new Reshape("r", new int[]{-1, -1})).isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("more than one -1");
        assertThatThrownBy(() -> new Reshape("r", new int[]{4, 5}).outputShapes(new int[][]{{7, 3}}))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("'r'")
                .hasMessageContaining("21 values");
        assertThatThrownBy(() -> new Reshape("r", new int[]{-1, 4}).outputShapes(new int[][]{{7, 3}}))
                .isInstanceOf(UnsupportedModelException.class);
        assertThatThrownBy(() -> new Reshape("r", new int[]{-1, 4}).forward(new Tensor[]{Tensor.zeros(2, 7, 3)}, null))
                .isInstanceOf(InputException.class);
    }

    @Test
    void permuteMatchesIndexArithmetic() {
        SplittableRandom rng = new SplittableRandom(2);
        int[][] perms = {{2, 1}, {1, 2}, {3, 1, 2}, {2, 3, 1}, {1, 3, 2}, {4, 2, 1, 3}};
        for (int[] dims : perms) {
            int rank = dims.length + 1;
            int[] shape = new int[rank];
            shape[0] = 2;
            for (int i = 1; i < rank; i++) shape[i] = new int[]{1, 7, 3, 5}[i - 1];
            float[] x = uniform(rng, size(shape), 1);
            Permute p = new Permute("permute", dims);
            int[] outShape = new int[rank];
            outShape[0] = shape[0];
            for (int i = 1; i < rank; i++) outShape[i] = shape[dims[i - 1]];
            int[] noBatch = java.util.Arrays.copyOfRange(shape, 1, rank);
            assertThat(p.outputShapes(new int[][]{noBatch})[0])
                    .containsExactly(java.util.Arrays.copyOfRange(outShape, 1, rank));
            double[] want = new double[x.length];
            int[] o = new int[rank], in = new int[rank];
            for (int flat = 0; flat < x.length; flat++) {
                int rem = flat;
                for (int a = rank - 1; a >= 0; a--) { o[a] = rem % outShape[a]; rem /= outShape[a]; }
                in[0] = o[0];
                for (int i = 1; i < rank; i++) in[dims[i - 1]] = o[i];
                int src = 0;
                for (int a = 0; a < rank; a++) src = src * shape[a] + in[a];
                want[flat] = x[src];
            }
            boolean[] mask = rank >= 2 ? new boolean[shape[0] * shape[1]] : null;
            Tensor y = p.forward(new Tensor[]{new Tensor(shape, x, mask)}, null)[0];
            assertClose(y, outShape, want, 0, "dims " + java.util.Arrays.toString(dims));
            assertThat(y.mask()).as("Keras' Permute does not support masking").isNull();
        }
    }

    @Test
    void permuteRefusesBadDims() {
        assertThatThrownBy(() -> new Permute("p", new int[]{0, 1})).isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("1-based");
        assertThatThrownBy(() -> new Permute("p", new int[]{2, 2})).isInstanceOf(UnsupportedModelException.class);
        assertThatThrownBy(() -> new Permute("p", new int[]{2, 1}).outputShapes(new int[][]{{3, 4, 5}}))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("rank 3");
    }
}

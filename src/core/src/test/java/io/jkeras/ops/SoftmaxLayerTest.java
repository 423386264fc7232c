package io.jkeras.ops;

import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.layers.Softmax;
import io.jkeras.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static io.jkeras.ops.OpsTestUtil.assertClose;
import static io.jkeras.ops.OpsTestUtil.size;
import static io.jkeras.ops.OpsTestUtil.uniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Softmax layer against exp(x)/Σexp(x) over the chosen axes, in double, and Keras 3's mask rule. */
class SoftmaxLayerTest {

    static double[] reference(float[] x, int[] shape, boolean[] reduced, boolean[] mask) {
        int r = shape.length;
        double[] y = new double[x.length];
        int[] idx = new int[r], jdx = new int[r];
        for (int i = 0; i < x.length; i++) {
            if (mask != null && !mask[i]) continue;
            int rem = i;
            for (int a = r - 1; a >= 0; a--) { idx[a] = rem % shape[a]; rem /= shape[a]; }
            double sum = 0;
            for (int j = 0; j < x.length; j++) {
                int rj = j;
                for (int a = r - 1; a >= 0; a--) { jdx[a] = rj % shape[a]; rj /= shape[a]; }
                boolean same = true;
                for (int a = 0; a < r; a++) if (!reduced[a] && idx[a] != jdx[a]) same = false;
                if (same && (mask == null || mask[j])) sum += Math.exp(x[j]);
            }
            y[i] = Math.exp(x[i]) / sum;
        }
        return y;
    }

    @Test
    void matchesReferenceOverAxes() {
        SplittableRandom r = new SplittableRandom(11);
        int[][] shapes = {{3, 7}, {2, 1}, {2, 7, 5}, {2, 3, 4, 5}};
        for (int[] shape : shapes) {
            int rank = shape.length;
            int[][] axesList = rank == 2 ? new int[][]{{-1}, {1}} : rank == 3
                    ? new int[][]{{-1}, {1}, {1, 2}, {-2, -1}} : new int[][]{{2}, {1, 3}, {-1}};
            for (int[] axes : axesList) {
                boolean[] red = new boolean[rank];
                for (int a : axes) red[a < 0 ? a + rank : a] = true;
                float[] x = uniform(r, size(shape), 4);
                Softmax s = new Softmax("softmax", axes, true);
                Tensor y = s.forward(new Tensor[]{new Tensor(shape, x)}, null)[0];
                assertClose(y, shape, reference(x, shape, red, null), 1e-6,
                        java.util.Arrays.toString(shape) + " axis " + java.util.Arrays.toString(axes));
            }
        }
    }

    @Test
    void keras3MaskExcludesMaskedLogitsZeroesTheirOutputAndPassesThrough() {
        SplittableRandom r = new SplittableRandom(12);
        int[] shape = {3, 7};
        float[] x = uniform(r, 21, 3);
        boolean[] mask = OpsTestUtil.randomMask(r, 21);
        for (int t = 0; t < 7; t++) mask[14 + t] = false; // a fully masked row gives zeros
        Softmax s = new Softmax("softmax", new int[]{-1}, true);
        Tensor y = s.forward(new Tensor[]{new Tensor(shape, x, mask)}, null)[0];
        assertClose(y, shape, reference(x, shape, new boolean[]{false, true}, mask), 1e-6, "masked");
        assertThat(y.mask()).as("Softmax supports masking").isSameAs(mask);
    }

    @Test
    void refusesMasksKerasCannotApply() {
        boolean[] mask = new boolean[2 * 3];
        Tensor x3 = new Tensor(new int[]{2, 3, 4}, new float[24], mask);
        assertThatThrownBy(() -> new Softmax("sm", new int[]{-1}, true).forward(new Tensor[]{x3}, null))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("'sm'");
        Tensor x2 = new Tensor(new int[]{2, 3}, new float[6], mask);
        assertThatThrownBy(() -> new Softmax("sm", new int[]{-1}, false).forward(new Tensor[]{x2}, null))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("Keras 3");
        assertThatThrownBy(() -> new Softmax("sm", new int[]{3}, true).outputShapes(new int[][]{{4, 5}}))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("out of range");
    }
}

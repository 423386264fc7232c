package io.jkeras.ops;

import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.layers.BatchNormalization;
import io.jkeras.layers.Weight;
import io.jkeras.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static io.jkeras.ops.OpsTestUtil.assertClose;
import static io.jkeras.ops.OpsTestUtil.size;
import static io.jkeras.ops.OpsTestUtil.uniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** BatchNormalization at inference against (x − mean)/sqrt(var + eps)·gamma + beta in double. */
class BatchNormalizationTest {

    static double[] reference(float[] x, int[] shape, int[] axes, float[] g, float[] b, float[] m, float[] v,
            double eps) {
        double[] y = new double[x.length];
        int[] idx = new int[shape.length];
        for (int i = 0; i < x.length; i++) {
            int rem = i;
            for (int a = shape.length - 1; a >= 0; a--) { idx[a] = rem % shape[a]; rem /= shape[a]; }
            int p = 0;
            for (int a : axes) p = p * shape[a] + idx[a];
            double n = (x[i] - (double) m[p]) / Math.sqrt(v[p] + eps);
            y[i] = n * (g == null ? 1 : g[p]) + (b == null ? 0 : b[p]);
        }
        return y;
    }

    @Test
    void matchesReferenceOnEveryAxisAndRank() {
        SplittableRandom r = new SplittableRandom(99);
        int[][] shapes = {{3, 7}, {1, 1}, {2, 7, 5}, {4, 1, 33}, {2, 3, 4, 5}};
        int cases = 0;
        for (int[] shape : shapes) {
            for (int axis = 1; axis < shape.length; axis++) {
                for (int variant = 0; variant < 4; variant++) {
                    boolean scale = (variant & 1) == 0, center = (variant & 2) == 0;
                    int c = shape[axis];
                    float[] g = scale ? uniform(r, c, 2) : null;
                    float[] b = center ? uniform(r, c, 1) : null;
                    float[] m = uniform(r, c, 1);
                    float[] v = new float[c];
                    for (int i = 0; i < c; i++) v[i] = (float) (0.05 + 2 * r.nextDouble());
                    double eps = variant == 3 ? 1e-5 : 1e-3;
                    float[] x = uniform(r, size(shape), 3);
                    BatchNormalization bn = new BatchNormalization("bn", shape.length, new int[]{axis}, new int[]{c},
                            eps, g, b, m, v, List.of());
                    int[] noBatch = java.util.Arrays.copyOfRange(shape, 1, shape.length);
                    assertThat(bn.outputShapes(new int[][]{noBatch})[0]).containsExactly(noBatch);
                    Tensor y = bn.forward(new Tensor[]{new Tensor(shape, x)}, null)[0];
                    assertClose(y, shape, reference(x, shape, new int[]{axis}, g, b, m, v, eps), 2e-5,
                            "shape " + java.util.Arrays.toString(shape) + " axis " + axis + " scale=" + scale
                                    + " center=" + center);
                    assertThat(bn.weights()).extracting(Weight::name).containsExactlyElementsOf(
                            scale && center ? List.of("gamma", "beta", "moving_mean", "moving_variance")
                                    : scale ? List.of("gamma", "moving_mean", "moving_variance")
                                    : center ? List.of("beta", "moving_mean", "moving_variance")
                                            : List.of("moving_mean", "moving_variance"));
                    assertThat(bn.paramCount()).isEqualTo((long) c * (2 + (scale ? 1 : 0) + (center ? 1 : 0)));
                    assertThat(bn.nonTrainableParamCount()).isEqualTo(2L * c);
                    cases++;
                }
            }
        }
        assertThat(cases).isEqualTo(4 * 9);
    }

    @Test
    void severalAxesIndexTheStatisticsRowMajor() {
        SplittableRandom r = new SplittableRandom(5);
        int[] shape = {2, 3, 4, 5};
        int[] axes = {1, 3};
        int n = 3 * 5;
        float[] g = uniform(r, n, 1), b = uniform(r, n, 1), m = uniform(r, n, 1), v = new float[n];
        for (int i = 0; i < n; i++) v[i] = 0.5f + i;
        float[] x = uniform(r, size(shape), 2);
        BatchNormalization bn = new BatchNormalization("bn", 4, new int[]{3, 1}, new int[]{1, 3, 1, 5}, 1e-3, g, b, m,
                v, List.of());
        Tensor y = bn.forward(new Tensor[]{new Tensor(shape, x)}, null)[0];
        assertClose(y, shape, reference(x, shape, axes, g, b, m, v, 1e-3), 2e-5, "axes [1, 3]");
        assertThat(bn.weights().get(0).shape()).containsExactly(1, 3, 1, 5);
    }

    @Test
    void passesTheMaskThroughAndChecksShapes() {
        float[] one = {1f, 1f};
        BatchNormalization bn = new BatchNormalization("bn", 3, new int[]{2}, new int[]{2}, 1e-3, one, one, one, one,
                List.of(new Weight("moving_stddev", new int[]{2}, one)));
        boolean[] mask = {true, false, true, true, false, false};
        Tensor y = bn.forward(new Tensor[]{new Tensor(new int[]{2, 3, 2}, new float[12], mask)}, null)[0];
        assertThat(y.mask()).as("BatchNormalization supports masking").isSameAs(mask);
        assertThat(bn.nonTrainableParamCount()).as("renorm statistics are non-trainable too").isEqualTo(6);
        assertThatThrownBy(() -> bn.outputShapes(new int[][]{{3, 4}})).isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("'bn'");
        assertThatThrownBy(() -> bn.outputShapes(new int[][]{{3}})).isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("rank 3");
        assertThatThrownBy(()
                -> new BatchNormalization("b0", 3, new int[]{0}, new int[]{2}, 1e-3, null, null, one, one, List.of()))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("axis");
    }
}

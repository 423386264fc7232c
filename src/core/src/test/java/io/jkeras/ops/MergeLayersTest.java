package io.jkeras.ops;

import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.layers.Concatenate;
import io.jkeras.layers.Merge;
import io.jkeras.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.function.DoubleBinaryOperator;

import static io.jkeras.ops.OpsTestUtil.assertClose;
import static io.jkeras.ops.OpsTestUtil.randomMask;
import static io.jkeras.ops.OpsTestUtil.size;
import static io.jkeras.ops.OpsTestUtil.uniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Merge layers and Concatenate: values against element-wise references in double (with numpy
 * broadcasting written out here), and the mask rules read from Keras' merging/*.py:
 * Keras 3 base_merge.compute_mask ORs the masks when every input has one (else none), Multiply
 * treats masked entries as 1 and zeroes fully masked steps, Maximum/Minimum substitute the other
 * operand at masked steps; Keras 2 ANDs the masks present. Concatenate concatenates masks along
 * the time axis and reduces them along the feature axis with any (Keras 3) or all (Keras 2).
 */
class MergeLayersTest {

    static DoubleBinaryOperator fn(Merge.Op op) {
        return switch (op) {
            case ADD, AVERAGE -> Double::sum;
            case SUBTRACT -> (a, b) -> a - b;
            case MULTIPLY -> (a, b) -> a * b;
            case MAXIMUM -> Math::max;
            case MINIMUM -> Math::min;
        };
    }

    /** Reference with numpy broadcasting; lower-rank inputs gain size-1 axes after the batch axis. */
    static double[] reference(Merge.Op op, float[][] xs, int[][] shapes, int[] out) {
        int rank = out.length;
        double[] y = new double[size(out)];
        int[] idx = new int[rank];
        for (int o = 0; o < y.length; o++) {
            int rem = o;
            for (int a = rank - 1; a >= 0; a--) { idx[a] = rem % out[a]; rem /= out[a]; }
            double acc = 0;
            for (int i = 0; i < xs.length; i++) {
                int[] s = shapes[i];
                int src = 0;
                for (int a = 0; a < s.length; a++) {
                    int oa = a == 0 ? 0 : a + rank - s.length;
                    src = src * s[a] + (s[a] == 1 ? 0 : idx[oa]);
                }
                acc = i == 0 ? xs[i][src] : fn(op).applyAsDouble(acc, xs[i][src]);
            }
            y[o] = op == Merge.Op.AVERAGE ? acc / xs.length : acc;
        }
        return y;
    }

    @Test
    void everyOpMatchesReferenceWithAndWithoutBroadcasting() {
        SplittableRandom r = new SplittableRandom(31);
        int[][][] cases = {
                {{3, 7, 5}, {3, 7, 5}},
                {{3, 7, 5}, {3, 7, 5}, {3, 7, 5}},
                {{2, 33}, {2, 33}},
                {{1, 1}, {1, 1}},
                {{3, 7, 5}, {3, 1, 5}},
                {{3, 7, 1}, {3, 1, 5}},
                {{3, 5}, {3, 7, 5}},
                {{2, 4, 7, 5}, {2, 5}, {2, 7, 1}},
        };
        for (Merge.Op op : Merge.Op.values()) {
            for (int[][] shapes : cases) {
                if (op == Merge.Op.SUBTRACT && shapes.length != 2) continue;
                float[][] xs = new float[shapes.length][];
                Tensor[] in = new Tensor[shapes.length];
                int[][] noBatch = new int[shapes.length][];
                for (int i = 0; i < shapes.length; i++) {
                    xs[i] = uniform(r, size(shapes[i]), 2);
                    in[i] = new Tensor(shapes[i], xs[i]);
                    noBatch[i] = java.util.Arrays.copyOfRange(shapes[i], 1, shapes[i].length);
                }
                Merge m = new Merge("m", op, Merge.MaskRule.KERAS3);
                int[] outNoBatch = m.outputShapes(noBatch)[0];
                int[] out = new int[outNoBatch.length + 1];
                out[0] = shapes[0][0];
                System.arraycopy(outNoBatch, 0, out, 1, outNoBatch.length);
                Tensor y = m.forward(in, null)[0];
                assertClose(y, out, reference(op, xs, shapes, out), 1e-5, op + " "
                        + java.util.Arrays.deepToString(shapes));
                assertThat(y.mask()).isNull();
                assertThat(m.typeName()).isEqualTo(op.kerasName());
            }
        }
    }

    @Test
    void refusesIncompatibleShapesAndWrongArity() {
        Merge add = new Merge("add", Merge.Op.ADD, Merge.MaskRule.KERAS3);
        assertThatThrownBy(() -> add.outputShapes(new int[][]{{7, 5}, {7, 4}}))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("'add'")
                .hasMessageContaining("broadcast");
        assertThat(add.outputShapes(new int[][]{{-1, 5}, {7, 5}})[0]).containsExactly(7, 5);
        assertThatThrownBy(() -> new Merge("sub", Merge.Op.SUBTRACT, Merge.MaskRule.KERAS3)
                .outputShapes(new int[][]{{5}, {5}, {5}}))
                .isInstanceOf(UnsupportedModelException.class);
    }

    /** Keras 3 masked semantics, transcribed from base_merge.py / multiply.py step by step. */
    static double[] keras3Masked(Merge.Op op, float[][] xs, boolean[][] ms, int steps, int inner, boolean[][] outMask) {
        int n = xs.length, size = steps * inner;
        boolean all = true;
        for (boolean[] m : ms) all &= m != null;
        double[] y = new double[size];
        boolean[] om = null;
        if (op == Merge.Op.MULTIPLY) {
            for (int e = 0; e < size; e++) {
                double acc = 1;
                for (int i = 0; i < n; i++) acc *= ms[i] != null && !ms[i][e / inner] ? 1 : xs[i][e];
                y[e] = acc;
            }
            if (all) {
                om = new boolean[steps];
                for (int s = 0; s < steps; s++) for (boolean[] m : ms) om[s] |= m[s];
                for (int e = 0; e < size; e++) if (!om[e / inner]) y[e] = 0;
            }
        } else if (op == Merge.Op.MAXIMUM || op == Merge.Op.MINIMUM) {
            for (int e = 0; e < size; e++) y[e] = xs[0][e];
            om = ms[0] == null ? null : ms[0].clone();
            for (int i = 1; i < n; i++) {
                double[] x = new double[size];
                for (int e = 0; e < size; e++) x[e] = ms[i] != null && !ms[i][e / inner] ? y[e] : xs[i][e];
                if (om != null) for (int e = 0; e < size; e++) if (!om[e / inner]) y[e] = x[e];
                if (ms[i] != null && om != null) for (int s = 0; s < steps; s++) om[s] |= ms[i][s];
                else om = null;
                for (int e = 0; e < size; e++) y[e] = fn(op).applyAsDouble(y[e], x[e]);
            }
        } else {
            for (int e = 0; e < size; e++) {
                double acc = xs[0][e];
                for (int i = 1; i < n; i++) acc = fn(op).applyAsDouble(acc, xs[i][e]);
                y[e] = op == Merge.Op.AVERAGE ? acc / n : acc;
            }
            if (all) {
                om = new boolean[steps];
                for (int s = 0; s < steps; s++) for (boolean[] m : ms) om[s] |= m[s];
            }
        }
        outMask[0] = om;
        return y;
    }

    @Test
    void keras3MaskRules() {
        SplittableRandom r = new SplittableRandom(41);
        int b = 3, t = 7, f = 5, steps = b * t;
        int[] shape = {b, t, f};
        for (Merge.Op op : Merge.Op.values()) {
            int n = op == Merge.Op.SUBTRACT ? 2 : 3;
            for (int pattern = 0; pattern < (1 << n); pattern++) {
                if (pattern == 0) continue;
                float[][] xs = new float[n][];
                boolean[][] ms = new boolean[n][];
                Tensor[] in = new Tensor[n];
                for (int i = 0; i < n; i++) {
                    xs[i] = uniform(r, steps * f, 2);
                    ms[i] = (pattern >> i & 1) == 1 ? randomMask(r, steps) : null;
                    in[i] = new Tensor(shape, xs[i], ms[i]);
                }
                boolean[][] wantMask = new boolean[1][];
                double[] want = keras3Masked(op, xs, ms, steps, f, wantMask);
                Tensor y = new Merge("m", op, Merge.MaskRule.KERAS3).forward(in, null)[0];
                String what = op + " mask pattern " + pattern;
                assertClose(y, shape, want, 1e-5, what);
                if (wantMask[0] == null) assertThat(y.mask()).as(what).isNull();
                else assertThat(y.mask()).as(what).containsExactly(wantMask[0]);
            }
        }
    }

    @Test
    void keras2ValuesIgnoreMasksAndMasksAreAnded() {
        SplittableRandom r = new SplittableRandom(43);
        int[] shape = {2, 7, 3};
        float[] a = uniform(r, 42, 1), c = uniform(r, 42, 1), d = uniform(r, 42, 1);
        boolean[] ma = randomMask(r, 14), md = randomMask(r, 14);
        for (Merge.Op op : new Merge.Op[]{Merge.Op.ADD, Merge.Op.MULTIPLY, Merge.Op.MAXIMUM, Merge.Op.AVERAGE}) {
            Tensor y = new Merge("m", op, Merge.MaskRule.KERAS2).forward(new Tensor[]{
                    new Tensor(shape, a, ma), new Tensor(shape, c), new Tensor(shape, d, md)}, null)[0];
            assertClose(y, shape, reference(op, new float[][]{a, c, d}, new int[][]{shape, shape, shape}, shape), 1e-5,
                    op + " keras2");
            boolean[] and = new boolean[14];
            for (int i = 0; i < 14; i++) and[i] = ma[i] && md[i];
            assertThat(y.mask()).as(op + " keras2 mask").containsExactly(and);
        }
    }

    @Test
    void masksWithBroadcastingOrOtherRanksAreRefused() {
        Tensor masked = new Tensor(new int[]{2, 3, 4}, new float[24], new boolean[6]);
        Tensor other = Tensor.zeros(2, 1, 4);
        assertThatThrownBy(() -> new Merge("m", Merge.Op.ADD, Merge.MaskRule.KERAS3)
                .forward(new Tensor[]{masked, other}, null))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("'m'");
        Tensor masked2 = new Tensor(new int[]{2, 3}, new float[6], new boolean[6]);
        assertThatThrownBy(() -> new Merge("m", Merge.Op.MULTIPLY, Merge.MaskRule.KERAS3)
                .forward(new Tensor[]{masked2, masked2}, null))
                .isInstanceOf(UnsupportedModelException.class);
        assertThat(new Merge("m", Merge.Op.ADD, Merge.MaskRule.KERAS3)
                .forward(new Tensor[]{masked2, masked2}, null)[0].mask())
                .as("Add on (batch, timesteps) inputs keeps the OR of their masks").hasSize(6);
    }

    // ---------------------------------------------------------------- Concatenate

    @Test
    void concatenateMatchesIndexArithmeticOnEveryAxis() {
        SplittableRandom r = new SplittableRandom(51);
        int[][][] cases = {
                {{3, 7, 5}, {3, 7, 2}},
                {{3, 7, 5}, {3, 1, 5}, {3, 33, 5}},
                {{2, 4}, {2, 1}},
                {{2, 3, 4, 5}, {2, 3, 1, 5}},
                {{2, 3, 4, 5}, {2, 3, 4, 2}},
        };
        for (int[][] shapes : cases) {
            int rank = shapes[0].length;
            int axis = -1;
            for (int a = 1; a < rank; a++) for (int[] s : shapes) if (s[a] != shapes[0][a]) axis = a;
            for (int spelled : new int[]{axis, axis - rank}) {
                float[][] xs = new float[shapes.length][];
                Tensor[] in = new Tensor[shapes.length];
                int[][] noBatch = new int[shapes.length][];
                int[] out = shapes[0].clone();
                out[axis] = 0;
                for (int i = 0; i < shapes.length; i++) {
                    xs[i] = uniform(r, size(shapes[i]), 1);
                    in[i] = new Tensor(shapes[i], xs[i]);
                    noBatch[i] = java.util.Arrays.copyOfRange(shapes[i], 1, rank);
                    out[axis] += shapes[i][axis];
                }
                double[] want = new double[size(out)];
                int[] idx = new int[rank];
                for (int o = 0; o < want.length; o++) {
                    int rem = o;
                    for (int a = rank - 1; a >= 0; a--) { idx[a] = rem % out[a]; rem /= out[a]; }
                    int k = 0, at = idx[axis];
                    while (at >= shapes[k][axis]) at -= shapes[k++][axis];
                    int src = 0;
                    for (int a = 0; a < rank; a++) src = src * shapes[k][a] + (a == axis ? at : idx[a]);
                    want[o] = xs[k][src];
                }
                Concatenate c = new Concatenate("concat", spelled, Concatenate.MaskRule.KERAS3_ANY);
                assertThat(c.outputShapes(noBatch)[0]).containsExactly(java.util.Arrays.copyOfRange(out, 1, rank));
                Tensor y = c.forward(in, null)[0];
                assertClose(y, out, want, 0, "concat " + java.util.Arrays.deepToString(shapes) + " axis " + spelled);
                assertThat(y.mask()).isNull();
            }
        }
    }

    @Test
    void concatenateMasks() {
        SplittableRandom r = new SplittableRandom(53);
        boolean[] m1 = randomMask(r, 2 * 3), m2 = randomMask(r, 2 * 3);
        Tensor a = new Tensor(new int[]{2, 3, 4}, new float[24], m1);
        Tensor b = new Tensor(new int[]{2, 3, 2}, new float[12], m2);
        Tensor u = Tensor.zeros(2, 3, 2);
        boolean[] or = new boolean[6], and = new boolean[6];
        for (int i = 0; i < 6; i++) { or[i] = m1[i] || m2[i]; and[i] = m1[i] && m2[i]; }
        assertThat(new Concatenate("c", -1, Concatenate.MaskRule.KERAS3_ANY)
                .forward(new Tensor[]{a, b}, null)[0].mask()).containsExactly(or);
        assertThat(new Concatenate("c", 2, Concatenate.MaskRule.KERAS2_ALL).forward(new Tensor[]{a, b}, null)[0].mask())
                .containsExactly(and);
        boolean[] allTrue = new boolean[6];
        java.util.Arrays.fill(allTrue, true);
        assertThat(new Concatenate("c", -1, Concatenate.MaskRule.KERAS3_ANY)
                .forward(new Tensor[]{a, u}, null)[0].mask())
                .as("an unmasked input counts as all-true").containsExactly(allTrue);
        assertThat(new Concatenate("c", -1, Concatenate.MaskRule.KERAS2_ALL)
                .forward(new Tensor[]{a, u}, null)[0].mask()).containsExactly(m1);
        assertThat(new Concatenate("c", -1, Concatenate.MaskRule.KERAS3_ANY)
                .forward(new Tensor[]{u, u}, null)[0].mask()).isNull();
        // along time: masks are concatenated per sample
        Tensor t1 = new Tensor(new int[]{2, 3, 2}, new float[12], m1);
        Tensor t2 = Tensor.zeros(2, 2, 2);
        boolean[] time = new Concatenate("c", 1, Concatenate.MaskRule.KERAS3_ANY)
                .forward(new Tensor[]{t1, t2}, null)[0].mask();
        assertThat(time).containsExactly(m1[0], m1[1], m1[2], true, true, m1[3], m1[4], m1[5], true, true);
    }

    @Test
    void concatenateRefusesBatchAxisMismatchesAndOddMasks() {
        assertThatThrownBy(() -> new Concatenate("c", 0, Concatenate.MaskRule.KERAS3_ANY)
                .outputShapes(new int[][]{{3}, {3}}))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("batch axis");
        assertThatThrownBy(() -> new Concatenate("c", -1, Concatenate.MaskRule.KERAS3_ANY)
                .outputShapes(new int[][]{{3, 4}, {2, 4}}))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("'c'");
        assertThat(new Concatenate("c", -1, Concatenate.MaskRule.KERAS3_ANY)
                .outputShapes(new int[][]{{-1, 4}, {5, -1}})[0]).containsExactly(5, -1);
        Tensor m2 = new Tensor(new int[]{2, 3}, new float[6], new boolean[6]);
        assertThatThrownBy(() -> new Concatenate("c", -1, Concatenate.MaskRule.KERAS3_ANY)
                .forward(new Tensor[]{m2, m2}, null))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("rank 2");
    }
}

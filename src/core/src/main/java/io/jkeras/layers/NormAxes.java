package io.jkeras.layers;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * The normalised axes of LayerNormalization, RMSNormalization and UnitNormalization: a run of adjacent non-batch
 * axes of an input of fixed rank, seen by {@link io.jkeras.kernels.NormalizationKernels} as the view
 * {@code (outer, n, inner)}. Keras allows any set of axes; adjacent ones are what models use, others are refused.
 */
final class NormAxes {
    private NormAxes() {}

    /** The axes (counting the batch as 0, negatives from the end) sorted, checked to be adjacent and non-batch. */
    static int[] resolve(String layer, int rank, int[] axes) {
        if (axes.length == 0) throw new UnsupportedModelException(null, layer, null, "needs at least one axis");
        int[] a = new int[axes.length];
        for (int i = 0; i < axes.length; i++) a[i] = axes[i] < 0 ? axes[i] + rank : axes[i];
        Arrays.sort(a);
        for (int i = 0; i < a.length; i++) {
            if (a[i] < 1 || a[i] >= rank || (i > 0 && a[i] != a[i - 1] + 1)) {
                throw new UnsupportedModelException(null, layer, null, "axis " + Arrays.toString(axes)
                        + " is not a run of adjacent non-batch axes of a rank-" + rank
                        + " input (with batch); allowed: adjacent axes in 1.." + (rank - 1) + " or their negatives");
            }
        }
        return a;
    }

    /** {@code (outer, n, inner)} of a tensor of shape {@code s} (with batch) normalised over {@code axes}. */
    static int[] view(String layer, int rank, int[] axes, int[] s) {
        if (s.length != rank) {
            throw new InputException(null, layer, null, "expects input of rank " + rank + " (with batch), got "
                    + Tensor.shapeString(s));
        }
        int outer = 1, n = 1, inner = 1;
        for (int i = 0; i < rank; i++) {
            if (i < axes[0]) outer *= s[i];
            else if (i <= axes[axes.length - 1]) n *= s[i];
            else inner *= s[i];
        }
        return new int[]{outer, n, inner};
    }

    /**
     * The new values of two optional weights (each present when its old value is non-null), in order, from
     * {@link Layer#withWeights}' list.
     */
    static float[][] optionalPair(List<float[]> values, float[] first, float[] second) {
        int i = 0;
        float[] a = first == null ? null : values.get(i++);
        float[] b = second == null ? null : values.get(i);
        return new float[][]{a, b};
    }

    /** The product of the input's sizes on {@code axes} (input shape without batch), or -1 if one is unknown. */
    static int size(String layer, int rank, int[] axes, int[] in) {
        Shapes.expectRank(layer, in, rank - 1);
        long n = 1;
        for (int a : axes) {
            if (in[a - 1] < 0) return -1;
            n *= in[a - 1];
        }
        return (int) Math.min(n, Integer.MAX_VALUE);
    }
}

package io.jkeras.layers;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * The normalised axes of LayerNormalization, RMSNormalization and UnitNormalization: any set of non-batch axes of an
 * input of fixed rank. A run of adjacent axes is seen by {@link io.jkeras.kernels.NormalizationKernels} as the view
 * {@code (outer, n, inner)} of the input as it is; other sets are first moved to the end ({@link #toEnd}, the other
 * axes keeping their order), normalised as one run there, and moved back.
 */
final class NormAxes {
    private NormAxes() {}

    /** The axes (counting the batch as 0, negatives from the end) sorted, checked to be distinct and non-batch. */
    static int[] resolve(String layer, int rank, int[] axes) {
        if (axes.length == 0) throw new UnsupportedModelException(null, layer, null, "needs at least one axis");
        int[] a = new int[axes.length];
        for (int i = 0; i < axes.length; i++) a[i] = axes[i] < 0 ? axes[i] + rank : axes[i];
        Arrays.sort(a);
        for (int i = 0; i < a.length; i++) {
            if (a[i] < 1 || a[i] >= rank || (i > 0 && a[i] == a[i - 1])) {
                throw new UnsupportedModelException(null, layer, null, "axis " + Arrays.toString(axes)
                        + " is not a set of distinct non-batch axes of a rank-" + rank
                        + " input (with batch); allowed: axes in 1.." + (rank - 1) + " or their negatives");
            }
        }
        return a;
    }

    /**
     * The permutation (output axis i reads input axis {@code perm[i]}) that moves the sorted {@code axes} to the end
     * with the other axes in their order, or null when they already are one run of adjacent axes.
     */
    static int[] toEnd(int rank, int[] axes) {
        if (axes[axes.length - 1] - axes[0] == axes.length - 1) return null;
        int[] perm = new int[rank];
        int k = 0;
        for (int i = 0; i < rank; i++) if (Arrays.binarySearch(axes, i) < 0) perm[k++] = i;
        for (int a : axes) perm[k++] = a;
        return perm;
    }

    /** The inverse of a permutation. */
    static int[] inverse(int[] perm) {
        int[] inv = new int[perm.length];
        for (int i = 0; i < perm.length; i++) inv[perm[i]] = i;
        return inv;
    }

    /** The axes {@code rank - k .. rank - 1}: where {@link #toEnd} puts k normalised axes. */
    static int[] last(int rank, int k) {
        int[] a = new int[k];
        for (int i = 0; i < k; i++) a[i] = rank - k + i;
        return a;
    }

    /** {@code shape} permuted: entry i is {@code shape[perm[i]]}. */
    static int[] permuted(int[] shape, int[] perm) {
        int[] s = new int[perm.length];
        for (int i = 0; i < perm.length; i++) s[i] = shape[perm[i]];
        return s;
    }

    /** {@code x} of shape {@code shape} transposed by {@code perm} (as numpy.transpose), into a new array. */
    static float[] permute(float[] x, int[] shape, int[] perm) {
        int r = shape.length;
        int[] stride = new int[r];
        for (int i = r - 1, st = 1; i >= 0; i--) {
            stride[i] = st;
            st *= shape[i];
        }
        int[] out = permuted(shape, perm), idx = new int[r];
        float[] y = new float[x.length];
        for (int o = 0; o < y.length; o++) {
            int src = 0;
            for (int i = 0; i < r; i++) src += idx[i] * stride[perm[i]];
            y[o] = x[src];
            for (int i = r - 1; i >= 0 && ++idx[i] == out[i]; i--) idx[i] = 0;
        }
        return y;
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

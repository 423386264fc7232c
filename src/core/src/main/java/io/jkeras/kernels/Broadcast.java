package io.jkeras.kernels;

import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;

/** NumPy broadcasting of two row-major arrays for element-wise binary operations. */
public final class Broadcast {
    private Broadcast() {}

    /** The broadcast shape of {@code a} and {@code b} (-1 for unknown), or null if they do not broadcast. */
    public static int[] shape(int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int da = i < n - a.length ? 1 : a[i - (n - a.length)];
            int db = i < n - b.length ? 1 : b[i - (n - b.length)];
            if (da == db || db == 1) out[i] = da;
            else if (da == 1) out[i] = db;
            else if (da == -1 || db == -1) out[i] = Math.max(da, db) == -1 ? -1 : Math.max(da, db);
            else return null;
        }
        return out;
    }

    /** Applies {@code op} element-wise over the broadcast of a (shape sa) and b (shape sb). */
    public static float[] apply(float[] a, int[] sa, float[] b, int[] sb, int[] out, DoubleBinaryOperator op) {
        int n = out.length;
        int[] stA = strides(sa, n, out), stB = strides(sb, n, out);
        long total = 1;
        for (int d : out) total *= d;
        float[] r = new float[(int) total];
        int[] idx = new int[n];
        int ia = 0, ib = 0;
        for (int k = 0; k < r.length; k++) {
            r[k] = (float) op.applyAsDouble(a[ia], b[ib]);
            for (int d = n - 1; d >= 0; d--) {
                idx[d]++;
                ia += stA[d];
                ib += stB[d];
                if (idx[d] < out[d]) break;
                ia -= stA[d] * out[d];
                ib -= stB[d] * out[d];
                idx[d] = 0;
            }
        }
        return r;
    }

    /** Strides of {@code s} right-aligned to rank n, 0 along broadcast dimensions. */
    private static int[] strides(int[] s, int n, int[] out) {
        int[] st = new int[n];
        int stride = 1;
        for (int i = n - 1; i >= 0; i--) {
            int j = i - (n - s.length);
            int d = j >= 0 ? s[j] : 1;
            st[i] = d == 1 && out[i] != 1 ? 0 : stride;
            stride *= d;
        }
        return st;
    }

    static String str(int[] s) { return Arrays.toString(s); }
}

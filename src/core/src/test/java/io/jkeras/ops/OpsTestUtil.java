package io.jkeras.ops;

import io.jkeras.tensor.Tensor;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** Random data and comparisons shared by the ops tests. */
final class OpsTestUtil {
    private OpsTestUtil() {}

    static float[] uniform(SplittableRandom r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        return a;
    }

    static boolean[] randomMask(SplittableRandom r, int n) {
        boolean[] m = new boolean[n];
        for (int i = 0; i < n; i++) m[i] = r.nextInt(3) != 0;
        return m;
    }

    static int size(int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    static void assertClose(Tensor got, int[] shape, double[] want, double tol, String what) {
        assertThat(got.shape()).as(what + " shape").containsExactly(shape);
        assertThat(got.size()).as(what + " size").isEqualTo(want.length);
        double worst = 0;
        int at = -1;
        for (int i = 0; i < want.length; i++) {
            double d = Math.abs(got.data()[i] - want[i]);
            if (!(d <= worst)) { worst = d; at = i; }
        }
        assertThat(worst).as(what + " max |got - want| (at flat index " + at + ")").isLessThanOrEqualTo(tol);
    }
}

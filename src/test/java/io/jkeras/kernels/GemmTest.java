package io.jkeras.kernels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link Gemm#multiply} against the double-accumulating {@link Gemm#reference} on odd shapes. */
class GemmTest {

    static Stream<Arguments> shapes() {
        // m, n, k
        int[][] s = {
            {1, 1, 1}, {1, 17, 3}, {7, 1, 64}, {13, 31, 65}, {3, 5, 63}, {2, 16, 64}, {4, 9, 129},
            {5, 33, 200}, {9, 64, 300}, {0, 5, 3}, {4, 0, 3}, {4, 5, 0}, {0, 0, 0}, {1, 1, 1000}
        };
        return Arrays.stream(s).flatMap(x -> Stream.of(
                Arguments.of(x[0], x[1], x[2], false, false),
                Arguments.of(x[0], x[1], x[2], true, false),
                Arguments.of(x[0], x[1], x[2], false, true),
                Arguments.of(x[0], x[1], x[2], true, true)));
    }

    /**
     * With {@code padded}, every matrix sits at a non-zero offset with a leading dimension larger
     * than its width; the padding holds NaN in A and B (it must never be read) and a sentinel in
     * C (it must never be written).
     */
    @ParameterizedTest(name = "m={0} n={1} k={2} accumulate={3} padded={4}")
    @MethodSource("shapes")
    void multiplyMatchesReference(int m, int n, int k, boolean accumulate, boolean padded) {
        SplittableRandom rnd = new SplittableRandom(31L * m + 17L * n + k + (accumulate ? 1 : 0) + (padded ? 2 : 0));
        int aOff = padded ? 5 : 0, bOff = padded ? 3 : 0, cOff = padded ? 7 : 0;
        int lda = k + (padded ? 3 : 0), ldb = n + (padded ? 2 : 0), ldc = n + (padded ? 4 : 0);
        float[] a = filled(aOff + m * lda + 2, Float.NaN);
        float[] b = filled(bOff + k * ldb + 2, Float.NaN);
        float sentinel = -12345.5f;
        float[] c0 = filled(cOff + m * ldc + 2, sentinel);
        for (int i = 0; i < m; i++) for (int p = 0; p < k; p++) a[aOff + i * lda + p] = uniform(rnd);
        for (int p = 0; p < k; p++) for (int j = 0; j < n; j++) b[bOff + p * ldb + j] = uniform(rnd);
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) c0[cOff + i * ldc + j] = uniform(rnd);
        // sprinkle exact zeros in A (the fast path may skip them)
        for (int i = 0; i < m; i++) for (int p = 0; p < k; p += 7) a[aOff + i * lda + p] = 0f;

        float[] ref = c0.clone();
        float[] got = c0.clone();
        Gemm.reference(m, n, k, a, aOff, lda, b, bOff, ldb, ref, cOff, ldc, accumulate);
        Gemm.multiply(m, n, k, a, aOff, lda, b, bOff, ldb, got, cOff, ldc, accumulate);

        boolean[] inside = new boolean[c0.length];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                int idx = cOff + i * ldc + j;
                inside[idx] = true;
                double bound = accumulate ? Math.abs(c0[idx]) : 0.0;
                for (int p = 0; p < k; p++) bound += Math.abs((double) a[aOff + i * lda + p] * b[bOff + p * ldb + j]);
                // float accumulation of k+1 terms: error at most ~(k+1)·eps·Σ|terms|
                double tol = (k + 2) * 1.2e-7 * bound + 1e-30;
                assertThat((double) got[idx]).as("C[%d][%d]", i, j).isCloseTo(ref[idx], org.assertj.core.data.Offset.offset(tol));
            }
        }
        for (int idx = 0; idx < c0.length; idx++) {
            if (!inside[idx]) {
                assertThat(got[idx]).as("multiply wrote outside C at %d", idx).isEqualTo(sentinel);
                assertThat(ref[idx]).as("reference wrote outside C at %d", idx).isEqualTo(sentinel);
            }
        }
        if (k == 0 && m > 0 && n > 0) {
            float expect = accumulate ? c0[cOff] : 0f;
            assertThat(got[cOff]).as("k = 0 leaves C (accumulate) or zeroes it").isEqualTo(expect);
        }
    }

    @Test
    void referenceIsTheExactProductOnSmallIntegers() {
        // [[1,2],[3,4]]·[[5,6],[7,8]] = [[19,22],[43,50]]
        float[] a = {1, 2, 3, 4};
        float[] b = {5, 6, 7, 8};
        float[] c = {100, 100, 100, 100};
        Gemm.multiply(2, 2, 2, a, 0, 2, b, 0, 2, c, 0, 2, false);
        assertThat(c).containsExactly(19, 22, 43, 50);
        Gemm.multiply(2, 2, 2, a, 0, 2, b, 0, 2, c, 0, 2, true);
        assertThat(c).containsExactly(38, 44, 86, 100);
    }

    @Test
    void axpyAddsScaledRowAndTouchesNothingElse() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int n : new int[]{0, 1, 3, 16, 17, 100}) {
            float[] x = new float[n + 5];
            float[] y = new float[n + 9];
            for (int i = 0; i < x.length; i++) x[i] = uniform(rnd);
            for (int i = 0; i < y.length; i++) y[i] = uniform(rnd);
            float alpha = -0.75f;
            float[] y0 = y.clone();
            Gemm.axpy(n, alpha, x, 2, y, 4);
            for (int i = 0; i < y.length; i++) {
                if (i >= 4 && i < 4 + n) {
                    double want = y0[i] + (double) alpha * x[i - 2];
                    assertThat((double) y[i]).as("n=%d y[%d]", n, i).isCloseTo(want, org.assertj.core.data.Offset.offset(2 * Math.ulp((float) want) + 1e-7));
                } else {
                    assertThat(y[i]).as("n=%d untouched y[%d]", n, i).isEqualTo(y0[i]);
                }
            }
        }
    }

    private static float uniform(SplittableRandom r) { return (float) (r.nextDouble() * 2 - 1); }

    private static float[] filled(int n, float v) {
        float[] f = new float[n];
        Arrays.fill(f, v);
        return f;
    }
}

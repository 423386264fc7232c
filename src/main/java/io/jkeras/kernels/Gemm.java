package io.jkeras.kernels;

/**
 * Dense matrix products on row-major float arrays, output-argument style:
 * {@code C[m×n] (+)= A[m×k] · B[k×n]}, each matrix given as (array, offset, leading dimension).
 *
 * <p>{@link #reference} is the oracle: a naive triple loop accumulating in double. {@link #multiply}
 * is the fast path used by the engine; tests compare the two on odd shapes.
 */
public final class Gemm {
    private Gemm() {}

    /** Naive reference product, accumulating in double. {@code accumulate=false} overwrites C. */
    public static void reference(int m, int n, int k,
                                 float[] a, int aOff, int lda,
                                 float[] b, int bOff, int ldb,
                                 float[] c, int cOff, int ldc, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = accumulate ? c[cOff + i * ldc + j] : 0.0;
                for (int p = 0; p < k; p++) s += (double) a[aOff + i * lda + p] * b[bOff + p * ldb + j];
                c[cOff + i * ldc + j] = (float) s;
            }
        }
    }

    /**
     * Fast product: rows of C are accumulated as sums of scaled rows of B (an axpy form whose
     * inner loop runs over contiguous memory and vectorizes), blocked over k so that a panel of B
     * stays in cache while the rows of A stream past it.
     */
    public static void multiply(int m, int n, int k,
                                float[] a, int aOff, int lda,
                                float[] b, int bOff, int ldb,
                                float[] c, int cOff, int ldc, boolean accumulate) {
        if (!accumulate) {
            for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
        }
        final int kb = 64;
        for (int p0 = 0; p0 < k; p0 += kb) {
            int p1 = Math.min(k, p0 + kb);
            for (int i = 0; i < m; i++) {
                int ci = cOff + i * ldc;
                int ai = aOff + i * lda;
                for (int p = p0; p < p1; p++) {
                    axpy(n, a[ai + p], b, bOff + p * ldb, c, ci);
                }
            }
        }
    }

    /** {@code y[yOff..yOff+n) += alpha · x[xOff..xOff+n)}. */
    public static void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        for (int j = 0; j < n; j++) y[yOff + j] += alpha * x[xOff + j];
    }
}

package io.jkeras.kernels;

import java.util.Arrays;

/**
 * Dense matrix products on row-major float arrays, output-argument style, each matrix given as
 * (array, offset, leading dimension):
 * <ul>
 *   <li>{@link #multiply}: {@code C[m×n] (+)= A[m×k] · B[k×n]};</li>
 *   <li>{@link #multiplyAtB}: {@code C[m×n] (+)= Aᵀ · B}, A stored k×m, B stored k×n;</li>
 *   <li>{@link #multiplyABt}: {@code C[m×n] (+)= A · Bᵀ}, A stored m×k, B stored n×k.</li>
 * </ul>
 * With {@code accumulate=false} C is overwritten, otherwise the product is added to it. C must not
 * overlap A or B.
 *
 * <p>{@link #reference}, {@link #referenceAtB} and {@link #referenceABt} are the oracles: naive
 * triple loops accumulating in double. The fast paths use a Vector API kernel ({@code GemmVector},
 * register-blocked, with packed panels sized for the caches) when the JVM runs with
 * {@code --add-modules jdk.incubator.vector} and {@code -Djkeras.scalar=true} is not set, otherwise
 * a portable scalar kernel (also used for products narrower than one vector): the kernel of
 * {@link Engine#current()} ({@link Kernels}). Large products (at least {@code 2^22} multiply-adds)
 * are split across the pool of the current engine ({@link Threads}; by default {@code jkeras.threads}
 * threads), and the overloads taking {@code threads} bound it further per call
 * ({@code threads=1}: run on the calling thread only). Every method is safe to call concurrently
 * from several threads, including from threads of a pool itself.
 */
public final class Gemm {
    /** Which operand is transposed: {@code C = A·B}, {@code Aᵀ·B} or {@code A·Bᵀ}. */
    static final int NN = 0, TN = 1, NT = 2;

    /**
     * Products with fewer multiply-adds than this (about 40 µs of single-threaded work) run on the
     * calling thread: handing a chunk to a pool thread costs some 6-20 µs (measured), so smaller
     * products gain little or lose. The W4 training products (up to 64×64×256) stay on one thread;
     * the per-step recurrent product of W2 (128×256×1024) and the input projections are split.
     */
    static final long PARALLEL_MIN_FMA = 1L << 22;

    /** A single-threaded product over one block of C; {@code op} is {@link #NN}, {@link #TN} or {@link #NT}. */
    interface Kernel {
        void product(int op, int m, int n, int k,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float[] c, int cOff, int ldc, boolean accumulate);

        /** Row and column counts that split C into blocks the kernel handles at full speed. */
        default int rowGrain() { return 1; }

        default int colGrain() { return 1; }

        /** Products narrower than this go to the scalar kernel instead. */
        default int minColumns() { return 1; }

        /** B (k×n) in the layout {@link #productPacked} reads, or null when the kernel reads B as it is. */
        default float[] pack(int n, int k, float[] b, int bOff, int ldb) { return null; }

        /** {@code C (+)= A·B} with B as {@link #pack} returned it. */
        default void productPacked(int m, int n, int k, float[] a, int aOff, int lda, float[] packed,
                                   float[] c, int cOff, int ldc, boolean accumulate) {
            throw new UnsupportedOperationException();
        }
    }

    /**
     * A right-hand matrix B (k×n) prepared once for many products {@code A·B} (constant weights):
     * the fast kernel copies B into cache-friendly strips on every call otherwise. Holds on to B,
     * which must not change afterwards.
     */
    public static final class PackedB {
        final int k, n;
        final float[] b;
        final int bOff, ldb;
        final Kernel kernel;
        /** B in the kernel's layout, or null when the kernel reads {@code b} as it is. */
        final float[] data;

        PackedB(Kernel kernel, int k, int n, float[] b, int bOff, int ldb) {
            this.kernel = kernel;
            this.k = k;
            this.n = n;
            this.b = b;
            this.bOff = bOff;
            this.ldb = ldb;
            this.data = k == 0 || n < kernel.minColumns() ? null : kernel.pack(n, k, b, bOff, ldb);
        }

        public int rows() { return k; }

        public int columns() { return n; }
    }

    static final Kernel SCALAR = new ScalarKernel();

    private Gemm() {}

    // ---------------------------------------------------------------- references

    /** Naive reference of {@link #multiply}, accumulating in double. {@code accumulate=false} overwrites C. */
    public static void reference(int m, int n, int k,
                                 float[] a, int aOff, int lda,
                                 float[] b, int bOff, int ldb,
                                 float[] c, int cOff, int ldc, boolean accumulate) {
        strided(m, n, k, a, aOff, lda, 1, b, bOff, ldb, 1, c, cOff, ldc, accumulate);
    }

    /** Naive reference of {@link #multiplyAtB}: {@code C[m×n] (+)= Aᵀ·B}, A stored k×m, in double. */
    public static void referenceAtB(int m, int n, int k,
                                    float[] a, int aOff, int lda,
                                    float[] b, int bOff, int ldb,
                                    float[] c, int cOff, int ldc, boolean accumulate) {
        strided(m, n, k, a, aOff, 1, lda, b, bOff, ldb, 1, c, cOff, ldc, accumulate);
    }

    /** Naive reference of {@link #multiplyABt}: {@code C[m×n] (+)= A·Bᵀ}, B stored n×k, in double. */
    public static void referenceABt(int m, int n, int k,
                                    float[] a, int aOff, int lda,
                                    float[] b, int bOff, int ldb,
                                    float[] c, int cOff, int ldc, boolean accumulate) {
        strided(m, n, k, a, aOff, lda, 1, b, bOff, 1, ldb, c, cOff, ldc, accumulate);
    }

    /**
     * The three references: {@code C[i][j] (+)= Σ_p A(i, p)·B(p, j)} in double, element (i, p) of A
     * at {@code aOff + i·ai + p·ap} and (p, j) of B at {@code bOff + p·bp + j·bj}.
     */
    private static void strided(int m, int n, int k, float[] a, int aOff, int ai, int ap, float[] b, int bOff, int bp,
            int bj,
                                float[] c, int cOff, int ldc, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = accumulate ? c[cOff + i * ldc + j] : 0.0;
                for (int p = 0; p < k; p++) s += (double) a[aOff + i * ai + p * ap] * b[bOff + p * bp + j * bj];
                c[cOff + i * ldc + j] = (float) s;
            }
        }
    }

    // ---------------------------------------------------------------- fast paths

    /** {@code C[m×n] (+)= A[m×k] · B[k×n]}, on up to {@link #threads()} threads. */
    public static void multiply(int m, int n, int k,
                                float[] a, int aOff, int lda,
                                float[] b, int bOff, int ldb,
                                float[] c, int cOff, int ldc, boolean accumulate) {
        Engine e = Engine.current();
        run(e, e.kernels().gemm, NN, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate,
                e.threads());
    }

    /**
     * {@link #multiply(int, int, int, float[], int, int, float[], int, int, float[], int, int, boolean)} on at most
     * {@code threads} threads (1: the calling thread only).
     */
    public static void multiply(int m, int n, int k,
                                float[] a, int aOff, int lda,
                                float[] b, int bOff, int ldb,
                                float[] c, int cOff, int ldc, boolean accumulate, int threads) {
        run(NN, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, threads);
    }

    /**
     * B (k×n, row p at {@code bOff + p·ldb}) packed for {@link #multiply(int, int, int, float[], int, int, PackedB,
     * float[], int, int, boolean, int)}.
     */
    public static PackedB pack(int k, int n, float[] b, int bOff, int ldb) {
        if (k < 0 || n < 0) throw new IllegalArgumentException("negative dimension: n=" + n + " k=" + k);
        if (k > 0 && n > 0) span("B", b, bOff, k, n, ldb);
        return new PackedB(Engine.current().kernels().gemm, k, n, b, bOff, ldb);
    }

    /**
     * {@code C[m×n] (+)= A[m×k] · B} with B packed by {@link #pack}, on at most {@code threads} threads; same results
     * as the unpacked product.
     */
    public static void multiply(int m, int n, int k, float[] a, int aOff, int lda, PackedB b,
                                float[] c, int cOff, int ldc, boolean accumulate, int threads) {
        Engine engine = Engine.current();
        if (b.data == null || b.kernel != engine.kernels().gemm) {
            // packed for other kernels (another engine's): the current kernel reads B as it is
            run(engine, engine.kernels().gemm, NN, m, n, k, a, aOff, lda, b.b, b.bOff, b.ldb, c, cOff, ldc,
                    accumulate, threads);
            return;
        }
        if (n != b.n || k != b.k) throw new IllegalArgumentException("packed B is " + b.k + "×" + b.n
                + ", product needs " + k + "×" + n);
        check(NN, m, n, k, a, aOff, lda, b.b, b.bOff, b.ldb, c, cOff, ldc);
        if (m == 0) return;
        Kernel kernel = b.kernel;
        int t = threads(threads, (long) m * n * k, engine);
        int rg = kernel.rowGrain();
        int units = (m + rg - 1) / rg;
        int chunks = Math.min(t, units);
        if (chunks <= 1) {
            kernel.productPacked(m, n, k, a, aOff, lda, b.data, c, cOff, ldc, accumulate);
            return;
        }
        engine.pool().run(chunks, q -> {
            int lo = Math.min(m, (int) ((long) units * q / chunks) * rg);
            int hi = Math.min(m, (int) ((long) units * (q + 1) / chunks) * rg);
            if (hi > lo) kernel.productPacked(hi - lo, n, k, a, aOff + lo * lda, lda, b.data, c, cOff + lo * ldc, ldc,
                    accumulate);
        });
    }

    /** {@code C[m×n] (+)= Aᵀ · B} with A stored k×m (row p of A at {@code aOff + p·lda}) and B stored k×n. */
    public static void multiplyAtB(int m, int n, int k,
                                   float[] a, int aOff, int lda,
                                   float[] b, int bOff, int ldb,
                                   float[] c, int cOff, int ldc, boolean accumulate) {
        Engine e = Engine.current();
        run(e, e.kernels().gemm, TN, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate,
                e.threads());
    }

    /**
     * {@link #multiplyAtB(int, int, int, float[], int, int, float[], int, int, float[], int, int, boolean)} on at most
     * {@code threads} threads.
     */
    public static void multiplyAtB(int m, int n, int k,
                                   float[] a, int aOff, int lda,
                                   float[] b, int bOff, int ldb,
                                   float[] c, int cOff, int ldc, boolean accumulate, int threads) {
        run(TN, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, threads);
    }

    /** {@code C[m×n] (+)= A · Bᵀ} with A stored m×k and B stored n×k (row j of B at {@code bOff + j·ldb}). */
    public static void multiplyABt(int m, int n, int k,
                                   float[] a, int aOff, int lda,
                                   float[] b, int bOff, int ldb,
                                   float[] c, int cOff, int ldc, boolean accumulate) {
        Engine e = Engine.current();
        run(e, e.kernels().gemm, NT, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate,
                e.threads());
    }

    /**
     * {@link #multiplyABt(int, int, int, float[], int, int, float[], int, int, float[], int, int, boolean)} on at most
     * {@code threads} threads.
     */
    public static void multiplyABt(int m, int n, int k,
                                   float[] a, int aOff, int lda,
                                   float[] b, int bOff, int ldb,
                                   float[] c, int cOff, int ldc, boolean accumulate, int threads) {
        run(NT, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, threads);
    }

    /** {@code y[yOff..yOff+n) += alpha · x[xOff..xOff+n)}. */
    public static void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        for (int j = 0; j < n; j++) y[yOff + j] += alpha * x[xOff + j];
    }

    // ---------------------------------------------------------------- dispatch

    static void run(int op, int m, int n, int k,
                    float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                    float[] c, int cOff, int ldc, boolean accumulate, int threads) {
        Engine engine = Engine.current();
        run(engine, engine.kernels().gemm, op, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, threads);
    }

    /**
     * Threads for a product of {@code fma} multiply-adds: 1 when small or on a pool thread, else up to the engine's.
     */
    private static int threads(int threads, long fma, Engine engine) {
        if (threads <= 1 || fma < PARALLEL_MIN_FMA || Threads.inWorker()) return 1;
        return Math.min(threads, engine.threads());
    }

    /** The product with a given kernel (tests run every kernel through here). */
    static void run(Kernel chosen, int op, int m, int n, int k,
                    float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                    float[] c, int cOff, int ldc, boolean accumulate, int threads) {
        run(Engine.current(), chosen, op, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, threads);
    }

    /** The product with a given kernel, split (when large) over the pool of {@code engine}. */
    private static void run(Engine engine, Kernel chosen, int op, int m, int n, int k,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float[] c, int cOff, int ldc, boolean accumulate, int threads) {
        check(op, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        if (m == 0 || n == 0) return;
        if (k == 0) {
            if (!accumulate) for (int i = 0; i < m; i++) Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            return;
        }
        // Narrower than one vector (Dense(1), Dense(10) outputs), a vector kernel wastes most of its
        // lanes; the scalar kernel costs about the same and keeps the plain multiply-then-add order
        // these small outputs had before (fixture outputs of magnitude ~36 are compared with Keras
        // at 1e-5, under 3 ulp, where a fused multiply-add chain landed just outside).
        Kernel kernel = n < chosen.minColumns() ? SCALAR : chosen;
        int t = threads(threads, (long) m * n * k, engine);
        if (t == 1) {
            kernel.product(op, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
            return;
        }
        // Split C into t blocks of columns when it has few rows and many columns (each thread packs
        // only its part of B, and the row tiles stay whole: 128 rows in two blocks of 10-row tiles
        // would split 70/58), otherwise into blocks of rows (each thread packs all of B, about t/m
        // of the product, and A is read once).
        int rg = kernel.rowGrain(), cg = kernel.colGrain();
        boolean byCols = (n >= 4 * cg * t && m < 16 * rg * t) || m < rg * t;
        boolean byRows = !byCols;
        int units = byRows ? (m + rg - 1) / rg : (n + cg - 1) / cg;
        int chunks = Math.min(t, units);
        if (chunks <= 1) {
            kernel.product(op, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
            return;
        }
        int grain = byRows ? rg : cg, total = byRows ? m : n;
        engine.pool().run(chunks, q -> {
            int lo = Math.min(total, (int) ((long) units * q / chunks) * grain);
            int hi = Math.min(total, (int) ((long) units * (q + 1) / chunks) * grain);
            if (hi <= lo) return;
            if (byRows) {
                int aShift = op == TN ? lo : lo * lda;
                kernel.product(op, hi - lo, n, k, a, aOff + aShift, lda, b, bOff, ldb, c, cOff + lo * ldc, ldc,
                        accumulate);
            } else {
                int bShift = op == NT ? lo * ldb : lo;
                kernel.product(op, m, hi - lo, k, a, aOff, lda, b, bOff + bShift, ldb, c, cOff + lo, ldc, accumulate);
            }
        });
    }

    /** Checks the shapes and that every element the product reads or writes lies inside its array. */
    private static void check(int op, int m, int n, int k,
                              float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                              float[] c, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) throw new IllegalArgumentException("negative dimension: m=" + m + " n=" + n
                + " k=" + k);
        if (m == 0 || n == 0) return;
        if (m > 1 && ldc < n) throw new IllegalArgumentException("ldc " + ldc + " < n " + n);
        span("C", c, cOff, m, n, ldc);
        if (k == 0) return;
        if (op == TN) span("A", a, aOff, k, m, lda); else span("A", a, aOff, m, k, lda);
        if (op == NT) span("B", b, bOff, n, k, ldb); else span("B", b, bOff, k, n, ldb);
    }

    private static void span(String what, float[] x, int off, int rows, int cols, int ld) {
        long last = off + (long) (rows - 1) * ld + cols;
        if (off < 0 || ld < 0 || last > x.length || (rows > 1 && ld < cols)) {
            throw new IndexOutOfBoundsException(what + ": " + rows + "×" + cols + " at offset " + off
                    + " with leading dimension " + ld
                    + " does not fit an array of " + x.length);
        }
    }

    /**
     * The portable kernel: for {@code A·B} and {@code Aᵀ·B}, rows of C accumulate scaled rows of B
     * (an axpy over contiguous memory), blocked over k so that a panel of B stays in cache; for
     * {@code A·Bᵀ}, each element of C is a dot product of two contiguous rows.
     */
    static final class ScalarKernel implements Kernel {
        private static final int KB = 64;

        @Override
        public void product(int op, int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float[] c, int cOff, int ldc, boolean accumulate) {
            if (op == NT) {
                for (int i = 0; i < m; i++) {
                    int ai = aOff + i * lda, ci = cOff + i * ldc;
                    for (int j = 0; j < n; j++) {
                        int bj = bOff + j * ldb;
                        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
                        int p = 0;
                        for (; p + 4 <= k; p += 4) {
                            s0 += a[ai + p] * b[bj + p];
                            s1 += a[ai + p + 1] * b[bj + p + 1];
                            s2 += a[ai + p + 2] * b[bj + p + 2];
                            s3 += a[ai + p + 3] * b[bj + p + 3];
                        }
                        for (; p < k; p++) s0 += a[ai + p] * b[bj + p];
                        float s = (s0 + s1) + (s2 + s3);
                        c[ci + j] = accumulate ? c[ci + j] + s : s;
                    }
                }
                return;
            }
            if (!accumulate) for (int i = 0; i < m; i++) Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            for (int p0 = 0; p0 < k; p0 += KB) {
                int p1 = Math.min(k, p0 + KB);
                for (int i = 0; i < m; i++) {
                    int ci = cOff + i * ldc;
                    for (int p = p0; p < p1; p++) {
                        float alpha = op == TN ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                        axpy(n, alpha, b, bOff + p * ldb, c, ci);
                    }
                }
            }
        }

        @Override
        public String toString() { return "scalar"; }
    }

    /** {@code dst[dOff + j·rows + i] = src[sOff + i·cols + j]}: a rows×cols block transposed (packed). */
    public static void transpose(int rows, int cols, float[] src, int sOff, float[] dst, int dOff) {
        final int tile = 32;
        for (int i0 = 0; i0 < rows; i0 += tile) {
            int i1 = Math.min(rows, i0 + tile);
            for (int j0 = 0; j0 < cols; j0 += tile) {
                int j1 = Math.min(cols, j0 + tile);
                for (int i = i0; i < i1; i++) {
                    int s = sOff + i * cols;
                    for (int j = j0; j < j1; j++) dst[dOff + j * rows + i] = src[s + j];
                }
            }
        }
    }

    /** {@code out[oOff + j] += Σ_i m[i·cols + j]} in double. */
    public static void addColumnSums(int rows, int cols, float[] m, double[] out, int oOff) {
        double[] s = new double[cols];
        for (int i = 0; i < rows; i++) {
            int r = i * cols;
            for (int j = 0; j < cols; j++) s[j] += m[r + j];
        }
        for (int j = 0; j < cols; j++) out[oOff + j] += s[j];
    }

    /** Every one of {@code rows} rows of {@code m[mOff..]} (width {@code cols}) set to {@code v[vOff..vOff+cols)}. */
    public static void fillRows(int rows, int cols, float[] v, int vOff, float[] m, int mOff) {
        for (int i = 0; i < rows; i++) System.arraycopy(v, vOff, m, mOff + i * cols, cols);
    }
}

package io.jkeras.kernels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The products of {@link Gemm} against their double-accumulating references on odd shapes, split or not. */
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
                assertThat((double) got[idx]).as("C[%d][%d]", i, j)
                        .isCloseTo(ref[idx], org.assertj.core.data.Offset.offset(tol));
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

    // ------------------------------------------------------------------ every kernel, every form

    private static final int[] SIZES = {0, 1, 7, 16, 33, 64, 257};
    /** Row counts: {@link #SIZES} and 2, which (like 1) takes the wide tiles for very few rows. */
    private static final int[] ROWS = {0, 1, 2, 7, 16, 33, 64, 257};

    static Stream<Arguments> kernelsAndForms() {
        Stream.Builder<Arguments> s = Stream.builder();
        for (Gemm.Kernel kernel : new Gemm.Kernel[]{Gemm.SCALAR, Kernels.best().gemm}) {
            for (int op : new int[]{Gemm.NN, Gemm.TN, Gemm.NT}) {
                for (boolean accumulate : new boolean[]{false, true}) {
                    for (boolean padded : new boolean[]{false, true}) s.add(
                            Arguments.of(kernel, op, accumulate, padded));
                }
            }
        }
        return s.build();
    }

    /**
     * Each kernel ({@code scalar}, and the Vector API one when the module is present, as it is under
     * the build's test configuration), each form (A·B, Aᵀ·B, A·Bᵀ) against its double reference,
     * single-threaded, on every combination of m in {@link #ROWS}, n and k in {@link #SIZES}: these cover empty
     * products, a single row or column, sizes below, at and just above the tile sizes, and 257,
     * which crosses the block of k (256) and leaves tails in every dimension. (Through
     * {@code Gemm.run}, the vector kernel hands products narrower than one vector to the scalar one.)
     */
    @ParameterizedTest(name = "{0} op={1} accumulate={2} padded={3}")
    @MethodSource("kernelsAndForms")
    void everyKernelAndFormMatchesItsReference(Gemm.Kernel kernel, int op, boolean accumulate, boolean padded) {
        for (int m : ROWS) {
            for (int n : SIZES) {
                for (int k : SIZES) {
                    // 257³ is slow for the reference and adds nothing over 257²·64
                    if (m == 257 && n == 257 && k == 257) continue;
                    Case t = new Case(op, m, n, k, padded, 1000L * op + 100L * m + 10L * n + k + (accumulate ? 7 : 0));
                    float[] got = t.c0.clone();
                    Gemm.run(kernel, op, m, n, k, t.a, t.aOff, t.lda, t.b, t.bOff, t.ldb, got, t.cOff, t.ldc,
                            accumulate, 1);
                    t.assertMatchesReference(got, accumulate, kernel + " op=" + op);
                }
            }
        }
    }

    /**
     * Products with a packed B ({@link Gemm#pack}, the fast kernel's strips made once) against the
     * reference on every m in {@link #ROWS} and n, k in {@link #SIZES} plus n = 1100 and k = 300
     * (several blocks of columns and of k), padded and not; and equal exactly to the unpacked
     * product (the same multiply-adds in the same order), split across threads or not.
     */
    @Test
    void packedProductsMatchReferenceAndTheUnpackedProduct() {
        int[] sizes = Arrays.copyOf(SIZES, SIZES.length + 1);
        sizes[SIZES.length] = 300;
        for (boolean padded : new boolean[]{false, true}) {
            for (boolean accumulate : new boolean[]{false, true}) {
                for (int m : ROWS) {
                    for (int n : new int[]{0, 1, 7, 16, 33, 64, 257, 1100}) {
                        for (int k : sizes) {
                            if ((long) m * n * k > 257L * 257 * 64) continue;   // the reference is slow
                            Case t = new Case(Gemm.NN, m, n, k, padded, 77L * m + 13L * n + k + (accumulate ? 5 : 0)
                                    + (padded ? 3 : 0));
                            Gemm.PackedB pb = Gemm.pack(k, n, t.b, t.bOff, t.ldb);
                            assertThat(pb.rows()).isEqualTo(k);
                            assertThat(pb.columns()).isEqualTo(n);
                            float[] got = t.c0.clone();
                            Gemm.multiply(m, n, k, t.a, t.aOff, t.lda, pb, got, t.cOff, t.ldc, accumulate, 1);
                            t.assertMatchesReference(got, accumulate, "packed");
                            float[] plain = t.c0.clone();
                            Gemm.multiply(m, n, k, t.a, t.aOff, t.lda, t.b, t.bOff, t.ldb, plain, t.cOff, t.ldc,
                                    accumulate, 1);
                            assertThat(got).as("packed equals unpacked m=%d n=%d k=%d", m, n, k).isEqualTo(plain);
                        }
                    }
                }
            }
        }
        int[][] big = {{257, 1024, 64}, {600, 100, 80}, {130, 1100, 300}};
        for (int[] s : big) {
            Case t = new Case(Gemm.NN, s[0], s[1], s[2], true, 3L * s[0] + s[1]);
            Gemm.PackedB pb = Gemm.pack(s[2], s[1], t.b, t.bOff, t.ldb);
            float[] single = t.c0.clone();
            Gemm.multiply(s[0], s[1], s[2], t.a, t.aOff, t.lda, pb, single, t.cOff, t.ldc, true, 1);
            t.assertMatchesReference(single, true, "packed");
            for (int threads : new int[]{2, 3}) {
                float[] split = t.c0.clone();
                Gemm.multiply(s[0], s[1], s[2], t.a, t.aOff, t.lda, pb, split, t.cOff, t.ldc, true, threads);
                assertThat(split).as("packed split over %d threads", threads).isEqualTo(single);
            }
        }
    }

    /**
     * The public entry points (default thread count, which may split the product) on shapes large
     * enough to be split, by rows and (few rows) by columns, against the reference; and the split
     * result equals the single-threaded one exactly: every element of C is the same chain of
     * multiply-adds in the same order of k whichever thread computes it.
     */
    @ParameterizedTest(name = "op={0} accumulate={1}")
    @MethodSource("forms")
    void splitProductsMatchReferenceAndEqualSingleThreaded(int op, boolean accumulate) {
        int[][] shapes = {{257, 257, 64}, {600, 100, 80}, {7, 2057, 300}, {3, 4000, 400}, {64, 1024, 64},
                {1, 9000, 500}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            assertThat((long) m * n * k).as("shape large enough to be split")
                    .isGreaterThanOrEqualTo(Gemm.PARALLEL_MIN_FMA);
            Case t = new Case(op, m, n, k, true, 31L * m + n + k + op);
            float[] single = t.c0.clone();
            Gemm.run(op, m, n, k, t.a, t.aOff, t.lda, t.b, t.bOff, t.ldb, single, t.cOff, t.ldc, accumulate, 1);
            for (int threads : new int[]{2, 3, 4}) {
                float[] split = t.c0.clone();
                Gemm.run(op, m, n, k, t.a, t.aOff, t.lda, t.b, t.bOff, t.ldb, split, t.cOff, t.ldc, accumulate,
                        threads);
                assertThat(split).as("%d threads, m=%d n=%d k=%d", threads, m, n, k).isEqualTo(single);
            }
            float[] viaPublic = t.c0.clone();
            switch (op) {
                case Gemm.NN -> Gemm.multiply(m, n, k, t.a, t.aOff, t.lda, t.b, t.bOff, t.ldb, viaPublic, t.cOff, t.ldc,
                        accumulate);
                case Gemm.TN -> Gemm.multiplyAtB(m, n, k, t.a, t.aOff, t.lda, t.b, t.bOff, t.ldb, viaPublic, t.cOff,
                        t.ldc, accumulate);
                default -> Gemm.multiplyABt(m, n, k, t.a, t.aOff, t.lda, t.b, t.bOff, t.ldb, viaPublic, t.cOff, t.ldc,
                        accumulate);
            }
            t.assertMatchesReference(viaPublic, accumulate, "public op=" + op);
            assertThat(viaPublic).isEqualTo(single);
        }
    }

    static Stream<Arguments> forms() {
        return Stream.of(Gemm.NN, Gemm.TN, Gemm.NT)
                .flatMap(op -> Stream.of(Arguments.of(op, false), Arguments.of(op, true)));
    }

    @Test
    void productsNarrowerThanOneVectorKeepThePortableArithmetic() {
        // the exact multiply-then-add order of the scalar kernel, whichever kernel is the best; "one vector" is
        // the best kernel's own width (16 floats with AVX-512, 8 with AVX2, 4 with 128-bit vectors)
        int w = Kernels.best().gemm.minColumns();
        int[] widths = w > 1 ? java.util.stream.IntStream.of(1, 3, w - 1).filter(n -> n < w).distinct().toArray()
                : new int[]{1, 3, 10};
        for (int op : new int[]{Gemm.NN, Gemm.TN, Gemm.NT}) {
            for (int n : widths) {
                Case t = new Case(op, 37, n, 70, true, 7 + op + n);
                float[] viaBest = t.c0.clone(), viaScalar = t.c0.clone();
                Gemm.run(Kernels.best().gemm, op, 37, n, 70, t.a, t.aOff, t.lda, t.b, t.bOff, t.ldb, viaBest, t.cOff,
                        t.ldc, true, 1);
                Gemm.run(Gemm.SCALAR, op, 37, n, 70, t.a, t.aOff, t.lda, t.b, t.bOff, t.ldb, viaScalar, t.cOff, t.ldc,
                        true, 1);
                assertThat(viaBest).as("op=%d n=%d", op, n).isEqualTo(viaScalar);
            }
        }
    }

    @Test
    void threadCountOverloadsMatchTheirReferences() {
        int m = 33, n = 70, k = 45;
        for (int op : new int[]{Gemm.NN, Gemm.TN, Gemm.NT}) {
            for (int threads : new int[]{1, 2}) {
                Case t = new Case(op, m, n, k, true, 99 + op + threads);
                float[] got = t.c0.clone();
                switch (op) {
                    case Gemm.NN -> Gemm.multiply(m, n, k, t.a, t.aOff, t.lda, t.b, t.bOff, t.ldb, got, t.cOff, t.ldc,
                            true, threads);
                    case Gemm.TN -> Gemm.multiplyAtB(m, n, k, t.a, t.aOff, t.lda, t.b, t.bOff, t.ldb, got, t.cOff,
                            t.ldc, true, threads);
                    default -> Gemm.multiplyABt(m, n, k, t.a, t.aOff, t.lda, t.b, t.bOff, t.ldb, got, t.cOff, t.ldc,
                            true, threads);
                }
                t.assertMatchesReference(got, true, "op=" + op + " threads=" + threads);
            }
        }
    }

    /**
     * Several threads multiply at once (each splitting its own product over the shared pool), and
     * products are started from inside pool threads: every result equals the single-threaded one
     * and nothing deadlocks.
     */
    @Test
    void concurrentAndNestedCallsAgreeWithSingleThreaded() throws Exception {
        int callers = 4, rounds = 6;
        int m = 150, n = 300, k = 80;
        Case[] cases = new Case[callers];
        float[][] expected = new float[callers][];
        for (int q = 0; q < callers; q++) {
            cases[q] = new Case(q % 3, m, n, k, true, 500 + q);
            expected[q] = cases[q].c0.clone();
            Case t = cases[q];
            Gemm.run(t.op, m, n, k, t.a, t.aOff, t.lda, t.b, t.bOff, t.ldb, expected[q], t.cOff, t.ldc, false, 1);
        }
        java.util.concurrent.ExecutorService callersPool = java.util.concurrent.Executors.newFixedThreadPool(callers);
        try {
            java.util.List<java.util.concurrent.Future<float[]>> results = new java.util.ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                for (int q = 0; q < callers; q++) {
                    Case t = cases[q];
                    results.add(callersPool.submit(() -> {
                        float[] got = t.c0.clone();
                        Gemm.run(t.op, m, n, k, t.a, t.aOff, t.lda, t.b, t.bOff, t.ldb, got, t.cOff, t.ldc, false, 2);
                        return got;
                    }));
                }
            }
            for (int i = 0; i < results.size(); i++) {
                assertThat(results.get(i).get(60, java.util.concurrent.TimeUnit.SECONDS)).as("call %d", i)
                        .isEqualTo(expected[i % callers]);
            }
        } finally {
            callersPool.shutdownNow();
        }
        // nested: each chunk of a split job runs a split product of its own
        float[][] nested = new float[callers][];
        Threads.of(callers).run(callers, q -> {
            Case t = cases[q];
            float[] got = t.c0.clone();
            Gemm.run(t.op, m, n, k, t.a, t.aOff, t.lda, t.b, t.bOff, t.ldb, got, t.cOff, t.ldc, false, 2);
            nested[q] = got;
        });
        for (int q = 0; q < callers; q++) assertThat(nested[q]).as("nested %d", q).isEqualTo(expected[q]);
    }

    @Test
    void anExceptionInAChunkReachesTheCaller() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Threads.of(3).run(3, q -> {
            if (q == 2) throw new IllegalStateException("chunk " + q);
        })).isInstanceOf(IllegalStateException.class).hasMessage("chunk 2");
    }

    @Test
    void operandsThatDoNotFitTheirArraysAreRejectedBeforeAnyWrite() {
        float[] a = new float[6], b = new float[6], c = new float[4];
        Arrays.fill(c, 3f);
        // A·B with A 2×3 and B 3×2 fits; B 3×3 does not
        Gemm.multiply(2, 2, 3, a, 0, 3, b, 0, 2, c, 0, 2, false);
        assertThat(c).containsOnly(0f);
        Arrays.fill(c, 3f);
        org.assertj.core.api.Assertions.assertThatThrownBy(()
                -> Gemm.multiply(2, 2, 3, a, 0, 3, b, 0, 3, c, 0, 2, false))
                .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("B");
        org.assertj.core.api.Assertions.assertThatThrownBy(()
                -> Gemm.multiplyAtB(2, 2, 3, a, 1, 2, b, 0, 2, c, 0, 2, false))
                .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("A");
        org.assertj.core.api.Assertions.assertThatThrownBy(()
                -> Gemm.multiplyABt(2, 2, 3, a, 0, 3, b, 0, 3, c, 1, 2, false))
                .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("C");
        org.assertj.core.api.Assertions.assertThatThrownBy(()
                -> Gemm.multiply(2, -1, 3, a, 0, 3, b, 0, 2, c, 0, 2, false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(c).containsOnly(3f);
    }

    /**
     * One product's operands: op(A) is m×k and op(B) is k×n, stored as the form requires (A k×m for
     * Aᵀ·B, B n×k for A·Bᵀ). With {@code padded}, every matrix sits at a non-zero offset with a
     * leading dimension larger than its rows; the padding holds NaN in A and B (reading it would
     * show in C) and a sentinel in C (it must never be written).
     */
    private static final class Case {
        final int op, m, n, k, aOff, bOff, cOff, lda, ldb, ldc;
        final float[] a, b, c0;
        static final float SENTINEL = -12345.5f;

        Case(int op, int m, int n, int k, boolean padded, long seed) {
            this.op = op; this.m = m; this.n = n; this.k = k;
            SplittableRandom rnd = new SplittableRandom(seed);
            int aRows = op == Gemm.TN ? k : m, aCols = op == Gemm.TN ? m : k;
            int bRows = op == Gemm.NT ? n : k, bCols = op == Gemm.NT ? k : n;
            aOff = padded ? 5 : 0; bOff = padded ? 3 : 0; cOff = padded ? 7 : 0;
            lda = aCols + (padded ? 3 : 0); ldb = bCols + (padded ? 2 : 0); ldc = n + (padded ? 4 : 0);
            a = filled(aOff + aRows * lda + 2, Float.NaN);
            b = filled(bOff + bRows * ldb + 2, Float.NaN);
            c0 = filled(cOff + m * ldc + 2, SENTINEL);
            for (int i = 0; i < aRows; i++) for (int j = 0; j < aCols; j++) a[aOff + i * lda + j] = uniform(rnd);
            for (int i = 0; i < bRows; i++) for (int j = 0; j < bCols; j++) b[bOff + i * ldb + j] = uniform(rnd);
            for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) c0[cOff + i * ldc + j] = uniform(rnd);
        }

        float opA(int i, int p) { return op == Gemm.TN ? a[aOff + p * lda + i] : a[aOff + i * lda + p]; }

        float opB(int p, int j) { return op == Gemm.NT ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j]; }

        /**
         * Element by element against the double reference of the form. Tolerance: the fast paths
         * sum in float, in their own order, so each element may differ from the (nearly exact)
         * double sum by up to about (k+1)·2⁻²⁴·Σ|terms| (the classic bound for a float sum of k+1
         * terms, fused multiply-adds included); we allow twice that.
         */
        void assertMatchesReference(float[] got, boolean accumulate, String what) {
            float[] ref = c0.clone();
            switch (op) {
                case Gemm.NN -> Gemm.reference(m, n, k, a, aOff, lda, b, bOff, ldb, ref, cOff, ldc, accumulate);
                case Gemm.TN -> Gemm.referenceAtB(m, n, k, a, aOff, lda, b, bOff, ldb, ref, cOff, ldc, accumulate);
                default -> Gemm.referenceABt(m, n, k, a, aOff, lda, b, bOff, ldb, ref, cOff, ldc, accumulate);
            }
            boolean[] inside = new boolean[c0.length];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    int idx = cOff + i * ldc + j;
                    inside[idx] = true;
                    double bound = accumulate ? Math.abs(c0[idx]) : 0.0;
                    for (int p = 0; p < k; p++) bound += Math.abs((double) opA(i, p) * opB(p, j));
                    double tol = (k + 1) * 0x1p-23 * bound + 1e-30;
                    double diff = Math.abs((double) got[idx] - ref[idx]);
                    if (!(diff <= tol)) {
                        throw new AssertionError(
                                String.format("%s m=%d n=%d k=%d: C[%d][%d] = %s, reference %s (tolerance %s)",
                                what, m, n, k, i, j, got[idx], ref[idx], tol));
                    }
                }
            }
            for (int idx = 0; idx < c0.length; idx++) {
                if (!inside[idx] && Float.floatToRawIntBits(got[idx]) != Float.floatToRawIntBits(SENTINEL)) {
                    throw new AssertionError(
                            String.format("%s m=%d n=%d k=%d: wrote outside C at %d", what, m, n, k, idx));
                }
            }
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
                    assertThat((double) y[i]).as("n=%d y[%d]", n, i)
                            .isCloseTo(want, org.assertj.core.data.Offset.offset(2 * Math.ulp((float) want) + 1e-7));
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

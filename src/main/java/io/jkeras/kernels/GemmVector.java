package io.jkeras.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernel of {@link Gemm}: C is computed in tiles of {@value #MR} rows × {@value #NV}
 * vectors of columns whose accumulators stay in vector registers over a block of k, each step
 * broadcasting one element of A per row and loading {@value #NV} vectors of B (one multiply-add per
 * accumulator). B is copied, a block of {@code KC × NC} (1 MB, kept in L2) at a time, into strips
 * of tile width contiguous along k, so that the innermost loop reads it sequentially whatever the
 * caller's leading dimension (rows of B 4 KB apart would otherwise contend for the same L1 sets)
 * and a transposed B becomes an ordinary one; a product with few rows reads B in place instead
 * (packing would cost more than it saves). A is read in place through a row stride and a step
 * stride, which covers A and Aᵀ alike (measured as fast as packing it). Columns left over after
 * the full tiles use one-vector tiles; the last partial vector goes through a zero-padded strip
 * and a small scratch tile (or, reading B in place, a scalar loop). Products of one or two rows
 * use tiles of 2·{@value #NV} vectors instead, for enough independent chains of multiply-adds.
 *
 * <p>The tile kernels below are written out in full (one method per row count, so that every
 * accumulator is a local the JIT keeps in a register). Accumulators start from
 * {@code FloatVector.zero} in the branch itself: merging a shared zero constant with loaded
 * vectors made C2 box them (ten times slower). Loaded only through {@link Gemm} when the
 * {@code jdk.incubator.vector} module is present.
 */
final class GemmVector implements Gemm.Kernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Rows of a tile. */
    static final int MR = 10;
    /** Vectors of columns of a tile. */
    static final int NV = 2;
    /** Tile width in columns. */
    private static final int W = NV * L;
    /** Depth of a block of k. */
    private static final int KC = 256;
    /** Columns of a packed block of B: {@code KC × NC} floats (1 MB) stay in the 2 MB L2. */
    private static final int NC = Math.max(W, 1024 / W * W);
    /** Products with at most this many rows read B in place instead of packing it. */
    static final int DIRECT_MAX_ROWS = 64;

    private static final ThreadLocal<float[][]> BUFFERS = ThreadLocal.withInitial(() -> new float[][]{
            new float[KC * (NC + L)], new float[MR * L]});

    @Override
    public int rowGrain() { return MR; }

    @Override
    public int colGrain() { return W; }

    @Override
    public int minColumns() { return L; }

    @Override
    public void product(int op, int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                        float[] c, int cOff, int ldc, boolean accumulate) {
        product(op, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, null);
    }

    /**
     * B (k×n, {@code ldb}) packed once for {@link #productPacked}: the blocks {@link #product}
     * would copy on every call, one after the other in the order it visits them.
     */
    @Override
    public float[] pack(int n, int k, float[] b, int bOff, int ldb) {
        float[] pb = BUFFERS.get()[0];
        long size = 0;
        for (int jc = 0; jc < n; jc += NC) size += (long) k * stripColumns(Math.min(NC, n - jc));
        float[] packed = new float[Math.toIntExact(size)];
        int off = 0;
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            int full = nc / W, vecs = (nc - full * W) / L, rest = nc - full * W - vecs * L;
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                packB(Gemm.NN, kc, nc, b, bOff, ldb, pc, jc, pb, full, vecs, rest);
                int len = kc * stripColumns(nc);
                System.arraycopy(pb, 0, packed, off, len);
                off += len;
            }
        }
        return packed;
    }

    /** Columns of the strips of a block of {@code nc} columns (the last partial vector padded). */
    private static int stripColumns(int nc) {
        return (nc + L - 1) / L * L;
    }

    /** {@code C (+)= A·B} with B given as {@link #pack} made it. */
    @Override
    public void productPacked(int m, int n, int k, float[] a, int aOff, int lda, float[] packed,
                              float[] c, int cOff, int ldc, boolean accumulate) {
        product(Gemm.NN, m, n, k, a, aOff, lda, null, 0, 0, c, cOff, ldc, accumulate, packed);
    }

    private void product(int op, int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                         float[] c, int cOff, int ldc, boolean accumulate, float[] packed) {
        float[][] buf = BUFFERS.get();
        float[] pb = packed != null ? packed : buf[0], tmp = buf[1];
        boolean direct = packed == null && op != Gemm.NT && m <= DIRECT_MAX_ROWS;
        int pbOff = 0;
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            int full = nc / W, vecs = (nc - full * W) / L, rest = nc - full * W - vecs * L;
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                boolean load = accumulate || pc > 0;
                if (packed == null && !direct) packB(op, kc, nc, b, bOff, ldb, pc, jc, pb, full, vecs, rest);
                for (int ic = 0; ic < m; ic += MR) {
                    int r = Math.min(MR, m - ic);
                    // element (i, p) of the block of op(A) is x[x0 + i·xr + p·xk]
                    float[] x = a;
                    int x0, xr, xk;
                    if (op == Gemm.TN) {
                        x0 = aOff + pc * lda + ic; xr = 1; xk = lda;
                    } else {
                        x0 = aOff + ic * lda + pc; xr = lda; xk = 1;
                    }
                    int c0 = cOff + ic * ldc + jc;
                    if (direct) {
                        int b0 = bOff + pc * ldb + jc;
                        int s = 0;
                        if (r <= 2) for (; s + 2 <= full; s += 2) kernelWide(r, kc, x, x0, xr, xk, b, b0 + s * W, ldb, c, c0 + s * W, ldc, load);
                        for (; s < full; s++) kernel(r, kc, x, x0, xr, xk, b, b0 + s * W, ldb, c, c0 + s * W, ldc, load);
                        int j = full * W;
                        for (int t = 0; t < vecs; t++, j += L) kernel1(r, kc, x, x0, xr, xk, b, b0 + j, ldb, c, c0 + j, ldc, load);
                        if (rest > 0) scalarTail(r, kc, rest, x, x0, xr, xk, b, b0 + j, ldb, c, c0 + j, ldc, load);
                    } else {
                        for (int s = 0; s < full; s++) kernel(r, kc, x, x0, xr, xk, pb, pbOff + s * kc * W, W, c, c0 + s * W, ldc, load);
                        int j = full * W, o = pbOff + full * kc * W;
                        for (int t = 0; t < vecs; t++, j += L, o += kc * L) kernel1(r, kc, x, x0, xr, xk, pb, o, L, c, c0 + j, ldc, load);
                        if (rest > 0) {
                            // through a scratch tile, with the same arithmetic as the in-place path
                            for (int i = 0; i < r; i++) {
                                int ci = c0 + i * ldc + j;
                                for (int q = 0; q < rest; q++) tmp[i * L + q] = load ? c[ci + q] : 0f;
                            }
                            kernel1(r, kc, x, x0, xr, xk, pb, o, L, tmp, 0, L, true);
                            for (int i = 0; i < r; i++) System.arraycopy(tmp, i * L, c, c0 + i * ldc + j, rest);
                        }
                    }
                }
                if (packed != null) pbOff += kc * stripColumns(nc);
            }
        }
    }

    /**
     * Copies k-range [pc, pc+kc) × columns [jc, jc+nc) of op(B) into strips contiguous along k:
     * {@code full} strips of width W, then {@code vecs} strips of one vector, then (if {@code rest > 0})
     * one strip of one vector holding the last {@code rest} columns and zeros.
     */
    private static void packB(int op, int kc, int nc, float[] b, int bOff, int ldb, int pc, int jc, float[] pb,
                              int full, int vecs, int rest) {
        int o = 0, j = jc;
        if (op != Gemm.NT) {
            // row by row of B (sequential reads), each row scattered over the strips
            for (int p = 0; p < kc; p++) {
                int bp = bOff + (pc + p) * ldb + jc;
                for (int s = 0; s < full; s++) {
                    int src = bp + s * W, dst = s * kc * W + p * W;
                    for (int v = 0; v < NV; v++) FloatVector.fromArray(S, b, src + v * L).intoArray(pb, dst + v * L);
                }
            }
            o = full * kc * W;
            j = jc + full * W;
        } else {
            for (int s = 0; s < full; s++, j += W, o += kc * W) packStrip(op, kc, W, W, b, bOff, ldb, pc, j, pb, o);
        }
        for (int t = 0; t < vecs; t++, j += L, o += kc * L) packStrip(op, kc, L, L, b, bOff, ldb, pc, j, pb, o);
        if (rest > 0) packStrip(op, kc, rest, L, b, bOff, ldb, pc, j, pb, o);
    }

    private static void packStrip(int op, int kc, int cols, int width, float[] b, int bOff, int ldb, int pc, int j,
                                  float[] pb, int o) {
        if (op == Gemm.NT) {
            // B stored n×k: column j of op(B) is row j of B
            if (cols < width) java.util.Arrays.fill(pb, o, o + kc * width, 0f);
            int q = 0;
            for (; q + 4 <= cols; q += 4) {
                // four rows of B at once: each step writes four adjacent floats of the strip
                int b0 = bOff + (j + q) * ldb + pc, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
                for (int p = 0, d = o + q; p < kc; p++, d += width) {
                    pb[d] = b[b0 + p];
                    pb[d + 1] = b[b1 + p];
                    pb[d + 2] = b[b2 + p];
                    pb[d + 3] = b[b3 + p];
                }
            }
            for (; q < cols; q++) {
                int bj = bOff + (j + q) * ldb + pc;
                for (int p = 0; p < kc; p++) pb[o + p * width + q] = b[bj + p];
            }
        } else {
            for (int p = 0; p < kc; p++) {
                int d = o + p * width;
                System.arraycopy(b, bOff + (pc + p) * ldb + j, pb, d, cols);
                if (cols < width) java.util.Arrays.fill(pb, d + cols, d + width, 0f);
            }
        }
    }

    /** The last {@code cols < L} columns when B is read in place. */
    private static void scalarTail(int r, int kc, int cols, float[] x, int x0, int xr, int xk, float[] b, int b0, int ldb, float[] c, int c0, int ldc,
                                   boolean load) {
        for (int i = 0; i < r; i++) {
            for (int q = 0; q < cols; q++) {
                float s = load ? c[c0 + i * ldc + q] : 0f;
                for (int p = 0; p < kc; p++) s = Math.fma(x[x0 + i * xr + p * xk], b[b0 + p * ldb + q], s);
                c[c0 + i * ldc + q] = s;
            }
        }
    }

    @Override
    public String toString() { return "vector (" + S + ", " + MR + "×" + NV + ")"; }

    private static void kernel(int r, int kc, float[] a, int a0, int ars, int aks, float[] pb, int pb0, int bs, float[] c, int c0, int ldc, boolean load) {
        switch (r) {
            case 1 -> k1x2(kc, a, a0, ars, aks, pb, pb0, bs, c, c0, ldc, load);
            case 2 -> k2x2(kc, a, a0, ars, aks, pb, pb0, bs, c, c0, ldc, load);
            case 3 -> k3x2(kc, a, a0, ars, aks, pb, pb0, bs, c, c0, ldc, load);
            case 4 -> k4x2(kc, a, a0, ars, aks, pb, pb0, bs, c, c0, ldc, load);
            case 5 -> k5x2(kc, a, a0, ars, aks, pb, pb0, bs, c, c0, ldc, load);
            case 6 -> k6x2(kc, a, a0, ars, aks, pb, pb0, bs, c, c0, ldc, load);
            case 7 -> k7x2(kc, a, a0, ars, aks, pb, pb0, bs, c, c0, ldc, load);
            case 8 -> k8x2(kc, a, a0, ars, aks, pb, pb0, bs, c, c0, ldc, load);
            case 9 -> k9x2(kc, a, a0, ars, aks, pb, pb0, bs, c, c0, ldc, load);
            case 10 -> k10x2(kc, a, a0, ars, aks, pb, pb0, bs, c, c0, ldc, load);
            default -> throw new IllegalArgumentException("rows " + r);
        }
    }

    private static void kernel1(int r, int kc, float[] a, int a0, int ars, int aks, float[] pb, int pb0, int bs, float[] c, int c0, int ldc, boolean load) {
        switch (r) {
            case 1 -> k1x1(kc, a, a0, ars, aks, pb, pb0, bs, c, c0, ldc, load);
            case 2 -> k2x1(kc, a, a0, ars, aks, pb, pb0, bs, c, c0, ldc, load);
            case 3 -> k3x1(kc, a, a0, ars, aks, pb, pb0, bs, c, c0, ldc, load);
            case 4 -> k4x1(kc, a, a0, ars, aks, pb, pb0, bs, c, c0, ldc, load);
            case 5 -> k5x1(kc, a, a0, ars, aks, pb, pb0, bs, c, c0, ldc, load);
            case 6 -> k6x1(kc, a, a0, ars, aks, pb, pb0, bs, c, c0, ldc, load);
            case 7 -> k7x1(kc, a, a0, ars, aks, pb, pb0, bs, c, c0, ldc, load);
            case 8 -> k8x1(kc, a, a0, ars, aks, pb, pb0, bs, c, c0, ldc, load);
            case 9 -> k9x1(kc, a, a0, ars, aks, pb, pb0, bs, c, c0, ldc, load);
            case 10 -> k10x1(kc, a, a0, ars, aks, pb, pb0, bs, c, c0, ldc, load);
            default -> throw new IllegalArgumentException("rows " + r);
        }
    }

    private static void k1x2(int kc, float[] a, int a0, int ars, int aks, float[] pb, int pb0, int bs, float[] c, int c0, int ldc, boolean load) {
        FloatVector c00, c01;
        if (load) {
            c00 = FloatVector.fromArray(S, c, c0);
            c01 = FloatVector.fromArray(S, c, c0 + 1 * L);
        } else {
            c00 = FloatVector.zero(S); c01 = FloatVector.zero(S);
        }
        for (int p = 0; p < kc; p++) {
            int ao = a0 + p * aks, bo = pb0 + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, pb, bo);
            FloatVector b1 = FloatVector.fromArray(S, pb, bo + 1 * L);
            FloatVector x0 = FloatVector.broadcast(S, a[ao]);
            c00 = b0.fma(x0, c00);
            c01 = b1.fma(x0, c01);
        }
        c00.intoArray(c, c0);
        c01.intoArray(c, c0 + 1 * L);
    }

    private static void k1x1(int kc, float[] a, int a0, int ars, int aks, float[] pb, int pb0, int bs, float[] c, int c0, int ldc, boolean load) {
        FloatVector c00;
        if (load) {
            c00 = FloatVector.fromArray(S, c, c0);
        } else {
            c00 = FloatVector.zero(S);
        }
        for (int p = 0; p < kc; p++) {
            int ao = a0 + p * aks, bo = pb0 + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, pb, bo);
            FloatVector x0 = FloatVector.broadcast(S, a[ao]);
            c00 = b0.fma(x0, c00);
        }
        c00.intoArray(c, c0);
    }

    private static void k2x2(int kc, float[] a, int a0, int ars, int aks, float[] pb, int pb0, int bs, float[] c, int c0, int ldc, boolean load) {
        FloatVector c00, c01, c10, c11;
        if (load) {
            c00 = FloatVector.fromArray(S, c, c0);
            c01 = FloatVector.fromArray(S, c, c0 + 1 * L);
            c10 = FloatVector.fromArray(S, c, c0 + 1 * ldc);
            c11 = FloatVector.fromArray(S, c, c0 + 1 * ldc + 1 * L);
        } else {
            c00 = FloatVector.zero(S); c01 = FloatVector.zero(S); c10 = FloatVector.zero(S); c11 = FloatVector.zero(S);
        }
        for (int p = 0; p < kc; p++) {
            int ao = a0 + p * aks, bo = pb0 + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, pb, bo);
            FloatVector b1 = FloatVector.fromArray(S, pb, bo + 1 * L);
            FloatVector x0 = FloatVector.broadcast(S, a[ao]);
            c00 = b0.fma(x0, c00);
            c01 = b1.fma(x0, c01);
            FloatVector x1 = FloatVector.broadcast(S, a[ao + 1 * ars]);
            c10 = b0.fma(x1, c10);
            c11 = b1.fma(x1, c11);
        }
        c00.intoArray(c, c0);
        c01.intoArray(c, c0 + 1 * L);
        c10.intoArray(c, c0 + 1 * ldc);
        c11.intoArray(c, c0 + 1 * ldc + 1 * L);
    }

    private static void k2x1(int kc, float[] a, int a0, int ars, int aks, float[] pb, int pb0, int bs, float[] c, int c0, int ldc, boolean load) {
        FloatVector c00, c10;
        if (load) {
            c00 = FloatVector.fromArray(S, c, c0);
            c10 = FloatVector.fromArray(S, c, c0 + 1 * ldc);
        } else {
            c00 = FloatVector.zero(S); c10 = FloatVector.zero(S);
        }
        for (int p = 0; p < kc; p++) {
            int ao = a0 + p * aks, bo = pb0 + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, pb, bo);
            FloatVector x0 = FloatVector.broadcast(S, a[ao]);
            c00 = b0.fma(x0, c00);
            FloatVector x1 = FloatVector.broadcast(S, a[ao + 1 * ars]);
            c10 = b0.fma(x1, c10);
        }
        c00.intoArray(c, c0);
        c10.intoArray(c, c0 + 1 * ldc);
    }

    private static void k3x2(int kc, float[] a, int a0, int ars, int aks, float[] pb, int pb0, int bs, float[] c, int c0, int ldc, boolean load) {
        FloatVector c00, c01, c10, c11, c20, c21;
        if (load) {
            c00 = FloatVector.fromArray(S, c, c0);
            c01 = FloatVector.fromArray(S, c, c0 + 1 * L);
            c10 = FloatVector.fromArray(S, c, c0 + 1 * ldc);
            c11 = FloatVector.fromArray(S, c, c0 + 1 * ldc + 1 * L);
            c20 = FloatVector.fromArray(S, c, c0 + 2 * ldc);
            c21 = FloatVector.fromArray(S, c, c0 + 2 * ldc + 1 * L);
        } else {
            c00 = FloatVector.zero(S); c01 = FloatVector.zero(S); c10 = FloatVector.zero(S); c11 = FloatVector.zero(S); c20 = FloatVector.zero(S); c21 = FloatVector.zero(S);
        }
        for (int p = 0; p < kc; p++) {
            int ao = a0 + p * aks, bo = pb0 + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, pb, bo);
            FloatVector b1 = FloatVector.fromArray(S, pb, bo + 1 * L);
            FloatVector x0 = FloatVector.broadcast(S, a[ao]);
            c00 = b0.fma(x0, c00);
            c01 = b1.fma(x0, c01);
            FloatVector x1 = FloatVector.broadcast(S, a[ao + 1 * ars]);
            c10 = b0.fma(x1, c10);
            c11 = b1.fma(x1, c11);
            FloatVector x2 = FloatVector.broadcast(S, a[ao + 2 * ars]);
            c20 = b0.fma(x2, c20);
            c21 = b1.fma(x2, c21);
        }
        c00.intoArray(c, c0);
        c01.intoArray(c, c0 + 1 * L);
        c10.intoArray(c, c0 + 1 * ldc);
        c11.intoArray(c, c0 + 1 * ldc + 1 * L);
        c20.intoArray(c, c0 + 2 * ldc);
        c21.intoArray(c, c0 + 2 * ldc + 1 * L);
    }

    private static void k3x1(int kc, float[] a, int a0, int ars, int aks, float[] pb, int pb0, int bs, float[] c, int c0, int ldc, boolean load) {
        FloatVector c00, c10, c20;
        if (load) {
            c00 = FloatVector.fromArray(S, c, c0);
            c10 = FloatVector.fromArray(S, c, c0 + 1 * ldc);
            c20 = FloatVector.fromArray(S, c, c0 + 2 * ldc);
        } else {
            c00 = FloatVector.zero(S); c10 = FloatVector.zero(S); c20 = FloatVector.zero(S);
        }
        for (int p = 0; p < kc; p++) {
            int ao = a0 + p * aks, bo = pb0 + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, pb, bo);
            FloatVector x0 = FloatVector.broadcast(S, a[ao]);
            c00 = b0.fma(x0, c00);
            FloatVector x1 = FloatVector.broadcast(S, a[ao + 1 * ars]);
            c10 = b0.fma(x1, c10);
            FloatVector x2 = FloatVector.broadcast(S, a[ao + 2 * ars]);
            c20 = b0.fma(x2, c20);
        }
        c00.intoArray(c, c0);
        c10.intoArray(c, c0 + 1 * ldc);
        c20.intoArray(c, c0 + 2 * ldc);
    }

    private static void k4x2(int kc, float[] a, int a0, int ars, int aks, float[] pb, int pb0, int bs, float[] c, int c0, int ldc, boolean load) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31;
        if (load) {
            c00 = FloatVector.fromArray(S, c, c0);
            c01 = FloatVector.fromArray(S, c, c0 + 1 * L);
            c10 = FloatVector.fromArray(S, c, c0 + 1 * ldc);
            c11 = FloatVector.fromArray(S, c, c0 + 1 * ldc + 1 * L);
            c20 = FloatVector.fromArray(S, c, c0 + 2 * ldc);
            c21 = FloatVector.fromArray(S, c, c0 + 2 * ldc + 1 * L);
            c30 = FloatVector.fromArray(S, c, c0 + 3 * ldc);
            c31 = FloatVector.fromArray(S, c, c0 + 3 * ldc + 1 * L);
        } else {
            c00 = FloatVector.zero(S); c01 = FloatVector.zero(S); c10 = FloatVector.zero(S); c11 = FloatVector.zero(S); c20 = FloatVector.zero(S); c21 = FloatVector.zero(S); c30 = FloatVector.zero(S); c31 = FloatVector.zero(S);
        }
        for (int p = 0; p < kc; p++) {
            int ao = a0 + p * aks, bo = pb0 + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, pb, bo);
            FloatVector b1 = FloatVector.fromArray(S, pb, bo + 1 * L);
            FloatVector x0 = FloatVector.broadcast(S, a[ao]);
            c00 = b0.fma(x0, c00);
            c01 = b1.fma(x0, c01);
            FloatVector x1 = FloatVector.broadcast(S, a[ao + 1 * ars]);
            c10 = b0.fma(x1, c10);
            c11 = b1.fma(x1, c11);
            FloatVector x2 = FloatVector.broadcast(S, a[ao + 2 * ars]);
            c20 = b0.fma(x2, c20);
            c21 = b1.fma(x2, c21);
            FloatVector x3 = FloatVector.broadcast(S, a[ao + 3 * ars]);
            c30 = b0.fma(x3, c30);
            c31 = b1.fma(x3, c31);
        }
        c00.intoArray(c, c0);
        c01.intoArray(c, c0 + 1 * L);
        c10.intoArray(c, c0 + 1 * ldc);
        c11.intoArray(c, c0 + 1 * ldc + 1 * L);
        c20.intoArray(c, c0 + 2 * ldc);
        c21.intoArray(c, c0 + 2 * ldc + 1 * L);
        c30.intoArray(c, c0 + 3 * ldc);
        c31.intoArray(c, c0 + 3 * ldc + 1 * L);
    }

    private static void k4x1(int kc, float[] a, int a0, int ars, int aks, float[] pb, int pb0, int bs, float[] c, int c0, int ldc, boolean load) {
        FloatVector c00, c10, c20, c30;
        if (load) {
            c00 = FloatVector.fromArray(S, c, c0);
            c10 = FloatVector.fromArray(S, c, c0 + 1 * ldc);
            c20 = FloatVector.fromArray(S, c, c0 + 2 * ldc);
            c30 = FloatVector.fromArray(S, c, c0 + 3 * ldc);
        } else {
            c00 = FloatVector.zero(S); c10 = FloatVector.zero(S); c20 = FloatVector.zero(S); c30 = FloatVector.zero(S);
        }
        for (int p = 0; p < kc; p++) {
            int ao = a0 + p * aks, bo = pb0 + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, pb, bo);
            FloatVector x0 = FloatVector.broadcast(S, a[ao]);
            c00 = b0.fma(x0, c00);
            FloatVector x1 = FloatVector.broadcast(S, a[ao + 1 * ars]);
            c10 = b0.fma(x1, c10);
            FloatVector x2 = FloatVector.broadcast(S, a[ao + 2 * ars]);
            c20 = b0.fma(x2, c20);
            FloatVector x3 = FloatVector.broadcast(S, a[ao + 3 * ars]);
            c30 = b0.fma(x3, c30);
        }
        c00.intoArray(c, c0);
        c10.intoArray(c, c0 + 1 * ldc);
        c20.intoArray(c, c0 + 2 * ldc);
        c30.intoArray(c, c0 + 3 * ldc);
    }

    private static void k5x2(int kc, float[] a, int a0, int ars, int aks, float[] pb, int pb0, int bs, float[] c, int c0, int ldc, boolean load) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41;
        if (load) {
            c00 = FloatVector.fromArray(S, c, c0);
            c01 = FloatVector.fromArray(S, c, c0 + 1 * L);
            c10 = FloatVector.fromArray(S, c, c0 + 1 * ldc);
            c11 = FloatVector.fromArray(S, c, c0 + 1 * ldc + 1 * L);
            c20 = FloatVector.fromArray(S, c, c0 + 2 * ldc);
            c21 = FloatVector.fromArray(S, c, c0 + 2 * ldc + 1 * L);
            c30 = FloatVector.fromArray(S, c, c0 + 3 * ldc);
            c31 = FloatVector.fromArray(S, c, c0 + 3 * ldc + 1 * L);
            c40 = FloatVector.fromArray(S, c, c0 + 4 * ldc);
            c41 = FloatVector.fromArray(S, c, c0 + 4 * ldc + 1 * L);
        } else {
            c00 = FloatVector.zero(S); c01 = FloatVector.zero(S); c10 = FloatVector.zero(S); c11 = FloatVector.zero(S); c20 = FloatVector.zero(S); c21 = FloatVector.zero(S); c30 = FloatVector.zero(S); c31 = FloatVector.zero(S); c40 = FloatVector.zero(S); c41 = FloatVector.zero(S);
        }
        for (int p = 0; p < kc; p++) {
            int ao = a0 + p * aks, bo = pb0 + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, pb, bo);
            FloatVector b1 = FloatVector.fromArray(S, pb, bo + 1 * L);
            FloatVector x0 = FloatVector.broadcast(S, a[ao]);
            c00 = b0.fma(x0, c00);
            c01 = b1.fma(x0, c01);
            FloatVector x1 = FloatVector.broadcast(S, a[ao + 1 * ars]);
            c10 = b0.fma(x1, c10);
            c11 = b1.fma(x1, c11);
            FloatVector x2 = FloatVector.broadcast(S, a[ao + 2 * ars]);
            c20 = b0.fma(x2, c20);
            c21 = b1.fma(x2, c21);
            FloatVector x3 = FloatVector.broadcast(S, a[ao + 3 * ars]);
            c30 = b0.fma(x3, c30);
            c31 = b1.fma(x3, c31);
            FloatVector x4 = FloatVector.broadcast(S, a[ao + 4 * ars]);
            c40 = b0.fma(x4, c40);
            c41 = b1.fma(x4, c41);
        }
        c00.intoArray(c, c0);
        c01.intoArray(c, c0 + 1 * L);
        c10.intoArray(c, c0 + 1 * ldc);
        c11.intoArray(c, c0 + 1 * ldc + 1 * L);
        c20.intoArray(c, c0 + 2 * ldc);
        c21.intoArray(c, c0 + 2 * ldc + 1 * L);
        c30.intoArray(c, c0 + 3 * ldc);
        c31.intoArray(c, c0 + 3 * ldc + 1 * L);
        c40.intoArray(c, c0 + 4 * ldc);
        c41.intoArray(c, c0 + 4 * ldc + 1 * L);
    }

    private static void k5x1(int kc, float[] a, int a0, int ars, int aks, float[] pb, int pb0, int bs, float[] c, int c0, int ldc, boolean load) {
        FloatVector c00, c10, c20, c30, c40;
        if (load) {
            c00 = FloatVector.fromArray(S, c, c0);
            c10 = FloatVector.fromArray(S, c, c0 + 1 * ldc);
            c20 = FloatVector.fromArray(S, c, c0 + 2 * ldc);
            c30 = FloatVector.fromArray(S, c, c0 + 3 * ldc);
            c40 = FloatVector.fromArray(S, c, c0 + 4 * ldc);
        } else {
            c00 = FloatVector.zero(S); c10 = FloatVector.zero(S); c20 = FloatVector.zero(S); c30 = FloatVector.zero(S); c40 = FloatVector.zero(S);
        }
        for (int p = 0; p < kc; p++) {
            int ao = a0 + p * aks, bo = pb0 + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, pb, bo);
            FloatVector x0 = FloatVector.broadcast(S, a[ao]);
            c00 = b0.fma(x0, c00);
            FloatVector x1 = FloatVector.broadcast(S, a[ao + 1 * ars]);
            c10 = b0.fma(x1, c10);
            FloatVector x2 = FloatVector.broadcast(S, a[ao + 2 * ars]);
            c20 = b0.fma(x2, c20);
            FloatVector x3 = FloatVector.broadcast(S, a[ao + 3 * ars]);
            c30 = b0.fma(x3, c30);
            FloatVector x4 = FloatVector.broadcast(S, a[ao + 4 * ars]);
            c40 = b0.fma(x4, c40);
        }
        c00.intoArray(c, c0);
        c10.intoArray(c, c0 + 1 * ldc);
        c20.intoArray(c, c0 + 2 * ldc);
        c30.intoArray(c, c0 + 3 * ldc);
        c40.intoArray(c, c0 + 4 * ldc);
    }

    private static void k6x2(int kc, float[] a, int a0, int ars, int aks, float[] pb, int pb0, int bs, float[] c, int c0, int ldc, boolean load) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (load) {
            c00 = FloatVector.fromArray(S, c, c0);
            c01 = FloatVector.fromArray(S, c, c0 + 1 * L);
            c10 = FloatVector.fromArray(S, c, c0 + 1 * ldc);
            c11 = FloatVector.fromArray(S, c, c0 + 1 * ldc + 1 * L);
            c20 = FloatVector.fromArray(S, c, c0 + 2 * ldc);
            c21 = FloatVector.fromArray(S, c, c0 + 2 * ldc + 1 * L);
            c30 = FloatVector.fromArray(S, c, c0 + 3 * ldc);
            c31 = FloatVector.fromArray(S, c, c0 + 3 * ldc + 1 * L);
            c40 = FloatVector.fromArray(S, c, c0 + 4 * ldc);
            c41 = FloatVector.fromArray(S, c, c0 + 4 * ldc + 1 * L);
            c50 = FloatVector.fromArray(S, c, c0 + 5 * ldc);
            c51 = FloatVector.fromArray(S, c, c0 + 5 * ldc + 1 * L);
        } else {
            c00 = FloatVector.zero(S); c01 = FloatVector.zero(S); c10 = FloatVector.zero(S); c11 = FloatVector.zero(S); c20 = FloatVector.zero(S); c21 = FloatVector.zero(S); c30 = FloatVector.zero(S); c31 = FloatVector.zero(S); c40 = FloatVector.zero(S); c41 = FloatVector.zero(S); c50 = FloatVector.zero(S); c51 = FloatVector.zero(S);
        }
        for (int p = 0; p < kc; p++) {
            int ao = a0 + p * aks, bo = pb0 + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, pb, bo);
            FloatVector b1 = FloatVector.fromArray(S, pb, bo + 1 * L);
            FloatVector x0 = FloatVector.broadcast(S, a[ao]);
            c00 = b0.fma(x0, c00);
            c01 = b1.fma(x0, c01);
            FloatVector x1 = FloatVector.broadcast(S, a[ao + 1 * ars]);
            c10 = b0.fma(x1, c10);
            c11 = b1.fma(x1, c11);
            FloatVector x2 = FloatVector.broadcast(S, a[ao + 2 * ars]);
            c20 = b0.fma(x2, c20);
            c21 = b1.fma(x2, c21);
            FloatVector x3 = FloatVector.broadcast(S, a[ao + 3 * ars]);
            c30 = b0.fma(x3, c30);
            c31 = b1.fma(x3, c31);
            FloatVector x4 = FloatVector.broadcast(S, a[ao + 4 * ars]);
            c40 = b0.fma(x4, c40);
            c41 = b1.fma(x4, c41);
            FloatVector x5 = FloatVector.broadcast(S, a[ao + 5 * ars]);
            c50 = b0.fma(x5, c50);
            c51 = b1.fma(x5, c51);
        }
        c00.intoArray(c, c0);
        c01.intoArray(c, c0 + 1 * L);
        c10.intoArray(c, c0 + 1 * ldc);
        c11.intoArray(c, c0 + 1 * ldc + 1 * L);
        c20.intoArray(c, c0 + 2 * ldc);
        c21.intoArray(c, c0 + 2 * ldc + 1 * L);
        c30.intoArray(c, c0 + 3 * ldc);
        c31.intoArray(c, c0 + 3 * ldc + 1 * L);
        c40.intoArray(c, c0 + 4 * ldc);
        c41.intoArray(c, c0 + 4 * ldc + 1 * L);
        c50.intoArray(c, c0 + 5 * ldc);
        c51.intoArray(c, c0 + 5 * ldc + 1 * L);
    }

    private static void k6x1(int kc, float[] a, int a0, int ars, int aks, float[] pb, int pb0, int bs, float[] c, int c0, int ldc, boolean load) {
        FloatVector c00, c10, c20, c30, c40, c50;
        if (load) {
            c00 = FloatVector.fromArray(S, c, c0);
            c10 = FloatVector.fromArray(S, c, c0 + 1 * ldc);
            c20 = FloatVector.fromArray(S, c, c0 + 2 * ldc);
            c30 = FloatVector.fromArray(S, c, c0 + 3 * ldc);
            c40 = FloatVector.fromArray(S, c, c0 + 4 * ldc);
            c50 = FloatVector.fromArray(S, c, c0 + 5 * ldc);
        } else {
            c00 = FloatVector.zero(S); c10 = FloatVector.zero(S); c20 = FloatVector.zero(S); c30 = FloatVector.zero(S); c40 = FloatVector.zero(S); c50 = FloatVector.zero(S);
        }
        for (int p = 0; p < kc; p++) {
            int ao = a0 + p * aks, bo = pb0 + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, pb, bo);
            FloatVector x0 = FloatVector.broadcast(S, a[ao]);
            c00 = b0.fma(x0, c00);
            FloatVector x1 = FloatVector.broadcast(S, a[ao + 1 * ars]);
            c10 = b0.fma(x1, c10);
            FloatVector x2 = FloatVector.broadcast(S, a[ao + 2 * ars]);
            c20 = b0.fma(x2, c20);
            FloatVector x3 = FloatVector.broadcast(S, a[ao + 3 * ars]);
            c30 = b0.fma(x3, c30);
            FloatVector x4 = FloatVector.broadcast(S, a[ao + 4 * ars]);
            c40 = b0.fma(x4, c40);
            FloatVector x5 = FloatVector.broadcast(S, a[ao + 5 * ars]);
            c50 = b0.fma(x5, c50);
        }
        c00.intoArray(c, c0);
        c10.intoArray(c, c0 + 1 * ldc);
        c20.intoArray(c, c0 + 2 * ldc);
        c30.intoArray(c, c0 + 3 * ldc);
        c40.intoArray(c, c0 + 4 * ldc);
        c50.intoArray(c, c0 + 5 * ldc);
    }

    private static void k7x2(int kc, float[] a, int a0, int ars, int aks, float[] pb, int pb0, int bs, float[] c, int c0, int ldc, boolean load) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61;
        if (load) {
            c00 = FloatVector.fromArray(S, c, c0);
            c01 = FloatVector.fromArray(S, c, c0 + 1 * L);
            c10 = FloatVector.fromArray(S, c, c0 + 1 * ldc);
            c11 = FloatVector.fromArray(S, c, c0 + 1 * ldc + 1 * L);
            c20 = FloatVector.fromArray(S, c, c0 + 2 * ldc);
            c21 = FloatVector.fromArray(S, c, c0 + 2 * ldc + 1 * L);
            c30 = FloatVector.fromArray(S, c, c0 + 3 * ldc);
            c31 = FloatVector.fromArray(S, c, c0 + 3 * ldc + 1 * L);
            c40 = FloatVector.fromArray(S, c, c0 + 4 * ldc);
            c41 = FloatVector.fromArray(S, c, c0 + 4 * ldc + 1 * L);
            c50 = FloatVector.fromArray(S, c, c0 + 5 * ldc);
            c51 = FloatVector.fromArray(S, c, c0 + 5 * ldc + 1 * L);
            c60 = FloatVector.fromArray(S, c, c0 + 6 * ldc);
            c61 = FloatVector.fromArray(S, c, c0 + 6 * ldc + 1 * L);
        } else {
            c00 = FloatVector.zero(S); c01 = FloatVector.zero(S); c10 = FloatVector.zero(S); c11 = FloatVector.zero(S); c20 = FloatVector.zero(S); c21 = FloatVector.zero(S); c30 = FloatVector.zero(S); c31 = FloatVector.zero(S); c40 = FloatVector.zero(S); c41 = FloatVector.zero(S); c50 = FloatVector.zero(S); c51 = FloatVector.zero(S); c60 = FloatVector.zero(S); c61 = FloatVector.zero(S);
        }
        for (int p = 0; p < kc; p++) {
            int ao = a0 + p * aks, bo = pb0 + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, pb, bo);
            FloatVector b1 = FloatVector.fromArray(S, pb, bo + 1 * L);
            FloatVector x0 = FloatVector.broadcast(S, a[ao]);
            c00 = b0.fma(x0, c00);
            c01 = b1.fma(x0, c01);
            FloatVector x1 = FloatVector.broadcast(S, a[ao + 1 * ars]);
            c10 = b0.fma(x1, c10);
            c11 = b1.fma(x1, c11);
            FloatVector x2 = FloatVector.broadcast(S, a[ao + 2 * ars]);
            c20 = b0.fma(x2, c20);
            c21 = b1.fma(x2, c21);
            FloatVector x3 = FloatVector.broadcast(S, a[ao + 3 * ars]);
            c30 = b0.fma(x3, c30);
            c31 = b1.fma(x3, c31);
            FloatVector x4 = FloatVector.broadcast(S, a[ao + 4 * ars]);
            c40 = b0.fma(x4, c40);
            c41 = b1.fma(x4, c41);
            FloatVector x5 = FloatVector.broadcast(S, a[ao + 5 * ars]);
            c50 = b0.fma(x5, c50);
            c51 = b1.fma(x5, c51);
            FloatVector x6 = FloatVector.broadcast(S, a[ao + 6 * ars]);
            c60 = b0.fma(x6, c60);
            c61 = b1.fma(x6, c61);
        }
        c00.intoArray(c, c0);
        c01.intoArray(c, c0 + 1 * L);
        c10.intoArray(c, c0 + 1 * ldc);
        c11.intoArray(c, c0 + 1 * ldc + 1 * L);
        c20.intoArray(c, c0 + 2 * ldc);
        c21.intoArray(c, c0 + 2 * ldc + 1 * L);
        c30.intoArray(c, c0 + 3 * ldc);
        c31.intoArray(c, c0 + 3 * ldc + 1 * L);
        c40.intoArray(c, c0 + 4 * ldc);
        c41.intoArray(c, c0 + 4 * ldc + 1 * L);
        c50.intoArray(c, c0 + 5 * ldc);
        c51.intoArray(c, c0 + 5 * ldc + 1 * L);
        c60.intoArray(c, c0 + 6 * ldc);
        c61.intoArray(c, c0 + 6 * ldc + 1 * L);
    }

    private static void k7x1(int kc, float[] a, int a0, int ars, int aks, float[] pb, int pb0, int bs, float[] c, int c0, int ldc, boolean load) {
        FloatVector c00, c10, c20, c30, c40, c50, c60;
        if (load) {
            c00 = FloatVector.fromArray(S, c, c0);
            c10 = FloatVector.fromArray(S, c, c0 + 1 * ldc);
            c20 = FloatVector.fromArray(S, c, c0 + 2 * ldc);
            c30 = FloatVector.fromArray(S, c, c0 + 3 * ldc);
            c40 = FloatVector.fromArray(S, c, c0 + 4 * ldc);
            c50 = FloatVector.fromArray(S, c, c0 + 5 * ldc);
            c60 = FloatVector.fromArray(S, c, c0 + 6 * ldc);
        } else {
            c00 = FloatVector.zero(S); c10 = FloatVector.zero(S); c20 = FloatVector.zero(S); c30 = FloatVector.zero(S); c40 = FloatVector.zero(S); c50 = FloatVector.zero(S); c60 = FloatVector.zero(S);
        }
        for (int p = 0; p < kc; p++) {
            int ao = a0 + p * aks, bo = pb0 + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, pb, bo);
            FloatVector x0 = FloatVector.broadcast(S, a[ao]);
            c00 = b0.fma(x0, c00);
            FloatVector x1 = FloatVector.broadcast(S, a[ao + 1 * ars]);
            c10 = b0.fma(x1, c10);
            FloatVector x2 = FloatVector.broadcast(S, a[ao + 2 * ars]);
            c20 = b0.fma(x2, c20);
            FloatVector x3 = FloatVector.broadcast(S, a[ao + 3 * ars]);
            c30 = b0.fma(x3, c30);
            FloatVector x4 = FloatVector.broadcast(S, a[ao + 4 * ars]);
            c40 = b0.fma(x4, c40);
            FloatVector x5 = FloatVector.broadcast(S, a[ao + 5 * ars]);
            c50 = b0.fma(x5, c50);
            FloatVector x6 = FloatVector.broadcast(S, a[ao + 6 * ars]);
            c60 = b0.fma(x6, c60);
        }
        c00.intoArray(c, c0);
        c10.intoArray(c, c0 + 1 * ldc);
        c20.intoArray(c, c0 + 2 * ldc);
        c30.intoArray(c, c0 + 3 * ldc);
        c40.intoArray(c, c0 + 4 * ldc);
        c50.intoArray(c, c0 + 5 * ldc);
        c60.intoArray(c, c0 + 6 * ldc);
    }

    private static void k8x2(int kc, float[] a, int a0, int ars, int aks, float[] pb, int pb0, int bs, float[] c, int c0, int ldc, boolean load) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
        if (load) {
            c00 = FloatVector.fromArray(S, c, c0);
            c01 = FloatVector.fromArray(S, c, c0 + 1 * L);
            c10 = FloatVector.fromArray(S, c, c0 + 1 * ldc);
            c11 = FloatVector.fromArray(S, c, c0 + 1 * ldc + 1 * L);
            c20 = FloatVector.fromArray(S, c, c0 + 2 * ldc);
            c21 = FloatVector.fromArray(S, c, c0 + 2 * ldc + 1 * L);
            c30 = FloatVector.fromArray(S, c, c0 + 3 * ldc);
            c31 = FloatVector.fromArray(S, c, c0 + 3 * ldc + 1 * L);
            c40 = FloatVector.fromArray(S, c, c0 + 4 * ldc);
            c41 = FloatVector.fromArray(S, c, c0 + 4 * ldc + 1 * L);
            c50 = FloatVector.fromArray(S, c, c0 + 5 * ldc);
            c51 = FloatVector.fromArray(S, c, c0 + 5 * ldc + 1 * L);
            c60 = FloatVector.fromArray(S, c, c0 + 6 * ldc);
            c61 = FloatVector.fromArray(S, c, c0 + 6 * ldc + 1 * L);
            c70 = FloatVector.fromArray(S, c, c0 + 7 * ldc);
            c71 = FloatVector.fromArray(S, c, c0 + 7 * ldc + 1 * L);
        } else {
            c00 = FloatVector.zero(S); c01 = FloatVector.zero(S); c10 = FloatVector.zero(S); c11 = FloatVector.zero(S); c20 = FloatVector.zero(S); c21 = FloatVector.zero(S); c30 = FloatVector.zero(S); c31 = FloatVector.zero(S); c40 = FloatVector.zero(S); c41 = FloatVector.zero(S); c50 = FloatVector.zero(S); c51 = FloatVector.zero(S); c60 = FloatVector.zero(S); c61 = FloatVector.zero(S); c70 = FloatVector.zero(S); c71 = FloatVector.zero(S);
        }
        for (int p = 0; p < kc; p++) {
            int ao = a0 + p * aks, bo = pb0 + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, pb, bo);
            FloatVector b1 = FloatVector.fromArray(S, pb, bo + 1 * L);
            FloatVector x0 = FloatVector.broadcast(S, a[ao]);
            c00 = b0.fma(x0, c00);
            c01 = b1.fma(x0, c01);
            FloatVector x1 = FloatVector.broadcast(S, a[ao + 1 * ars]);
            c10 = b0.fma(x1, c10);
            c11 = b1.fma(x1, c11);
            FloatVector x2 = FloatVector.broadcast(S, a[ao + 2 * ars]);
            c20 = b0.fma(x2, c20);
            c21 = b1.fma(x2, c21);
            FloatVector x3 = FloatVector.broadcast(S, a[ao + 3 * ars]);
            c30 = b0.fma(x3, c30);
            c31 = b1.fma(x3, c31);
            FloatVector x4 = FloatVector.broadcast(S, a[ao + 4 * ars]);
            c40 = b0.fma(x4, c40);
            c41 = b1.fma(x4, c41);
            FloatVector x5 = FloatVector.broadcast(S, a[ao + 5 * ars]);
            c50 = b0.fma(x5, c50);
            c51 = b1.fma(x5, c51);
            FloatVector x6 = FloatVector.broadcast(S, a[ao + 6 * ars]);
            c60 = b0.fma(x6, c60);
            c61 = b1.fma(x6, c61);
            FloatVector x7 = FloatVector.broadcast(S, a[ao + 7 * ars]);
            c70 = b0.fma(x7, c70);
            c71 = b1.fma(x7, c71);
        }
        c00.intoArray(c, c0);
        c01.intoArray(c, c0 + 1 * L);
        c10.intoArray(c, c0 + 1 * ldc);
        c11.intoArray(c, c0 + 1 * ldc + 1 * L);
        c20.intoArray(c, c0 + 2 * ldc);
        c21.intoArray(c, c0 + 2 * ldc + 1 * L);
        c30.intoArray(c, c0 + 3 * ldc);
        c31.intoArray(c, c0 + 3 * ldc + 1 * L);
        c40.intoArray(c, c0 + 4 * ldc);
        c41.intoArray(c, c0 + 4 * ldc + 1 * L);
        c50.intoArray(c, c0 + 5 * ldc);
        c51.intoArray(c, c0 + 5 * ldc + 1 * L);
        c60.intoArray(c, c0 + 6 * ldc);
        c61.intoArray(c, c0 + 6 * ldc + 1 * L);
        c70.intoArray(c, c0 + 7 * ldc);
        c71.intoArray(c, c0 + 7 * ldc + 1 * L);
    }

    private static void k8x1(int kc, float[] a, int a0, int ars, int aks, float[] pb, int pb0, int bs, float[] c, int c0, int ldc, boolean load) {
        FloatVector c00, c10, c20, c30, c40, c50, c60, c70;
        if (load) {
            c00 = FloatVector.fromArray(S, c, c0);
            c10 = FloatVector.fromArray(S, c, c0 + 1 * ldc);
            c20 = FloatVector.fromArray(S, c, c0 + 2 * ldc);
            c30 = FloatVector.fromArray(S, c, c0 + 3 * ldc);
            c40 = FloatVector.fromArray(S, c, c0 + 4 * ldc);
            c50 = FloatVector.fromArray(S, c, c0 + 5 * ldc);
            c60 = FloatVector.fromArray(S, c, c0 + 6 * ldc);
            c70 = FloatVector.fromArray(S, c, c0 + 7 * ldc);
        } else {
            c00 = FloatVector.zero(S); c10 = FloatVector.zero(S); c20 = FloatVector.zero(S); c30 = FloatVector.zero(S); c40 = FloatVector.zero(S); c50 = FloatVector.zero(S); c60 = FloatVector.zero(S); c70 = FloatVector.zero(S);
        }
        for (int p = 0; p < kc; p++) {
            int ao = a0 + p * aks, bo = pb0 + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, pb, bo);
            FloatVector x0 = FloatVector.broadcast(S, a[ao]);
            c00 = b0.fma(x0, c00);
            FloatVector x1 = FloatVector.broadcast(S, a[ao + 1 * ars]);
            c10 = b0.fma(x1, c10);
            FloatVector x2 = FloatVector.broadcast(S, a[ao + 2 * ars]);
            c20 = b0.fma(x2, c20);
            FloatVector x3 = FloatVector.broadcast(S, a[ao + 3 * ars]);
            c30 = b0.fma(x3, c30);
            FloatVector x4 = FloatVector.broadcast(S, a[ao + 4 * ars]);
            c40 = b0.fma(x4, c40);
            FloatVector x5 = FloatVector.broadcast(S, a[ao + 5 * ars]);
            c50 = b0.fma(x5, c50);
            FloatVector x6 = FloatVector.broadcast(S, a[ao + 6 * ars]);
            c60 = b0.fma(x6, c60);
            FloatVector x7 = FloatVector.broadcast(S, a[ao + 7 * ars]);
            c70 = b0.fma(x7, c70);
        }
        c00.intoArray(c, c0);
        c10.intoArray(c, c0 + 1 * ldc);
        c20.intoArray(c, c0 + 2 * ldc);
        c30.intoArray(c, c0 + 3 * ldc);
        c40.intoArray(c, c0 + 4 * ldc);
        c50.intoArray(c, c0 + 5 * ldc);
        c60.intoArray(c, c0 + 6 * ldc);
        c70.intoArray(c, c0 + 7 * ldc);
    }

    private static void k9x2(int kc, float[] a, int a0, int ars, int aks, float[] pb, int pb0, int bs, float[] c, int c0, int ldc, boolean load) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71, c80, c81;
        if (load) {
            c00 = FloatVector.fromArray(S, c, c0);
            c01 = FloatVector.fromArray(S, c, c0 + 1 * L);
            c10 = FloatVector.fromArray(S, c, c0 + 1 * ldc);
            c11 = FloatVector.fromArray(S, c, c0 + 1 * ldc + 1 * L);
            c20 = FloatVector.fromArray(S, c, c0 + 2 * ldc);
            c21 = FloatVector.fromArray(S, c, c0 + 2 * ldc + 1 * L);
            c30 = FloatVector.fromArray(S, c, c0 + 3 * ldc);
            c31 = FloatVector.fromArray(S, c, c0 + 3 * ldc + 1 * L);
            c40 = FloatVector.fromArray(S, c, c0 + 4 * ldc);
            c41 = FloatVector.fromArray(S, c, c0 + 4 * ldc + 1 * L);
            c50 = FloatVector.fromArray(S, c, c0 + 5 * ldc);
            c51 = FloatVector.fromArray(S, c, c0 + 5 * ldc + 1 * L);
            c60 = FloatVector.fromArray(S, c, c0 + 6 * ldc);
            c61 = FloatVector.fromArray(S, c, c0 + 6 * ldc + 1 * L);
            c70 = FloatVector.fromArray(S, c, c0 + 7 * ldc);
            c71 = FloatVector.fromArray(S, c, c0 + 7 * ldc + 1 * L);
            c80 = FloatVector.fromArray(S, c, c0 + 8 * ldc);
            c81 = FloatVector.fromArray(S, c, c0 + 8 * ldc + 1 * L);
        } else {
            c00 = FloatVector.zero(S); c01 = FloatVector.zero(S); c10 = FloatVector.zero(S); c11 = FloatVector.zero(S); c20 = FloatVector.zero(S); c21 = FloatVector.zero(S); c30 = FloatVector.zero(S); c31 = FloatVector.zero(S); c40 = FloatVector.zero(S); c41 = FloatVector.zero(S); c50 = FloatVector.zero(S); c51 = FloatVector.zero(S); c60 = FloatVector.zero(S); c61 = FloatVector.zero(S); c70 = FloatVector.zero(S); c71 = FloatVector.zero(S); c80 = FloatVector.zero(S); c81 = FloatVector.zero(S);
        }
        for (int p = 0; p < kc; p++) {
            int ao = a0 + p * aks, bo = pb0 + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, pb, bo);
            FloatVector b1 = FloatVector.fromArray(S, pb, bo + 1 * L);
            FloatVector x0 = FloatVector.broadcast(S, a[ao]);
            c00 = b0.fma(x0, c00);
            c01 = b1.fma(x0, c01);
            FloatVector x1 = FloatVector.broadcast(S, a[ao + 1 * ars]);
            c10 = b0.fma(x1, c10);
            c11 = b1.fma(x1, c11);
            FloatVector x2 = FloatVector.broadcast(S, a[ao + 2 * ars]);
            c20 = b0.fma(x2, c20);
            c21 = b1.fma(x2, c21);
            FloatVector x3 = FloatVector.broadcast(S, a[ao + 3 * ars]);
            c30 = b0.fma(x3, c30);
            c31 = b1.fma(x3, c31);
            FloatVector x4 = FloatVector.broadcast(S, a[ao + 4 * ars]);
            c40 = b0.fma(x4, c40);
            c41 = b1.fma(x4, c41);
            FloatVector x5 = FloatVector.broadcast(S, a[ao + 5 * ars]);
            c50 = b0.fma(x5, c50);
            c51 = b1.fma(x5, c51);
            FloatVector x6 = FloatVector.broadcast(S, a[ao + 6 * ars]);
            c60 = b0.fma(x6, c60);
            c61 = b1.fma(x6, c61);
            FloatVector x7 = FloatVector.broadcast(S, a[ao + 7 * ars]);
            c70 = b0.fma(x7, c70);
            c71 = b1.fma(x7, c71);
            FloatVector x8 = FloatVector.broadcast(S, a[ao + 8 * ars]);
            c80 = b0.fma(x8, c80);
            c81 = b1.fma(x8, c81);
        }
        c00.intoArray(c, c0);
        c01.intoArray(c, c0 + 1 * L);
        c10.intoArray(c, c0 + 1 * ldc);
        c11.intoArray(c, c0 + 1 * ldc + 1 * L);
        c20.intoArray(c, c0 + 2 * ldc);
        c21.intoArray(c, c0 + 2 * ldc + 1 * L);
        c30.intoArray(c, c0 + 3 * ldc);
        c31.intoArray(c, c0 + 3 * ldc + 1 * L);
        c40.intoArray(c, c0 + 4 * ldc);
        c41.intoArray(c, c0 + 4 * ldc + 1 * L);
        c50.intoArray(c, c0 + 5 * ldc);
        c51.intoArray(c, c0 + 5 * ldc + 1 * L);
        c60.intoArray(c, c0 + 6 * ldc);
        c61.intoArray(c, c0 + 6 * ldc + 1 * L);
        c70.intoArray(c, c0 + 7 * ldc);
        c71.intoArray(c, c0 + 7 * ldc + 1 * L);
        c80.intoArray(c, c0 + 8 * ldc);
        c81.intoArray(c, c0 + 8 * ldc + 1 * L);
    }

    private static void k9x1(int kc, float[] a, int a0, int ars, int aks, float[] pb, int pb0, int bs, float[] c, int c0, int ldc, boolean load) {
        FloatVector c00, c10, c20, c30, c40, c50, c60, c70, c80;
        if (load) {
            c00 = FloatVector.fromArray(S, c, c0);
            c10 = FloatVector.fromArray(S, c, c0 + 1 * ldc);
            c20 = FloatVector.fromArray(S, c, c0 + 2 * ldc);
            c30 = FloatVector.fromArray(S, c, c0 + 3 * ldc);
            c40 = FloatVector.fromArray(S, c, c0 + 4 * ldc);
            c50 = FloatVector.fromArray(S, c, c0 + 5 * ldc);
            c60 = FloatVector.fromArray(S, c, c0 + 6 * ldc);
            c70 = FloatVector.fromArray(S, c, c0 + 7 * ldc);
            c80 = FloatVector.fromArray(S, c, c0 + 8 * ldc);
        } else {
            c00 = FloatVector.zero(S); c10 = FloatVector.zero(S); c20 = FloatVector.zero(S); c30 = FloatVector.zero(S); c40 = FloatVector.zero(S); c50 = FloatVector.zero(S); c60 = FloatVector.zero(S); c70 = FloatVector.zero(S); c80 = FloatVector.zero(S);
        }
        for (int p = 0; p < kc; p++) {
            int ao = a0 + p * aks, bo = pb0 + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, pb, bo);
            FloatVector x0 = FloatVector.broadcast(S, a[ao]);
            c00 = b0.fma(x0, c00);
            FloatVector x1 = FloatVector.broadcast(S, a[ao + 1 * ars]);
            c10 = b0.fma(x1, c10);
            FloatVector x2 = FloatVector.broadcast(S, a[ao + 2 * ars]);
            c20 = b0.fma(x2, c20);
            FloatVector x3 = FloatVector.broadcast(S, a[ao + 3 * ars]);
            c30 = b0.fma(x3, c30);
            FloatVector x4 = FloatVector.broadcast(S, a[ao + 4 * ars]);
            c40 = b0.fma(x4, c40);
            FloatVector x5 = FloatVector.broadcast(S, a[ao + 5 * ars]);
            c50 = b0.fma(x5, c50);
            FloatVector x6 = FloatVector.broadcast(S, a[ao + 6 * ars]);
            c60 = b0.fma(x6, c60);
            FloatVector x7 = FloatVector.broadcast(S, a[ao + 7 * ars]);
            c70 = b0.fma(x7, c70);
            FloatVector x8 = FloatVector.broadcast(S, a[ao + 8 * ars]);
            c80 = b0.fma(x8, c80);
        }
        c00.intoArray(c, c0);
        c10.intoArray(c, c0 + 1 * ldc);
        c20.intoArray(c, c0 + 2 * ldc);
        c30.intoArray(c, c0 + 3 * ldc);
        c40.intoArray(c, c0 + 4 * ldc);
        c50.intoArray(c, c0 + 5 * ldc);
        c60.intoArray(c, c0 + 6 * ldc);
        c70.intoArray(c, c0 + 7 * ldc);
        c80.intoArray(c, c0 + 8 * ldc);
    }

    private static void k10x2(int kc, float[] a, int a0, int ars, int aks, float[] pb, int pb0, int bs, float[] c, int c0, int ldc, boolean load) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71, c80, c81, c90, c91;
        if (load) {
            c00 = FloatVector.fromArray(S, c, c0);
            c01 = FloatVector.fromArray(S, c, c0 + 1 * L);
            c10 = FloatVector.fromArray(S, c, c0 + 1 * ldc);
            c11 = FloatVector.fromArray(S, c, c0 + 1 * ldc + 1 * L);
            c20 = FloatVector.fromArray(S, c, c0 + 2 * ldc);
            c21 = FloatVector.fromArray(S, c, c0 + 2 * ldc + 1 * L);
            c30 = FloatVector.fromArray(S, c, c0 + 3 * ldc);
            c31 = FloatVector.fromArray(S, c, c0 + 3 * ldc + 1 * L);
            c40 = FloatVector.fromArray(S, c, c0 + 4 * ldc);
            c41 = FloatVector.fromArray(S, c, c0 + 4 * ldc + 1 * L);
            c50 = FloatVector.fromArray(S, c, c0 + 5 * ldc);
            c51 = FloatVector.fromArray(S, c, c0 + 5 * ldc + 1 * L);
            c60 = FloatVector.fromArray(S, c, c0 + 6 * ldc);
            c61 = FloatVector.fromArray(S, c, c0 + 6 * ldc + 1 * L);
            c70 = FloatVector.fromArray(S, c, c0 + 7 * ldc);
            c71 = FloatVector.fromArray(S, c, c0 + 7 * ldc + 1 * L);
            c80 = FloatVector.fromArray(S, c, c0 + 8 * ldc);
            c81 = FloatVector.fromArray(S, c, c0 + 8 * ldc + 1 * L);
            c90 = FloatVector.fromArray(S, c, c0 + 9 * ldc);
            c91 = FloatVector.fromArray(S, c, c0 + 9 * ldc + 1 * L);
        } else {
            c00 = FloatVector.zero(S); c01 = FloatVector.zero(S); c10 = FloatVector.zero(S); c11 = FloatVector.zero(S); c20 = FloatVector.zero(S); c21 = FloatVector.zero(S); c30 = FloatVector.zero(S); c31 = FloatVector.zero(S); c40 = FloatVector.zero(S); c41 = FloatVector.zero(S); c50 = FloatVector.zero(S); c51 = FloatVector.zero(S); c60 = FloatVector.zero(S); c61 = FloatVector.zero(S); c70 = FloatVector.zero(S); c71 = FloatVector.zero(S); c80 = FloatVector.zero(S); c81 = FloatVector.zero(S); c90 = FloatVector.zero(S); c91 = FloatVector.zero(S);
        }
        for (int p = 0; p < kc; p++) {
            int ao = a0 + p * aks, bo = pb0 + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, pb, bo);
            FloatVector b1 = FloatVector.fromArray(S, pb, bo + 1 * L);
            FloatVector x0 = FloatVector.broadcast(S, a[ao]);
            c00 = b0.fma(x0, c00);
            c01 = b1.fma(x0, c01);
            FloatVector x1 = FloatVector.broadcast(S, a[ao + 1 * ars]);
            c10 = b0.fma(x1, c10);
            c11 = b1.fma(x1, c11);
            FloatVector x2 = FloatVector.broadcast(S, a[ao + 2 * ars]);
            c20 = b0.fma(x2, c20);
            c21 = b1.fma(x2, c21);
            FloatVector x3 = FloatVector.broadcast(S, a[ao + 3 * ars]);
            c30 = b0.fma(x3, c30);
            c31 = b1.fma(x3, c31);
            FloatVector x4 = FloatVector.broadcast(S, a[ao + 4 * ars]);
            c40 = b0.fma(x4, c40);
            c41 = b1.fma(x4, c41);
            FloatVector x5 = FloatVector.broadcast(S, a[ao + 5 * ars]);
            c50 = b0.fma(x5, c50);
            c51 = b1.fma(x5, c51);
            FloatVector x6 = FloatVector.broadcast(S, a[ao + 6 * ars]);
            c60 = b0.fma(x6, c60);
            c61 = b1.fma(x6, c61);
            FloatVector x7 = FloatVector.broadcast(S, a[ao + 7 * ars]);
            c70 = b0.fma(x7, c70);
            c71 = b1.fma(x7, c71);
            FloatVector x8 = FloatVector.broadcast(S, a[ao + 8 * ars]);
            c80 = b0.fma(x8, c80);
            c81 = b1.fma(x8, c81);
            FloatVector x9 = FloatVector.broadcast(S, a[ao + 9 * ars]);
            c90 = b0.fma(x9, c90);
            c91 = b1.fma(x9, c91);
        }
        c00.intoArray(c, c0);
        c01.intoArray(c, c0 + 1 * L);
        c10.intoArray(c, c0 + 1 * ldc);
        c11.intoArray(c, c0 + 1 * ldc + 1 * L);
        c20.intoArray(c, c0 + 2 * ldc);
        c21.intoArray(c, c0 + 2 * ldc + 1 * L);
        c30.intoArray(c, c0 + 3 * ldc);
        c31.intoArray(c, c0 + 3 * ldc + 1 * L);
        c40.intoArray(c, c0 + 4 * ldc);
        c41.intoArray(c, c0 + 4 * ldc + 1 * L);
        c50.intoArray(c, c0 + 5 * ldc);
        c51.intoArray(c, c0 + 5 * ldc + 1 * L);
        c60.intoArray(c, c0 + 6 * ldc);
        c61.intoArray(c, c0 + 6 * ldc + 1 * L);
        c70.intoArray(c, c0 + 7 * ldc);
        c71.intoArray(c, c0 + 7 * ldc + 1 * L);
        c80.intoArray(c, c0 + 8 * ldc);
        c81.intoArray(c, c0 + 8 * ldc + 1 * L);
        c90.intoArray(c, c0 + 9 * ldc);
        c91.intoArray(c, c0 + 9 * ldc + 1 * L);
    }

    private static void k10x1(int kc, float[] a, int a0, int ars, int aks, float[] pb, int pb0, int bs, float[] c, int c0, int ldc, boolean load) {
        FloatVector c00, c10, c20, c30, c40, c50, c60, c70, c80, c90;
        if (load) {
            c00 = FloatVector.fromArray(S, c, c0);
            c10 = FloatVector.fromArray(S, c, c0 + 1 * ldc);
            c20 = FloatVector.fromArray(S, c, c0 + 2 * ldc);
            c30 = FloatVector.fromArray(S, c, c0 + 3 * ldc);
            c40 = FloatVector.fromArray(S, c, c0 + 4 * ldc);
            c50 = FloatVector.fromArray(S, c, c0 + 5 * ldc);
            c60 = FloatVector.fromArray(S, c, c0 + 6 * ldc);
            c70 = FloatVector.fromArray(S, c, c0 + 7 * ldc);
            c80 = FloatVector.fromArray(S, c, c0 + 8 * ldc);
            c90 = FloatVector.fromArray(S, c, c0 + 9 * ldc);
        } else {
            c00 = FloatVector.zero(S); c10 = FloatVector.zero(S); c20 = FloatVector.zero(S); c30 = FloatVector.zero(S); c40 = FloatVector.zero(S); c50 = FloatVector.zero(S); c60 = FloatVector.zero(S); c70 = FloatVector.zero(S); c80 = FloatVector.zero(S); c90 = FloatVector.zero(S);
        }
        for (int p = 0; p < kc; p++) {
            int ao = a0 + p * aks, bo = pb0 + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, pb, bo);
            FloatVector x0 = FloatVector.broadcast(S, a[ao]);
            c00 = b0.fma(x0, c00);
            FloatVector x1 = FloatVector.broadcast(S, a[ao + 1 * ars]);
            c10 = b0.fma(x1, c10);
            FloatVector x2 = FloatVector.broadcast(S, a[ao + 2 * ars]);
            c20 = b0.fma(x2, c20);
            FloatVector x3 = FloatVector.broadcast(S, a[ao + 3 * ars]);
            c30 = b0.fma(x3, c30);
            FloatVector x4 = FloatVector.broadcast(S, a[ao + 4 * ars]);
            c40 = b0.fma(x4, c40);
            FloatVector x5 = FloatVector.broadcast(S, a[ao + 5 * ars]);
            c50 = b0.fma(x5, c50);
            FloatVector x6 = FloatVector.broadcast(S, a[ao + 6 * ars]);
            c60 = b0.fma(x6, c60);
            FloatVector x7 = FloatVector.broadcast(S, a[ao + 7 * ars]);
            c70 = b0.fma(x7, c70);
            FloatVector x8 = FloatVector.broadcast(S, a[ao + 8 * ars]);
            c80 = b0.fma(x8, c80);
            FloatVector x9 = FloatVector.broadcast(S, a[ao + 9 * ars]);
            c90 = b0.fma(x9, c90);
        }
        c00.intoArray(c, c0);
        c10.intoArray(c, c0 + 1 * ldc);
        c20.intoArray(c, c0 + 2 * ldc);
        c30.intoArray(c, c0 + 3 * ldc);
        c40.intoArray(c, c0 + 4 * ldc);
        c50.intoArray(c, c0 + 5 * ldc);
        c60.intoArray(c, c0 + 6 * ldc);
        c70.intoArray(c, c0 + 7 * ldc);
        c80.intoArray(c, c0 + 8 * ldc);
        c90.intoArray(c, c0 + 9 * ldc);
    }

    /** Tiles of one or two rows × 4 vectors: more independent accumulators for products with very few rows. */
    private static void kernelWide(int r, int kc, float[] a, int a0, int ars, int aks, float[] pb, int pb0, int bs, float[] c, int c0, int ldc, boolean load) {
        if (r == 1) k1x4(kc, a, a0, ars, aks, pb, pb0, bs, c, c0, ldc, load);
        else k2x4(kc, a, a0, ars, aks, pb, pb0, bs, c, c0, ldc, load);
    }

    private static void k1x4(int kc, float[] a, int a0, int ars, int aks, float[] pb, int pb0, int bs, float[] c, int c0, int ldc, boolean load) {
        FloatVector c00, c01, c02, c03;
        if (load) {
            c00 = FloatVector.fromArray(S, c, c0);
            c01 = FloatVector.fromArray(S, c, c0 + 1 * L);
            c02 = FloatVector.fromArray(S, c, c0 + 2 * L);
            c03 = FloatVector.fromArray(S, c, c0 + 3 * L);
        } else {
            c00 = FloatVector.zero(S); c01 = FloatVector.zero(S); c02 = FloatVector.zero(S); c03 = FloatVector.zero(S);
        }
        for (int p = 0; p < kc; p++) {
            int ao = a0 + p * aks, bo = pb0 + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, pb, bo);
            FloatVector b1 = FloatVector.fromArray(S, pb, bo + 1 * L);
            FloatVector b2 = FloatVector.fromArray(S, pb, bo + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, pb, bo + 3 * L);
            FloatVector x0 = FloatVector.broadcast(S, a[ao]);
            c00 = b0.fma(x0, c00);
            c01 = b1.fma(x0, c01);
            c02 = b2.fma(x0, c02);
            c03 = b3.fma(x0, c03);
        }
        c00.intoArray(c, c0);
        c01.intoArray(c, c0 + 1 * L);
        c02.intoArray(c, c0 + 2 * L);
        c03.intoArray(c, c0 + 3 * L);
    }

    private static void k2x4(int kc, float[] a, int a0, int ars, int aks, float[] pb, int pb0, int bs, float[] c, int c0, int ldc, boolean load) {
        FloatVector c00, c01, c02, c03, c10, c11, c12, c13;
        if (load) {
            c00 = FloatVector.fromArray(S, c, c0);
            c01 = FloatVector.fromArray(S, c, c0 + 1 * L);
            c02 = FloatVector.fromArray(S, c, c0 + 2 * L);
            c03 = FloatVector.fromArray(S, c, c0 + 3 * L);
            c10 = FloatVector.fromArray(S, c, c0 + 1 * ldc);
            c11 = FloatVector.fromArray(S, c, c0 + 1 * ldc + 1 * L);
            c12 = FloatVector.fromArray(S, c, c0 + 1 * ldc + 2 * L);
            c13 = FloatVector.fromArray(S, c, c0 + 1 * ldc + 3 * L);
        } else {
            c00 = FloatVector.zero(S); c01 = FloatVector.zero(S); c02 = FloatVector.zero(S); c03 = FloatVector.zero(S); c10 = FloatVector.zero(S); c11 = FloatVector.zero(S); c12 = FloatVector.zero(S); c13 = FloatVector.zero(S);
        }
        for (int p = 0; p < kc; p++) {
            int ao = a0 + p * aks, bo = pb0 + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, pb, bo);
            FloatVector b1 = FloatVector.fromArray(S, pb, bo + 1 * L);
            FloatVector b2 = FloatVector.fromArray(S, pb, bo + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, pb, bo + 3 * L);
            FloatVector x0 = FloatVector.broadcast(S, a[ao]);
            c00 = b0.fma(x0, c00);
            c01 = b1.fma(x0, c01);
            c02 = b2.fma(x0, c02);
            c03 = b3.fma(x0, c03);
            FloatVector x1 = FloatVector.broadcast(S, a[ao + 1 * ars]);
            c10 = b0.fma(x1, c10);
            c11 = b1.fma(x1, c11);
            c12 = b2.fma(x1, c12);
            c13 = b3.fma(x1, c13);
        }
        c00.intoArray(c, c0);
        c01.intoArray(c, c0 + 1 * L);
        c02.intoArray(c, c0 + 2 * L);
        c03.intoArray(c, c0 + 3 * L);
        c10.intoArray(c, c0 + 1 * ldc);
        c11.intoArray(c, c0 + 1 * ldc + 1 * L);
        c12.intoArray(c, c0 + 1 * ldc + 2 * L);
        c13.intoArray(c, c0 + 1 * ldc + 3 * L);
    }
}

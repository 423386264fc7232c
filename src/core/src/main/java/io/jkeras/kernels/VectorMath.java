package io.jkeras.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one vector exp, sigmoid and tanh of the engine, used by the cells ({@link VectorCells}), forward and
 * backward, for inference and the fused training step alike; {@link FastMath} is the same algorithm for
 * one value (the scalar kernels). Each function applies in place to a run of a float array, any length
 * (the last vector is masked).
 *
 * <p>Tanh and sigmoid are computed in double vectors of the preferred width and rounded once to float.
 * exp is that of {@link FastMath}: range reduction {@code x = k·ln2 + r}, {@code |r| ≤ ln2/2}, a
 * degree-9 Taylor polynomial for {@code e^r}, scaled by {@code 2^k} through the exponent bits. Within
 * one float ulp of the exact functions (CellKernelsTest).
 *
 * <p>How floats reach the double vectors depends on the JDK ({@link #HALF_WIDTH}), with the same
 * results bit for bit (CellKernelsTest): on JDK 25 with preferred vectors of 256 bits or more, float
 * vectors of half the preferred width, each converted to one double vector (the fastest there, the
 * inference cells' code until 2026-12-07); otherwise whole float vectors, each half converted and the
 * two results blended back: with 128-bit vectors the half-width floats are a shape C2 does not compile,
 * and on older JDKs a second float vector shape in the process sends JDK 17's full-width matrix kernels
 * to the Vector API's slow non-intrinsic code (measured 2026-12-07, docs/architecture.md: W2 inference
 * 18.7 s per batch instead of 0.5 s, W4 training 30 s per epoch instead of 0.6 s once the training
 * cells used this class). The algorithm is the one of {@link FastMath} in both; it is written out twice
 * below only because each JDK's JIT needs its own form to keep the vectors in registers.
 *
 * <p>Why double: the float version the training cells had until then (degree-7 polynomial, within 4
 * ulps) leaves a Keras 1 zoo LSTM 1.14e-5 from its reference, over the 1e-5 bound. Loaded only through
 * {@link Kernels#best()} when the {@code jdk.incubator.vector} module is present.
 */
final class VectorMath {
    private VectorMath() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Doubles of the preferred width: half a float vector's lanes. */
    private static final VectorSpecies<Double> D = VectorSpecies.of(double.class, S.vectorShape());
    private static final int L = S.length();
    /** The lanes of a float vector that its second half in double converts back to. */
    private static final VectorMask<Float> UPPER = VectorMask.fromLong(S,
            ((1L << L) - 1) & ~((1L << D.length()) - 1));
    /**
     * Whether to load floats into vectors of half the preferred width, one double vector's worth at a
     * time: the fastest way on JDK 25, but a second float vector shape, which JDK 17 cannot mix with the
     * matrix kernels (see the class comment). JDKs 18 to 24 take the one-shape path (not measured).
     * Nor when the half-width floats would be under 128 bits (preferred vectors of 128 bits: ARM NEON,
     * x86 {@code -XX:UseAVX=1}): C2 does not compile those 64-bit float vectors and their masks, and
     * every operation runs in the Vector API's Java fallbacks (docs/performance.md, "emulated settings").
     */
    private static final boolean HALF_WIDTH = Runtime.version().feature() >= 25 && S.vectorBitSize() >= 256;
    /** Floats of half the preferred width (only with {@link #HALF_WIDTH}). */
    private static final VectorSpecies<Float> H = VectorSpecies.of(float.class,
            VectorShape.forBitSize(S.vectorBitSize() / 2));
    private static final int DL = D.length();
    /** Longs of the double vectors' shape, for selecting lanes with bit operations. */
    private static final VectorSpecies<Long> DLONG = VectorSpecies.of(long.class, D.vectorShape());

    private static final double LOG2E = 1.4426950408889634;
    private static final double LN2 = 0.6931471805599453;
    private static final double MAGIC = 0x1.8p52;
    private static final long MAGIC_BITS = Double.doubleToRawLongBits(MAGIC);

    /*
     * Both forms have the math written out in full inside their loops, and no vector crosses a method
     * boundary: a vector passed to or returned from a call the JIT does not inline is boxed, and whether
     * C2 inlines a helper depends on which caller it compiled first. (Helpers taking DoubleVectors, the
     * whole-width form until 2026-12-08, boxed on JDK 17: 385 KB allocated per W1 call, 230 us instead of
     * 170.) The half-width loops (JDK 25) convert half a preferred-width float vector to one double vector;
     * the whole-width loops widen the run into a per-thread double buffer, compute there in place and
     * round back, with one float vector shape. The two compute the same values bit for bit
     * (CellKernelsTest).
     */

    /** Sigmoid in place on {@code v[off, off+n)}: 1/(1 + e^-x) in double, rounded once. */
    static void sigmoid(float[] v, int off, int n) {
        if (HALF_WIDTH) sigmoidHalf(v, off, n, 0, 1);
        else sigmoidWhole(v, off, n, 0, 1);
    }

    /** {@link #sigmoid(float[], int, int)} on {@code count} runs of {@code n}, {@code stride} apart. */
    static void sigmoidRuns(float[] v, int off, int n, int stride, int count) {
        if (HALF_WIDTH) sigmoidHalf(v, off, n, stride, count);
        else sigmoidWhole(v, off, n, stride, count);
    }

    static void sigmoidHalf(float[] v, int off, int n) { sigmoidHalf(v, off, n, 0, 1); }

    static void sigmoidWhole(float[] v, int off, int n) { sigmoidWhole(v, off, n, 0, 1); }

    /** {@link #sigmoid(float[], int, int)} through float vectors of half the preferred width. */
    static void sigmoidHalf(float[] v, int off, int n, int stride, int count) {
        for (int run = 0; run < count; run++) {
            int base = off + run * stride;
            for (int i = 0; i < n; i += DL) {
                // whole loads and stores without a lane mask; a partial last vector goes through this thread's
                // small buffer (a mask computed per vector was 3 % of W2's samples)
                int rest = n - i;
                float[] a = rest < DL ? tailOf(v, base + i, rest) : v;
                int at = a == v ? base + i : 0;
                DoubleVector x = (DoubleVector) FloatVector.fromArray(H, a, at)
                        .convertShape(VectorOperators.F2D, D, 0);
                // e^-x for -x clamped to [-700, 700], as FastMath.expd
                DoubleVector y = x.max(-700.0).min(700.0).neg();
                DoubleVector t = y.fma(LOG2E, MAGIC);
                DoubleVector kf = t.sub(MAGIC);
                DoubleVector r = kf.fma(DoubleVector.broadcast(D, -LN2), y);
                DoubleVector p = r.fma(1.0 / 362880, 1.0 / 40320);
                p = r.fma(p, DoubleVector.broadcast(D, 1.0 / 5040));
                p = r.fma(p, DoubleVector.broadcast(D, 1.0 / 720));
                p = r.fma(p, DoubleVector.broadcast(D, 1.0 / 120));
                p = r.fma(p, DoubleVector.broadcast(D, 1.0 / 24));
                p = r.fma(p, DoubleVector.broadcast(D, 1.0 / 6));
                p = r.fma(p, DoubleVector.broadcast(D, 0.5));
                p = r.fma(p, DoubleVector.broadcast(D, 1.0));
                p = r.fma(p, DoubleVector.broadcast(D, 1.0));
                DoubleVector e = p.mul(t.reinterpretAsLongs().sub(MAGIC_BITS).add(1023L)
                        .lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles());
                DoubleVector s = DoubleVector.broadcast(D, 1.0).div(e.add(1.0));
                ((FloatVector) s.convertShape(VectorOperators.D2F, H, 0)).intoArray(a, at);
                if (a != v) System.arraycopy(a, 0, v, base + i, rest);
            }
        }
    }

    /**
     * {@link #sigmoid(float[], int, int)} through float vectors of the preferred width only: the run widened to this
     * thread's double buffer, the math in place there, rounded back.
     */
    static void sigmoidWhole(float[] v, int off, int n, int stride, int count) {
        int total = padded(n) * count;
        double[] d = scratch(total);
        toDouble(v, off, n, stride, count, d);
        for (int i = 0; i < total; i += DL) {
            DoubleVector x = DoubleVector.fromArray(D, d, i);
            // e^-x for -x clamped to [-700, 700], as FastMath.expd
            DoubleVector y = x.max(-700.0).min(700.0).neg();
            DoubleVector t = y.fma(LOG2E, MAGIC);
            DoubleVector kf = t.sub(MAGIC);
            DoubleVector r = kf.fma(DoubleVector.broadcast(D, -LN2), y);
            DoubleVector p = r.fma(1.0 / 362880, 1.0 / 40320);
            p = r.fma(p, DoubleVector.broadcast(D, 1.0 / 5040));
            p = r.fma(p, DoubleVector.broadcast(D, 1.0 / 720));
            p = r.fma(p, DoubleVector.broadcast(D, 1.0 / 120));
            p = r.fma(p, DoubleVector.broadcast(D, 1.0 / 24));
            p = r.fma(p, DoubleVector.broadcast(D, 1.0 / 6));
            p = r.fma(p, DoubleVector.broadcast(D, 0.5));
            p = r.fma(p, DoubleVector.broadcast(D, 1.0));
            p = r.fma(p, DoubleVector.broadcast(D, 1.0));
            DoubleVector e = p.mul(t.reinterpretAsLongs().sub(MAGIC_BITS).add(1023L)
                    .lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles());
            DoubleVector.broadcast(D, 1.0).div(e.add(1.0)).intoArray(d, i);
        }
        toFloat(d, v, off, n, stride, count);
    }

    /** Tanh in place on {@code v[off, off+n)}, as FastMath.tanh. */
    static void tanh(float[] v, int off, int n) {
        if (HALF_WIDTH) tanhHalf(v, off, n, 0, 1);
        else tanhWhole(v, off, n, 0, 1);
    }

    /** {@link #tanh(float[], int, int)} on {@code count} runs of {@code n}, {@code stride} apart. */
    static void tanhRuns(float[] v, int off, int n, int stride, int count) {
        if (HALF_WIDTH) tanhHalf(v, off, n, stride, count);
        else tanhWhole(v, off, n, stride, count);
    }

    static void tanhHalf(float[] v, int off, int n) { tanhHalf(v, off, n, 0, 1); }

    static void tanhWhole(float[] v, int off, int n) { tanhWhole(v, off, n, 0, 1); }

    /** {@link #tanh(float[], int, int)} through float vectors of half the preferred width. */
    static void tanhHalf(float[] v, int off, int n, int stride, int count) {
        for (int run = 0; run < count; run++) {
            int base = off + run * stride;
            for (int i = 0; i < n; i += DL) {
                int rest = n - i;   // as in sigmoidHalf
                float[] a = rest < DL ? tailOf(v, base + i, rest) : v;
                int at = a == v ? base + i : 0;
                DoubleVector x = (DoubleVector) FloatVector.fromArray(H, a, at)
                        .convertShape(VectorOperators.F2D, D, 0);
                DoubleVector ax = x.abs().min(40.0);
                DoubleVector x2 = ax.mul(ax);
                DoubleVector small = x2.fma(62.0 / 2835, -17.0 / 315);
                small = x2.fma(small, DoubleVector.broadcast(D, 2.0 / 15));
                small = x2.fma(small, DoubleVector.broadcast(D, -1.0 / 3));
                small = x2.fma(small, DoubleVector.broadcast(D, 1.0)).mul(ax);
                // e^(-2|x|), as FastMath.expd
                DoubleVector y = ax.mul(-2.0);
                DoubleVector t = y.fma(LOG2E, MAGIC);
                DoubleVector kf = t.sub(MAGIC);
                DoubleVector r = kf.fma(DoubleVector.broadcast(D, -LN2), y);
                DoubleVector p = r.fma(1.0 / 362880, 1.0 / 40320);
                p = r.fma(p, DoubleVector.broadcast(D, 1.0 / 5040));
                p = r.fma(p, DoubleVector.broadcast(D, 1.0 / 720));
                p = r.fma(p, DoubleVector.broadcast(D, 1.0 / 120));
                p = r.fma(p, DoubleVector.broadcast(D, 1.0 / 24));
                p = r.fma(p, DoubleVector.broadcast(D, 1.0 / 6));
                p = r.fma(p, DoubleVector.broadcast(D, 0.5));
                p = r.fma(p, DoubleVector.broadcast(D, 1.0));
                p = r.fma(p, DoubleVector.broadcast(D, 1.0));
                DoubleVector e = p.mul(t.reinterpretAsLongs().sub(MAGIC_BITS).add(1023L)
                        .lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles());
                DoubleVector large = DoubleVector.broadcast(D, 1.0).sub(e).div(e.add(1.0));
                DoubleVector th = large.blend(small, ax.lt(0.03125));
                // the sign of x (keeps -0 and NaN as they are)
                th = th.reinterpretAsLongs().or(x.reinterpretAsLongs().and(Long.MIN_VALUE)).reinterpretAsDoubles();
                ((FloatVector) th.convertShape(VectorOperators.D2F, H, 0)).intoArray(a, at);
                if (a != v) System.arraycopy(a, 0, v, base + i, rest);
            }
        }
    }

    /** {@link #tanh(float[], int, int)} through float vectors of the preferred width only, as {@link #sigmoidWhole}. */
    static void tanhWhole(float[] v, int off, int n, int stride, int count) {
        int total = padded(n) * count;
        double[] d = scratch(total);
        toDouble(v, off, n, stride, count, d);
        for (int i = 0; i < total; i += DL) {
            DoubleVector x = DoubleVector.fromArray(D, d, i);
            DoubleVector ax = x.abs().min(40.0);
            DoubleVector x2 = ax.mul(ax);
            DoubleVector small = x2.fma(62.0 / 2835, -17.0 / 315);
            small = x2.fma(small, DoubleVector.broadcast(D, 2.0 / 15));
            small = x2.fma(small, DoubleVector.broadcast(D, -1.0 / 3));
            small = x2.fma(small, DoubleVector.broadcast(D, 1.0)).mul(ax);
            // e^(-2|x|), as FastMath.expd
            DoubleVector y = ax.mul(-2.0);
            DoubleVector t = y.fma(LOG2E, MAGIC);
            DoubleVector kf = t.sub(MAGIC);
            DoubleVector r = kf.fma(DoubleVector.broadcast(D, -LN2), y);
            DoubleVector p = r.fma(1.0 / 362880, 1.0 / 40320);
            p = r.fma(p, DoubleVector.broadcast(D, 1.0 / 5040));
            p = r.fma(p, DoubleVector.broadcast(D, 1.0 / 720));
            p = r.fma(p, DoubleVector.broadcast(D, 1.0 / 120));
            p = r.fma(p, DoubleVector.broadcast(D, 1.0 / 24));
            p = r.fma(p, DoubleVector.broadcast(D, 1.0 / 6));
            p = r.fma(p, DoubleVector.broadcast(D, 0.5));
            p = r.fma(p, DoubleVector.broadcast(D, 1.0));
            p = r.fma(p, DoubleVector.broadcast(D, 1.0));
            DoubleVector e = p.mul(t.reinterpretAsLongs().sub(MAGIC_BITS).add(1023L)
                    .lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles());
            DoubleVector large = DoubleVector.broadcast(D, 1.0).sub(e).div(e.add(1.0));
            // small where |x| < 2^-5, else large, selected with bit operations: C2 has no blend of two-lane
            // double vectors (the 128-bit form) under -XX:UseAVX=1 ("not supported: op=blend vlen=2
            // etype=double", -XX:+PrintIntrinsics), so the compare and the blend ran in Java there. ax - 2^-5
            // is negative exactly where |x| < 2^-5; its sign bit, spread over the lane, is the selection.
            LongVector below = LongVector.zero(DLONG).sub(ax.sub(0.03125).reinterpretAsLongs()
                    .lanewise(VectorOperators.LSHR, 63));
            LongVector th = small.reinterpretAsLongs().and(below).or(large.reinterpretAsLongs().and(below.not()));
            // the sign of x (keeps -0 and NaN as they are)
            th.or(x.reinterpretAsLongs().and(Long.MIN_VALUE)).reinterpretAsDoubles()
                    .intoArray(d, i);
        }
        toFloat(d, v, off, n, stride, count);
    }

    /** This thread's buffer for the partial last vector of a half-width loop (at least one float vector). */
    private static final ThreadLocal<float[]> TAIL = ThreadLocal.withInitial(() -> new float[L]);

    /** {@code v[at, at+rest)} copied into this thread's {@link #TAIL} buffer, which is returned. */
    private static float[] tailOf(float[] v, int at, int rest) {
        float[] t = TAIL.get();
        System.arraycopy(v, at, t, 0, rest);
        return t;
    }

    /** Doubles of this thread's runs for the whole-width loops: {@link #toDouble}'s target, the math's buffer. */
    private static final ThreadLocal<double[][]> SCRATCH = ThreadLocal.withInitial(() -> new double[1][256]);

    /** This thread's double buffer, at least {@code n} rounded up to whole float vectors. */
    private static double[] scratch(int n) {
        double[][] h = SCRATCH.get();
        int need = padded(n);
        if (h[0].length < need) h[0] = new double[Math.max(need, 2 * h[0].length)];
        return h[0];
    }

    /**
     * {@code count} runs {@code v[off + r·stride, +n)} widened into {@code d}, run r at {@code r·padded(n)} (up to
     * the next whole vector: zeros), so that the math runs over them as one.
     */
    private static void toDouble(float[] v, int off, int n, int stride, int count, double[] d) {
        int pn = padded(n);
        for (int r = 0; r < count; r++) {
            for (int i = 0, at = r * pn, from = off + r * stride; i < n; i += L) {
                FloatVector x = FloatVector.fromArray(S, v, from + i, S.indexInRange(i, n));
                ((DoubleVector) x.convertShape(VectorOperators.F2D, D, 0)).intoArray(d, at + i);
                ((DoubleVector) x.convertShape(VectorOperators.F2D, D, 1)).intoArray(d, at + i + DL);
            }
        }
    }

    /** The inverse of {@link #toDouble}: each run rounded to float back into its place. */
    private static void toFloat(double[] d, float[] v, int off, int n, int stride, int count) {
        int pn = padded(n);
        for (int r = 0; r < count; r++) {
            for (int i = 0, at = r * pn, to = off + r * stride; i < n; i += L) {
                FloatVector lo = (FloatVector) DoubleVector.fromArray(D, d, at + i)
                        .convertShape(VectorOperators.D2F, S, 0);
                FloatVector hi = (FloatVector) DoubleVector.fromArray(D, d, at + i + DL)
                        .convertShape(VectorOperators.D2F, S, -1);
                lo.blend(hi, UPPER).intoArray(v, to + i, S.indexInRange(i, n));
            }
        }
    }

    /** {@code n} rounded up to whole float vectors. */
    private static int padded(int n) { return (n + L - 1) / L * L; }

    /** Activation {@code code} in place on {@code v[off, off+n)}, with the float operations of FastMath.activate. */
    static void activate(int code, float[] v, int off, int n) {
        // tanh and sigmoid straight to their loops (the batch-1 step's calls, the most frequent)
        if (code == CellKernels.TANH) tanh(v, off, n);
        else if (code == CellKernels.SIGMOID) sigmoid(v, off, n);
        else activateRuns(code, v, off, n, 0, 1);
    }

    /**
     * {@link #activate(int, float[], int, int)} on {@code count} runs of {@code n} floats, {@code stride} apart (a gate
     * group of every tile of a row: one call instead of one per tile).
     */
    static void activateRuns(int code, float[] v, int off, int n, int stride, int count) {
        switch (code) {
            case CellKernels.TANH -> tanhRuns(v, off, n, stride, count);
            case CellKernels.SIGMOID -> sigmoidRuns(v, off, n, stride, count);
            case CellKernels.HARD_SIGMOID_0_2 -> {
                for (int r = 0, base = off; r < count; r++, base += stride) {
                    for (int i = 0; i < n; i += L) {
                        VectorMask<Float> m = S.indexInRange(i, n);
                        FloatVector.fromArray(S, v, base + i, m).mul(0.2f).add(0.5f).min(1f).max(0f)
                                .intoArray(v, base + i, m);
                    }
                }
            }
            case CellKernels.HARD_SIGMOID_RELU6 -> {
                for (int r = 0, base = off; r < count; r++, base += stride) {
                    for (int i = 0; i < n; i += L) {
                        VectorMask<Float> m = S.indexInRange(i, n);
                        FloatVector.fromArray(S, v, base + i, m).add(3f).min(6f).max(0f).div(6f)
                                .intoArray(v, base + i, m);
                    }
                }
            }
            case CellKernels.RELU -> {
                for (int r = 0, base = off; r < count; r++, base += stride) {
                    for (int i = 0; i < n; i += L) {
                        VectorMask<Float> m = S.indexInRange(i, n);
                        FloatVector.fromArray(S, v, base + i, m).max(0f).intoArray(v, base + i, m);
                    }
                }
            }
            case CellKernels.LINEAR -> { }
            default -> throw new IllegalArgumentException("activation code " + code);
        }
    }
}

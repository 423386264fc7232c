package io.jkeras.kernels;

/**
 * Fused recurrent cell kernels: one timestep of an LSTM, GRU or SimpleRNN for one sequence, with
 * the recurrent product, the gate nonlinearities and the state update done tile by tile, so that
 * a tile's accumulators are consumed while still hot (in vector registers for the Vector API
 * implementation) and nothing is copied between steps.
 *
 * <p>Layouts (see {@code io.jkeras.layers.GatePanel}): a projected-input row {@code xp} and a
 * preactivation row {@code z} have the padded panel width {@code W = tiles·G·16}; column
 * {@code (j·G + g)·16 + u} is gate g of unit {@code 16j + u}. {@code u} is the recurrent kernel in
 * that layout, (units × W) row-major; {@code uT} is the same matrix tile-major
 * ({@link #tileMajor}): for tile j, the (units × G·16) block of its columns, stored contiguously
 * so that the sum over k streams through memory. An implementation reads whichever it prefers.
 * State rows ({@code h}, {@code c}, outputs) are unpadded: {@code units} floats.
 *
 * <p>Activations are given as codes ({@link #code}); only the ones with a code are supported here:
 * callers fall back to the per-gate reference path for every other activation. Tanh and sigmoid
 * are evaluated in double and rounded once (within one float ulp, as {@link FastMath}); the hard
 * sigmoids, relu and linear are computed with the same float operations as {@link FastMath#activate},
 * so they give the same values bit for bit.
 *
 * <p>{@link #scalar()} is the portable implementation; the Vector API one ({@code VectorCells}) is
 * chosen by {@link Kernels} ({@link Kernels#cells()}).
 */
public abstract class CellKernels {
    public static final int LINEAR = 0, TANH = 1, SIGMOID = 2, HARD_SIGMOID_0_2 = 3, HARD_SIGMOID_RELU6 = 4, RELU = 5;

    /** Units per tile, as {@code GatePanel.BLOCK}. */
    public static final int BLOCK = 16;

    /** The portable kernels, made at first use (a holder class) rather than when layers are built. */
    public static CellKernels scalar() { return Scalar.KERNELS; }

    private static final class Scalar {
        static final CellKernels KERNELS = new ScalarCells();
    }

    protected CellKernels() {}

    /** Floats of work space the step methods need for a layer of {@code units} units and G gates. */
    public static int workSize(int units, int gates) {
        int padded = (units + BLOCK - 1) / BLOCK * BLOCK;
        return padded * gates + 2 * padded;
    }

    /** The tile-major copy of a (units × W) panel-layout recurrent kernel with {@code gates} gates. */
    public static float[] tileMajor(float[] u, int units, int gates) {
        int tw = gates * BLOCK;
        int tiles = (units + BLOCK - 1) / BLOCK;
        int w = tiles * tw;
        float[] t = new float[units * w];
        for (int j = 0; j < tiles; j++) {
            for (int k = 0; k < units; k++) System.arraycopy(u, k * w + j * tw, t, (j * units + k) * tw, tw);
        }
        return t;
    }

    // ------------------------------------------------------------------ LSTM (gates i, f, c, o)

    /**
     * One LSTM step: {@code z = xp + h·U}, then {@code c = f·c + i·g} in place at {@code c[cOff..]} and
     * {@code hOut = o·act(c)}. {@code hOut} must not overlap {@code h}.
     */
    public final void lstmStep(float[] xp, int xpOff, float[] u, float[] uT, float[] h, int hOff,
                               float[] c, int cOff, float[] hOut, int hOutOff, int units, int act, int ract,
                                       float[] work) {
        lstmStep(xp, xpOff, u, uT, h, hOff, c, cOff, hOut, hOutOff, units, act, ract, 0, tiles(units), work);
    }

    /** {@link #lstmStep} for the units of tiles {@code [tileFrom, tileTo)} only (the other units are not touched). */
    public abstract void lstmStep(float[] xp, int xpOff, float[] u, float[] uT, float[] h, int hOff,
                                  float[] c, int cOff, float[] hOut, int hOutOff, int units, int act, int ract,
                                  int tileFrom, int tileTo, float[] work);

    /** Tiles of a layer of {@code units} units. */
    public static int tiles(int units) { return (units + BLOCK - 1) / BLOCK; }

    /**
     * The LSTM cell on a preactivation row {@code z = xp + h·U}: updates the carry {@code c} in place,
     * writes {@code o·act(c)} to {@code hOut} (which may be the old h row) and leaves the activated
     * gates i, f, g, o in {@code z} and {@code act(c)} in {@code work[0, units)} (what {@link #lstmBackward}
     * reads).
     */
    public abstract void lstmCell(float[] z, int zOff, float[] c, int cOff, float[] hOut, int hOutOff, int units,
            int act, int ract, float[] work);

    // ------------------------------------------------------------------ SimpleRNN

    /** One SimpleRNN step: {@code hOut = act(xp + h·U)}; {@code hOut} must not overlap {@code h}. */
    public final void simpleStep(float[] xp, int xpOff, float[] u, float[] uT, float[] h, int hOff,
                                 float[] hOut, int hOutOff, int units, int act, float[] work) {
        simpleStep(xp, xpOff, u, uT, h, hOff, hOut, hOutOff, units, act, 0, tiles(units), work);
    }

    /** {@link #simpleStep} for the units of tiles {@code [tileFrom, tileTo)} only. */
    public abstract void simpleStep(float[] xp, int xpOff, float[] u, float[] uT, float[] h, int hOff,
                                    float[] hOut, int hOutOff, int units, int act, int tileFrom, int tileTo,
                                            float[] work);

    /** {@code hOut = act(z)} for a preactivation row (which may be overwritten). */
    public abstract void simpleCell(float[] z, int zOff, float[] hOut, int hOutOff, int units, int act, float[] work);

    // ------------------------------------------------------------------ GRU (gates z, r, h)

    /**
     * One GRU step with reset_after: {@code m = h·U + bRec}, {@code z = ra(xz + m_z)}, {@code r = ra(xr + m_r)},
     * {@code hh = act(xh + r·m_h)}, {@code hOut = z·h + (1−z)·hh}. {@code bRec} (panel row) may be null.
     */
    public final void gruStep(float[] xp, int xpOff, float[] u, float[] uT, float[] bRec, float[] h, int hOff,
                              float[] hOut, int hOutOff, int units, int act, int ract, float[] work) {
        gruStep(xp, xpOff, u, uT, bRec, h, hOff, hOut, hOutOff, units, act, ract, 0, tiles(units), work);
    }

    /** {@link #gruStep} for the units of tiles {@code [tileFrom, tileTo)} only. */
    public abstract void gruStep(float[] xp, int xpOff, float[] u, float[] uT, float[] bRec, float[] h, int hOff,
                                 float[] hOut, int hOutOff, int units, int act, int ract, int tileFrom, int tileTo,
                                         float[] work);

    /**
     * The reset_after GRU cell given {@code m = h·U} (without the recurrent bias {@code bRec}, which may be
     * null; {@code m} is not changed): writes the new h to {@code hOut} (which may be the h row) and
     * leaves the activated z, r and candidate hh in the {@code xp} row (what {@link #gruBackward} reads).
     */
    public abstract void gruCell(float[] xp, int xpOff, float[] m, int mOff, float[] bRec, float[] h, int hOff,
                                 float[] hOut, int hOutOff, int units, int act, int ract, float[] work);

    /**
     * One GRU step without reset_after: {@code z = ra(xz + h·U_z)}, {@code r = ra(xr + h·U_r)},
     * {@code hh = act(xh + (r·h)·U_h)}, {@code hOut = z·h + (1−z)·hh}.
     */
    public abstract void gruStepBefore(float[] xp, int xpOff, float[] u, float[] uT, float[] h, int hOff,
                                       float[] hOut, int hOutOff, int units, int act, int ract, float[] work);

    /**
     * First half of the reset_before GRU cell given {@code m = h·U}: leaves {@code z = ra(xz + m_z)} and
     * {@code r = ra(xr + m_r)} in the z and r columns of the {@code xp} row, and writes {@code r·h} to
     * {@code rh[rhOff..]} (unit order, {@code units} floats).
     */
    public abstract void gruGatesBefore(float[] xp, int xpOff, float[] m, int mOff, float[] h, int hOff,
                                        float[] rh, int rhOff, int units, int ract);

    /**
     * Second half given {@code m2 = (r·h)·U} and the {@code xp} row {@link #gruGatesBefore} left:
     * {@code hh = act(xh + m2_h)}, left in the h columns of {@code xp}, and {@code hOut = z·h + (1−z)·hh}
     * ({@code hOut} may be the h row).
     */
    public abstract void gruCandidateBefore(float[] xp, int xpOff, float[] m2, int mOff,
                                            float[] h, int hOff, float[] hOut, int hOutOff, int units, int act);

    // ------------------------------------------------------------------ backward (fused training)
    /*
     * The fused training step runs the cells above on one row per sample, in the same GatePanel layout,
     * and keeps what they leave (the activated gates); each backward below is the derivative of the cell
     * above it, for one sample. Gradient rows of preactivations ({@code dz}, {@code drec}) are panel rows,
     * padding columns written as zero; state rows are unpadded. Only the activations whose derivative
     * follows from their output run here ({@link #trains}).
     */

    /** Whether the backward methods implement activation {@code a} (the fused training path needs it). */
    public static boolean trains(Activation a) {
        return a == Activation.SIGMOID || a == Activation.TANH || a == Activation.LINEAR || a == Activation.RELU;
    }

    /**
     * Backward of {@link #lstmCell}: {@code a} the gates it left, {@code c0} the carry the step started
     * from, {@code t1} the activated new carry {@code act(c1)} it left in its work space; {@code dh} the
     * gradient of its output; {@code dc} the gradient of {@code c1}, replaced by that of {@code c0}. Writes
     * the preactivation gradients to {@code dz}. {@code work} as for the steps.
     */
    public abstract void lstmBackward(float[] a, int aOff, float[] c0, int c0Off, float[] t1, int t1Off,
            float[] dh, int dhOff, float[] dc, int dcOff, float[] dz, int dzOff, int units, int act, int ract,
            float[] work);

    /**
     * Backward of {@link #gruCell}: {@code a} the xp row it left (z, r, hh), {@code m} the recurrent
     * product it was given (bias included), {@code h0} the previous h, {@code dh} the gradient of the new
     * one. Writes the gradients of the input-side preactivations to {@code dz}, of {@code m} to
     * {@code dm}, and the direct part {@code dh·z} of the previous h's gradient to {@code dh0}.
     */
    public abstract void gruBackward(float[] a, int aOff, float[] m, int mOff, float[] h0, int h0Off,
            float[] dh, int dhOff, float[] dz, int dzOff, float[] dm, int dmOff, float[] dh0, int dh0Off,
            int units, int act, int ract);

    /**
     * Backward of {@link #gruCandidateBefore} and the z gate: from the xp row the two halves left, the
     * previous h and {@code dh}, writes the z and h preactivation gradients into {@code dz} (its r
     * columns zero) and the direct part {@code dh·z} of the previous h's gradient to {@code dh0}.
     */
    public abstract void gruBackwardBefore(float[] a, int aOff, float[] h0, int h0Off, float[] dh, int dhOff,
            float[] dz, int dzOff, float[] dh0, int dh0Off, int units, int act, int ract);

    /**
     * Backward of the reset gate of {@link #gruGatesBefore}: from {@code dq}, the gradient of
     * {@code q = r·h}, writes the r preactivation gradients into {@code dz} and adds {@code dq·r} to
     * {@code dh0}.
     */
    public abstract void gruBackwardReset(float[] a, int aOff, float[] h0, int h0Off, float[] dq, int dqOff,
            float[] dz, int dzOff, float[] dh0, int dh0Off, int units, int ract);

    /** Backward of {@link #simpleCell}: {@code dz = dh·act'} from its output {@code h1}. */
    public abstract void simpleBackward(float[] h1, int h1Off, float[] dh, int dhOff, float[] dz, int dzOff,
            int units, int act);

    /** {@code act'} from {@code y = act(x)}, for the activations {@link #trains} lists. */
    static float derivative(int code, float y) {
        return switch (code) {
            case SIGMOID -> y * (1f - y);
            case TANH -> 1f - y * y;
            case RELU -> y > 0f ? 1f : 0f;
            case LINEAR -> 1f;
            default -> throw new IllegalArgumentException("no derivative for activation code " + code);
        };
    }

    /** Whether this implementation can run on this machine (the vector one needs whole vectors per tile). */
    protected boolean usable() { return true; }

    /** Applies activation {@code code} in place, with {@link FastMath}. */
    static void activate(int code, float[] v, int off, int len) {
        switch (code) {
            case LINEAR -> { }
            case TANH -> FastMath.activate(Activation.TANH, v, off, len);
            case SIGMOID -> FastMath.activate(Activation.SIGMOID, v, off, len);
            case HARD_SIGMOID_0_2 -> FastMath.activate(Activation.HARD_SIGMOID_SLOPE_0_2, v, off, len);
            case HARD_SIGMOID_RELU6 -> FastMath.activate(Activation.HARD_SIGMOID_RELU6, v, off, len);
            case RELU -> FastMath.activate(Activation.RELU, v, off, len);
            default -> throw new IllegalArgumentException("activation code " + code);
        }
    }

    static float activate(int code, float x) {
        return switch (code) {
            case LINEAR -> x;
            case TANH -> FastMath.tanh(x);
            case SIGMOID -> FastMath.sigmoid(x);
            case HARD_SIGMOID_0_2 -> Math.max(0f, Math.min(1f, 0.2f * x + 0.5f));
            case HARD_SIGMOID_RELU6 -> Math.max(0f, Math.min(6f, x + 3f)) / 6f;
            case RELU -> Math.max(0f, x);
            default -> throw new IllegalArgumentException("activation code " + code);
        };
    }
}

package io.jkeras.layers;

import io.jkeras.kernels.Activation;
import io.jkeras.kernels.Gemm;
import io.jkeras.kernels.CellKernels;
import io.jkeras.kernels.RecurrentKernels;

import java.util.List;

/**
 * Gated recurrent unit, both Keras variants, gates in order z (update), r (reset), h (candidate).
 * Per step, with {@code xz, xr, xh} the input projection {@code x_t·W + b_in} (hoisted before the
 * loop for all t) and ra the recurrent activation:
 * <pre>
 *   reset_after=True  (Keras 3 and tf.keras 2 default, CuDNNGRU; bias (2, 3u) = [b_in; b_rec]):
 *     m = h·U + b_rec                        (all three gates)
 *     z = ra(xz + m_z)   r = ra(xr + m_r)
 *     hh = act(xh + r ⊙ m_h)
 *   reset_after=False (Keras 1, Keras 2 default; bias (3u)):
 *     z = ra(xz + h·U_z)   r = ra(xr + h·U_r)
 *     hh = act(xh + (r ⊙ h)·U_h)
 *   h = z ⊙ h + (1 − z) ⊙ hh
 * </pre>
 * as Keras' GRUCell.call. W, U and the biases are held in the {@link GatePanel} layout (3 gates);
 * with reset_after=False the recurrent product runs over the z and r columns of each tile first
 * and the h columns afterwards with r ⊙ h. State: h.
 */
public final class Gru extends Recurrent {
    @Override public <R> R accept(Visitor<R> v) { return v.visit(this); }

    static final int GATES = 3;

    private final Activation activation;
    private final Activation recurrentActivation;
    private final boolean resetAfter;
    private final GatePanel panel;
    private final float[] kernelP;          // (inputSize, width)
    private final float[] recurrentP;       // (units, width)
    private final float[] inputBiasP;       // (width) or null: the bias, or its input row with reset_after
    private final float[] recurrentBiasP;   // (width) or null: the recurrent row with reset_after
    private final int actCode;
    private final int ractCode;

    /**
     * @param kernel          (inputSize, 3·units), gates z|r|h, row-major
     * @param recurrentKernel (units, 3·units)
     * @param bias            null for use_bias=False; else (2, 3·units) row-major (input bias then
     *                        recurrent bias) when resetAfter, (3·units) otherwise
     */
    public Gru(String name, int units, int inputSize, Activation activation, Activation recurrentActivation,
               boolean resetAfter, float[] kernel, float[] recurrentKernel, float[] bias, RecurrentOptions options) {
        this(name, units, inputSize, activation, recurrentActivation, resetAfter, kernel, recurrentKernel, bias,
                options, false);
    }

    /**
     * A GRU from weights already in the {@link GatePanel} layout, as {@link #panelWeights()} gives
     * them; the arrays are taken, not copied (see {@link Lstm#fromPanel}), a reset_after bias split into
     * its two rows.
     *
     * @param kernelP    (inputSize, width)
     * @param recurrentP (units, width)
     * @param biasP      null for use_bias=False; else (2, width) when resetAfter (input row, then
     *                   recurrent row), (width) otherwise
     */
    public static Gru fromPanel(String name, int units, int inputSize, Activation activation,
            Activation recurrentActivation,
                                boolean resetAfter, float[] kernelP, float[] recurrentP, float[] biasP,
                                        RecurrentOptions options) {
        return new Gru(name, units, inputSize, activation, recurrentActivation, resetAfter, kernelP, recurrentP, biasP,
                options, true);
    }

    private Gru(String name, int units, int inputSize, Activation activation, Activation recurrentActivation,
                boolean resetAfter, float[] kernel, float[] recurrentKernel, float[] bias, RecurrentOptions options,
                        boolean panelLayout) {
        super(name, units, inputSize, options);
        this.activation = activation;
        this.recurrentActivation = recurrentActivation;
        this.resetAfter = resetAfter;
        this.panel = new GatePanel(units, GATES);
        if (panelLayout) {
            this.kernelP = panel.adopt(name, "kernel", kernel, inputSize);
            this.recurrentP = panel.adopt(name, "recurrent_kernel", recurrentKernel, units);
            if (bias == null) {
                this.inputBiasP = null;
                this.recurrentBiasP = null;
            } else if (resetAfter) {
                int w = panel.width();
                panel.adopt(name, "bias", bias, 2);
                this.inputBiasP = java.util.Arrays.copyOfRange(bias, 0, w);
                this.recurrentBiasP = java.util.Arrays.copyOfRange(bias, w, 2 * w);
            } else {
                this.inputBiasP = panel.adopt(name, "bias", bias, 1);
                this.recurrentBiasP = null;
            }
        } else {
            checkShape(name, "kernel", kernel, inputSize, GATES * units);
            checkShape(name, "recurrent_kernel", recurrentKernel, units, GATES * units);
            if (bias != null) {
                if (resetAfter) checkShape(name, "bias", bias, 2, GATES * units);
                else checkShape(name, "bias", bias, GATES * units);
            }
            this.kernelP = panel.pack(kernel, inputSize);
            this.recurrentP = panel.pack(recurrentKernel, units);
            if (bias == null) {
                this.inputBiasP = null;
                this.recurrentBiasP = null;
            } else if (resetAfter) {
                int gu = GATES * units;
                this.inputBiasP = panel.pack(java.util.Arrays.copyOfRange(bias, 0, gu), 1);
                this.recurrentBiasP = panel.pack(java.util.Arrays.copyOfRange(bias, gu, 2 * gu), 1);
            } else {
                this.inputBiasP = panel.pack(bias, 1);
                this.recurrentBiasP = null;
            }
        }
        this.actCode = activation.cellCode();
        this.ractCode = recurrentActivation.cellCode();
    }

    @Override public String typeName() { return "GRU"; }

    @Override public int stateCount() { return 1; }

    public Activation activation() { return activation; }

    public Activation recurrentActivation() { return recurrentActivation; }

    public boolean resetAfter() { return resetAfter; }

    public boolean useBias() { return inputBiasP != null; }

    @Override
    public List<Weight> weights() {
        int gu = GATES * units;
        List<Weight> w = new java.util.ArrayList<>();
        w.add(new Weight("kernel", new int[]{inputSize, gu}, panel.unpack(kernelP, inputSize)));
        w.add(new Weight("recurrent_kernel", new int[]{units, gu}, panel.unpack(recurrentP, units)));
        if (inputBiasP != null) {
            if (resetAfter) {
                float[] b = new float[2 * gu];
                System.arraycopy(panel.unpack(inputBiasP, 1), 0, b, 0, gu);
                System.arraycopy(panel.unpack(recurrentBiasP, 1), 0, b, gu, gu);
                w.add(new Weight("bias", new int[]{2, gu}, b));
            } else {
                w.add(new Weight("bias", new int[]{gu}, panel.unpack(inputBiasP, 1)));
            }
        }
        return w;
    }

    /**
     * The weights in the {@link GatePanel} layout, as the native format stores them (see
     * {@link Lstm#panelWeights()}); copies. A reset_after bias is (2, width), its input row then its
     * recurrent row.
     */
    public List<Weight> panelWeights() {
        List<Weight> w = panel.weights(kernelP.clone(), inputSize, recurrentP.clone(), resetAfter || inputBiasP == null
                ? null : inputBiasP.clone());
        if (inputBiasP != null && resetAfter) {
            float[] b = java.util.Arrays.copyOf(inputBiasP, 2 * inputBiasP.length);
            System.arraycopy(recurrentBiasP, 0, b, inputBiasP.length, recurrentBiasP.length);
            w.add(panel.matrix("bias", b, 2));
        }
        return w;
    }

    @Override
    public void encode(LayerEncoder e) {
        encodeOptions(e);
        e.activation("activation", activation);
        e.activation("recurrent_activation", recurrentActivation);
        e.put("reset_after", resetAfter);
        e.put("gates", "z|r|h");
        e.weights(panelWeights());
    }

    /** The layer {@link #encode} wrote (or format 1.x, in Keras' layout). */
    static Layer decode(LayerDecoder d) {
        int u = d.integer("units"), in = d.integer("input_size");
        boolean ra = d.bool("reset_after");
        float[][] w = decodeWeights(d, u, in, GATES, ra ? 2 : 1);
        if (d.panelLayout()) {
            return fromPanel(d.name(), u, in, d.activation("activation"), d.activation("recurrent_activation"), ra,
                    w[0], w[1], w[2], decodeOptions(d));
        }
        return new Gru(d.name(), u, in, d.activation("activation"), d.activation("recurrent_activation"), ra,
                w[0], w[1], w[2], decodeOptions(d));
    }

    @Override public long flops(int[][] in, int[][] out) { return recurrentFlops(in, GATES); }

    @Override
    public Gru withWeights(List<float[]> v) {
        return new Gru(name, units, inputSize, activation, recurrentActivation, resetAfter, v.get(0), v.get(1),
                v.size() > 2 ? v.get(2) : null, options());
    }

    @Override
    public Gru withName(String newName) {
        List<Weight> w = weights();
        return new Gru(newName, units, inputSize, activation, recurrentActivation, resetAfter, w.get(0).values(),
                w.get(1).values(), w.size() > 2 ? w.get(2).values() : null, options());
    }

    @Override
    public FusedCell fusedCell() {
        return new FusedCell(resetAfter ? FusedCell.Kind.GRU_RESET_AFTER : FusedCell.Kind.GRU_RESET_BEFORE, activation,
                recurrentActivation);
    }

    @Override protected int projectionWidth() { return panel.width(); }

    @Override protected float[] project(float[] x, int rows) {
        return Recurrent.project(x, rows, inputSize, kernelP, inputBiasP, panel.width());
    }

    @Override protected boolean fused() { return actCode >= 0 && ractCode >= 0; }

    @Override protected int gates() { return GATES; }

    @Override protected boolean splittable() { return fused() && resetAfter; }

    @Override protected void projectRows(float[] x, int xOff, int ldx, int rows, float[] xp, int xpOff, int ldxp,
            int threads) {
        Recurrent.projectRows(x, xOff, ldx, rows, inputSize, packed(panel, kernelP, recurrentP).kernel(), inputBiasP,
                panel.width(), xp, xpOff, ldxp, threads);
    }

    @Override
    protected void fusedStep(CellKernels k, float[] xp, int xpOff, float[] h, int hOff, float[] hOut, int hOutOff,
                             float[][] states, int so, int tileFrom, int tileTo, float[] work) {
        if (resetAfter) k.gruStep(xp, xpOff, recurrentP, packed(panel, kernelP, recurrentP).recurrentTiles(),
                recurrentBiasP, h, hOff, hOut, hOutOff, units, actCode, ractCode, tileFrom, tileTo, work);
        // never split: two products per step
        else k.gruStepBefore(xp, xpOff, recurrentP, packed(panel, kernelP, recurrentP).recurrentTiles(), h, hOff, hOut,
                hOutOff, units, actCode, ractCode, work);
    }

    @Override
    protected void fusedRows(CellKernels k, float[] xp, int xpOff, int xpLd, int m, float[][] states, int r0,
                             boolean[] mask, int steps, int t, float[] mwork, float[] work) {
        final int width = panel.width();
        float[] hs = states[0];
        Gemm.multiply(m, width, units, hs, r0 * units, units, packed(panel, kernelP, recurrentP).recurrent(), mwork, 0,
                width, false, 1);
        if (resetAfter) {
            for (int i = 0; i < m; i++) {
                int b = r0 + i;
                if (mask == null || mask[b * steps + t]) {
                    k.gruCell(xp, xpOff + i * xpLd, mwork, i * width, recurrentBiasP, hs, b * units, hs, b * units,
                            units, actCode, ractCode, work);
                }
            }
            return;
        }
        // reset_before: z and r (left in the xp rows) and r·h of every row next to the product, then (r·h)·U over it
        int rhOff = m * width;
        for (int i = 0; i < m; i++) {
            int b = r0 + i;
            k.gruGatesBefore(xp, xpOff + i * xpLd, mwork, i * width, hs, b * units, mwork, rhOff + i * units, units,
                    ractCode);
        }
        Gemm.multiply(m, width, units, mwork, rhOff, units, packed(panel, kernelP, recurrentP).recurrent(), mwork, 0,
                width, false, 1);
        for (int i = 0; i < m; i++) {
            int b = r0 + i;
            if (mask == null || mask[b * steps + t]) {
                k.gruCandidateBefore(xp, xpOff + i * xpLd, mwork, i * width, hs, b * units, hs, b * units, units,
                        actCode);
            }
        }
    }

    @Override protected int rowWork() { return panel.width() + (resetAfter ? 0 : units); }

    @Override
    protected void step(RecurrentKernels.Product p, float[] xp, int xpOff, float[][] states, int so, float[] z,
                        float[] scratch) {
        final int width = panel.width();
        final int tiles = panel.tiles();
        final int h = units;
        final int B = GatePanel.BLOCK;
        final int tileWidth = GATES * B;
        float[] hs = states[0];
        if (resetAfter) {
            // m = h·U + b_rec over all three gates
            java.util.Arrays.fill(z, 0, width, 0f);
            p.accumulate(hs, so, h, recurrentP, width, z);
            if (recurrentBiasP != null) {
                for (int i = 0; i < width; i++) z[i] += recurrentBiasP[i];
            }
            // z and r: x + m
            for (int j = 0; j < tiles; j++) {
                int base = j * tileWidth;
                for (int i = 0; i < 2 * B; i++) z[base + i] = xp[xpOff + base + i] + z[base + i];
            }
        } else {
            // z and r: x + h·U over the z and r columns of each tile
            for (int j = 0; j < tiles; j++) System.arraycopy(xp, xpOff + j * tileWidth, z, j * tileWidth, 2 * B);
            for (int k = 0; k < h; k++) {
                float hk = hs[so + k];
                int row = k * width;
                for (int j = 0; j < tiles; j++) Gemm.axpy(2 * B, hk, recurrentP, row + j * tileWidth, z, j * tileWidth);
            }
        }
        panel.activate(recurrentActivation, z, 0, 0, scratch);
        panel.activate(recurrentActivation, z, 0, 1, scratch);
        if (resetAfter) {
            for (int u = 0; u < h; u++) {
                int c = (u / B) * tileWidth + u % B;
                scratch[u] = xp[xpOff + c + 2 * B] + z[c + B] * z[c + 2 * B];
            }
        } else {
            // (r ⊙ h)·U_h into scratch, in unit order
            java.util.Arrays.fill(scratch, 0, h, 0f);
            for (int k = 0; k < h; k++) {
                float rh = z[(k / B) * tileWidth + B + k % B] * hs[so + k];
                int row = k * width;
                for (int j = 0; j < tiles; j++) {
                    Gemm.axpy(Math.min(B, h - j * B), rh, recurrentP, row + j * tileWidth + 2 * B, scratch, j * B);
                }
            }
            for (int u = 0; u < h; u++) {
                int c = (u / B) * tileWidth + u % B;
                scratch[u] = xp[xpOff + c + 2 * B] + scratch[u];
            }
        }
        io.jkeras.kernels.FastMath.activate(activation, scratch, 0, h);
        for (int u = 0; u < h; u++) {
            float zu = z[(u / B) * tileWidth + u % B];
            hs[so + u] = zu * hs[so + u] + (1f - zu) * scratch[u];
        }
    }
}

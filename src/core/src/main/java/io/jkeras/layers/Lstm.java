package io.jkeras.layers;

import io.jkeras.kernels.Activation;
import io.jkeras.kernels.CellKernels;
import io.jkeras.kernels.Gemm;
import io.jkeras.kernels.RecurrentKernels;

import java.util.List;

/**
 * Long short-term memory. Per step, with gates in order i, f, c, o:
 * <pre>
 *   z = x_t·W + h·U + b                  (4 gates; x_t·W + b for all t hoisted before the loop)
 *   i = ra(z_i)  f = ra(z_f)  g = act(z_c)  o = ra(z_o)
 *   c = f·c + i·g
 *   h = o·act(c)
 * </pre>
 * ra is the recurrent activation. W, U and b are held in the {@link GatePanel} layout.
 * States: h, c.
 */
public final class Lstm extends Recurrent {
    @Override public <R> R accept(Visitor<R> v) { return v.visit(this); }

    static final int GATES = 4;

    private final Activation activation;
    private final Activation recurrentActivation;
    private final GatePanel panel;
    private final float[] kernelP;      // (inputSize, width)
    private final float[] recurrentP;   // (units, width)
    private final float[] biasP;        // (width) or null
    private final int actCode;
    private final int ractCode;

    /**
     * @param kernel          (inputSize, 4·units), gates i|f|c|o, row-major
     * @param recurrentKernel (units, 4·units)
     * @param bias            (4·units) or null for use_bias=False
     */
    public Lstm(String name, int units, int inputSize, Activation activation, Activation recurrentActivation,
                float[] kernel, float[] recurrentKernel, float[] bias, RecurrentOptions options) {
        this(name, units, inputSize, activation, recurrentActivation, kernel, recurrentKernel, bias, options, false);
    }

    /**
     * An LSTM from weights already in the {@link GatePanel} layout, as {@link #panelWeights()}
     * gives them (the native format stores them so). The arrays are taken, not copied: they become the
     * layer's, and the caller must not change them afterwards.
     *
     * @param kernelP    (inputSize, width)
     * @param recurrentP (units, width)
     * @param biasP      (width) or null
     */
    public static Lstm fromPanel(String name, int units, int inputSize, Activation activation,
            Activation recurrentActivation,
                                 float[] kernelP, float[] recurrentP, float[] biasP, RecurrentOptions options) {
        return new Lstm(name, units, inputSize, activation, recurrentActivation, kernelP, recurrentP, biasP, options,
                true);
    }

    private Lstm(String name, int units, int inputSize, Activation activation, Activation recurrentActivation,
                 float[] kernel, float[] recurrentKernel, float[] bias, RecurrentOptions options, boolean panelLayout) {
        super(name, units, inputSize, options);
        this.activation = activation;
        this.recurrentActivation = recurrentActivation;
        this.panel = new GatePanel(units, GATES);
        if (panelLayout) {
            this.kernelP = panel.adopt(name, "kernel", kernel, inputSize);
            this.recurrentP = panel.adopt(name, "recurrent_kernel", recurrentKernel, units);
            this.biasP = bias == null ? null : panel.adopt(name, "bias", bias, 1);
        } else {
            checkShape(name, "kernel", kernel, inputSize, GATES * units);
            checkShape(name, "recurrent_kernel", recurrentKernel, units, GATES * units);
            if (bias != null) checkShape(name, "bias", bias, GATES * units);
            this.kernelP = panel.pack(kernel, inputSize);
            this.recurrentP = panel.pack(recurrentKernel, units);
            this.biasP = bias == null ? null : panel.pack(bias, 1);
        }
        this.actCode = activation.cellCode();
        this.ractCode = recurrentActivation.cellCode();
    }

    @Override public String typeName() { return "LSTM"; }

    @Override public int stateCount() { return 2; }

    public Activation activation() { return activation; }

    public Activation recurrentActivation() { return recurrentActivation; }

    public boolean useBias() { return biasP != null; }

    @Override
    public List<Weight> weights() {
        List<Weight> w = new java.util.ArrayList<>();
        w.add(new Weight("kernel", new int[]{inputSize, GATES * units}, panel.unpack(kernelP, inputSize)));
        w.add(new Weight("recurrent_kernel", new int[]{units, GATES * units}, panel.unpack(recurrentP, units)));
        if (biasP != null) w.add(new Weight("bias", new int[]{GATES * units}, panel.unpack(biasP, 1)));
        return w;
    }

    /**
     * The weights as the layer holds them, in the {@link GatePanel} layout ({@code kernel}
     * (inputSize, width), {@code recurrent_kernel} (units, width), {@code bias} (width)): what the
     * native format stores; copies.
     */
    public List<Weight> panelWeights() {
        return panel.weights(kernelP.clone(), inputSize, recurrentP.clone(), biasP == null ? null : biasP.clone());
    }

    @Override
    public void encode(LayerEncoder e) {
        encodeOptions(e);
        e.activation("activation", activation);
        e.activation("recurrent_activation", recurrentActivation);
        e.put("gates", "i|f|c|o");
        e.weights(panelWeights());
    }

    /** The layer {@link #encode} wrote (or format 1.x, in Keras' layout). */
    static Layer decode(LayerDecoder d) {
        int u = d.integer("units"), in = d.integer("input_size");
        float[][] w = decodeWeights(d, u, in, GATES, 1);
        if (d.panelLayout()) {
            return fromPanel(d.name(), u, in, d.activation("activation"), d.activation("recurrent_activation"),
                    w[0], w[1], w[2], decodeOptions(d));
        }
        return new Lstm(d.name(), u, in, d.activation("activation"), d.activation("recurrent_activation"),
                w[0], w[1], w[2], decodeOptions(d));
    }

    @Override public long flops(int[][] in, int[][] out) { return recurrentFlops(in, GATES); }

    @Override
    public Lstm withWeights(List<float[]> v) {
        return new Lstm(name, units, inputSize, activation, recurrentActivation, v.get(0), v.get(1),
                v.size() > 2 ? v.get(2) : null, options());
    }

    @Override
    public Lstm withName(String newName) {
        List<Weight> w = weights();
        return new Lstm(newName, units, inputSize, activation, recurrentActivation, w.get(0).values(),
                w.get(1).values(), w.size() > 2 ? w.get(2).values() : null, options());
    }

    @Override
    public FusedCell fusedCell() { return new FusedCell(FusedCell.Kind.LSTM, activation, recurrentActivation); }

    @Override protected int projectionWidth() { return panel.width(); }

    @Override protected float[] project(float[] x, int rows) {
        return Recurrent.project(x, rows, inputSize, kernelP, biasP, panel.width());
    }

    @Override protected boolean fused() { return actCode >= 0 && ractCode >= 0; }

    @Override protected int gates() { return GATES; }

    @Override protected void projectRows(float[] x, int xOff, int ldx, int rows, float[] xp, int xpOff, int ldxp,
            int threads) {
        Recurrent.projectRows(x, xOff, ldx, rows, inputSize, packed(panel, kernelP, recurrentP).kernel(), biasP,
                panel.width(), xp, xpOff, ldxp, threads);
    }

    @Override
    protected void fusedStep(CellKernels k, float[] xp, int xpOff, float[] h, int hOff, float[] hOut, int hOutOff,
                             float[][] states, int so, int tileFrom, int tileTo, float[] work) {
        k.lstmStep(xp, xpOff, recurrentP, packed(panel, kernelP, recurrentP).recurrentTiles(), h, hOff, states[1], so,
                hOut, hOutOff, units, actCode, ractCode, tileFrom, tileTo, work);
    }

    @Override
    protected void fusedRows(CellKernels k, float[] xp, int xpOff, int xpLd, int m, float[][] states, int r0,
                             boolean[] mask, int steps, int t, float[] mwork, float[] work) {
        final int width = panel.width();
        float[] hs = states[0];
        Gemm.multiply(m, width, units, hs, r0 * units, units, packed(panel, kernelP, recurrentP).recurrent(), xp, xpOff,
                xpLd, true, 1);
        for (int i = 0; i < m; i++) {
            int b = r0 + i;
            if (mask == null || mask[b * steps + t]) {
                k.lstmCell(xp, xpOff + i * xpLd, states[1], b * units, hs, b * units, units, actCode, ractCode, work);
            }
        }
    }

    @Override
    protected void step(RecurrentKernels.Product p, float[] xp, int xpOff, float[][] states, int so, float[] z,
                        float[] scratch) {
        final int width = panel.width();
        final int h = units;
        float[] hs = states[0];
        float[] cs = states[1];
        System.arraycopy(xp, xpOff, z, 0, width);
        p.accumulate(hs, so, h, recurrentP, width, z);
        panel.activate(recurrentActivation, z, 0, 0, scratch);
        panel.activate(recurrentActivation, z, 0, 1, scratch);
        panel.activate(activation, z, 0, 2, scratch);
        panel.activate(recurrentActivation, z, 0, 3, scratch);
        for (int u = 0; u < h; u++) {
            int base = (u / GatePanel.BLOCK) * GATES * GatePanel.BLOCK + u % GatePanel.BLOCK;
            float c = z[base + GatePanel.BLOCK] * cs[so + u] + z[base] * z[base + 2 * GatePanel.BLOCK];
            cs[so + u] = c;
            scratch[u] = c;
        }
        io.jkeras.kernels.FastMath.activate(activation, scratch, 0, h);
        for (int u = 0; u < h; u++) {
            int base = (u / GatePanel.BLOCK) * GATES * GatePanel.BLOCK + u % GatePanel.BLOCK;
            hs[so + u] = z[base + 3 * GatePanel.BLOCK] * scratch[u];
        }
    }
}

package io.jkeras.layers;

import io.jkeras.kernels.Activation;
import io.jkeras.kernels.CellKernels;
import io.jkeras.kernels.Gemm;
import io.jkeras.kernels.RecurrentKernels;

import java.util.List;

/**
 * Fully connected recurrence: {@code h = act(x_t·W + b + h·U)}, with x_t·W + b for all t hoisted
 * before the time loop. One gate, so the {@link GatePanel} layout is the plain column order padded
 * to whole tiles. State: h.
 */
public final class SimpleRnn extends Recurrent {
    @Override public <R> R accept(Visitor<R> v) { return v.visit(this); }

    private final Activation activation;
    private final GatePanel panel;
    private final float[] kernelP;
    private final float[] recurrentP;
    private final float[] biasP;
    private final int actCode;

    public SimpleRnn(String name, int units, int inputSize, Activation activation,
                     float[] kernel, float[] recurrentKernel, float[] bias, RecurrentOptions options) {
        this(name, units, inputSize, activation, kernel, recurrentKernel, bias, options, false);
    }

    /**
     * A SimpleRNN from weights already in the {@link GatePanel} layout (one gate: columns padded to
     * whole tiles), as {@link #panelWeights()} gives them; the arrays are taken, not copied (see
     * {@link Lstm#fromPanel}).
     */
    public static SimpleRnn fromPanel(String name, int units, int inputSize, Activation activation,
                                      float[] kernelP, float[] recurrentP, float[] biasP, RecurrentOptions options) {
        return new SimpleRnn(name, units, inputSize, activation, kernelP, recurrentP, biasP, options, true);
    }

    private SimpleRnn(String name, int units, int inputSize, Activation activation,
                      float[] kernel, float[] recurrentKernel, float[] bias, RecurrentOptions options,
                              boolean panelLayout) {
        super(name, units, inputSize, options);
        this.activation = activation;
        this.panel = new GatePanel(units, 1);
        if (panelLayout) {
            this.kernelP = panel.adopt(name, "kernel", kernel, inputSize);
            this.recurrentP = panel.adopt(name, "recurrent_kernel", recurrentKernel, units);
            this.biasP = bias == null ? null : panel.adopt(name, "bias", bias, 1);
        } else {
            checkShape(name, "kernel", kernel, inputSize, units);
            checkShape(name, "recurrent_kernel", recurrentKernel, units, units);
            if (bias != null) checkShape(name, "bias", bias, units);
            this.kernelP = panel.pack(kernel, inputSize);
            this.recurrentP = panel.pack(recurrentKernel, units);
            this.biasP = bias == null ? null : panel.pack(bias, 1);
        }
        this.actCode = activation.cellCode();
    }

    @Override public String typeName() { return "SimpleRNN"; }

    @Override public int stateCount() { return 1; }

    public Activation activation() { return activation; }

    public boolean useBias() { return biasP != null; }

    @Override
    public List<Weight> weights() {
        List<Weight> w = new java.util.ArrayList<>();
        w.add(new Weight("kernel", new int[]{inputSize, units}, panel.unpack(kernelP, inputSize)));
        w.add(new Weight("recurrent_kernel", new int[]{units, units}, panel.unpack(recurrentP, units)));
        if (biasP != null) w.add(new Weight("bias", new int[]{units}, panel.unpack(biasP, 1)));
        return w;
    }

    /**
     * The weights in the {@link GatePanel} layout, as the native format stores them (see {@link Lstm#panelWeights()});
     * copies.
     */
    public List<Weight> panelWeights() {
        return panel.weights(kernelP.clone(), inputSize, recurrentP.clone(), biasP == null ? null : biasP.clone());
    }

    @Override
    public void encode(LayerEncoder e) {
        encodeOptions(e);
        e.activation("activation", activation);
        e.put("gates", "h");
        e.weights(panelWeights());
    }

    /** The layer {@link #encode} wrote (or format 1.x, in Keras' layout). */
    static Layer decode(LayerDecoder d) {
        int u = d.integer("units"), in = d.integer("input_size");
        float[][] w = decodeWeights(d, u, in, 1, 1);
        if (d.panelLayout()) {
            return fromPanel(d.name(), u, in, d.activation("activation"), w[0], w[1], w[2], decodeOptions(d));
        }
        return new SimpleRnn(d.name(), u, in, d.activation("activation"), w[0], w[1], w[2], decodeOptions(d));
    }

    @Override public long flops(int[][] in, int[][] out) { return recurrentFlops(in, 1); }

    @Override
    public SimpleRnn withWeights(List<float[]> v) {
        return new SimpleRnn(name, units, inputSize, activation, v.get(0), v.get(1), v.size() > 2 ? v.get(2) : null,
                options());
    }

    @Override
    public SimpleRnn withName(String newName) {
        List<Weight> w = weights();
        return new SimpleRnn(newName, units, inputSize, activation, w.get(0).values(), w.get(1).values(),
                w.size() > 2 ? w.get(2).values() : null, options());
    }

    @Override public FusedCell fusedCell() { return new FusedCell(FusedCell.Kind.SIMPLE_RNN, activation, activation); }

    @Override protected int projectionWidth() { return panel.width(); }

    @Override protected float[] project(float[] x, int rows) {
        return Recurrent.project(x, rows, inputSize, kernelP, biasP, panel.width());
    }

    @Override protected boolean fused() { return actCode >= 0; }

    @Override protected int gates() { return 1; }

    @Override protected void projectRows(float[] x, int xOff, int ldx, int rows, float[] xp, int xpOff, int ldxp,
            int threads) {
        Recurrent.projectRows(x, xOff, ldx, rows, inputSize, packed(panel, kernelP, recurrentP).kernel(), biasP,
                panel.width(), xp, xpOff, ldxp, threads);
    }

    @Override
    protected void fusedStep(CellKernels k, float[] xp, int xpOff, float[] h, int hOff, float[] hOut, int hOutOff,
                             float[][] states, int so, int tileFrom, int tileTo, float[] work) {
        k.simpleStep(xp, xpOff, recurrentP, packed(panel, kernelP, recurrentP).recurrentTiles(), h, hOff, hOut, hOutOff,
                units, actCode, tileFrom, tileTo, work);
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
            if (mask == null || mask[b * steps + t]) k.simpleCell(xp, xpOff + i * xpLd, hs, b * units, units, actCode,
                    work);
        }
    }

    @Override
    protected void step(RecurrentKernels.Product p, float[] xp, int xpOff, float[][] states, int so, float[] z,
                        float[] scratch) {
        final int width = panel.width();
        final int h = units;
        float[] hs = states[0];
        System.arraycopy(xp, xpOff, z, 0, width);
        p.accumulate(hs, so, h, recurrentP, width, z);
        // one gate: the panel column of unit u is u itself
        System.arraycopy(z, 0, hs, so, h);
        io.jkeras.kernels.FastMath.activate(activation, hs, so, h);
    }
}

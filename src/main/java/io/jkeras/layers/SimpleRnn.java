package io.jkeras.layers;

import io.jkeras.kernels.Activation;
import io.jkeras.kernels.RecurrentKernels;

import java.util.List;

/**
 * Fully connected recurrence: {@code h = act(x_t·W + b + h·U)}, with x_t·W + b for all t hoisted
 * before the time loop. One gate, so the {@link GatePanel} layout is the plain column order padded
 * to whole tiles. State: h.
 */
public final class SimpleRnn extends Recurrent {
    private final Activation activation;
    private final GatePanel panel;
    private final float[] kernelP;
    private final float[] recurrentP;
    private final float[] biasP;

    public SimpleRnn(String name, int units, int inputSize, Activation activation,
                     float[] kernel, float[] recurrentKernel, float[] bias, RecurrentOptions options) {
        super(name, units, inputSize, options);
        checkShape(name, "kernel", kernel, inputSize, units);
        checkShape(name, "recurrent_kernel", recurrentKernel, units, units);
        if (bias != null) checkShape(name, "bias", bias, units);
        this.activation = activation;
        this.panel = new GatePanel(units, 1);
        this.kernelP = panel.pack(kernel, inputSize);
        this.recurrentP = panel.pack(recurrentKernel, units);
        this.biasP = bias == null ? null : panel.pack(bias, 1);
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

    @Override protected int projectionWidth() { return panel.width(); }

    @Override protected float[] project(float[] x, int rows) {
        return Recurrent.project(x, rows, inputSize, kernelP, biasP, panel.width());
    }

    @Override
    protected void step(float[] xp, int xpOff, float[][] states, int so, float[] z, float[] scratch) {
        final int width = panel.width();
        final int h = units;
        float[] hs = states[0];
        System.arraycopy(xp, xpOff, z, 0, width);
        RecurrentKernels.BEST.accumulate(hs, so, h, recurrentP, width, z);
        // one gate: the panel column of unit u is u itself
        System.arraycopy(z, 0, hs, so, h);
        io.jkeras.kernels.FastMath.activate(activation, hs, so, h);
    }
}

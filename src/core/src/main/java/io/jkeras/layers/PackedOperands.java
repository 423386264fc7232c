package io.jkeras.layers;

import io.jkeras.kernels.CellKernels;
import io.jkeras.kernels.Gemm;

/**
 * A recurrent layer's {@link GatePanel} weights in the forms the fast kernels read: the input and
 * recurrent kernels packed for {@link Gemm} (batched products) and the recurrent kernel tile by
 * tile (the fused batch-1 step). Each form is made on first use, not when the layer is built, so
 * that loading a model stays cheap; a race between two first uses only makes equal copies.
 */
final class PackedOperands {
    private final int inputSize;
    private final int units;
    private final int gates;
    private final int width;
    private final float[] kernelP;
    private final float[] recurrentP;
    private volatile Gemm.PackedB kernel;
    private volatile Gemm.PackedB recurrent;
    private volatile float[] recurrentTiles;

    PackedOperands(GatePanel panel, int inputSize, float[] kernelP, float[] recurrentP) {
        this.inputSize = inputSize;
        this.units = panel.units();
        this.gates = panel.gates();
        this.width = panel.width();
        this.kernelP = kernelP;
        this.recurrentP = recurrentP;
    }

    /** The input kernel (inputSize × width) packed for {@link Gemm#multiply}. */
    Gemm.PackedB kernel() {
        Gemm.PackedB p = kernel;
        if (p == null) kernel = p = Gemm.pack(inputSize, width, kernelP, 0, width);
        return p;
    }

    /** The recurrent kernel (units × width) packed for {@link Gemm#multiply}. */
    Gemm.PackedB recurrent() {
        Gemm.PackedB p = recurrent;
        if (p == null) recurrent = p = Gemm.pack(units, width, recurrentP, 0, width);
        return p;
    }

    /** The recurrent kernel tile by tile ({@link CellKernels#tileMajor}). */
    float[] recurrentTiles() {
        float[] t = recurrentTiles;
        if (t == null) recurrentTiles = t = CellKernels.tileMajor(recurrentP, units, gates);
        return t;
    }
}

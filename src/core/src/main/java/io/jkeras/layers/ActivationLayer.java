package io.jkeras.layers;

import io.jkeras.kernels.Activation;
import io.jkeras.tensor.Tensor;

import java.util.List;

/** Applies an activation over the last axis. */
public final class ActivationLayer implements Layer {
    @Override public <R> R accept(Visitor<R> v) { return v.visit(this); }

    private final String name;
    private final Activation activation;

    public ActivationLayer(String name, Activation activation) {
        this.name = name;
        this.activation = activation;
    }

    public Activation activation() { return activation; }

    @Override public String name() { return name; }

    @Override public String typeName() { return "Activation"; }

    @Override
    public int[][] outputShapes(int[][] in) {
        Shapes.expectInputs(name, in, 1, 1);
        int[] out = in[0].clone();
        if (out.length > 0 && out[out.length - 1] >= 0) out[out.length - 1] = activation.outputWidth(
                out[out.length - 1]);
        return new int[][]{out};
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, float[][] state) {
        Tensor x = inputs[0];
        float[] y = x.data().clone();
        int last = x.rank() == 1 ? x.size() : x.dim(-1);
        if (last > 0) for (int off = 0; off < y.length; off += last) activation.apply(y, off, last);
        int width = activation.outputWidth(last);
        if (width == last) return new Tensor[]{new Tensor(x.shape(), y, x.mask())};
        int[] shape = x.shape();
        shape[shape.length - 1] = width;
        return new Tensor[]{new Tensor(shape, compact(y, last == 0 ? 0 : y.length / last, last, width), x.mask())};
    }

    /** The input copied into {@code out[0]} and activated there (an activation that keeps the width). */
    @Override
    public void forwardInto(Tensor[] inputs, float[][] state, Tensor[] out) {
        Tensor x = inputs[0];
        int last = x.rank() == 1 ? x.size() : x.dim(-1);
        if (activation.outputWidth(last) != last) {
            Shapes.copyOutputs(name, forward(inputs, state), out);
            return;
        }
        Shapes.copyInput(name, x, out);
        float[] y = out[0].data();
        if (last > 0) for (int off = 0; off < y.length; off += last) activation.apply(y, off, last);
    }

    /** Keeps the first {@code width} values of each row of {@code rows × last}. */
    static float[] compact(float[] y, int rows, int last, int width) {
        float[] out = new float[rows * width];
        for (int r = 0; r < rows; r++) System.arraycopy(y, r * last, out, r * width, width);
        return out;
    }

    @Override public List<Weight> weights() { return List.of(); }

    @Override public void encode(LayerEncoder e) { e.activation("activation", activation); }

    static Layer decode(LayerDecoder d) { return new ActivationLayer(d.name(), d.activation("activation")); }

    @Override public long flops(int[][] in, int[][] out) { return 0; }

    @Override public int vocabulary() { return 0; }

    @Override public Layer withWeights(List<float[]> values) { return this; }
}

package io.jkeras.layers;

import io.jkeras.tensor.Tensor;

import java.util.List;

/** Flattens every sample to one axis (row-major, as Keras' channels_last Flatten). */
public final class Flatten implements Layer {
    @Override public <R> R accept(Visitor<R> v) { return v.visit(this); }

    private final String name;

    public Flatten(String name) { this.name = name; }

    @Override public String name() { return name; }

    @Override public String typeName() { return "Flatten"; }

    @Override
    public int[][] outputShapes(int[][] in) {
        Shapes.expectInputs(name, in, 1, 1);
        for (int d : in[0]) if (d < 0) return new int[][]{{-1}};
        return new int[][]{{Shapes.product(name, in[0], 0)}};
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, float[][] state) {
        Tensor x = inputs[0];
        int b = x.dim(0);
        return new Tensor[]{x.reshape(b, b == 0 ? 0 : x.size() / b)};
    }

    @Override public List<Weight> weights() { return List.of(); }

    @Override public void encode(LayerEncoder e) {}

    static Layer decode(LayerDecoder d) { return new Flatten(d.name()); }

    @Override public long flops(int[][] in, int[][] out) { return 0; }

    @Override public int vocabulary() { return 0; }

    @Override public Layer withWeights(List<float[]> values) { return this; }
}

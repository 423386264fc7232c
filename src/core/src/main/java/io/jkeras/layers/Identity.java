package io.jkeras.layers;

import io.jkeras.tensor.Tensor;

import java.util.List;

/**
 * A layer that passes its input through unchanged at inference: Dropout (and its variants),
 * which only act while training.
 */
public final class Identity implements Layer {
    @Override public <R> R accept(Visitor<R> v) { return v.visit(this); }

    private final String name;
    private final String typeName;

    public Identity(String name, String typeName) {
        this.name = name;
        this.typeName = typeName;
    }

    @Override public String name() { return name; }

    @Override public String typeName() { return typeName; }

    @Override
    public int[][] outputShapes(int[][] in) {
        Shapes.expectInputs(name, in, 1, 1);
        return new int[][]{in[0].clone()};
    }

    @Override public Tensor[] forward(Tensor[] inputs, float[][] state) { return new Tensor[]{inputs[0]}; }

    @Override public List<Weight> weights() { return List.of(); }

    @Override public void encode(LayerEncoder e) { e.put("type_name", typeName); }

    static Layer decode(LayerDecoder d) { return new Identity(d.name(), d.string("type_name")); }

    @Override public long flops(int[][] in, int[][] out) { return 0; }

    @Override public int vocabulary() { return 0; }

    @Override public Layer withWeights(List<float[]> values) { return this; }
}

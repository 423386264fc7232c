package io.jkeras.layers;

import io.jkeras.tensor.Tensor;

import java.util.List;

/** A model input: its declared shape (without batch, -1 for unknown) and optional fixed batch size. */
public final class InputLayer implements Layer {
    @Override public <R> R accept(Visitor<R> v) { return v.visit(this); }

    private final String name;
    private final int[] shape;
    private final int batchSize;
    private final boolean integer;

    /**
     * @param batchSize the fixed batch size, or -1
     * @param integer   whether the input holds integer ids (e.g. for Embedding)
     */
    public InputLayer(String name, int[] shape, int batchSize, boolean integer) {
        this.name = name;
        this.shape = shape.clone();
        this.batchSize = batchSize;
        this.integer = integer;
    }

    public int[] shape() { return shape.clone(); }

    /** The rank of {@link #shape()} (without batch). */
    public int rank() { return shape.length; }

    /** Dimension {@code d} of {@link #shape()} (without batch; -1: unknown), without a copy. */
    public int dim(int d) { return shape[d]; }

    public int batchSize() { return batchSize; }

    public boolean integer() { return integer; }

    @Override public String name() { return name; }

    @Override public String typeName() { return "InputLayer"; }

    @Override public int[][] outputShapes(int[][] in) { return new int[][]{shape.clone()}; }

    @Override public Tensor[] forward(Tensor[] inputs, float[][] state) { return new Tensor[]{inputs[0]}; }

    /** Copies the input into {@code out[0]}. */
    @Override
    public void forwardInto(Tensor[] inputs, float[][] state, Tensor[] out) { Shapes.copyInput(name, inputs[0], out); }

    @Override public List<Weight> weights() { return List.of(); }

    @Override
    public void encode(LayerEncoder e) {
        e.put("shape", shape);
        e.put("batch_size", batchSize);
        e.put("integer", integer);
    }

    static Layer decode(LayerDecoder d) {
        return new InputLayer(d.name(), d.ints("shape"), d.integer("batch_size"), d.bool("integer"));
    }

    @Override public long flops(int[][] in, int[][] out) { return 0; }

    @Override public int vocabulary() { return 0; }

    @Override public Layer withWeights(List<float[]> values) { return this; }
}

package io.jkeras.layers;

import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * A layer that passes its input through unchanged at inference: Dropout (and its variants),
 * which only act while training. {@link #noiseShape()} is the shape of the random draw while
 * training, as Keras' {@code noise_shape} (SpatialDropout's is derived from its data format).
 */
public final class Identity implements Layer {
    @Override public <R> R accept(Visitor<R> v) { return v.visit(this); }

    private final String name;
    private final String typeName;
    private final int[] noiseShape;

    public Identity(String name, String typeName) { this(name, typeName, null); }

    /**
     * @param noiseShape one entry per input axis, the batch axis first: -1 draws per element of that axis, 1 draws
     *                   once and shares it along the axis; null draws per element everywhere
     */
    public Identity(String name, String typeName, int[] noiseShape) {
        this.name = name;
        this.typeName = typeName;
        if (noiseShape != null) {
            for (int d : noiseShape) {
                if (d != -1 && d < 1) throw new UnsupportedModelException(null, name, null, "noise_shape entry "
                        + d + "; allowed: -1 (the input's size) or a size ≥ 1");
            }
        }
        this.noiseShape = noiseShape == null ? null : noiseShape.clone();
    }

    @Override public String name() { return name; }

    @Override public String typeName() { return typeName; }

    /** The training-time draw's shape (batch axis first; -1: the input's size), or null: the input's shape. */
    public int[] noiseShape() { return noiseShape == null ? null : noiseShape.clone(); }

    @Override
    public int[][] outputShapes(int[][] in) {
        Shapes.expectInputs(name, in, 1, 1);
        if (noiseShape != null && noiseShape.length != in[0].length + 1) {
            throw new UnsupportedModelException(null, name, null, "noise_shape " + Arrays.toString(noiseShape)
                    + " has " + noiseShape.length + " axes; the input " + Tensor.shapeString(in[0]) + " has "
                    + (in[0].length + 1) + " with the batch axis");
        }
        for (int i = 1; noiseShape != null && i < noiseShape.length; i++) {
            int d = in[0][i - 1], n = noiseShape[i];
            if (n != -1 && n != 1 && d != -1 && n != d) {
                throw new UnsupportedModelException(null, name, null, "noise_shape " + Arrays.toString(noiseShape)
                        + ": axis " + i + " is " + n + " where the input " + Tensor.shapeString(in[0]) + " has " + d
                        + "; allowed: None, 1 or " + d);
            }
        }
        return new int[][]{in[0].clone()};
    }

    @Override public Tensor[] forward(Tensor[] inputs, float[][] state) { return new Tensor[]{inputs[0]}; }

    /** Copies the input into {@code out[0]}. */
    @Override
    public void forwardInto(Tensor[] inputs, float[][] state, Tensor[] out) { Shapes.copyInput(name, inputs[0], out); }

    @Override public List<Weight> weights() { return List.of(); }

    @Override public void encode(LayerEncoder e) { e.put("type_name", typeName); }

    static Layer decode(LayerDecoder d) { return new Identity(d.name(), d.string("type_name")); }

    @Override public long flops(int[][] in, int[][] out) { return 0; }

    @Override public int vocabulary() { return 0; }

    @Override public Layer withWeights(List<float[]> values) { return this; }
}

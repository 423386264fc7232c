package io.jkeras.layers;

import io.jkeras.tensor.Tensor;

import java.util.List;

/**
 * Keras Masking: a timestep whose features all equal {@code maskValue} is masked; the output is the
 * input with masked timesteps set to zero (input × mask, as Keras computes it), carrying the mask.
 */
public final class Masking implements Layer {
    @Override public <R> R accept(Visitor<R> v) { return v.visit(this); }

    private final String name;
    private final float maskValue;

    public Masking(String name, float maskValue) {
        this.name = name;
        this.maskValue = maskValue;
    }

    @Override public String name() { return name; }

    @Override public String typeName() { return "Masking"; }

    /** The value whose all-equal timesteps are masked. */
    public float maskValue() { return maskValue; }

    @Override
    public int[][] outputShapes(int[][] in) {
        Shapes.expectInputs(name, in, 1, 1);
        if (in[0].length < 2) {
            throw new io.jkeras.exceptions.UnsupportedModelException(null, name, null,
                    "expects input (batch, timesteps, features), got rank " + (in[0].length + 1));
        }
        return new int[][]{in[0].clone()};
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, float[][] state) {
        Tensor x = inputs[0];
        int b = x.dim(0), t = x.dim(1);
        int f = b * t == 0 ? 0 : x.size() / (b * t);
        float[] d = x.data();
        float[] y = new float[d.length];
        boolean[] mask = new boolean[b * t];
        for (int i = 0; i < b * t; i++) {
            boolean keep = false;
            for (int j = 0; j < f && !keep; j++) keep = d[i * f + j] != maskValue;
            mask[i] = keep;
            if (keep) System.arraycopy(d, i * f, y, i * f, f);
            else for (int j = 0; j < f; j++) y[i * f + j] = d[i * f + j] * 0f;
        }
        return new Tensor[]{new Tensor(x.shape(), y, mask)};
    }

    @Override public List<Weight> weights() { return List.of(); }

    @Override public void encode(LayerEncoder e) { e.putFloat("mask_value", maskValue); }

    static Layer decode(LayerDecoder d) { return new Masking(d.name(), d.floatValue("mask_value")); }

    @Override public long flops(int[][] in, int[][] out) { return 0; }

    @Override public int vocabulary() { return 0; }

    @Override public Layer withWeights(List<float[]> values) { return this; }
}

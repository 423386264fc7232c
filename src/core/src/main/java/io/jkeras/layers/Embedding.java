package io.jkeras.layers;

import io.jkeras.exceptions.InputException;
import io.jkeras.tensor.Tensor;

import java.util.List;

/**
 * Looks up rows of {@code embeddings (inputDim, outputDim)} for integer ids: (batch, …) →
 * (batch, …, outputDim). With {@code maskZero}, id 0 marks padding: the output carries a mask that
 * is false where the id is 0 (Keras {@code mask_zero=True}).
 */
public final class Embedding implements Layer {
    @Override public <R> R accept(Visitor<R> v) { return v.visit(this); }

    private final String name;
    private final int inputDim;
    private final int outputDim;
    private final boolean maskZero;
    private final float[] embeddings;

    public Embedding(String name, int inputDim, int outputDim, boolean maskZero, float[] embeddings) {
        this.name = name;
        this.inputDim = inputDim;
        this.outputDim = outputDim;
        this.maskZero = maskZero;
        Recurrent.checkShape(name, "embeddings", embeddings, inputDim, outputDim);
        this.embeddings = embeddings.clone();
    }

    @Override public String name() { return name; }

    @Override public String typeName() { return "Embedding"; }

    public boolean maskZero() { return maskZero; }

    /** The vocabulary size: ids run from 0 to inputDim - 1. */
    public int inputDim() { return inputDim; }

    @Override
    public int[][] outputShapes(int[][] in) {
        Shapes.expectInputs(name, in, 1, 1);
        int[] out = new int[in[0].length + 1];
        System.arraycopy(in[0], 0, out, 0, in[0].length);
        out[out.length - 1] = outputDim;
        return new int[][]{out};
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, float[][] state) {
        Tensor x = inputs[0];
        float[] ids = x.data();
        float[] y = new float[ids.length * outputDim];
        boolean[] mask = maskZero && x.rank() == 2 ? new boolean[ids.length] : null;
        for (int i = 0; i < ids.length; i++) {
            float v = ids[i];
            int id = (int) v;
            if (v != id || id < 0 || id >= inputDim) {
                throw new InputException(null, name, null, "id " + v + " at flat index " + i + " of input "
                        + Tensor.shapeString(x.shape()) + " is not an integer in [0, " + inputDim + ")");
            }
            System.arraycopy(embeddings, id * outputDim, y, i * outputDim, outputDim);
            if (mask != null) mask[i] = id != 0;
        }
        int[] s = x.shape();
        int[] out = new int[s.length + 1];
        System.arraycopy(s, 0, out, 0, s.length);
        out[s.length] = outputDim;
        return new Tensor[]{new Tensor(out, y, mask)};
    }

    @Override
    public List<Weight> weights() {
        return List.of(new Weight("embeddings", new int[]{inputDim, outputDim}, embeddings.clone()));
    }

    @Override
    public void encode(LayerEncoder e) {
        e.put("mask_zero", maskZero);
        e.weights(weights());
    }

    static Layer decode(LayerDecoder d) {
        Weight w = d.weight("embeddings", 2);
        d.expectNoOtherWeights("embeddings");
        return new Embedding(d.name(), w.shape()[0], w.shape()[1], d.bool("mask_zero"), w.values());
    }

    /** A lookup: no products. */
    @Override public long flops(int[][] in, int[][] out) { return 0; }

    @Override public int vocabulary() { return inputDim; }

    @Override
    public Layer withWeights(List<float[]> values) {
        return new Embedding(name, inputDim, outputDim, maskZero, values.get(0));
    }
}

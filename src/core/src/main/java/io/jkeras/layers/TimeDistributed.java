package io.jkeras.layers;

import io.jkeras.exceptions.InputException;
import io.jkeras.tensor.Tensor;

import java.util.List;

/** Applies an inner layer to every timestep: (batch, T, ...) is run as (batch·T, ...). */
public final class TimeDistributed implements Layer {
    @Override public <R> R accept(Visitor<R> v) { return v.visit(this); }

    private final String name;
    private final Layer inner;

    public TimeDistributed(String name, Layer inner) {
        this.name = name;
        this.inner = inner;
    }

    public Layer inner() { return inner; }

    @Override public String name() { return name; }

    @Override public String typeName() { return "TimeDistributed"; }

    @Override
    public int[][] outputShapes(int[][] in) {
        Shapes.expectInputs(name, in, 1, 1);
        if (in[0].length < 2) {
            throw new io.jkeras.exceptions.UnsupportedModelException(null, name, null,
                    "expects input (batch, timesteps, ...), got (None, " + Shapes.inner(in[0]) + ")");
        }
        int[] step = java.util.Arrays.copyOfRange(in[0], 1, in[0].length);
        int[][] innerOut = inner.outputShapes(new int[][]{step});
        int[][] out = new int[innerOut.length][];
        for (int i = 0; i < innerOut.length; i++) {
            out[i] = new int[innerOut[i].length + 1];
            out[i][0] = in[0][0];
            System.arraycopy(innerOut[i], 0, out[i], 1, innerOut[i].length);
        }
        return out;
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, float[][] state) {
        Tensor x = inputs[0];
        if (x.rank() < 3) throw new InputException(null, name, null, "expects (batch, timesteps, ...), got "
                + Tensor.shapeString(x.shape()));
        int[] s = x.shape();
        int[] flat = new int[s.length - 1];
        flat[0] = s[0] * s[1];
        System.arraycopy(s, 2, flat, 1, s.length - 2);
        Tensor[] r = inner.forward(new Tensor[]{x.reshape(flat)}, null);
        Tensor[] out = new Tensor[r.length];
        for (int i = 0; i < r.length; i++) {
            int[] rs = r[i].shape();
            int[] os = new int[rs.length + 1];
            os[0] = s[0];
            os[1] = s[1];
            System.arraycopy(rs, 1, os, 2, rs.length - 1);
            out[i] = new Tensor(os, r[i].data(), x.mask());
        }
        return out;
    }

    @Override public List<Weight> weights() { return inner.weights(); }

    @Override public long nonTrainableParamCount() { return inner.nonTrainableParamCount(); }

    @Override public void encode(LayerEncoder e) { e.layer("inner", inner); }

    static Layer decode(LayerDecoder d) {
        d.expectNoOtherWeights();
        return new TimeDistributed(d.name(), d.layer("inner"));
    }

    /** The inner layer's, once per time step. */
    @Override
    public long flops(int[][] in, int[][] out) {
        int[] s = in[0];
        int[][] innerIn = {java.util.Arrays.copyOfRange(s, 1, s.length)};
        return (long) s[0] * inner.flops(innerIn, inner.outputShapes(innerIn));
    }

    @Override public int vocabulary() { return inner.vocabulary(); }

    @Override
    public Layer withWeights(List<float[]> values) { return new TimeDistributed(name, inner.withWeights(values)); }
}

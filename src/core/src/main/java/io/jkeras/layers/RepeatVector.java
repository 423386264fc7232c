package io.jkeras.layers;

import io.jkeras.exceptions.InputException;
import io.jkeras.tensor.Tensor;

import java.util.List;

/** (batch, features) → (batch, n, features), the vector repeated n times. */
public final class RepeatVector implements Layer {
    @Override public <R> R accept(Visitor<R> v) { return v.visit(this); }

    private final String name;
    private final int n;

    public RepeatVector(String name, int n) {
        if (n < 0) throw new io.jkeras.exceptions.UnsupportedModelException(null, name, null,
                "n must be non-negative, got " + n);
        this.name = name;
        this.n = n;
    }

    @Override public String name() { return name; }

    @Override public String typeName() { return "RepeatVector"; }

    /** How many times the vector is repeated. */
    public int n() { return n; }

    @Override
    public int[][] outputShapes(int[][] in) {
        Shapes.expectInputs(name, in, 1, 1);
        Shapes.expectRank(name, in[0], 1);
        return new int[][]{{n, in[0][0]}};
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, float[][] state) {
        Tensor x = inputs[0];
        if (x.rank() != 2) throw new InputException(null, name, null, "expects (batch, features), got "
                + Tensor.shapeString(x.shape()));
        int b = x.dim(0), f = x.dim(1);
        float[] y = new float[b * n * f];
        for (int i = 0; i < b; i++)
            for (int t = 0; t < n; t++) System.arraycopy(x.data(), i * f, y, (i * n + t) * f, f);
        return new Tensor[]{new Tensor(new int[]{b, n, f}, y)};
    }

    @Override public List<Weight> weights() { return List.of(); }

    @Override public void encode(LayerEncoder e) { e.put("n", n); }

    static Layer decode(LayerDecoder d) { return new RepeatVector(d.name(), d.integer("n")); }

    @Override public long flops(int[][] in, int[][] out) { return 0; }

    @Override public int vocabulary() { return 0; }

    @Override public Layer withWeights(List<float[]> values) { return this; }
}

package io.jkeras.layers;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.tensor.Tensor;

import java.util.List;

/**
 * Keras Reshape: every sample (row-major) takes {@code target_shape}; one entry may be -1, inferred
 * from the sample's size. Keras' Reshape does not support masking: the output carries no mask.
 */
public final class Reshape implements Layer {
    @Override public <R> R accept(Visitor<R> v) { return v.visit(this); }

    private final String name;
    private final int[] target;
    private final int inferred; // index of the -1 entry, or -1

    public Reshape(String name, int[] target) {
        this.name = name;
        this.target = target.clone();
        int inf = -1;
        for (int i = 0; i < target.length; i++) {
            if (target[i] == -1) {
                if (inf >= 0) throw new UnsupportedModelException(null, name, null, "target_shape "
                        + java.util.Arrays.toString(target)
                        + " has more than one -1; allowed: at most one dimension to infer");
                inf = i;
            } else if (target[i] < 0) {
                throw new UnsupportedModelException(null, name, null, "target_shape "
                        + java.util.Arrays.toString(target)
                        + " has a negative dimension; allowed: non-negative sizes and at most one -1");
            }
        }
        this.inferred = inf;
    }

    @Override public String name() { return name; }

    @Override public String typeName() { return "Reshape"; }

    public int[] targetShape() { return target.clone(); }

    @Override
    public int[][] outputShapes(int[][] in) {
        Shapes.expectInputs(name, in, 1, 1);
        boolean known = true;
        for (int d : in[0]) known &= d >= 0;
        int[] out = target.clone();
        if (!known) return new int[][]{out};
        return new int[][]{resolve(Shapes.product(name, in[0], 0), "(None, " + Shapes.inner(in[0]) + ")", true)};
    }

    private int[] resolve(long total, String what, boolean build) {
        int rest = 1;
        for (int i = 0; i < target.length; i++) {
            if (i != inferred) rest = Shapes.multiply(name, "target_shape " + Tensor.shapeString(target), rest,
                    target[i]);
        }
        int[] out = target.clone();
        if (inferred >= 0) {
            if (rest == 0 || total % rest != 0) throw fail(what, total, build);
            out[inferred] = (int) (total / rest);
        } else if (rest != total) {
            throw fail(what, total, build);
        }
        return out;
    }

    private RuntimeException fail(String what, long total, boolean build) {
        String msg = "cannot reshape input " + what + " (" + total + " values per sample) to target_shape "
                + Tensor.shapeString(target);
        return build ? new UnsupportedModelException(null, name, null, msg) : new InputException(null, name, null, msg);
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, float[][] state) {
        Tensor x = inputs[0];
        int[] s = x.shape();
        int[] inner = java.util.Arrays.copyOfRange(s, 1, s.length);
        int[] out = resolve(Shapes.product(name, inner, 0), Tensor.shapeString(s), false);
        int[] full = new int[out.length + 1];
        full[0] = s[0];
        System.arraycopy(out, 0, full, 1, out.length);
        return new Tensor[]{x.reshape(full)};
    }

    @Override public List<Weight> weights() { return List.of(); }

    @Override public void encode(LayerEncoder e) { e.put("target_shape", target); }

    static Layer decode(LayerDecoder d) { return new Reshape(d.name(), d.ints("target_shape")); }

    @Override public long flops(int[][] in, int[][] out) { return 0; }

    @Override public int vocabulary() { return 0; }

    @Override public Layer withWeights(List<float[]> values) { return this; }
}

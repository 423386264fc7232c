package io.jkeras.layers;

import io.jkeras.UnsupportedModelException;
import io.jkeras.model.Tensor;

/** Shape checks shared by the layers; failures name the layer. */
final class Shapes {
    private Shapes() {}

    static void expectInputs(String layer, int[][] in, int min, int max) {
        if (in.length < min || in.length > max) {
            throw new UnsupportedModelException(null, layer, null,
                    "takes " + (min == max ? Integer.toString(min) : min + " to " + max) + " input(s), got " + in.length);
        }
    }

    static void expectAtLeast(String layer, int[][] in, int min) {
        if (in.length < min) {
            throw new UnsupportedModelException(null, layer, null, "takes at least " + min + " input(s), got " + in.length);
        }
    }

    static void expectRank(String layer, int[] shape, int rank) {
        if (shape.length != rank) {
            throw new UnsupportedModelException(null, layer, null,
                    "expects input of rank " + (rank + 1) + " (with batch), got shape (None, " + inner(shape) + ")");
        }
    }

    static void expectLastDim(String layer, int[] shape, int dim) {
        int last = shape[shape.length - 1];
        if (last != -1 && last != dim) {
            throw new UnsupportedModelException(null, layer, null,
                    "expects last input dimension " + dim + ", got " + Tensor.shapeString(shape));
        }
    }

    static String inner(int[] s) {
        String t = Tensor.shapeString(s);
        return t.substring(1, t.length() - 1).replaceAll(",$", "");
    }

    static int product(int[] s, int from) {
        int p = 1;
        for (int i = from; i < s.length; i++) p *= s[i];
        return p;
    }
}

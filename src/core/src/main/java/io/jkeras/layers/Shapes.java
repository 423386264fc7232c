package io.jkeras.layers;

import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.tensor.Tensor;

/**
 * Shape checks shared by the layers, and the one place where shape arithmetic is done with overflow
 * checks and where computed shapes meet their limits; failures name the layer, the value found and
 * the limit. The model builders ({@code ModelAssembler}, {@code JkmReader}) pass every shape a
 * layer's {@link Layer#outputShapes} computes through {@link #checkLimits} before anything of that
 * size is allocated, and {@code Model} checks the batch-sized shapes the same way before each layer runs.
 */
public final class Shapes {
    private Shapes() {}

    static void expectInputs(String layer, int[][] in, int min, int max) {
        if (in.length < min || in.length > max) {
            throw new UnsupportedModelException(null, layer, null,
                    "takes " + (min == max ? Integer.toString(min) : min + " to " + max) + " input(s), got "
                            + in.length);
        }
    }

    static void expectAtLeast(String layer, int[][] in, int min) {
        if (in.length < min) {
            throw new UnsupportedModelException(null, layer, null, "takes at least " + min + " input(s), got "
                    + in.length);
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

    /** The product of {@code s[from..]}, refused (naming the layer) where it does not fit an int. */
    static int product(String layer, int[] s, int from) {
        int p = 1;
        for (int i = from; i < s.length; i++) {
            p = multiply(layer, "the number of values in " + Tensor.shapeString(s), p, s[i]);
        }
        return p;
    }

    /** {@code a * b}, refused (naming the layer and {@code what}) where it does not fit an int. */
    static int multiply(String layer, String what, int a, int b) {
        return toInt(layer, what, (long) a * b);
    }

    /** {@code a + b}, refused (naming the layer) where it does not fit an int. */
    static int add(String layer, String what, int a, int b) {
        return toInt(layer, what, (long) a + b);
    }

    private static int toInt(String layer, String what, long v) {
        if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
            throw new UnsupportedModelException(null, layer, null, what + " is " + v
                    + ", more than the largest dimension " + Integer.MAX_VALUE + " an array can have");
        }
        return (int) v;
    }

    /**
     * The elements of one sample of {@code shape} (unknown dimensions, -1, count as 1), saturating at
     * {@link Long#MAX_VALUE} instead of overflowing.
     */
    public static long elements(int[] shape) {
        long p = 1;
        for (int d : shape) {
            if (d <= 0) {
                if (d == 0) return 0;
                continue;
            }
            p = p > Long.MAX_VALUE / d ? Long.MAX_VALUE : p * d;
        }
        return p;
    }

    /**
     * Checks the shapes (without batch) a layer computed against the limits: every dimension at most
     * {@code maxDimension}, every output at most {@code maxActivationElements} per sample (known
     * dimensions only; the others are checked when the model runs). Called before anything of
     * these sizes is allocated.
     */
    public static void checkLimits(String layer, int[][] shapes, int maxDimension, long maxActivationElements) {
        for (int[] s : shapes) {
            for (int d : s) {
                if (d > maxDimension) {
                    throw new UnsupportedModelException(null, layer, null, "computes output shape (None, " + inner(s)
                            + ") with a dimension of " + d + ", more than the limit of " + maxDimension
                            + " (LoadOptions.maxDimension)");
                }
                if (d < -1) {
                    throw new UnsupportedModelException(null, layer, null, "computes output shape (None, " + inner(s)
                            + ") with a negative dimension " + d);
                }
            }
            long n = elements(s);
            if (n > maxActivationElements) {
                throw new UnsupportedModelException(null, layer, null, "computes output shape (None, " + inner(s)
                        + ") of " + n + " elements per sample, more than the limit of " + maxActivationElements
                        + " (LoadOptions.maxActivationElements)");
            }
        }
    }

    /**
     * Checks that a layer's output for a batch, {@code shape} with the batch first, holds at most
     * {@code maxElements}, before it is allocated.
     */
    public static void checkBatchLimit(String layer, int[] shape, long maxElements) {
        long n = elements(shape);
        if (n > maxElements) {
            throw new io.jkeras.exceptions.InputException(null, layer, null, "would produce "
                    + Tensor.shapeString(shape) + ", "
                    + n
                    + " elements, more than the limit of " + maxElements + " (Model.withMaxTensorElements);"
                    + " predict on smaller batches or shorter sequences");
        }
    }

    /** Copies the values of {@code from} into {@code out} ({@link Layer#forwardInto}'s default), shapes checked. */
    static void copyOutputs(String layer, Tensor[] from, Tensor[] out) {
        expectOutputs(layer, out, from.length);
        for (int i = 0; i < from.length; i++) {
            expectOutput(layer, i, out[i], from[i]);
            System.arraycopy(from[i].data(), 0, out[i].data(), 0, from[i].size());
        }
    }

    /** Copies {@code x} into {@code out[0]}, which must have its shape: a pass-through layer's {@code forwardInto}. */
    static void copyInput(String layer, Tensor x, Tensor[] out) {
        expectOutputs(layer, out, 1);
        expectOutput(layer, 0, out[0], x);
        System.arraycopy(x.data(), 0, out[0].data(), 0, x.size());
    }

    /** Refuses output buffers {@code out} that are not {@code n}. */
    static void expectOutputs(String layer, Tensor[] out, int n) {
        if (out.length != n) {
            throw new io.jkeras.exceptions.InputException(null, layer, null, "gives " + n + " output(s), got "
                    + out.length + " output buffer(s)");
        }
    }

    /** Refuses an output buffer {@code got} of another shape than {@code want}; builds no message unless failing. */
    static void expectOutput(String layer, int i, Tensor got, Tensor want) {
        if (!got.sameShape(want)) throw outputShape(layer, i, want.shape(), got);
    }

    /** As {@link #expectOutput(String, int, Tensor, Tensor)} for the shape {@code (d0, d1)}. */
    static void expectOutput(String layer, int i, Tensor got, int d0, int d1) {
        if (got.rank() != 2 || got.dim(0) != d0 || got.dim(1) != d1) {
            throw outputShape(layer, i, new int[]{d0, d1}, got);
        }
    }

    /** As {@link #expectOutput(String, int, Tensor, Tensor)} for the shape {@code (d0, d1, d2)}. */
    static void expectOutput(String layer, int i, Tensor got, int d0, int d1, int d2) {
        if (got.rank() != 3 || got.dim(0) != d0 || got.dim(1) != d1 || got.dim(2) != d2) {
            throw outputShape(layer, i, new int[]{d0, d1, d2}, got);
        }
    }

    private static io.jkeras.exceptions.InputException outputShape(String layer, int i, int[] want, Tensor got) {
        return new io.jkeras.exceptions.InputException(null, layer, null, "output " + i + " has shape "
                + Tensor.shapeString(want) + ", got an output buffer of shape " + Tensor.shapeString(got.shape()));
    }
}

package io.jkeras.layers;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.kernels.ShapeKernels;
import io.jkeras.tensor.Tensor;

import java.util.Arrays;

/**
 * The layout of the spatial layers' data (pooling, padding, cropping, upsampling): a sample is
 * {@code (S_1, …, S_r, C)} (channels_last) or {@code (C, S_1, …, S_r)} (channels_first) for r = 1 to 3 spatial
 * dimensions. The kernels read channels_last only ({@code io.jkeras.kernels}), so a channels_first tensor is
 * transposed once on the way in and once on the way out ({@link ShapeKernels#transpose}).
 */
final class Spatial {
    private Spatial() {}

    /** A kernel from channels_last x {@code (B, P_in, C)} to channels_last y {@code (B, P_out, C)}. */
    interface Kernel {
        void run(float[] x, float[] y);
    }

    /** The spatial sizes of a sample shape (without batch). */
    static int[] sizes(int[] sample, boolean channelsFirst) {
        return channelsFirst ? Arrays.copyOfRange(sample, 1, sample.length)
                : Arrays.copyOfRange(sample, 0, sample.length - 1);
    }

    /** The channel count of a sample shape (without batch). */
    static int channels(int[] sample, boolean channelsFirst) {
        return channelsFirst ? sample[0] : sample[sample.length - 1];
    }

    /** The sample shape of spatial sizes and channels. */
    static int[] shape(int[] sizes, int channels, boolean channelsFirst) {
        int[] s = new int[sizes.length + 1];
        System.arraycopy(sizes, 0, s, channelsFirst ? 1 : 0, sizes.length);
        s[channelsFirst ? 0 : sizes.length] = channels;
        return s;
    }

    /** {@code (batch, steps, channels)}, {@code (batch, channels, rows, cols)}, … for error messages. */
    static String layout(int rank, boolean channelsFirst) {
        String[] dims = {"steps", "rows, cols", "depth, rows, cols"};
        return "(batch, " + (channelsFirst ? "channels, " + dims[rank - 1] : dims[rank - 1] + ", channels") + ")";
    }

    /** Checks a model-time input shape (without batch) for a layer of {@code rank} spatial dimensions. */
    static void expect(String layer, int[][] in, int rank, boolean channelsFirst) {
        Shapes.expectInputs(layer, in, 1, 1);
        if (in[0].length != rank + 1) {
            throw new UnsupportedModelException(null, layer, null, "expects input " + layout(rank, channelsFirst)
                    + " of rank " + (rank + 2) + ", got (None, " + Shapes.inner(in[0]) + ")");
        }
    }

    /** Checks a run-time input for a layer of {@code rank} spatial dimensions; returns its sample shape. */
    static int[] expect(String layer, Tensor x, int rank, boolean channelsFirst) {
        if (x.rank() != rank + 2) {
            throw new InputException(null, layer, null, "expects " + layout(rank, channelsFirst) + ", got "
                    + Tensor.shapeString(x.shape()));
        }
        return Arrays.copyOfRange(x.shape(), 1, x.rank());
    }

    /** The sample shape {@code sample} with spatial sizes {@code sizes} instead of its own. */
    static int[] resized(int[] sample, int[] sizes, boolean channelsFirst) {
        return shape(sizes, channels(sample, channelsFirst), channelsFirst);
    }

    /**
     * Runs {@code k} on {@code x} (batch first, {@code rank} spatial dimensions) to output spatial sizes
     * {@code outSizes}, transposing around it for channels_first.
     */
    static Tensor apply(String layer, Tensor x, boolean channelsFirst, int[] outSizes, Kernel k) {
        int[] sample = Arrays.copyOfRange(x.shape(), 1, x.rank());
        int b = x.dim(0), c = channels(sample, channelsFirst);
        int pIn = Shapes.product(layer, sizes(sample, channelsFirst), 0);
        int pOut = Shapes.product(layer, outSizes, 0);
        int[] outSample = shape(outSizes, c, channelsFirst);
        int n = Shapes.multiply(layer, "the output size", b, Shapes.product(layer, outSample, 0));
        float[] xl = x.data();
        if (channelsFirst) {
            xl = new float[x.size()];
            ShapeKernels.transpose(b, c, pIn, x.data(), 0, xl, 0);
        }
        float[] y = new float[n];
        k.run(xl, y);
        if (channelsFirst) {
            float[] yf = new float[n];
            ShapeKernels.transpose(b, pOut, c, y, 0, yf, 0);
            y = yf;
        }
        int[] outShape = new int[outSample.length + 1];
        outShape[0] = b;
        System.arraycopy(outSample, 0, outShape, 1, outSample.length);
        return new Tensor(outShape, y);
    }

    /** Checks an int-per-dimension option (pool_size, strides, size, cropping) of a layer. */
    static int[] check(String layer, String what, int[] v, int rank, int min) {
        if (v == null || v.length != rank) {
            throw new UnsupportedModelException(null, layer, null, what + " needs " + rank + " value(s), got "
                    + (v == null ? "none" : Arrays.toString(v)));
        }
        for (int x : v) {
            if (x < min) throw new UnsupportedModelException(null, layer, null, what + " " + Arrays.toString(v)
                    + " has a value below " + min);
        }
        return v.clone();
    }

    static int checkRank(String layer, int rank) {
        if (rank < 1 || rank > 3) throw new UnsupportedModelException(null, layer, null, "has " + rank
                + " spatial dimensions; allowed: 1 to 3");
        return rank;
    }
}

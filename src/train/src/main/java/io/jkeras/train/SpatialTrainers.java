package io.jkeras.train;

import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.kernels.ShapeKernels;
import io.jkeras.kernels.WindowGeometry;
import io.jkeras.layers.GlobalPooling;
import io.jkeras.layers.Layer;
import io.jkeras.layers.Pooling;
import io.jkeras.layers.SpatialResize;
import io.jkeras.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * The training forms of the weightless spatial layers (pooling, global pooling, padding, cropping, upsampling).
 * Each is, per forward pass, a sparse linear map {@code y[o] = Σ_j w[o,j] · x[idx[o,j]]} ({@link #select}): the
 * window's in-range elements with weight 1/count for an average, the window's first maximum for a max (as
 * {@code PoolingKernels.maxBackward} routes the gradient), the source element for padding, cropping and nearest
 * upsampling. The gradient scatters back through the same map. The windows come from the kernels'
 * {@link WindowGeometry}, the source elements of a gather from the engine layer itself (run once on the element
 * numbers of one sample), so the geometry is computed in one place; values stay in double, as on the rest of the
 * tape.
 */
final class SpatialTrainers {
    private SpatialTrainers() {}

    /**
     * {@code y[o] = Σ_{j<k} w[o·k + j] · x[idx[o·k + j]]} (an index -1 reads nothing) of shape {@code shape}; no mask.
     */
    static Var select(Tape t, Var x, int k, int[] idx, double[] w, int[] shape) {
        int n = idx.length / k;
        double[] y = new double[n];
        for (int o = 0; o < n; o++) {
            double s = 0;
            for (int j = o * k; j < (o + 1) * k; j++) if (idx[j] >= 0) s += w[j] * x.value[idx[j]];
            y[o] = s;
        }
        Var out = Ops.result(t, shape, y, x.needsGrad, null);
        if (out.needsGrad) t.record(() -> {
            if (out.grad == null) return;
            double[] g = x.gradBuffer();
            for (int o = 0; o < n; o++) {
                for (int j = o * k; j < (o + 1) * k; j++) if (idx[j] >= 0) g[idx[j]] += w[j] * out.grad[o];
            }
        });
        return out;
    }

    /** Flat index of (sample b, spatial position p, channel c) in a channels_last or channels_first array. */
    static int at(boolean cf, int b, int p, int c, int positions, int channels) {
        return cf ? (b * channels + c) * positions + p : (b * positions + p) * channels + c;
    }

    static int[] withBatch(int b, int[] sample) {
        int[] s = new int[sample.length + 1];
        s[0] = b;
        System.arraycopy(sample, 0, s, 1, sample.length);
        return s;
    }

    /**
     * Fills one output element's entries from its candidate inputs {@code cand[0..k)} (-1: padding): the first
     * maximum with weight 1 in one entry ({@code max}), else every candidate with weight 1/count in k entries (an
     * empty set: NaN, as Keras' 0/0).
     */
    static void reduce(boolean max, double[] x, int[] cand, int k, int[] idx, double[] w, int at) {
        if (max) {
            int best = -1;
            for (int j = 0; j < k; j++) if (cand[j] >= 0 && (best < 0 || x[cand[j]] > x[best])) best = cand[j];
            idx[at] = best;
            w[at] = 1;
            return;
        }
        int n = 0;
        for (int j = 0; j < k; j++) if (cand[j] >= 0) n++;
        for (int j = 0; j < k; j++) {
            idx[at + j] = cand[j];
            w[at + j] = 1.0 / n;
        }
        if (n == 0) {
            idx[at] = 0;
            w[at] = Double.NaN;
        }
    }

    /** A training form without parameters: the layer itself is its rebuild. */
    abstract static class Weightless<L extends Layer> implements TrainableLayer {
        final L layer;

        Weightless(L layer) { this.layer = layer; }

        @Override public Layer layer() { return layer; }

        @Override public List<Param> params() { return List.of(); }

        @Override public Layer rebuild() { return layer; }
    }

    /** The spatial input positions window output position {@code o} of sample {@code s} reads (-1: none). */
    interface Window {
        void positions(int s, int o, int[] p);
    }

    /**
     * Pooling of x (batch first, channels first or last) over windows of {@code win} positions to {@code pOut}
     * output positions per channel: the first maximum or the mean of each window's positions.
     */
    static Var pool(Tape t, Var x, Layer layer, boolean cf, boolean max, int pOut, int win, Window window) {
        int[] sample = Arrays.copyOfRange(x.shape, 1, x.rank());
        int[] outSample = layer.outputShapes(new int[][]{sample})[0];
        int c = cf ? sample[0] : sample[sample.length - 1], b = x.dim(0);
        int pIn = c == 0 || b == 0 ? 0 : x.size() / b / c;
        int k = max ? 1 : win;
        int[] idx = new int[Math.multiplyExact(b * pOut * c, k)];
        double[] w = new double[idx.length];
        int[] pos = new int[win], cand = new int[win];
        for (int s = 0; s < b; s++) {
            for (int o = 0; o < pOut; o++) {
                window.positions(s, o, pos);
                for (int ch = 0; ch < c; ch++) {
                    for (int j = 0; j < win; j++) cand[j] = pos[j] < 0 ? -1 : at(cf, s, pos[j], ch, pIn, c);
                    reduce(max, x.value, cand, win, idx, w, at(cf, s, o, ch, pOut, c) * k);
                }
            }
        }
        return select(t, x, k, idx, w, withBatch(b, outSample));
    }

    /** MaxPooling / AveragePooling 1D-3D over the kernels' {@link WindowGeometry}. */
    static final class PoolingTrainer extends Weightless<Pooling> {
        PoolingTrainer(Pooling layer) { super(layer); }

        @Override
        public Var[] forward(Tape t, Var[] in, TrainContext ctx, double[][] state) {
            Var x = in[0];
            boolean cf = layer.channelsFirst();
            int r = x.rank();
            WindowGeometry g = layer.geometry(Arrays.copyOfRange(x.shape, cf ? 2 : 1, cf ? r : r - 1));
            return new Var[]{pool(t, x, layer, cf, layer.kind() == Pooling.Kind.MAX, g.outputPositions(),
                    g.windowPositions(), (s, o, p) -> {
                        for (int j = 0; j < p.length; j++) p[j] = g.inputAt(o, j);
                    })};
        }
    }

    /** GlobalMaxPooling / GlobalAveragePooling 1D-3D (GlobalAveragePooling1D with the input's mask). */
    static final class GlobalPoolingTrainer extends Weightless<GlobalPooling> {
        GlobalPoolingTrainer(GlobalPooling layer) { super(layer); }

        @Override
        public Var[] forward(Tape t, Var[] in, TrainContext ctx, double[][] state) {
            Var x = in[0];
            boolean cf = layer.channelsFirst();
            int b = x.dim(0), c = x.dim(cf ? 1 : -1);
            int p = c == 0 || b == 0 ? 0 : x.size() / b / c;
            boolean[] mask = layer.stepMask(x.mask(), b, p);
            return new Var[]{pool(t, x, layer, cf, layer.kind() == Pooling.Kind.MAX, 1, p, (s, o, pos) -> {
                for (int j = 0; j < p; j++) pos[j] = mask != null && !mask[s * p + j] ? -1 : j;
            })};
        }
    }

    /** ZeroPadding / Cropping / UpSampling 1D-3D: a gather; bilinear upsampling a weighted gather of four inputs. */
    static final class SpatialResizeTrainer extends Weightless<SpatialResize> {
        /** Element numbers of one sample must be exact in float. */
        private static final int MAX_SAMPLE = 1 << 24;
        SpatialResizeTrainer(SpatialResize layer) { super(layer); }

        @Override
        public Var[] forward(Tape t, Var[] in, TrainContext ctx, double[][] state) {
            Var x = in[0];
            if (layer.bilinear()) return new Var[]{bilinear(t, x)};
            int b = x.dim(0);
            int per = b == 0 ? 0 : x.size() / b;
            if (per >= MAX_SAMPLE) {
                throw new UnsupportedModelException(null, layer.name(), null, "training with samples of " + per
                        + " values is not supported (at most " + (MAX_SAMPLE - 1) + ")");
            }
            // the engine layer on the element numbers 1..per of one sample: each output holds its source + 1, 0 a zero
            int[] one = x.shape();
            one[0] = 1;
            float[] probe = new float[per];
            for (int i = 0; i < per; i++) probe[i] = i + 1;
            Tensor src = layer.forward(new Tensor[]{new Tensor(one, probe)}, null)[0];
            int outPer = src.size();
            int[] idx = new int[Math.multiplyExact(b, outPer)];
            double[] w = new double[idx.length];
            Arrays.fill(w, 1);
            for (int s = 0; s < b; s++) {
                for (int o = 0; o < outPer; o++) {
                    int v = (int) src.data()[o];
                    idx[s * outPer + o] = v == 0 ? -1 : s * per + v - 1;
                }
            }
            int[] shape = src.shape();
            shape[0] = b;
            return new Var[]{select(t, x, 1, idx, w, shape)};
        }

        /**
         * UpSampling2D's bilinear interpolation as the linear map it is: each output mixes its four source pixels
         * with the weights of the inference kernel's taps ({@link ShapeKernels#bilinearTaps}):
         * {@code (1-lx)(1-ly)}, {@code lx(1-ly)}, {@code (1-lx)ly}, {@code lx·ly}. The gradient is its transpose.
         */
        private Var bilinear(Tape t, Var x) {
            boolean cf = layer.channelsFirst();
            int b = x.dim(0), c = x.dim(cf ? 1 : 3), h = x.dim(cf ? 2 : 1), w = x.dim(cf ? 3 : 2);
            int fh = layer.size()[0], fw = layer.size()[1];
            int oh = Math.multiplyExact(h, fh), ow = Math.multiplyExact(w, fw);
            int n = Math.multiplyExact(Math.multiplyExact(b, c), Math.multiplyExact(oh, ow));
            int[] idx = new int[Math.multiplyExact(n, 4)];
            double[] wt = new double[idx.length];
            int[] y0 = new int[oh], y1 = new int[oh], x0 = new int[ow], x1 = new int[ow];
            float[] fy = new float[oh], fx = new float[ow];
            ShapeKernels.bilinearTaps(h, fh, y0, y1, fy);
            ShapeKernels.bilinearTaps(w, fw, x0, x1, fx);
            for (int s = 0; s < b; s++) {
                for (int i = 0; i < oh; i++) {
                    double ly = fy[i];
                    for (int j = 0; j < ow; j++) {
                        double lx = fx[j];
                        int[] src = {y0[i] * w + x0[j], y0[i] * w + x1[j], y1[i] * w + x0[j], y1[i] * w + x1[j]};
                        double[] mix = {(1 - lx) * (1 - ly), lx * (1 - ly), (1 - lx) * ly, lx * ly};
                        for (int ch = 0; ch < c; ch++) {
                            int o = at(cf, s, i * ow + j, ch, oh * ow, c) * 4;
                            for (int k = 0; k < 4; k++) {
                                idx[o + k] = at(cf, s, src[k], ch, h * w, c);
                                wt[o + k] = mix[k];
                            }
                        }
                    }
                }
            }
            return select(t, x, 4, idx, wt, cf ? new int[]{b, c, oh, ow} : new int[]{b, oh, ow, c});
        }
    }
}

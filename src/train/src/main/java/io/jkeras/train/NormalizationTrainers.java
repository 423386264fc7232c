package io.jkeras.train;

import io.jkeras.layers.GroupNormalization;
import io.jkeras.layers.Layer;
import io.jkeras.layers.LayerNormalization;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.layers.UnitNormalization;
import io.jkeras.layers.Weight;

import java.util.ArrayList;
import java.util.List;

/**
 * Training forms of LayerNormalization (and RMSNormalization) and UnitNormalization, in double on the tape. The
 * normalised axes are the view {@code (outer, n, inner)} of {@link io.jkeras.kernels.NormalizationKernels}; the
 * formulas are those of its {@code layerNormBackward} and {@code unitNormBackward} (the kernels work in float,
 * the tape in double, so the same math is written here for doubles). The mask passes through.
 */
final class NormalizationTrainers {
    private NormalizationTrainers() {}

    /** A normalisation over a run of adjacent axes. */
    interface OverAxes {
        Var apply(Tape t, Var x, int[] axes);
    }

    /**
     * {@code f} over {@code axes}: in place when {@code perm} is null (the axes are adjacent), else on x transposed by
     * {@code perm} (the axes moved to the end), transposed back; the mask is the input's.
     */
    static Var atAxes(Tape t, Var x, int[] perm, int[] axes, OverAxes f) {
        if (perm == null) return f.apply(t, x, axes);
        int r = x.rank(), k = axes.length;
        int[] last = new int[k], inverse = new int[r];
        for (int i = 0; i < k; i++) last[i] = r - k + i;
        for (int i = 0; i < r; i++) inverse[perm[i]] = i;
        return Ops.transpose(t, f.apply(t, Ops.transpose(t, x, perm), last), inverse).withMask(t, x.mask());
    }

    /** The view {@code (outer, n, inner)} of shape s over the run of axes {@code axes} (sorted, batch = 0). */
    static int[] view(int[] s, int[] axes) {
        int outer = 1, n = 1, inner = 1;
        for (int i = 0; i < s.length; i++) {
            if (i < axes[0]) outer *= s[i];
            else if (i <= axes[axes.length - 1]) n *= s[i];
            else inner *= s[i];
        }
        return new int[]{outer, n, inner};
    }

    /**
     * A form whose layer has up to two weights, each optional (gamma/beta, scale/concat_score_weight): the
     * parameters in the layer's order and the rebuild with their current values.
     */
    abstract static class TwoOptionalParams implements TrainableLayer {
        final Layer layer;
        final Param first, second; // each may be null

        /** {@code secondName}: the weight that is the second parameter; any other is the first. */
        TwoOptionalParams(Layer layer, TrainingConfig c, String secondName) {
            this.layer = layer;
            Param a = null, b = null;
            for (Weight w : layer.weights()) {
                if (w.name().equals(secondName)) b = TrainableLayers.param(layer, w, c);
                else a = TrainableLayers.param(layer, w, c);
            }
            this.first = a;
            this.second = b;
        }

        @Override public Layer layer() { return layer; }

        @Override
        public List<Param> params() {
            List<Param> p = new ArrayList<>();
            if (first != null) p.add(first);
            if (second != null) p.add(second);
            return p;
        }

        /** Whether an input or a parameter needs a gradient. */
        boolean needsGrad(Var... inputs) {
            for (Var v : inputs) if (v.needsGrad()) return true;
            for (Param p : params()) if (p.var().needsGrad()) return true;
            return false;
        }

        @Override
        public Layer rebuild() {
            List<float[]> w = new ArrayList<>();
            for (Param p : params()) w.add(p.toFloats());
            return layer.withWeights(w);
        }
    }

    /**
     * LayerNormalization: {@code y = x̂·γ + β}, {@code x̂ = (x − mean)·r}, {@code r = (var + ε)^−½};
     * rms_scaling: {@code y = x·r·γ} (r from the centred variance, as Keras 3); RMSNormalization:
     * {@code y = x·r·scale} with {@code r = (mean(x²) + ε)^−½}.
     */
    static final class LayerNormTrainer extends TwoOptionalParams {
        private final LayerNormalization layer;
        private final Param gamma, beta; // each may be null

        LayerNormTrainer(LayerNormalization layer, TrainingConfig c) {
            super(layer, c, "beta");
            this.layer = layer;
            this.gamma = first;
            this.beta = second;
        }

        @Override
        public Var[] forward(Tape t, Var[] in, TrainContext ctx, double[][] state) {
            Var x = in[0];
            layer.outputShapes(new int[][]{java.util.Arrays.copyOfRange(x.shape(), 1, x.rank())});
            return new Var[]{atAxes(t, x, layer.axesToEnd(), layer.axes(), this::normalize)};
        }

        /** The normalisation of {@code x} over the run of adjacent {@code axes}. */
        private Var normalize(Tape t, Var x, int[] axes) {
            int[] v = view(x.shape(), axes);
            int outer = v[0], n = v[1], inner = v[2];
            boolean centred = layer.kind() != LayerNormalization.Kind.RMS;
            boolean plain = layer.kind() == LayerNormalization.Kind.LAYER;
            double eps = layer.epsilon();
            double[] xv = x.value(), g = gamma == null ? null : gamma.var().value();
            double[] bv = beta == null ? null : beta.var().value();
            double[] y = new double[xv.length], xh = new double[xv.length];
            double[] r = new double[outer * inner], mean = new double[outer * inner];
            for (int a = 0; a < outer; a++) {
                for (int b = 0; b < inner; b++) {
                    int base = a * n * inner + b, gi = a * inner + b;
                    double m = 0, s = 0;
                    if (centred) {
                        for (int i = 0; i < n; i++) m += xv[base + i * inner];
                        m /= n;
                    }
                    for (int i = 0; i < n; i++) {
                        double d = xv[base + i * inner] - m;
                        s += d * d;
                    }
                    double ri = 1 / Math.sqrt(s / n + eps);
                    r[gi] = ri;
                    mean[gi] = m;
                    for (int i = 0; i < n; i++) {
                        int at = base + i * inner;
                        // x̂ for LayerNormalization; x·r for the RMS kinds
                        xh[at] = (plain ? xv[at] - m : xv[at]) * ri;
                        y[at] = xh[at] * (g == null ? 1 : g[i]) + (bv == null ? 0 : bv[i]);
                    }
                }
            }
            boolean needs = needsGrad(x);
            Var out = Ops.result(t, x.shape(), y, needs, x.mask());
            if (out.needsGrad()) t.record(() -> {
                double[] dy = out.grad;
                if (dy == null) return;
                double[] dx = x.needsGrad() ? x.gradBuffer() : null;
                double[] dg = gamma != null && gamma.var().needsGrad() ? gamma.var().gradBuffer() : null;
                double[] db = beta != null && beta.var().needsGrad() ? beta.var().gradBuffer() : null;
                for (int a = 0; a < outer; a++) {
                    for (int b = 0; b < inner; b++) {
                        int base = a * n * inner + b, gi = a * inner + b;
                        double sumG = 0, sumGx = 0;
                        for (int i = 0; i < n; i++) {
                            int at = base + i * inner;
                            double gg = dy[at] * (g == null ? 1 : g[i]);
                            if (dg != null) dg[i] += dy[at] * xh[at];
                            if (db != null) db[i] += dy[at];
                            sumG += gg;
                            sumGx += plain ? gg * xh[at] : gg * xv[at];
                        }
                        if (dx == null) continue;
                        double ri = r[gi], m = mean[gi];
                        for (int i = 0; i < n; i++) {
                            int at = base + i * inner;
                            double gg = dy[at] * (g == null ? 1 : g[i]);
                            if (plain) {
                                dx[at] += ri * (gg - sumG / n - xh[at] * sumGx / n);
                            } else {
                                // y = x·r·γ, r = (Σ(x − m)²/n + ε)^−½ (m = 0 for RMSNormalization)
                                dx[at] += ri * gg - ri * ri * ri * (xv[at] - m) * sumGx / n;
                            }
                        }
                    }
                }
            });
            return out;
        }
    }

    /**
     * GroupNormalization: per sample and group of {@code channels/groups} channels, {@code x̂ = (x − mean)·r} over
     * the group's channels at every position, {@code y = x̂·γ[c] + β[c]}; the gradient is LayerNormalization's per
     * group. Any channel axis (channels_first too).
     */
    static final class GroupNormTrainer extends TwoOptionalParams {
        private final GroupNormalization layer;
        private final Param gamma, beta; // each may be null

        GroupNormTrainer(GroupNormalization layer, TrainingConfig c) {
            super(layer, c, "beta");
            this.layer = layer;
            this.gamma = first;
            this.beta = second;
        }

        @Override
        public Var[] forward(Tape t, Var[] in, TrainContext ctx, double[][] state) {
            Var x = in[0];
            int[] s = x.shape();
            layer.outputShapes(new int[][]{java.util.Arrays.copyOfRange(s, 1, s.length)});
            int before = 1, after = 1, ax = layer.axis(), ch = layer.channels(), cg = ch / layer.groups();
            for (int i = 1; i < ax; i++) before *= s[i];
            for (int i = ax + 1; i < s.length; i++) after *= s[i];
            int batch = s[0], groups = layer.groups(), count = before * after * cg;
            double eps = layer.epsilon();
            double[] xv = x.value(), g = gamma == null ? null : gamma.var().value();
            double[] bv = beta == null ? null : beta.var().value();
            double[] y = new double[xv.length], xh = new double[xv.length], r = new double[batch * groups];
            int[][] members = new int[batch * groups][count]; // element indices of each (sample, group)
            int[] chan = new int[xv.length];
            for (int i = 0; i < xv.length; i++) chan[i] = (i / after) % ch;
            for (int sm = 0; sm < batch; sm++) {
                for (int gr = 0; gr < groups; gr++) {
                    int[] idx = members[sm * groups + gr];
                    int k = 0;
                    for (int pb = 0; pb < before; pb++) {
                        for (int c = gr * cg; c < (gr + 1) * cg; c++) {
                            for (int pa = 0; pa < after; pa++) idx[k++] = ((sm * before + pb) * ch + c) * after + pa;
                        }
                    }
                    double m = 0, v = 0;
                    for (int i : idx) m += xv[i];
                    m /= count;
                    for (int i : idx) v += (xv[i] - m) * (xv[i] - m);
                    double ri = 1 / Math.sqrt(v / count + eps);
                    r[sm * groups + gr] = ri;
                    for (int i : idx) {
                        int c = chan[i];
                        xh[i] = (xv[i] - m) * ri;
                        y[i] = xh[i] * (g == null ? 1 : g[c]) + (bv == null ? 0 : bv[c]);
                    }
                }
            }
            boolean needs = needsGrad(x);
            Var out = Ops.result(t, s, y, needs, x.mask());
            if (out.needsGrad()) t.record(() -> {
                double[] dy = out.grad;
                if (dy == null) return;
                double[] dx = x.needsGrad() ? x.gradBuffer() : null;
                double[] dg = gamma != null && gamma.var().needsGrad() ? gamma.var().gradBuffer() : null;
                double[] db = beta != null && beta.var().needsGrad() ? beta.var().gradBuffer() : null;
                for (int gi = 0; gi < members.length; gi++) {
                    int[] at = members[gi];
                    double sumG = 0, sumGx = 0;
                    for (int i : at) {
                        int c = chan[i];
                        double gg = dy[i] * (g == null ? 1 : g[c]);
                        if (dg != null) dg[c] += dy[i] * xh[i];
                        if (db != null) db[c] += dy[i];
                        sumG += gg;
                        sumGx += gg * xh[i];
                    }
                    if (dx == null) continue;
                    double ri = r[gi];
                    for (int i : at) {
                        double gg = dy[i] * (g == null ? 1 : g[chan[i]]);
                        dx[i] += ri * (gg - sumG / count - xh[i] * sumGx / count);
                    }
                }
            });
            return new Var[]{out};
        }
    }

    /** UnitNormalization: {@code y = x·min(‖x‖^−1, 1e12)}; {@code dx = r·dy − r³·x·Σ dy·x} (r clipped: r·dy). */
    static final class UnitNormTrainer implements TrainableLayer {
        private final UnitNormalization layer;

        UnitNormTrainer(UnitNormalization layer) { this.layer = layer; }

        @Override public Layer layer() { return layer; }

        @Override public List<Param> params() { return List.of(); }

        @Override
        public Var[] forward(Tape t, Var[] in, TrainContext ctx, double[][] state) {
            Var x = in[0];
            layer.outputShapes(new int[][]{java.util.Arrays.copyOfRange(x.shape(), 1, x.rank())});
            return new Var[]{atAxes(t, x, layer.axesToEnd(), layer.axes(), (tt, xx, axes) -> {
                int[] v = view(xx.shape(), axes);
                return unitNorm(tt, xx, v[0], v[1], v[2]);
            })};
        }

        @Override public Layer rebuild() { return layer; }
    }

    /** L2 normalisation over the middle of the view {@code (outer, n, inner)} (UnitNormalization, Dot's normalize). */
    static Var unitNorm(Tape t, Var x, int outer, int n, int inner) {
        double[] xv = x.value(), y = new double[xv.length], r = new double[outer * inner];
        boolean[] clipped = new boolean[outer * inner];
        for (int a = 0; a < outer; a++) {
            for (int b = 0; b < inner; b++) {
                int base = a * n * inner + b, gi = a * inner + b;
                double sq = 0;
                for (int i = 0; i < n; i++) sq += xv[base + i * inner] * xv[base + i * inner];
                double ri = 1 / Math.sqrt(sq);
                clipped[gi] = !(ri <= 1e12);
                r[gi] = clipped[gi] ? 1e12 : ri;
                for (int i = 0; i < n; i++) y[base + i * inner] = xv[base + i * inner] * r[gi];
            }
        }
        Var out = Ops.result(t, x.shape(), y, x.needsGrad(), x.mask());
        if (out.needsGrad()) t.record(() -> {
            double[] dy = out.grad;
            if (dy == null) return;
            double[] dx = x.gradBuffer();
            for (int a = 0; a < outer; a++) {
                for (int b = 0; b < inner; b++) {
                    int base = a * n * inner + b, gi = a * inner + b;
                    double ri = r[gi], dot = 0;
                    for (int i = 0; i < n; i++) dot += dy[base + i * inner] * xv[base + i * inner];
                    for (int i = 0; i < n; i++) {
                        int at = base + i * inner;
                        dx[at] += clipped[gi] ? ri * dy[at] : ri * dy[at] - ri * ri * ri * xv[at] * dot;
                    }
                }
            }
        });
        return out;
    }
}

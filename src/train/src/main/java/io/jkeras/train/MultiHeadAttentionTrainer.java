package io.jkeras.train;

import io.jkeras.kernels.AttentionKernels.MaskRule;
import io.jkeras.kernels.Activation;
import io.jkeras.layers.Layer;
import io.jkeras.layers.MultiHeadAttention;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.layers.Weight;
import io.jkeras.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * MultiHeadAttention in training form, in double on the tape: the four projections as matrix products of the
 * kernels viewed as {@code (D, H·dim)} ({@link Ops#matmul}, {@link Ops#addBias}), and between them the attention of
 * every head over the attention axes, with the engine layer's masks and mask rule, whose gradient is written here
 * (softmax, then the query, key and value gradients of each head). With {@code use_gate} the attention output is
 * multiplied by {@code sigmoid} of the gate projection of the query before the output projection; the
 * {@code sliding_window} band is part of the engine layer's mask. While training, dropout drops the weights the
 * values are summed with; the returned scores are the undropped ones, as Keras returns them.
 */
final class MultiHeadAttentionTrainer implements TrainableLayer {
    private static final double SOFTMAX_MASKED = -1e9, DOT_PRODUCT_MASKED = 3.38953e38 * -0.7;

    private final MultiHeadAttention layer;
    private final List<Param> params = new ArrayList<>();

    MultiHeadAttentionTrainer(MultiHeadAttention layer, TrainingConfig c) {
        this.layer = layer;
        for (Weight w : layer.weights()) params.add(TrainableLayers.param(layer, w, c));
    }

    @Override public Layer layer() { return layer; }

    @Override public List<Param> params() { return params; }

    private boolean bias() { return params.size() == (layer.gate() ? 10 : 8); }

    /**
     * {@code x · kernel(part) + bias(part)}, the kernel viewed as (rows, rest); parts 0 query, 1 key, 2 value,
     * 3 output, 4 gate (the weights are in Keras' order query, key, [gate], value, attention_output).
     */
    private Var project(Tape t, Var x, int part) {
        int slot = !layer.gate() ? part : part == 4 ? 2 : part >= 2 ? part + 1 : part;
        Param k = params.get(bias() ? 2 * slot : slot);
        int[] s = k.shape();
        int rows = part == 3 ? s[0] * s[1] : s[0];
        Var w = Ops.reshape(t, k.var(), new int[]{rows, k.var().size() / rows}, false);
        Var y = Ops.matmul(t, x, w);
        return bias() ? Ops.addBias(t, y, params.get(2 * slot + 1).var()) : y;
    }

    @Override
    public Var[] forward(Tape t, Var[] in, TrainContext ctx, double[][] state) {
        int[][] shapes = new int[in.length][];
        for (int i = 0; i < in.length; i++) shapes[i] = Arrays.copyOfRange(in[i].shape(), 1, in[i].rank());
        int[][] outShapes = layer.outputShapes(shapes);
        Var q = in[0], v = in[1], k = layer.hasKey() ? in[2] : in[1];
        Tensor[] masks = new Tensor[in.length];
        for (int i = 0; i < in.length; i++) masks[i] = in[i].toTensor();
        Var pq = project(t, q, 0), pk = project(t, k, 1), pv = project(t, v, 2);
        int[][] gq = layer.attentionGroups(q.shape()), gv = layer.attentionGroups(v.shape());
        int groups = gq.length, tq = gq[0].length, tv = gv[0].length;
        int heads = layer.heads(), kd = layer.keyDim(), vd = layer.valueDim(), hk = heads * kd, hv = heads * vd;
        boolean[] keep = layer.mask(masks, groups, tq, tv);
        boolean causal = layer.causal();
        MaskRule rule = layer.maskRule();
        double inv = 1 / Math.sqrt(kd);
        double[] qv = pq.value(), kv = pk.value(), vv = pv.value();
        double[] w = new double[groups * heads * tq * tv];
        // while training, dropout on the weights the values are summed with; the scores returned are the undropped
        // ones (multi_head_attention.py _compute_attention: final_attn_scores vs attention_scores)
        double[] drop = ctx.training() && layer.dropout() > 0 ? ctx.dropoutMask(w.length, layer.dropout()) : null;
        boolean[] kept = new boolean[groups * tq * tv];
        for (int g = 0; g < groups; g++) {
            for (int i = 0; i < tq; i++) {
                for (int j = 0; j < tv; j++) {
                    int at = (g * tq + i) * tv + j;
                    kept[at] = (keep == null || keep[at]) && (!causal || j <= i);
                }
            }
        }
        int rowsQ = pq.size() / hk;
        double[] o = new double[rowsQ * hv];
        for (int g = 0; g < groups; g++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < tq; i++) {
                    int row = ((g * heads + h) * tq + i) * tv, qr = gq[g][i] * hk + h * kd;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < tv; j++) {
                        double s;
                        if (kept[(g * tq + i) * tv + j]) {
                            s = 0;
                            int kr = gv[g][j] * hk + h * kd;
                            for (int e = 0; e < kd; e++) s += qv[qr + e] * inv * kv[kr + e];
                        } else {
                            s = rule == MaskRule.SOFTMAX_LAYER ? SOFTMAX_MASKED : DOT_PRODUCT_MASKED;
                        }
                        w[row + j] = s;
                        max = Math.max(max, s);
                    }
                    double sum = 0;
                    for (int j = 0; j < tv; j++) sum += w[row + j] = Math.exp(w[row + j] - max);
                    for (int j = 0; j < tv; j++) {
                        w[row + j] /= sum;
                        if (rule == MaskRule.SOFTMAX_LAYER && !kept[(g * tq + i) * tv + j]) w[row + j] = 0;
                    }
                    int or = gq[g][i] * hv + h * vd;
                    for (int j = 0; j < tv; j++) {
                        int vr = gv[g][j] * hv + h * vd;
                        double wj = drop == null ? w[row + j] : w[row + j] * drop[row + j];
                        for (int e = 0; e < vd; e++) o[or + e] += wj * vv[vr + e];
                    }
                }
            }
        }
        int[] os = pq.shape();
        os[os.length - 1] = hv;
        boolean needs = pq.needsGrad() || pk.needsGrad() || pv.needsGrad();
        Var att = Ops.result(t, os, o, needs, q.mask());
        Var scores = null;
        if (layer.returnScores()) {
            int[] ss = new int[outShapes[1].length + 1];
            ss[0] = q.dim(0);
            System.arraycopy(outShapes[1], 0, ss, 1, outShapes[1].length);
            scores = Ops.result(t, ss, w, needs, null);
        }
        Var sc = scores;
        if (needs) t.record(() -> {
            if (att.grad == null && (sc == null || sc.grad == null)) return;
            double[] dq = pq.needsGrad() ? pq.gradBuffer() : null, dk = pk.needsGrad() ? pk.gradBuffer() : null;
            double[] dv = pv.needsGrad() ? pv.gradBuffer() : null;
            double[] dw = new double[tv];
            for (int g = 0; g < groups; g++) {
                for (int h = 0; h < heads; h++) {
                    for (int i = 0; i < tq; i++) {
                        int row = ((g * heads + h) * tq + i) * tv, qr = gq[g][i] * hk + h * kd;
                        int or = gq[g][i] * hv + h * vd;
                        double dot = 0;
                        for (int j = 0; j < tv; j++) {
                            int vr = gv[g][j] * hv + h * vd;
                            double m = drop == null ? 1 : drop[row + j], d = 0;
                            if (att.grad != null) {
                                for (int e = 0; e < vd; e++) {
                                    d += att.grad[or + e] * vv[vr + e];
                                    if (dv != null) dv[vr + e] += w[row + j] * m * att.grad[or + e];
                                }
                            }
                            d = d * m + (sc != null && sc.grad != null ? sc.grad[row + j] : 0);
                            dw[j] = d;
                            dot += d * w[row + j];
                        }
                        for (int j = 0; j < tv; j++) {
                            if (!kept[(g * tq + i) * tv + j]) continue; // a masked score is a constant
                            double ds = w[row + j] * (dw[j] - dot) * inv;
                            int kr = gv[g][j] * hk + h * kd;
                            for (int e = 0; e < kd; e++) {
                                if (dq != null) dq[qr + e] += ds * kv[kr + e];
                                if (dk != null) dk[kr + e] += ds * qv[qr + e];
                            }
                        }
                    }
                }
            }
        });
        Var gated = layer.gate() ? Ops.mul(t, att, Ops.activation(t, project(t, q, 4), Activation.SIGMOID)) : att;
        Var y = project(t, gated, 3);
        int[] ys = new int[outShapes[0].length + 1];
        ys[0] = q.dim(0);
        System.arraycopy(outShapes[0], 0, ys, 1, outShapes[0].length);
        Var out = Ops.reshape(t, y, ys, false).withMask(t, q.mask());
        return sc == null ? new Var[]{out} : new Var[]{out, sc};
    }

    @Override
    public Layer rebuild() {
        List<float[]> w = new ArrayList<>();
        for (Param p : params) w.add(p.toFloats());
        return layer.withWeights(w);
    }
}

package io.jkeras.train;

import io.jkeras.kernels.AttentionKernels.ScoreMask;
import io.jkeras.layers.Attention;
import io.jkeras.layers.TrainingConfig;

/**
 * Attention and AdditiveAttention in training form, in double on the tape, computing what the engine layer
 * computes (keras/src/layers/attention/attention.py): scores of the layer's kind, the value mask and causal mask
 * as {@code score − 1e9}, softmax, weighted sum of the values, masked query rows set to 0; with
 * return_attention_scores the weights are output 1 and take gradients too. While training, dropout drops
 * weights after the softmax, and the dropped weights are what the values are summed with and what
 * return_attention_scores returns (attention.py {@code _apply_scores}).
 */
final class AttentionTrainer extends NormalizationTrainers.TwoOptionalParams {
    private static final double MASKED = 1e9; // attention.py _apply_scores

    private final Attention layer;
    private final Param scale, concat; // each may be null

    AttentionTrainer(Attention layer, TrainingConfig c) {
        super(layer, c, "concat_score_weight");
        this.layer = layer;
        this.scale = first;
        this.concat = second;
    }

    @Override
    public Var[] forward(Tape t, Var[] in, TrainContext ctx, double[][] state) {
        Var q = in[0], v = in[1], k = in.length == 3 ? in[2] : in[1];
        int[][] shapes = new int[in.length][];
        for (int i = 0; i < in.length; i++) shapes[i] = java.util.Arrays.copyOfRange(in[i].shape(), 1, 3);
        layer.outputShapes(shapes);
        int b = q.dim(0), tq = q.dim(1), tv = v.dim(1), d = q.dim(2), dv = v.dim(2);
        Attention.Kind kind = layer.kind();
        double[] qv = q.value(), kv = k.value(), vv = v.value();
        double[] sc = scale == null ? null : scale.var().value();
        double cw = concat == null ? 1 : concat.var().value()[0];
        double s0 = kind == Attention.Kind.ADDITIVE || sc == null ? 1 : sc[0];
        ScoreMask mask = layer.scoreMask(v.mask(), tv);
        boolean[] qm = q.mask();
        double[] w = new double[b * tq * tv], out = new double[b * tq * dv];
        double[] drop = ctx.training() && layer.dropout() > 0 ? ctx.dropoutMask(w.length, layer.dropout()) : null;
        double[] wd = drop == null ? w : new double[w.length]; // the weights after dropout
        double[] th = kind == Attention.Kind.DOT ? null : new double[b * tq * tv * d]; // tanh terms
        for (int s = 0; s < b; s++) {
            for (int i = 0; i < tq; i++) {
                int row = (s * tq + i) * tv;
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < tv; j++) {
                    double score = 0;
                    for (int e = 0; e < d; e++) {
                        double a = qv[(s * tq + i) * d + e], c = kv[(s * tv + j) * d + e];
                        if (kind == Attention.Kind.DOT) {
                            score += a * c;
                        } else {
                            double h = Math.tanh(s0 * (a + c));
                            th[(row + j) * d + e] = h;
                            score += kind == Attention.Kind.ADDITIVE && sc != null ? sc[e] * h : h;
                        }
                    }
                    score *= kind == Attention.Kind.CONCAT ? cw : s0;
                    if (!mask.kept(s, i, j)) score -= MASKED;
                    w[row + j] = score;
                    max = Math.max(max, score);
                }
                double sum = 0;
                for (int j = 0; j < tv; j++) sum += w[row + j] = Math.exp(w[row + j] - max);
                for (int j = 0; j < tv; j++) w[row + j] /= sum;
                if (drop != null) for (int j = 0; j < tv; j++) wd[row + j] = w[row + j] * drop[row + j];
                if (qm != null && !qm[s * tq + i]) continue;
                for (int j = 0; j < tv; j++) {
                    for (int e = 0; e < dv; e++) out[(s * tq + i) * dv + e] += wd[row + j] * vv[(s * tv + j) * dv + e];
                }
            }
        }
        boolean needs = needsGrad(q, v, k);
        Var o = Ops.result(t, new int[]{b, tq, dv}, out, needs, qm);
        Var weights = layer.returnScores() ? Ops.result(t, new int[]{b, tq, tv}, wd, needs, null) : null;
        if (needs) t.record(() -> {
            if (o.grad == null && (weights == null || weights.grad == null)) return;
            double[] dq = q.needsGrad() ? q.gradBuffer() : null, dk = k.needsGrad() ? k.gradBuffer() : null;
            double[] dvv = v.needsGrad() ? v.gradBuffer() : null;
            double[] dsc = scale != null && scale.var().needsGrad() ? scale.var().gradBuffer() : null;
            double[] dcw = concat != null && concat.var().needsGrad() ? concat.var().gradBuffer() : null;
            double[] dw = new double[tv];
            for (int s = 0; s < b; s++) {
                for (int i = 0; i < tq; i++) {
                    int row = (s * tq + i) * tv, orow = (s * tq + i) * dv;
                    boolean kept = qm == null || qm[s * tq + i];
                    double dot = 0;
                    for (int j = 0; j < tv; j++) {
                        double g = weights != null && weights.grad != null ? weights.grad[row + j] : 0;
                        if (kept && o.grad != null) {
                            for (int e = 0; e < dv; e++) {
                                g += o.grad[orow + e] * vv[(s * tv + j) * dv + e];
                                if (dvv != null) dvv[(s * tv + j) * dv + e] += wd[row + j] * o.grad[orow + e];
                            }
                        }
                        dw[j] = drop == null ? g : g * drop[row + j];
                        dot += dw[j] * w[row + j];
                    }
                    for (int j = 0; j < tv; j++) {
                        double ds = w[row + j] * (dw[j] - dot); // gradient of the (unmasked) score
                        scoreBackward(kind, s, i, j, ds, tq, tv, d, qv, kv, sc, s0, cw, th, dq, dk, dsc, dcw);
                    }
                }
            }
        });
        return weights == null ? new Var[]{o} : new Var[]{o, weights};
    }

    /** Adds the gradient {@code ds} of score (s, i, j) to the query, key and weight gradients. */
    private static void scoreBackward(Attention.Kind kind, int s, int i, int j, double ds, int tq, int tv, int d,
                                      double[] qv, double[] kv, double[] sc, double s0, double cw, double[] th,
                                      double[] dq, double[] dk, double[] dsc, double[] dcw) {
        int qr = (s * tq + i) * d, kr = (s * tv + j) * d, tr = ((s * tq + i) * tv + j) * d;
        if (kind == Attention.Kind.DOT) {
            double raw = 0;
            for (int e = 0; e < d; e++) {
                raw += qv[qr + e] * kv[kr + e];
                if (dq != null) dq[qr + e] += ds * s0 * kv[kr + e];
                if (dk != null) dk[kr + e] += ds * s0 * qv[qr + e];
            }
            if (dsc != null) dsc[0] += ds * raw;
            return;
        }
        double sumT = 0, dInner = 0;
        for (int e = 0; e < d; e++) {
            double h = th[tr + e];
            sumT += h;
            double outer = kind == Attention.Kind.CONCAT ? cw : (sc == null ? 1 : sc[e]);
            if (kind == Attention.Kind.ADDITIVE && dsc != null) dsc[e] += ds * h;
            double pre = ds * outer * (1 - h * h); // gradient of the tanh's argument
            if (dq != null) dq[qr + e] += pre * s0;
            if (dk != null) dk[kr + e] += pre * s0;
            dInner += pre * (qv[qr + e] + kv[kr + e]);
        }
        if (kind == Attention.Kind.CONCAT) {
            if (dcw != null) dcw[0] += ds * sumT;
            if (dsc != null) dsc[0] += dInner;
        }
    }
}

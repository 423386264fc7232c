package io.jkeras.layers;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.kernels.AttentionKernels;
import io.jkeras.kernels.AttentionKernels.MaskRule;
import io.jkeras.kernels.AttentionKernels.ScoreMask;
import io.jkeras.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Keras' Attention (Luong) and AdditiveAttention (Bahdanau) layers (keras/src/layers/attention/attention.py,
 * additive_attention.py) on inputs {@code [query (B, Tq, D), value (B, Tv, Dv)]} or {@code [query, value, key
 * (B, Tv, D)]}: scores ({@link Kind#DOT}: {@code q·kᵀ}, times {@code scale} with use_scale; {@link Kind#CONCAT}:
 * {@code concat_score_weight·Σ tanh(scale·(q + k))}; {@link Kind#ADDITIVE}: {@code Σ scale_d·tanh(q_d + k_d)}),
 * masked by the value mask and, with {@code use_causal_mask}, the causal mask (masked scores minus 1e9), softmax,
 * weighted sum of the values, rows of masked queries set to 0 (attention.py:173-238). Output 0 carries the query
 * mask; with {@code return_attention_scores} output 1 is the attention weights {@code (B, Tq, Tv)}. Dropout is
 * inactive at inference.
 */
public final class Attention implements Layer {
    @Override public <R> R accept(Visitor<R> v) { return v.visit(this); }

    /** How the scores are formed. */
    public enum Kind { DOT, CONCAT, ADDITIVE }

    private final String name;
    private final Kind kind;
    private final float[] scale;          // (), or (D) for ADDITIVE; null without use_scale
    private final float[] concatWeight;   // () for CONCAT, else null
    private final boolean causal;
    private final boolean returnScores;
    private final double dropout;

    public Attention(String name, Kind kind, float[] scale, float[] concatWeight, boolean causal,
                     boolean returnScores, double dropout) {
        this.name = name;
        this.kind = kind;
        if (scale != null && kind != Kind.ADDITIVE && scale.length != 1) {
            throw new UnsupportedModelException(null, name, null, "weight 'scale' should be a scalar, has "
                    + scale.length + " values");
        }
        if ((kind == Kind.CONCAT) != (concatWeight != null) || (concatWeight != null && concatWeight.length != 1)) {
            throw new UnsupportedModelException(null, name, null, "score_mode " + kind
                    + (kind == Kind.CONCAT ? " needs" : " has no") + " scalar weight 'concat_score_weight'");
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new UnsupportedModelException(null, name, null, "dropout must be in [0, 1), got " + dropout);
        }
        this.scale = scale == null ? null : scale.clone();
        this.concatWeight = concatWeight == null ? null : concatWeight.clone();
        this.causal = causal;
        this.returnScores = returnScores;
        this.dropout = dropout;
    }

    @Override public String name() { return name; }

    @Override public String typeName() { return kind == Kind.ADDITIVE ? "AdditiveAttention" : "Attention"; }

    public Kind kind() { return kind; }

    /** The scale weight, or null without use_scale. */
    public float[] scale() { return scale == null ? null : scale.clone(); }

    /** Score mode concat's weight, or null. */
    public float[] concatWeight() { return concatWeight == null ? null : concatWeight.clone(); }

    public boolean causal() { return causal; }

    public boolean returnScores() { return returnScores; }

    /** The dropout rate on the attention weights (training only). */
    public double dropout() { return dropout; }

    @Override
    public int[][] outputShapes(int[][] in) {
        Shapes.expectInputs(name, in, 2, 3);
        for (int[] s : in) Shapes.expectRank(name, s, 2);
        int[] q = in[0], v = in[1], k = in.length == 3 ? in[2] : in[1];
        if (q[1] != k[1] && q[1] >= 0 && k[1] >= 0) {
            throw new UnsupportedModelException(null, name, null, "query (None, " + Shapes.inner(q)
                    + ") and key (None, " + Shapes.inner(k) + ") must have the same last dimension");
        }
        if (in.length == 3 && v[0] != k[0] && v[0] >= 0 && k[0] >= 0) {
            throw new UnsupportedModelException(null, name, null, "value (None, " + Shapes.inner(v)
                    + ") and key (None, " + Shapes.inner(k) + ") must have the same number of steps");
        }
        if (kind == Kind.ADDITIVE && scale != null && q[1] >= 0 && scale.length != q[1]) {
            throw new UnsupportedModelException(null, name, null, "weight 'scale' has " + scale.length
                    + " values but the query has " + q[1] + " features");
        }
        int[] out = {q[0], v[1]};
        return returnScores ? new int[][]{out, {q[0], v[0]}} : new int[][]{out};
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, float[][] state) {
        Tensor q = inputs[0], v = inputs[1], k = inputs.length == 3 ? inputs[2] : inputs[1];
        int[] qs = q.shape(), vs = v.shape(), ks = k.shape();
        if (qs.length != 3 || vs.length != 3 || ks.length != 3 || qs[0] != vs[0] || ks[0] != vs[0]
                || ks[1] != vs[1] || qs[2] != ks[2]
                || (kind == Kind.ADDITIVE && scale != null && scale.length != qs[2])) {
            throw new InputException(null, name, null, "expects query (B, Tq, D), value (B, Tv, Dv) and key"
                    + " (B, Tv, D), got " + Tensor.shapeString(qs) + ", " + Tensor.shapeString(vs) + ", "
                    + Tensor.shapeString(ks));
        }
        int b = qs[0], tq = qs[1], tv = vs[1], d = qs[2], dv = vs[2];
        if (state != null) return new Tensor[]{streamed(q, k, v, state)};
        float[] w = new float[b * tq * tv];
        scores(b, tq, tv, d, q.data(), k.data(), w);
        AttentionKernels.maskedSoftmax(b, tq, tv, w, 0, scoreMask(v.mask(), tv), MaskRule.SUBTRACT);
        float[] out = new float[b * tq * dv];
        AttentionKernels.weightedSum(b, tq, tv, dv, w, 0, v.data(), 0, q.mask(), 0, out, 0);
        Tensor o = new Tensor(new int[]{b, tq, dv}, out, q.mask());
        return returnScores ? new Tensor[]{o, new Tensor(new int[]{b, tq, tv}, w)} : new Tensor[]{o};
    }

    /**
     * A chunk of a stream ({@code state} non-null: a streaming {@code Session} runs the layer, which only a
     * causal one without returned scores can be): the chunk's queries attend to the keys and values of the
     * earlier chunks, kept in {@code state} ({@link KeyValueCache}), and of their own, as in one pass over the
     * whole sequence.
     */
    private Tensor streamed(Tensor q, Tensor k, Tensor v, float[][] state) {
        KeyValueCache.refuseMasks(this, q, k, v);
        int b = q.dim(0), tq = q.dim(1), d = q.dim(2), dv = v.dim(2);
        KeyValueCache c = KeyValueCache.append(name, state, b, k.data(), d, v.data(), dv, k.dim(1));
        int tv = c.steps();
        float[] w = new float[b * tq * tv];
        scores(b, tq, tv, d, q.data(), c.keys(), w);
        AttentionKernels.maskedSoftmax(b, tq, tv, w, 0, ScoreMask.full(c.keep(tq, 0), 0, tq, tv), MaskRule.SUBTRACT);
        float[] out = new float[b * tq * dv];
        AttentionKernels.weightedSum(b, tq, tv, dv, w, 0, c.values(), 0, null, 0, out, 0);
        c.store(state, tq, d, dv, 0);
        return new Tensor(new int[]{b, tq, dv}, out);
    }

    /** The scores of {@link #kind()} into {@code s (B, Tq, Tv)}. Public for the training form. */
    public void scores(int b, int tq, int tv, int d, float[] q, float[] k, float[] s) {
        switch (kind) {
            case DOT:
                AttentionKernels.dotScores(b, tq, tv, d, q, 0, k, 0, scale == null ? 1f : scale[0], s, 0);
                break;
            case CONCAT:
                AttentionKernels.tanhScores(b, tq, tv, d, q, 0, k, 0, scale == null ? 1f : scale[0], null, 0,
                        concatWeight[0], s, 0);
                break;
            default:
                AttentionKernels.tanhScores(b, tq, tv, d, q, 0, k, 0, 1f, scale, 0, 1f, s, 0);
        }
    }

    /** The value mask (or none) and, with use_causal_mask, the causal one. Public for the training form. */
    public ScoreMask scoreMask(boolean[] valueMask, int tv) {
        ScoreMask m = valueMask == null ? ScoreMask.none() : ScoreMask.keys(valueMask, 0, tv);
        return causal ? m.causal() : m;
    }

    @Override
    public List<Weight> weights() {
        List<Weight> w = new ArrayList<>();
        if (scale != null) w.add(new Weight("scale", kind == Kind.ADDITIVE ? new int[]{scale.length} : new int[0],
                scale.clone()));
        if (concatWeight != null) w.add(new Weight("concat_score_weight", new int[0], concatWeight.clone()));
        return w;
    }

    @Override
    public void encode(LayerEncoder e) {
        e.put("kind", kind.name());
        e.put("causal", causal);
        e.put("return_scores", returnScores);
        e.put("dropout", dropout);
        e.weights(weights());
    }

    static Layer decode(LayerDecoder d) {
        Kind kind = d.enumValue("kind", Kind.values());
        Weight s = d.optionalWeight("scale"), c = d.optionalWeight("concat_score_weight");
        d.expectNoOtherWeights("scale", "concat_score_weight");
        return new Attention(d.name(), kind, s == null ? null : s.values(), c == null ? null : c.values(),
                d.bool("causal"), d.bool("return_scores"), d.doubleValue("dropout"));
    }

    @Override
    public long flops(int[][] in, int[][] out) {
        long tq = in[0][0], d = in[0][1], tv = in[1][0], dv = in[1][1];
        return kind == Kind.DOT ? 2 * tq * tv * (d + dv) : 2 * tq * tv * dv;
    }

    @Override public int vocabulary() { return 0; }

    @Override
    public Layer withWeights(List<float[]> values) {
        float[][] v = NormAxes.optionalPair(values, scale, concatWeight);
        return new Attention(name, kind, v[0], v[1], causal, returnScores, dropout);
    }
}

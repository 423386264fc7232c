package io.jkeras.kernels;

/**
 * Attention scores, masked softmax and weighted sums in output-argument style, per sample of a batch:
 * query {@code (B, Tq, D)}, key {@code (B, Tv, D)}, value {@code (B, Tv, Dv)}, scores and weights
 * {@code (B, Tq, Tv)}, output {@code (B, Tq, Dv)}. Softmax runs in float32, as Keras does for float32 models.
 * Keras masks scores three ways ({@link MaskRule}); {@link ScoreMask} says which (query, key) pairs are kept.
 * The fast paths use {@link Gemm}; the {@code …Reference} methods are direct sums in double.
 */
public final class AttentionKernels {
    /** The constant Keras' Attention layers subtract from masked scores (attention.py:177, float32). */
    static final float ATTENTION_MASK_OFFSET = 1.0e9f;
    /** The Softmax layer's masked value (keras/src/layers/activations/softmax.py:7-12, float32). */
    static final float SOFTMAX_MASKED = -1e9f;
    /** {@code ops.dot_product_attention}'s masked value, −0.7·3.38953e38 (backend/tensorflow/nn.py:1677-1680). */
    static final float DOT_PRODUCT_MASKED = (float) (3.38953e38 * -0.7);

    private AttentionKernels() {}

    /** How masked scores are treated before and after the softmax. */
    public enum MaskRule {
        /**
         * Attention and AdditiveAttention ({@code _apply_scores}, keras/src/layers/attention/attention.py:173-182):
         * {@code score − 1e9} where masked, then softmax. A row with every key masked keeps its (shifted) scores,
         * which in float32 round to equal values: uniform weights.
         */
        SUBTRACT,
        /**
         * The Softmax layer with a mask (keras/src/layers/activations/softmax.py:55-105), which MultiHeadAttention
         * uses when it returns its scores or has dropout (multi_head_attention.py:460-474): masked scores replaced
         * by −1e9, softmax, then masked weights set to 0, so a fully masked row is all zeros.
         */
        SOFTMAX_LAYER,
        /**
         * {@code ops.dot_product_attention} (keras/src/backend/tensorflow/nn.py:1683-1720), which MultiHeadAttention
         * uses otherwise (multi_head_attention.py:521-566): masked scores replaced by −0.7·3.38953e38, softmax; a
         * fully masked row gets uniform weights.
         */
        LARGE_NEGATIVE
    }

    /**
     * Which (sample b, query i, key j) pairs are kept: element {@code off + b·batchStride + i·rowStride + j} of a
     * boolean array (rowStride 0: a key mask {@code (B, Tv)} broadcast over queries), and with {@code causal}
     * only {@code j ≤ i} (Keras' causal mask: attention.py:191-212, {@code row_index >= col_index}). Immutable;
     * holds on to the array, which must not change while in use.
     */
    public static final class ScoreMask {
        private static final ScoreMask NONE = new ScoreMask(null, 0, 0, 0, false);
        private final boolean[] keep;
        private final int off, batchStride, rowStride;
        private final boolean causal;

        private ScoreMask(boolean[] keep, int off, int batchStride, int rowStride, boolean causal) {
            this.keep = keep;
            this.off = off;
            this.batchStride = batchStride;
            this.rowStride = rowStride;
            this.causal = causal;
        }

        /** Every pair kept. */
        public static ScoreMask none() { return NONE; }

        /** A key (value) mask {@code (B, Tv)} at {@code off}. */
        public static ScoreMask keys(boolean[] mask, int off, int tv) { return new ScoreMask(mask, off, tv, 0, false); }

        /** A full mask {@code (B, Tq, Tv)} at {@code off}. */
        public static ScoreMask full(boolean[] mask, int off, int tq, int tv) {
            return new ScoreMask(mask, off, tq * tv, tv, false);
        }

        /** This mask and the causal one. */
        public ScoreMask causal() { return new ScoreMask(keep, off, batchStride, rowStride, true); }

        /** Whether query i of sample b attends to key j. */
        public boolean kept(int b, int i, int j) {
            if (causal && j > i) return false;
            return keep == null || keep[off + b * batchStride + i * rowStride + j];
        }

        boolean trivial() { return keep == null && !causal; }
    }

    // ---------------------------------------------------------------- scores

    /**
     * {@code s[b,i,j] = (Σ_d q[b,i,d]·k[b,j,d]) · scale}: Attention's dot scores, the product scaled afterwards
     * (attention.py:120-123; pass scale 1 without use_scale). MultiHeadAttention scales the query before the
     * product instead (multi_head_attention.py:583-585): scale q with the caller's own loop and pass 1.
     */
    public static void dotScores(int batch, int tq, int tv, int dim, float[] q, int qOff, float[] k, int kOff,
                                 float scale, float[] s, int sOff) {
        for (int b = 0; b < batch; b++) {
            int sb = sOff + b * tq * tv;
            Gemm.multiplyABt(tq, tv, dim, q, qOff + b * tq * dim, dim, k, kOff + b * tv * dim, dim, s, sb, tv, false);
            if (scale != 1f) for (int i = 0; i < tq * tv; i++) s[sb + i] *= scale;
        }
    }

    /** Oracle of {@link #dotScores}, in double. */
    public static void dotScoresReference(int batch, int tq, int tv, int dim, float[] q, int qOff, float[] k,
                                          int kOff, float scale, float[] s, int sOff) {
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < tq; i++) {
                for (int j = 0; j < tv; j++) {
                    double sum = 0;
                    for (int d = 0; d < dim; d++) {
                        sum += (double) q[qOff + (b * tq + i) * dim + d] * k[kOff + (b * tv + j) * dim + d];
                    }
                    s[sOff + (b * tq + i) * tv + j] = (float) (sum * scale);
                }
            }
        }
    }

    /**
     * {@code s[b,i,j] = outer · Σ_d perDim[d] · tanh(inner · (q[b,i,d] + k[b,j,d]))} (perDim null: 1), in float:
     * AdditiveAttention with {@code perDim} = its scale vector, inner = outer = 1 (additive_attention.py:93-97);
     * Attention's {@code concat} scores with inner = its scale (1 without use_scale), outer = concat_score_weight,
     * perDim null (attention.py:124-137). One plain loop: the tanh dominates, there is no product to hand to Gemm.
     */
    public static void tanhScores(int batch, int tq, int tv, int dim, float[] q, int qOff, float[] k, int kOff,
                                  float inner, float[] perDim, int pOff, float outer, float[] s, int sOff) {
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < tq; i++) {
                int qr = qOff + (b * tq + i) * dim;
                for (int j = 0; j < tv; j++) {
                    int kr = kOff + (b * tv + j) * dim;
                    float sum = 0f;
                    for (int d = 0; d < dim; d++) {
                        float t = (float) Math.tanh(inner * (q[qr + d] + k[kr + d]));
                        sum += perDim == null ? t : perDim[pOff + d] * t;
                    }
                    s[sOff + (b * tq + i) * tv + j] = outer * sum;
                }
            }
        }
    }

    // ---------------------------------------------------------------- softmax

    /** Softmax over the last axis of the scores {@code (B, Tq, Tv)} in place, masked by {@code mask}, {@code rule}. */
    public static void maskedSoftmax(int batch, int tq, int tv, float[] s, int sOff, ScoreMask mask, MaskRule rule) {
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < tq; i++) {
                int row = sOff + (b * tq + i) * tv;
                if (!mask.trivial()) {
                    for (int j = 0; j < tv; j++) {
                        if (!mask.kept(b, i, j)) s[row + j] = masked(rule, s[row + j]);
                    }
                }
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < tv; j++) max = Math.max(max, s[row + j]);
                float sum = 0f;
                for (int j = 0; j < tv; j++) {
                    float e = (float) Math.exp(s[row + j] - max);
                    s[row + j] = e;
                    sum += e;
                }
                for (int j = 0; j < tv; j++) s[row + j] /= sum;
                if (rule == MaskRule.SOFTMAX_LAYER && !mask.trivial()) {
                    for (int j = 0; j < tv; j++) if (!mask.kept(b, i, j)) s[row + j] = 0f;
                }
            }
        }
    }

    /** Oracle of {@link #maskedSoftmax}: the masked value in float as Keras forms it, the softmax in double. */
    public static void maskedSoftmaxReference(int batch, int tq, int tv, float[] s, int sOff, ScoreMask mask,
                                              MaskRule rule) {
        double[] e = new double[tv];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < tq; i++) {
                int row = sOff + (b * tq + i) * tv;
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int j = 0; j < tv; j++) {
                    e[j] = mask.kept(b, i, j) ? s[row + j] : masked(rule, s[row + j]);
                    max = Math.max(max, e[j]);
                }
                for (int j = 0; j < tv; j++) {
                    e[j] = Math.exp(e[j] - max);
                    sum += e[j];
                }
                for (int j = 0; j < tv; j++) {
                    boolean zero = rule == MaskRule.SOFTMAX_LAYER && !mask.kept(b, i, j);
                    s[row + j] = zero ? 0f : (float) (e[j] / sum);
                }
            }
        }
    }

    private static float masked(MaskRule rule, float score) {
        switch (rule) {
            case SUBTRACT: return score - ATTENTION_MASK_OFFSET;
            case SOFTMAX_LAYER: return SOFTMAX_MASKED;
            default: return DOT_PRODUCT_MASKED;
        }
    }

    // ---------------------------------------------------------------- weighted sum

    /**
     * {@code out[b,i,:] = Σ_j w[b,i,j] · v[b,j,:]}, and rows of queries masked by {@code queryMask}
     * ({@code (B, Tq)} at {@code qmOff}, null for none) set to 0 (Attention's query mask, attention.py:235-238).
     */
    public static void weightedSum(int batch, int tq, int tv, int dv, float[] w, int wOff, float[] v, int vOff,
                                   boolean[] queryMask, int qmOff, float[] out, int oOff) {
        for (int b = 0; b < batch; b++) {
            Gemm.multiply(tq, dv, tv, w, wOff + b * tq * tv, tv, v, vOff + b * tv * dv, dv, out, oOff + b * tq * dv, dv,
                    false);
        }
        zeroMaskedQueries(batch, tq, dv, queryMask, qmOff, out, oOff);
    }

    /** Oracle of {@link #weightedSum}, in double. */
    public static void weightedSumReference(int batch, int tq, int tv, int dv, float[] w, int wOff, float[] v,
                                            int vOff, boolean[] queryMask, int qmOff, float[] out, int oOff) {
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < tq; i++) {
                for (int d = 0; d < dv; d++) {
                    double sum = 0;
                    for (int j = 0; j < tv; j++) {
                        sum += (double) w[wOff + (b * tq + i) * tv + j] * v[vOff + (b * tv + j) * dv + d];
                    }
                    out[oOff + (b * tq + i) * dv + d] = (float) sum;
                }
            }
        }
        zeroMaskedQueries(batch, tq, dv, queryMask, qmOff, out, oOff);
    }

    // ---------------------------------------------------------------- backward

    /** Floats of work array {@link #dotScoresBackward} needs: one sample's scaled score gradient. */
    public static int dotScoresWorkSize(int tq, int tv) {
        return ConvolutionKernels.checkedInt((long) tq * tv, "scores");
    }

    /**
     * Gradient of {@link #dotScores}, accumulated: {@code dq += scale·ds·k}, {@code dk += scale·dsᵀ·q}; dq or dk
     * may be null. {@code work} has {@link #dotScoresWorkSize} floats.
     */
    public static void dotScoresBackward(int batch, int tq, int tv, int dim, float[] q, int qOff, float[] k, int kOff,
                                         float scale, float[] ds, int dsOff, float[] dq, int dqOff, float[] dk,
                                         int dkOff, float[] work) {
        for (int b = 0; b < batch; b++) {
            int sb = dsOff + b * tq * tv;
            for (int i = 0; i < tq * tv; i++) work[i] = ds[sb + i] * scale;
            if (dq != null) Gemm.multiply(tq, dim, tv, work, 0, tv, k, kOff + b * tv * dim, dim, dq,
                    dqOff + b * tq * dim, dim, true);
            if (dk != null) Gemm.multiplyAtB(tv, dim, tq, work, 0, tv, q, qOff + b * tq * dim, dim, dk,
                    dkOff + b * tv * dim, dim, true);
        }
    }

    /** Oracle of {@link #dotScoresBackward}, in double. */
    public static void dotScoresBackwardReference(int batch, int tq, int tv, int dim, float[] q, int qOff, float[] k,
                                                  int kOff, float scale, float[] ds, int dsOff, float[] dq, int dqOff,
                                                  float[] dk, int dkOff) {
        for (int b = 0; b < batch; b++) {
            for (int d = 0; d < dim; d++) {
                for (int i = 0; i < tq; i++) {
                    double sum = 0;
                    for (int j = 0; j < tv; j++) {
                        sum += (double) ds[dsOff + (b * tq + i) * tv + j] * scale * k[kOff + (b * tv + j) * dim + d];
                    }
                    if (dq != null) dq[dqOff + (b * tq + i) * dim + d] += (float) sum;
                }
                for (int j = 0; j < tv; j++) {
                    double sum = 0;
                    for (int i = 0; i < tq; i++) {
                        sum += (double) ds[dsOff + (b * tq + i) * tv + j] * scale * q[qOff + (b * tq + i) * dim + d];
                    }
                    if (dk != null) dk[dkOff + (b * tv + j) * dim + d] += (float) sum;
                }
            }
        }
    }

    /**
     * Gradient of {@link #maskedSoftmax} with respect to the scores before masking, accumulated into ds, from the
     * forward's output weights w and their gradient dw: {@code ds += w·(dw − Σ_j w·dw)} per row; a score that
     * {@link MaskRule#SOFTMAX_LAYER} or {@link MaskRule#LARGE_NEGATIVE} replaced gets nothing (it did not reach the
     * softmax), one that {@link MaskRule#SUBTRACT} shifted gets its share as any other.
     */
    public static void maskedSoftmaxBackward(int batch, int tq, int tv, float[] w, int wOff, float[] dw, int dwOff,
                                             ScoreMask mask, MaskRule rule, float[] ds, int dsOff) {
        boolean replaced = rule != MaskRule.SUBTRACT && !mask.trivial();
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < tq; i++) {
                int row = (b * tq + i) * tv;
                float dot = 0f;
                for (int j = 0; j < tv; j++) dot += w[wOff + row + j] * dw[dwOff + row + j];
                for (int j = 0; j < tv; j++) {
                    if (replaced && !mask.kept(b, i, j)) continue;
                    ds[dsOff + row + j] += w[wOff + row + j] * (dw[dwOff + row + j] - dot);
                }
            }
        }
    }

    /** Oracle of {@link #maskedSoftmaxBackward}, in double. */
    public static void maskedSoftmaxBackwardReference(int batch, int tq, int tv, float[] w, int wOff, float[] dw,
                                                      int dwOff, ScoreMask mask, MaskRule rule, float[] ds,
                                                      int dsOff) {
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < tq; i++) {
                int row = (b * tq + i) * tv;
                double dot = 0;
                for (int j = 0; j < tv; j++) dot += (double) w[wOff + row + j] * dw[dwOff + row + j];
                for (int j = 0; j < tv; j++) {
                    if (rule != MaskRule.SUBTRACT && !mask.kept(b, i, j)) continue;
                    ds[dsOff + row + j] = (float) (ds[dsOff + row + j]
                            + w[wOff + row + j] * (dw[dwOff + row + j] - dot));
                }
            }
        }
    }

    /**
     * Gradient of {@link #weightedSum}, accumulated: {@code dw += dout·vᵀ}, {@code dv += wᵀ·dout} over the queries
     * the query mask keeps (a masked query's output was set to 0, so it passes nothing back); dw or dv may be null.
     */
    public static void weightedSumBackward(int batch, int tq, int tv, int dv, float[] w, int wOff, float[] v, int vOff,
                                           boolean[] queryMask, int qmOff, float[] dout, int doOff, float[] dw,
                                           int dwOff, float[] dV, int dvOff) {
        for (int b = 0; b < batch; b++) {
            // runs of kept queries [i0, i1): one product each
            for (int i0 = 0; i0 < tq; ) {
                while (i0 < tq && queryMask != null && !queryMask[qmOff + b * tq + i0]) i0++;
                int i1 = i0;
                while (i1 < tq && (queryMask == null || queryMask[qmOff + b * tq + i1])) i1++;
                if (i1 > i0) {
                    int r = b * tq + i0;
                    if (dw != null) Gemm.multiplyABt(i1 - i0, tv, dv, dout, doOff + r * dv, dv, v, vOff + b * tv * dv,
                            dv, dw, dwOff + r * tv, tv, true);
                    if (dV != null) Gemm.multiplyAtB(tv, dv, i1 - i0, w, wOff + r * tv, tv, dout, doOff + r * dv, dv,
                            dV, dvOff + b * tv * dv, dv, true);
                }
                i0 = i1;
            }
        }
    }

    /** Oracle of {@link #weightedSumBackward}, in double. */
    public static void weightedSumBackwardReference(int batch, int tq, int tv, int dv, float[] w, int wOff, float[] v,
                                                    int vOff, boolean[] queryMask, int qmOff, float[] dout, int doOff,
                                                    float[] dw, int dwOff, float[] dV, int dvOff) {
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < tq; i++) {
                if (queryMask != null && !queryMask[qmOff + b * tq + i]) continue;
                for (int j = 0; j < tv; j++) {
                    double sum = 0;
                    for (int d = 0; d < dv; d++) {
                        double g = dout[doOff + (b * tq + i) * dv + d];
                        sum += g * v[vOff + (b * tv + j) * dv + d];
                        if (dV != null) dV[dvOff + (b * tv + j) * dv + d] = (float) (dV[dvOff + (b * tv + j) * dv + d]
                                + g * w[wOff + (b * tq + i) * tv + j]);
                    }
                    int at = dwOff + (b * tq + i) * tv + j;
                    if (dw != null) dw[at] = (float) (dw[at] + sum);
                }
            }
        }
    }

    private static void zeroMaskedQueries(int batch, int tq, int dv, boolean[] queryMask, int qmOff, float[] out,
                                          int oOff) {
        if (queryMask == null) return;
        for (int r = 0; r < batch * tq; r++) {
            if (!queryMask[qmOff + r]) java.util.Arrays.fill(out, oOff + r * dv, oOff + (r + 1) * dv, 0f);
        }
    }
}

package io.jkeras.kernels;

import io.jkeras.kernels.AttentionKernels.MaskRule;
import io.jkeras.kernels.AttentionKernels.ScoreMask;
import io.jkeras.kernels.KerasKernelCases.Case;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.SplittableRandom;
import java.util.stream.Stream;

import static io.jkeras.kernels.KerasKernelCases.assertClose;
import static io.jkeras.kernels.KerasKernelCases.assertMatchesKeras;
import static io.jkeras.kernels.KerasKernelCases.random;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link AttentionKernels} against real Keras Attention and AdditiveAttention layers, the Softmax layer's and
 * {@code ops.dot_product_attention}'s masks, and fast paths against references.
 */
class AttentionKernelsTest {

    static Stream<Case> attentionCases() { return KerasKernelCases.of("Attention", "AdditiveAttention"); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("attentionCases")
    void attentionMatchesKeras(Case c) {
        float[] q = c.tensor("q"), v = c.tensor("v"), k = c.tensor("k") == null ? v : c.tensor("k");
        int[] qs = c.shapeOf("q"), vs = c.shapeOf("v");
        int batch = qs[0], tq = qs[1], dim = qs[2], tv = vs[1], dv = vs[2];
        float[] scores = new float[batch * tq * tv];
        float[] scale = c.weight("scale");
        if (c.layer().equals("AdditiveAttention")) {
            AttentionKernels.tanhScores(batch, tq, tv, dim, q, 0, k, 0, 1f, scale, 0, 1f, scores, 0);
        } else if (c.text("score_mode").equals("concat")) {
            AttentionKernels.tanhScores(batch, tq, tv, dim, q, 0, k, 0, scale == null ? 1f : scale[0], null, 0,
                    c.weight("concat_score_weight")[0], scores, 0);
        } else {
            AttentionKernels.dotScores(batch, tq, tv, dim, q, 0, k, 0, scale == null ? 1f : scale[0], scores, 0);
        }
        boolean[] vMask = c.bools("v_mask");
        ScoreMask mask = vMask == null ? ScoreMask.none() : ScoreMask.keys(vMask, 0, tv);
        if (c.config().get("use_causal_mask") != null && c.flag("use_causal_mask")) mask = mask.causal();
        float[] ref = scores.clone();
        AttentionKernels.maskedSoftmax(batch, tq, tv, scores, 0, mask, MaskRule.SUBTRACT);
        AttentionKernels.maskedSoftmaxReference(batch, tq, tv, ref, 0, mask, MaskRule.SUBTRACT);
        float[] kerasScores = c.tensor("scores");
        assertClose(c.name() + " scores", scores, kerasScores, 1e-5);
        assertClose(c.name() + " reference scores", ref, kerasScores, 1e-5);
        float[] out = new float[batch * tq * dv];
        AttentionKernels.weightedSum(batch, tq, tv, dv, scores, 0, v, 0, c.bools("q_mask"), 0, out, 0);
        assertMatchesKeras(c, new int[]{batch, tq, dv}, out);
    }

    @Test
    void softmaxLayerMaskZeroesMaskedWeightsAndFullyMaskedRows() {
        Case c = KerasKernelCases.of("Softmax").findFirst().orElseThrow();
        int[] s = c.xShape();
        float[] fast = c.x().clone(), ref = c.x().clone();
        ScoreMask mask = ScoreMask.full(c.mask(), 0, s[1], s[2]);
        AttentionKernels.maskedSoftmax(s[0], s[1], s[2], fast, 0, mask, MaskRule.SOFTMAX_LAYER);
        AttentionKernels.maskedSoftmaxReference(s[0], s[1], s[2], ref, 0, mask, MaskRule.SOFTMAX_LAYER);
        assertMatchesKeras(c, s, fast);
        assertMatchesKeras(c, s, ref);
    }

    @Test
    void dotProductAttentionMaskGivesFullyMaskedRowsUniformWeights() {
        Case c = KerasKernelCases.of("dot_product_attention").findFirst().orElseThrow();
        int[] qs = c.xShape(), ks = c.shapeOf("k");
        assertThat(qs[2]).as("one head").isEqualTo(1);
        int batch = qs[0], tq = qs[1], dim = qs[3], tv = ks[1];
        float[] scores = new float[batch * tq * tv];
        AttentionKernels.dotScores(batch, tq, tv, dim, c.x(), 0, c.tensor("k"), 0, c.number("scale"), scores, 0);
        AttentionKernels.maskedSoftmax(batch, tq, tv, scores, 0, ScoreMask.full(c.mask(), 0, tq, tv),
                MaskRule.LARGE_NEGATIVE);
        float[] out = new float[batch * tq * dim];
        AttentionKernels.weightedSum(batch, tq, tv, dim, scores, 0, c.tensor("v"), 0, null, 0, out, 0);
        assertMatchesKeras(c, new int[]{batch, tq, 1, dim}, out);
    }

    static Stream<Arguments> shapes() {
        // batch, tq, tv, dim, dv
        return Stream.of(Arguments.of(1, 1, 1, 1, 1), Arguments.of(3, 7, 17, 3, 5), Arguments.of(2, 17, 7, 16, 1),
                Arguments.of(1, 3, 3, 64, 17));
    }

    @ParameterizedTest(name = "batch={0} tq={1} tv={2} dim={3} dv={4}")
    @MethodSource("shapes")
    void fastPathsMatchReferences(int batch, int tq, int tv, int dim, int dv) {
        SplittableRandom rnd = new SplittableRandom(31L * tq + tv + 7L * dim);
        float[] q = random(rnd, batch * tq * dim), k = random(rnd, batch * tv * dim), v = random(rnd, batch * tv * dv);
        float[] s = new float[batch * tq * tv], sr = new float[s.length];
        AttentionKernels.dotScores(batch, tq, tv, dim, q, 0, k, 0, 0.37f, s, 0);
        AttentionKernels.dotScoresReference(batch, tq, tv, dim, q, 0, k, 0, 0.37f, sr, 0);
        assertClose("dot scores", s, sr, 1e-5);
        boolean[] keys = new boolean[batch * tv], full = new boolean[batch * tq * tv];
        boolean[] queries = new boolean[batch * tq];
        for (int i = 0; i < keys.length; i++) keys[i] = rnd.nextInt(3) > 0;
        for (int i = 0; i < full.length; i++) full[i] = rnd.nextInt(3) > 0;
        for (int i = 0; i < queries.length; i++) queries[i] = rnd.nextInt(4) > 0;
        ScoreMask[] masks = {ScoreMask.none(), ScoreMask.keys(keys, 0, tv), ScoreMask.full(full, 0, tq, tv),
            ScoreMask.none().causal(), ScoreMask.keys(keys, 0, tv).causal()};
        for (MaskRule rule : MaskRule.values()) {
            for (ScoreMask m : masks) {
                float[] fast = sr.clone(), ref = sr.clone();
                AttentionKernels.maskedSoftmax(batch, tq, tv, fast, 0, m, rule);
                AttentionKernels.maskedSoftmaxReference(batch, tq, tv, ref, 0, m, rule);
                assertClose("softmax " + rule, fast, ref, 1e-6);
                float[] out = new float[batch * tq * dv], outRef = new float[out.length];
                AttentionKernels.weightedSum(batch, tq, tv, dv, fast, 0, v, 0, queries, 0, out, 0);
                AttentionKernels.weightedSumReference(batch, tq, tv, dv, ref, 0, v, 0, queries, 0, outRef, 0);
                assertClose("weighted sum " + rule, out, outRef, 1e-5);
            }
        }
    }

    @ParameterizedTest(name = "batch={0} tq={1} tv={2} dim={3} dv={4}")
    @MethodSource("shapes")
    void backwardMatchesReferencesAndFiniteDifferences(int batch, int tq, int tv, int dim, int dv) {
        SplittableRandom rnd = new SplittableRandom(17L * tq + tv + 3L * dim);
        float[] q = random(rnd, batch * tq * dim), k = random(rnd, batch * tv * dim), v = random(rnd, batch * tv * dv);
        float[] dout = random(rnd, batch * tq * dv);
        boolean[] keys = new boolean[batch * tv], queries = new boolean[batch * tq];
        for (int i = 0; i < keys.length; i++) keys[i] = i % tv == 0 || rnd.nextInt(3) > 0;
        for (int i = 0; i < queries.length; i++) queries[i] = rnd.nextInt(4) > 0;
        float scale = 0.7f;
        for (MaskRule rule : MaskRule.values()) {
            ScoreMask mask = ScoreMask.keys(keys, 0, tv).causal();
            float[] w = new float[batch * tq * tv];
            AttentionKernels.dotScores(batch, tq, tv, dim, q, 0, k, 0, scale, w, 0);
            AttentionKernels.maskedSoftmax(batch, tq, tv, w, 0, mask, rule);
            // each backward kernel against its reference, accumulating into nonzero gradients
            float[] dw0 = random(rnd, w.length), dv0 = random(rnd, v.length);
            float[] dw = dw0.clone(), dV = dv0.clone(), rdw = dw0.clone(), rdV = dv0.clone();
            AttentionKernels.weightedSumBackward(batch, tq, tv, dv, w, 0, v, 0, queries, 0, dout, 0, dw, 0, dV, 0);
            AttentionKernels.weightedSumBackwardReference(batch, tq, tv, dv, w, 0, v, 0, queries, 0, dout, 0, rdw, 0,
                    rdV, 0);
            assertClose("dw", dw, rdw, 1e-5);
            assertClose("dv", dV, rdV, 1e-5);
            float[] ds = random(rnd, w.length), rds = ds.clone();
            AttentionKernels.maskedSoftmaxBackward(batch, tq, tv, w, 0, dw, 0, mask, rule, ds, 0);
            AttentionKernels.maskedSoftmaxBackwardReference(batch, tq, tv, w, 0, dw, 0, mask, rule, rds, 0);
            assertClose("ds " + rule, ds, rds, 1e-5);
            float[] dq = random(rnd, q.length), dk = random(rnd, k.length), rdq = dq.clone(), rdk = dk.clone();
            AttentionKernels.dotScoresBackward(batch, tq, tv, dim, q, 0, k, 0, scale, ds, 0, dq, 0, dk, 0,
                    new float[AttentionKernels.dotScoresWorkSize(tq, tv)]);
            AttentionKernels.dotScoresBackwardReference(batch, tq, tv, dim, q, 0, k, 0, scale, ds, 0, rdq, 0, rdk, 0);
            assertClose("dq", dq, rdq, 1e-5);
            assertClose("dk", dk, rdk, 1e-5);

            // the chain from zero gradients against central differences of the whole forward, in double
            float[] gw = new float[w.length], gv = new float[v.length], gs = new float[w.length];
            float[] gq = new float[q.length], gk = new float[k.length];
            AttentionKernels.weightedSumBackward(batch, tq, tv, dv, w, 0, v, 0, queries, 0, dout, 0, gw, 0, gv, 0);
            AttentionKernels.maskedSoftmaxBackward(batch, tq, tv, w, 0, gw, 0, mask, rule, gs, 0);
            AttentionKernels.dotScoresBackward(batch, tq, tv, dim, q, 0, k, 0, scale, gs, 0, gq, 0, gk, 0,
                    new float[AttentionKernels.dotScoresWorkSize(tq, tv)]);
            float[][] inputs = {q, k, v}, grads = {gq, gk, gv};
            for (int which = 0; which < 3; which++) {
                float[] dir = random(rnd, inputs[which].length);
                int at = which;
                double h = 1e-4;
                double slope = (attentionLoss(batch, tq, tv, dim, dv, inputs, at, dir, h, scale, mask, rule, queries,
                        dout) - attentionLoss(batch, tq, tv, dim, dv, inputs, at, dir, -h, scale, mask, rule, queries,
                        dout)) / (2 * h);
                double got = 0;
                for (int i = 0; i < dir.length; i++) got += (double) grads[which][i] * dir[i];
                assertThat(got).as("%s: <d%s, v>", rule, "qkv".charAt(which)).isCloseTo(slope,
                        org.assertj.core.data.Offset.offset(1e-4 * (1 + Math.abs(slope))));
            }
        }
    }

    /** {@code Σ dout · attention(q, k, v)} in double with input {@code which} moved by {@code t·dir}. */
    private static double attentionLoss(int batch, int tq, int tv, int dim, int dv, float[][] inputs, int which,
                                        float[] dir, double t, float scale, ScoreMask mask, MaskRule rule,
                                        boolean[] queries, float[] dout) {
        double[][] in = new double[3][];
        for (int a = 0; a < 3; a++) {
            in[a] = new double[inputs[a].length];
            for (int i = 0; i < in[a].length; i++) in[a][i] = inputs[a][i] + (a == which ? t * dir[i] : 0);
        }
        double total = 0;
        double[] e = new double[tv];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < tq; i++) {
                if (!queries[b * tq + i]) continue;
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int j = 0; j < tv; j++) {
                    double sc = 0;
                    for (int d = 0; d < dim; d++) sc += in[0][(b * tq + i) * dim + d] * in[1][(b * tv + j) * dim + d];
                    sc *= scale;
                    if (!mask.kept(b, i, j)) {
                        sc = rule == MaskRule.SUBTRACT ? sc - 1e9 : rule == MaskRule.SOFTMAX_LAYER ? -1e9 : -2.3e38;
                    }
                    e[j] = sc;
                    max = Math.max(max, sc);
                }
                for (int j = 0; j < tv; j++) {
                    e[j] = Math.exp(e[j] - max);
                    sum += e[j];
                }
                for (int j = 0; j < tv; j++) {
                    double wt = rule == MaskRule.SOFTMAX_LAYER && !mask.kept(b, i, j) ? 0 : e[j] / sum;
                    for (int d = 0; d < dv; d++) {
                        total += dout[(b * tq + i) * dv + d] * wt * in[2][(b * tv + j) * dv + d];
                    }
                }
            }
        }
        return total;
    }

    @Test
    void causalMaskKeepsKeysUpToTheQueryPosition() {
        ScoreMask m = ScoreMask.none().causal();
        assertThat(m.kept(0, 2, 2)).isTrue();
        assertThat(m.kept(0, 2, 3)).isFalse();
        assertThat(m.kept(0, 0, 0)).isTrue();
    }
}

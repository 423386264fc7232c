package io.jkeras.layers;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.kernels.AttentionKernels;
import io.jkeras.kernels.AttentionKernels.MaskRule;
import io.jkeras.kernels.AttentionKernels.ScoreMask;
import io.jkeras.kernels.Gemm;
import io.jkeras.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Keras 3 MultiHeadAttention (keras/src/layers/attention/multi_head_attention.py) on inputs {@code [query,
 * value]}, {@code [query, value, key]}, each optionally followed by an {@code attention_mask (B, Tq, Tv)}: query,
 * key and value projected to {@code num_heads} heads of {@code key_dim} / {@code value_dim} (kernels
 * {@code (D, H, key_dim)}, biases {@code (H, key_dim)}), per head {@code softmax(q·kᵀ/√key_dim)·v} over the
 * {@code attention_axes} (the other inner axes of the query are independent, several attention axes are attended
 * jointly), then the output projection (kernel {@code (H, value_dim, *output_shape)}). Masks (rank-3 inputs, one
 * attention axis): the query mask, value and key masks, {@code use_causal_mask} ({@code j ≤ i}) and the
 * attention_mask input are combined (multi_head_attention.py {@code _compute_attention_mask}); masked scores follow
 * {@code ops.dot_product_attention} (rank-3 inputs without dropout or returned scores) or else the Softmax layer
 * ({@code _compute_attention}, {@link MaskRule}). Output 0 carries the query mask; with
 * {@code return_attention_scores} output 1 is the weights {@code (B, *other axes, H, *Tq axes, *Tv axes)}.
 * {@code sliding_window} w (rank 3) keeps only {@code |i - j| < w}, ANDed with the other masks
 * ({@code _compute_sliding_window_mask}); {@code use_gate} multiplies the per-head attention output by
 * {@code sigmoid(query·gate/kernel + gate/bias)} (shape {@code (D, H, value_dim)}) before the output projection.
 */
public final class MultiHeadAttention implements Layer {
    @Override public <R> R accept(Visitor<R> v) { return v.visit(this); }

    private final String name;
    private final int heads, keyDim, valueDim;
    private final int rank;          // query rank with batch
    private final int[] attentionAxes; // sorted, in [1, rank - 1)
    private final int[] outputShape;
    private final boolean hasKey, hasAttentionMask, causal, returnScores, gate;
    private final int slidingWindow; // 0 = none
    private final double dropout;
    private final Weight[] w;        // query, key, value, output kernels then (optionally) biases in Keras order
    private final Weight[] g;        // gate kernel [, gate bias] when use_gate, else empty

    /**
     * @param weights {@code query/kernel, [query/bias], key/kernel, [key/bias], value/kernel, [value/bias],
     *                attention_output/kernel, [attention_output/bias]} (all biases or none), in Keras' shapes
     */
    public MultiHeadAttention(String name, int heads, int keyDim, int valueDim, int rank, int[] attentionAxes,
                              int[] outputShape, boolean hasKey, boolean hasAttentionMask, boolean causal,
                              boolean returnScores, double dropout, List<Weight> weights) {
        this(name, heads, keyDim, valueDim, rank, attentionAxes, outputShape, hasKey, hasAttentionMask, causal,
                returnScores, dropout, false, 0, weights);
    }

    /**
     * @param gate          Keras' {@code use_gate}: then {@code weights} has {@code gate/kernel, [gate/bias]}
     *                      between the key and the value weights, as Keras builds them
     * @param slidingWindow Keras' {@code sliding_window}, 0 for None
     */
    public MultiHeadAttention(String name, int heads, int keyDim, int valueDim, int rank, int[] attentionAxes,
                              int[] outputShape, boolean hasKey, boolean hasAttentionMask, boolean causal,
                              boolean returnScores, double dropout, boolean gate, int slidingWindow,
                              List<Weight> weights) {
        this.name = name;
        this.heads = heads;
        this.keyDim = keyDim;
        this.valueDim = valueDim;
        this.rank = rank;
        if (heads < 1 || keyDim < 1 || valueDim < 1) {
            throw new UnsupportedModelException(null, name, null, "num_heads, key_dim and value_dim must be positive,"
                    + " got " + heads + ", " + keyDim + ", " + valueDim);
        }
        if (rank < 3) throw new UnsupportedModelException(null, name, null, "needs inputs of rank 3 or more (with"
                + " batch), got rank " + rank);
        int[] a = new int[attentionAxes.length];
        for (int i = 0; i < a.length; i++) a[i] = attentionAxes[i] < 0 ? attentionAxes[i] + rank : attentionAxes[i];
        Arrays.sort(a);
        for (int i = 0; i < a.length; i++) {
            if (a[i] < 1 || a[i] >= rank - 1 || (i > 0 && a[i] == a[i - 1])) {
                throw new UnsupportedModelException(null, name, null, "attention_axes " + Arrays.toString(attentionAxes)
                        + " must be distinct axes between the batch and the feature axis of a rank-" + rank + " input");
            }
        }
        if (a.length == 0) throw new UnsupportedModelException(null, name, null, "needs at least one attention axis");
        this.attentionAxes = a;
        this.outputShape = outputShape.clone();
        this.hasKey = hasKey;
        this.hasAttentionMask = hasAttentionMask;
        this.causal = causal;
        this.returnScores = returnScores;
        if (!(dropout >= 0 && dropout < 1)) {
            throw new UnsupportedModelException(null, name, null, "dropout must be in [0, 1), got " + dropout);
        }
        this.dropout = dropout;
        if (slidingWindow < 0) {
            throw new UnsupportedModelException(null, name, null, "sliding_window must be positive, got "
                    + slidingWindow);
        }
        if (slidingWindow > 0 && rank != 3) {
            throw new UnsupportedModelException(null, name, null, "sliding_window is supported for rank-3 inputs"
                    + " only, got rank " + rank);
        }
        this.slidingWindow = slidingWindow;
        this.gate = gate;
        if (gate) {
            int n = weights.size(), gk = n == 10 ? 4 : 2;
            if (n != 10 && n != 5) {
                throw new UnsupportedModelException(null, name, null, "with use_gate expects 10 weights (5 kernels"
                        + " and their biases) or 5 (use_bias=False), got " + n);
            }
            int[] s = weights.get(gk).shape();
            if (s.length != 3 || s[1] != heads || s[2] != valueDim) {
                throw shape("gate/kernel", s, "(D, " + heads + ", " + valueDim + ")");
            }
            List<Weight> rest = new ArrayList<>(weights);
            Weight gkw = rest.remove(gk);
            if (n == 10) {
                Weight gb = rest.remove(gk);
                if (!Arrays.equals(gb.shape(), new int[]{heads, valueDim})) {
                    throw shape("gate/bias", gb.shape(), "(" + heads + ", " + valueDim + ")");
                }
                this.g = new Weight[]{copy("gate/kernel", gkw), copy("gate/bias", gb)};
            } else {
                this.g = new Weight[]{copy("gate/kernel", gkw)};
            }
            weights = rest;
        } else {
            this.g = new Weight[0];
        }
        if (weights.size() != 4 && weights.size() != 8) {
            throw new UnsupportedModelException(null, name, null, "expects 8 weights (4 kernels and their biases) or"
                    + " 4 (use_bias=False), got " + weights.size());
        }
        this.w = new Weight[weights.size()];
        boolean bias = weights.size() == 8;
        int hk = heads * keyDim, hv = heads * valueDim;
        int[] widths = {hk, hk, hv};
        String[] parts = {"query", "key", "value"};
        for (int p = 0; p < 3; p++) {
            Weight k = weights.get(bias ? 2 * p : p);
            int[] s = k.shape();
            if (s.length != 3 || s[1] != heads || s[2] != widths[p] / heads) {
                throw shape(parts[p] + "/kernel", s, "(D, " + heads + ", " + widths[p] / heads + ")");
            }
            w[bias ? 2 * p : p] = copy(parts[p] + "/kernel", k);
            if (bias) {
                Weight b = weights.get(2 * p + 1);
                if (!Arrays.equals(b.shape(), new int[]{heads, widths[p] / heads})) {
                    throw shape(parts[p] + "/bias", b.shape(), "(" + heads + ", " + widths[p] / heads + ")");
                }
                w[2 * p + 1] = copy(parts[p] + "/bias", b);
            }
        }
        Weight ok = weights.get(bias ? 6 : 3);
        int[] want = new int[2 + outputShape.length];
        want[0] = heads;
        want[1] = valueDim;
        System.arraycopy(outputShape, 0, want, 2, outputShape.length);
        if (!Arrays.equals(ok.shape(), want)) {
            throw shape("attention_output/kernel", ok.shape(), Tensor.shapeString(want));
        }
        w[bias ? 6 : 3] = copy("attention_output/kernel", ok);
        if (bias) {
            Weight ob = weights.get(7);
            if (!Arrays.equals(ob.shape(), outputShape)) {
                throw shape("attention_output/bias", ob.shape(), Tensor.shapeString(outputShape));
            }
            w[7] = copy("attention_output/bias", ob);
        }
    }

    private UnsupportedModelException shape(String weight, int[] got, String want) {
        return new UnsupportedModelException(null, name, weight, "has shape " + Tensor.shapeString(got)
                + ", expected " + want);
    }

    private static Weight copy(String name, Weight w) {
        return new Weight(name, w.shape().clone(), w.values().clone());
    }

    @Override public String name() { return name; }

    @Override public String typeName() { return "MultiHeadAttention"; }

    public int heads() { return heads; }

    public int keyDim() { return keyDim; }

    public int valueDim() { return valueDim; }

    public int rank() { return rank; }

    public int[] attentionAxes() { return attentionAxes.clone(); }

    public int[] outputShape() { return outputShape.clone(); }

    public boolean hasKey() { return hasKey; }

    public boolean hasAttentionMask() { return hasAttentionMask; }

    public boolean causal() { return causal; }

    public boolean returnScores() { return returnScores; }

    public double dropout() { return dropout; }

    /** Keras' {@code use_gate}. */
    public boolean gate() { return gate; }

    /** Keras' {@code sliding_window}, 0 for None. */
    public int slidingWindow() { return slidingWindow; }

    private boolean bias() { return w.length == 8; }

    /** Kernel of part p (0 query, 1 key, 2 value, 3 output). */
    private Weight kernel(int p) { return w[bias() ? 2 * p : p]; }

    /** Bias of part p, or null. */
    private float[] biasOf(int p) { return bias() ? w[2 * p + 1].values() : null; }

    private int outWidth() {
        int n = 1;
        for (int d : outputShape) n *= d;
        return n;
    }

    @Override
    public int[][] outputShapes(int[][] in) {
        int n = 2 + (hasKey ? 1 : 0) + (hasAttentionMask ? 1 : 0);
        Shapes.expectInputs(name, in, n, n);
        int[] q = in[0], v = in[1], k = hasKey ? in[2] : in[1];
        for (int[] s : new int[][]{q, v, k}) Shapes.expectRank(name, s, rank - 1);
        check(q[rank - 2] == kernel(0).shape()[0] && k[rank - 2] == kernel(1).shape()[0]
                && v[rank - 2] == kernel(2).shape()[0], "query, key and value feature sizes "
                + q[rank - 2] + ", " + k[rank - 2] + ", " + v[rank - 2] + " do not fit the kernels");
        for (int i = 1; i < rank - 1; i++) {
            if (!isAttention(i)) check(q[i - 1] == v[i - 1] && k[i - 1] == v[i - 1], "query, value and key must"
                    + " have the same size on axis " + i + ", which is not an attention axis");
            else check(k[i - 1] == v[i - 1], "value and key must have the same size on attention axis " + i);
        }
        if ((hasAttentionMask || causal || slidingWindow > 0) && rank != 3) {
            check(false, "masks are supported for rank-3 inputs only");
        }
        int[] out = new int[rank - 2 + outputShape.length];
        System.arraycopy(q, 0, out, 0, rank - 2);
        System.arraycopy(outputShape, 0, out, rank - 2, outputShape.length);
        if (!returnScores) return new int[][]{out};
        List<Integer> sc = new ArrayList<>();
        for (int i = 1; i < rank - 1; i++) if (!isAttention(i)) sc.add(q[i - 1]);
        sc.add(heads);
        for (int a : attentionAxes) sc.add(q[a - 1]);
        for (int a : attentionAxes) sc.add(v[a - 1]);
        return new int[][]{out, sc.stream().mapToInt(Integer::intValue).toArray()};
    }

    private void check(boolean ok, String msg) {
        if (!ok) throw new UnsupportedModelException(null, name, null, msg);
    }

    private boolean isAttention(int axis) {
        for (int a : attentionAxes) if (a == axis) return true;
        return false;
    }

    /** {@code x (rows, D)·kernel (D, width) + bias}. */
    private static float[] project(float[] x, int rows, float[] kernel, int d, int width, float[] bias) {
        float[] y = new float[rows * width];
        Gemm.multiply(rows, width, d, x, 0, d, kernel, 0, width, y, 0, width, false);
        if (bias != null) for (int r = 0; r < rows; r++) for (int j = 0; j < width; j++) y[r * width + j] += bias[j];
        return y;
    }

    /**
     * For a tensor of shape s (with batch, features last): {@code [group][position]} = the row (index over all
     * but the feature axis) of each attended position of each group (a sample and an index of the other axes).
     * Public for the training form.
     */
    public int[][] attentionGroups(int[] s) {
        int inner = rank - 2;
        int rows = 1;
        for (int i = 0; i < rank - 1; i++) rows *= s[i];
        int att = 1;
        for (int a : attentionAxes) att *= s[a];
        int[][] g = new int[rows / Math.max(att, 1)][att];
        int[] idx = new int[rank - 1];
        for (int r = 0; r < rows; r++) {
            int gi = idx[0], pi = 0;
            for (int i = 1; i <= inner; i++) {
                if (isAttention(i)) pi = pi * s[i] + idx[i];
                else gi = gi * s[i] + idx[i];
            }
            g[gi][pi] = r;
            for (int i = rank - 2; i >= 0; i--) {
                if (++idx[i] < s[i]) break;
                idx[i] = 0;
            }
        }
        return g;
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, float[][] state) {
        Tensor q = inputs[0], v = inputs[1], k = hasKey ? inputs[2] : inputs[1];
        int[] qs = q.shape(), vs = v.shape(), ks = k.shape();
        if (qs.length != rank || vs.length != rank || !Arrays.equals(ks, vs) || qs[0] != vs[0]) {
            throw new InputException(null, name, null, "expects query, value and key of rank " + rank
                    + " with the same batch (key shaped as value), got " + Tensor.shapeString(qs) + ", "
                    + Tensor.shapeString(vs) + ", " + Tensor.shapeString(ks));
        }
        int dq = qs[rank - 1], dk = ks[rank - 1], dv = vs[rank - 1];
        if (dq != kernel(0).shape()[0] || dk != kernel(1).shape()[0] || dv != kernel(2).shape()[0]) {
            throw new InputException(null, name, null, "feature sizes " + dq + ", " + dk + ", " + dv
                    + " of query, key, value do not fit the kernels");
        }
        int[][] gq = attentionGroups(qs), gv = attentionGroups(vs);
        if (gq.length != gv.length) {
            throw new InputException(null, name, null, "query " + Tensor.shapeString(qs) + " and value "
                    + Tensor.shapeString(vs) + " differ on an axis that is not an attention axis");
        }
        int rowsQ = q.size() / dq, rowsV = v.size() / dv;
        int hk = heads * keyDim, hv = heads * valueDim;
        float[] pq = project(q.data(), rowsQ, kernel(0).values(), dq, hk, biasOf(0));
        float[] pk = project(k.data(), rowsV, kernel(1).values(), dk, hk, biasOf(1));
        float[] pv = project(v.data(), rowsV, kernel(2).values(), dv, hv, biasOf(2));
        // Keras scales the projected query by 1/sqrt(key_dim) in float32 before the product
        float inv = (float) (1.0 / Math.sqrt(keyDim));
        for (int i = 0; i < pq.length; i++) pq[i] *= inv;
        int tq = gq[0].length, tv = gv[0].length, groups = gq.length;
        boolean[] keep;
        boolean causalMask = causal;
        if (state != null) {   // a chunk of a stream: the keys and values of the earlier chunks come first
            KeyValueCache.refuseMasks(this, inputs);
            KeyValueCache c = KeyValueCache.append(name, state, qs[0], pk, hk, pv, hv, vs[1]);
            pk = c.keys();
            pv = c.values();
            tv = c.steps();
            gv = new int[groups][tv];
            for (int b = 0; b < groups; b++) for (int j = 0; j < tv; j++) gv[b][j] = b * tv + j;
            keep = c.keep(tq, slidingWindow);
            causalMask = false;   // in keep, counted from the start of the stream
            c.store(state, tq, hk, hv, slidingWindow);
        } else {
            keep = mask(inputs, groups, tq, tv);
        }
        MaskRule rule = maskRule();
        float[] scores = new float[groups * heads * tq * tv];
        float[] o = new float[rowsQ * hv];
        float[] qh = new float[tq * keyDim], kh = new float[tv * keyDim], vh = new float[tv * valueDim];
        float[] oh = new float[tq * valueDim];
        for (int gi = 0; gi < groups; gi++) {
            ScoreMask m = keep == null ? ScoreMask.none() : ScoreMask.full(keep, gi * tq * tv, tq, tv);
            if (causalMask) m = m.causal();
            for (int h = 0; h < heads; h++) {
                gather(pq, gq[gi], hk, h * keyDim, keyDim, qh);
                gather(pk, gv[gi], hk, h * keyDim, keyDim, kh);
                gather(pv, gv[gi], hv, h * valueDim, valueDim, vh);
                int so = (gi * heads + h) * tq * tv;
                AttentionKernels.dotScores(1, tq, tv, keyDim, qh, 0, kh, 0, 1f, scores, so);
                AttentionKernels.maskedSoftmax(1, tq, tv, scores, so, m, rule);
                AttentionKernels.weightedSum(1, tq, tv, valueDim, scores, so, vh, 0, null, 0, oh, 0);
                for (int i = 0; i < tq; i++) {
                    System.arraycopy(oh, i * valueDim, o, gq[gi][i] * hv + h * valueDim, valueDim);
                }
            }
        }
        if (gate) {
            // multi_head_attention.py call(): output_dense(attention_output * gate), gate = sigmoid(gate_dense(query))
            float[] gt = project(q.data(), rowsQ, g[0].values(), dq, hv, g.length == 2 ? g[1].values() : null);
            for (int i = 0; i < o.length; i++) o[i] *= (float) (1.0 / (1.0 + Math.exp(-gt[i])));
        }
        int ow = outWidth();
        float[] y = project(o, rowsQ, kernel(3).values(), hv, ow, bias() ? w[7].values() : null);
        int[] ys = new int[rank - 1 + outputShape.length];
        System.arraycopy(qs, 0, ys, 0, rank - 1);
        System.arraycopy(outputShape, 0, ys, rank - 1, outputShape.length);
        Tensor out = new Tensor(ys, y, q.mask());
        if (!returnScores) return new Tensor[]{out};
        List<Integer> sc = new ArrayList<>(List.of(qs[0]));
        for (int i = 1; i < rank - 1; i++) if (!isAttention(i)) sc.add(qs[i]);
        sc.add(heads);
        for (int a : attentionAxes) sc.add(qs[a]);
        for (int a : attentionAxes) sc.add(vs[a]);
        return new Tensor[]{out, new Tensor(sc.stream().mapToInt(Integer::intValue).toArray(), scores)};
    }

    /**
     * How masked scores are treated: as {@code ops.dot_product_attention} does for rank-3 inputs without dropout or
     * returned scores, else as the Softmax layer does (multi_head_attention.py {@code _compute_attention}).
     */
    public MaskRule maskRule() {
        return dropout > 0 || returnScores || rank != 3 ? MaskRule.SOFTMAX_LAYER : MaskRule.LARGE_NEGATIVE;
    }

    private static void gather(float[] src, int[] rows, int width, int col, int n, float[] dst) {
        for (int i = 0; i < rows.length; i++) System.arraycopy(src, rows[i] * width + col, dst, i * n, n);
    }

    /**
     * The combined query, value, key and attention_mask masks {@code (groups, Tq, Tv)}, or null when there are
     * none (the causal mask is applied by {@link ScoreMask#causal}); includes the sliding window band. Public for
     * the training form.
     */
    public boolean[] mask(Tensor[] inputs, int groups, int tq, int tv) {
        boolean[] qm = inputs[0].mask(), vm = inputs[1].mask(), km = hasKey ? inputs[2].mask() : null;
        Tensor am = hasAttentionMask ? inputs[hasKey ? 3 : 2] : null;
        if (qm == null && vm == null && km == null && am == null && slidingWindow == 0) return null;
        if (rank != 3) {
            throw new UnsupportedModelException(null, name, null, "masks are supported for rank-3 inputs only");
        }
        if (am != null && !Arrays.equals(am.shape(), new int[]{groups, tq, tv})) {
            throw new InputException(null, name, "attention_mask", "expected shape "
                    + Tensor.shapeString(new int[]{groups, tq, tv}) + ", got " + Tensor.shapeString(am.shape()));
        }
        boolean[] keep = new boolean[groups * tq * tv];
        for (int b = 0; b < groups; b++) {
            for (int i = 0; i < tq; i++) {
                for (int j = 0; j < tv; j++) {
                    int at = (b * tq + i) * tv + j;
                    keep[at] = (qm == null || qm[b * tq + i]) && (vm == null || vm[b * tv + j])
                            && (km == null || km[b * tv + j]) && (am == null || am.data()[at] != 0f)
                            && (slidingWindow == 0 || Math.abs(i - j) < slidingWindow);
                }
            }
        }
        return keep;
    }

    /** In Keras' order: query, key, [gate], value, attention_output (each kernel then its bias). */
    @Override public List<Weight> weights() {
        List<Weight> out = new ArrayList<>();
        for (Weight x : w) out.add(copy(x.name(), x));
        int at = bias() ? 4 : 2;
        for (int i = 0; i < g.length; i++) out.add(at + i, copy(g[i].name(), g[i]));
        return out;
    }

    @Override
    public void encode(LayerEncoder e) {
        e.put("heads", heads);
        e.put("key_dim", keyDim);
        e.put("value_dim", valueDim);
        e.put("rank", rank);
        e.put("attention_axes", attentionAxes);
        e.put("output_shape", outputShape);
        e.put("has_key", hasKey);
        e.put("has_attention_mask", hasAttentionMask);
        e.put("causal", causal);
        e.put("return_scores", returnScores);
        e.put("dropout", dropout);
        if (gate) e.put("use_gate", true);
        if (slidingWindow > 0) e.put("sliding_window", slidingWindow);
        e.weights(weights());
    }

    static Layer decode(LayerDecoder d) {
        List<Weight> ws = d.weights("query/kernel", "query/bias", "key/kernel", "key/bias", "gate/kernel",
                "gate/bias", "value/kernel", "value/bias", "attention_output/kernel", "attention_output/bias");
        return new MultiHeadAttention(d.name(), d.integer("heads"), d.integer("key_dim"), d.integer("value_dim"),
                d.integer("rank"), d.ints("attention_axes"), d.ints("output_shape"), d.bool("has_key"),
                d.bool("has_attention_mask"), d.bool("causal"), d.bool("return_scores"), d.doubleValue("dropout"),
                d.has("use_gate") && d.bool("use_gate"), d.has("sliding_window") ? d.integer("sliding_window") : 0, ws);
    }

    @Override
    public long flops(int[][] in, int[][] out) {
        int[] q = in[0], v = in[1];
        long rowsQ = 1, rowsV = 1, tv = 1;
        for (int i = 0; i < rank - 2; i++) {
            rowsQ *= q[i];
            rowsV *= v[i];
        }
        for (int a : attentionAxes) tv *= v[a - 1];
        long hk = (long) heads * keyDim, hv = (long) heads * valueDim;
        long proj = 2 * (rowsQ * q[rank - 2] * hk + rowsV * (in[hasKey ? 2 : 1][rank - 2] * hk + v[rank - 2] * hv)
                + rowsQ * hv * outWidth() + (gate ? rowsQ * q[rank - 2] * hv : 0));
        return proj + 2 * rowsQ * heads * tv * (keyDim + valueDim);
    }

    @Override public int vocabulary() { return 0; }

    @Override
    public Layer withWeights(List<float[]> values) {
        List<Weight> ws = new ArrayList<>();
        List<Weight> old = weights();
        for (int i = 0; i < old.size(); i++) ws.add(new Weight(old.get(i).name(), old.get(i).shape(), values.get(i)));
        return new MultiHeadAttention(name, heads, keyDim, valueDim, rank, attentionAxes, outputShape, hasKey,
                hasAttentionMask, causal, returnScores, dropout, gate, slidingWindow, ws);
    }
}

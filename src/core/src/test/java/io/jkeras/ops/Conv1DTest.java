package io.jkeras.ops;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.kernels.Activation;
import io.jkeras.layers.Conv1D;
import io.jkeras.layers.Weight;
import io.jkeras.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static io.jkeras.ops.OpsTestUtil.assertClose;
import static io.jkeras.ops.OpsTestUtil.uniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Conv1D against a direct double-precision convolution written from TensorFlow's definition: the
 * input is zero-padded explicitly (valid: none; causal: dilation·(k−1) on the left; same: the
 * total that gives ceil(L/stride) outputs, floor half on the left) and then
 * {@code y[o, f] = b[f] + Σ_kk Σ_c xp[o·s + kk·d, g·cg + c] · W[kk, c, f]} for filter f of group g.
 */
class Conv1DTest {

    /** Reference over channels_last input (b, len, cin); returns (b, out, filters). */
    static double[] reference(float[] x, int b, int len, int cin, float[] w, float[] bias, int k, int filters, int s,
            int d,
                              String padding, int groups, Activation act, int[] outLen) {
        int span = d * (k - 1) + 1;
        int left, right;
        switch (padding) {
            case "valid" -> { left = 0; right = 0; }
            case "causal" -> { left = d * (k - 1); right = 0; }
            default -> {
                int out = (int) Math.ceil(len / (double) s);
                int total = Math.max((out - 1) * s + span - len, 0);
                left = total / 2;
                right = total - left;
            }
        }
        int plen = len + left + right;
        int out = (plen - span) / s + 1;
        outLen[0] = out;
        int cg = cin / groups, fg = filters / groups;
        double[] y = new double[b * out * filters];
        for (int n = 0; n < b; n++) {
            double[][] xp = new double[plen][cin];
            for (int t = 0; t < len; t++) for (int c = 0; c < cin; c++) xp[t + left][c] = x[(n * len + t) * cin + c];
            for (int o = 0; o < out; o++) {
                for (int f = 0; f < filters; f++) {
                    int g = f / fg;
                    double acc = bias == null ? 0 : bias[f];
                    for (int kk = 0; kk < k; kk++)
                        for (int c = 0; c < cg; c++) acc += xp[o * s + kk * d][g * cg + c] * w[(kk * cg + c) * filters
                                + f];
                    y[(n * out + o) * filters + f] = acc;
                }
            }
        }
        if (act == Activation.RELU) for (int i = 0; i < y.length; i++) y[i] = Math.max(0, y[i]);
        if (act == Activation.TANH) for (int i = 0; i < y.length; i++) y[i] = Math.tanh(y[i]);
        return y;
    }

    @Test
    void matchesReferenceOverPaddingsKernelsStridesDilationsAndGroups() {
        SplittableRandom r = new SplittableRandom(20240611);
        int cases = 0;
        for (String padding : new String[]{"valid", "same", "causal"})
            for (int len : new int[]{1, 7, 33})
                for (int k : new int[]{1, 3, 5})
                    for (int[] sd : new int[][]{{1, 1}, {2, 1}, {3, 1}, {1, 2}, {1, 3}})
                        for (int groups : new int[]{1, 2}) {
                            int s = sd[0], d = sd[1];
                            if (padding.equals("valid") && len < d * (k - 1) + 1) continue;
                            int cin = groups * (1 + r.nextInt(3)), filters = groups * (1 + r.nextInt(3));
                            int b = 1 + r.nextInt(3);
                            boolean useBias = r.nextBoolean();
                            Activation act = r.nextBoolean() ? Activation.LINEAR
                                    : (r.nextBoolean() ? Activation.RELU : Activation.TANH);
                            float[] w = uniform(r, k * (cin / groups) * filters, 0.8);
                            float[] bias = useBias ? uniform(r, filters, 0.5) : null;
                            float[] x = uniform(r, b * len * cin, 1.5);
                            Conv1D.Padding p = Conv1D.Padding.valueOf(padding.toUpperCase());
                            Conv1D conv = new Conv1D("conv", cin, filters, k, s, d, p, groups, false, act, w, bias);
                            int[] out = new int[1];
                            double[] want = reference(x, b, len, cin, w, bias, k, filters, s, d, padding, groups, act,
                                    out);
                            String what = padding + " len=" + len + " k=" + k + " s=" + s + " d=" + d + " groups="
                                    + groups;
                            assertThat(conv.outputShapes(new int[][]{{len, cin}})[0]).as(what)
                                    .containsExactly(out[0], filters);
                            assertThat(conv.outputShapes(new int[][]{{-1, cin}})[0]).as(what)
                                    .containsExactly(-1, filters);
                            Tensor y = conv.forward(new Tensor[]{new Tensor(new int[]{b, len, cin}, x)}, null)[0];
                            assertClose(y, new int[]{b, out[0], filters}, want, 1e-5, what);
                            cases++;
                        }
        assertThat(cases).isGreaterThan(200);
    }

    @Test
    void channelsFirstTransposesInAndOut() {
        SplittableRandom r = new SplittableRandom(7);
        int b = 2, len = 9, cin = 3, filters = 4, k = 3;
        float[] w = uniform(r, k * cin * filters, 0.7);
        float[] bias = uniform(r, filters, 0.3);
        float[] xLast = uniform(r, b * len * cin, 1);
        float[] xFirst = new float[xLast.length];
        for (int n = 0; n < b; n++)
            for (int t = 0; t < len; t++)
                for (int c = 0; c < cin; c++) xFirst[(n * cin + c) * len + t] = xLast[(n * len + t) * cin + c];
        int[] out = new int[1];
        double[] want = reference(xLast, b, len, cin, w, bias, k, filters, 2, 1, "same", 1, Activation.LINEAR, out);
        double[] wantFirst = new double[want.length];
        for (int n = 0; n < b; n++)
            for (int o = 0; o < out[0]; o++)
                for (int f = 0; f < filters; f++) wantFirst[(n * filters + f) * out[0] + o]
                        = want[(n * out[0] + o) * filters + f];
        Conv1D conv = new Conv1D("c", cin, filters, k, 2, 1, Conv1D.Padding.SAME, 1, true, Activation.LINEAR, w, bias);
        assertThat(conv.outputShapes(new int[][]{{cin, len}})[0]).containsExactly(filters, out[0]);
        Tensor y = conv.forward(new Tensor[]{new Tensor(new int[]{b, cin, len}, xFirst)}, null)[0];
        assertClose(y, new int[]{b, filters, out[0]}, wantFirst, 1e-5, "channels_first");
    }

    @Test
    void dropsTheMaskAndListsKerasWeights() {
        SplittableRandom r = new SplittableRandom(3);
        int k = 5, cin = 4, filters = 6, groups = 2;
        float[] w = uniform(r, k * (cin / groups) * filters, 1);
        float[] bias = uniform(r, filters, 1);
        Conv1D conv = new Conv1D("conv1d", cin, filters, k, 1, 1, Conv1D.Padding.CAUSAL, groups, false, Activation.RELU,
                w, bias);
        boolean[] mask = {true, true, false, true, true, false, false, true};
        Tensor x = new Tensor(new int[]{2, 4, cin}, uniform(r, 2 * 4 * cin, 1), mask);
        Tensor y = conv.forward(new Tensor[]{x}, null)[0];
        assertThat(y.mask()).as("Keras' Conv1D does not support masking").isNull();
        List<Weight> ws = conv.weights();
        assertThat(ws).extracting(Weight::name).containsExactly("kernel", "bias");
        assertThat(ws.get(0).shape()).containsExactly(k, cin / groups, filters);
        assertThat(ws.get(0).values()).containsExactly(w);
        assertThat(conv.paramCount()).isEqualTo((long) k * (cin / groups) * filters + filters);
        assertThat(conv.nonTrainableParamCount()).isZero();
    }

    @Test
    void refusesEmptyValidOutputAndWrongChannels() {
        float[] w = new float[5 * 2 * 3];
        Conv1D conv = new Conv1D("c", 2, 3, 5, 1, 2, Conv1D.Padding.VALID, 1, false, Activation.LINEAR, w, null);
        assertThatThrownBy(() -> conv.outputShapes(new int[][]{{8, 2}}))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("'c'")
                .hasMessageContaining("shorter");
        assertThat(conv.outputShapes(new int[][]{{9, 2}})[0]).containsExactly(1, 3);
        assertThatThrownBy(() -> conv.outputShapes(new int[][]{{9, 3}}))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("2 input channels");
        assertThatThrownBy(() -> conv.forward(new Tensor[]{Tensor.zeros(1, 8, 2)}, null))
                .isInstanceOf(InputException.class);
        assertThatThrownBy(()
                -> new Conv1D("g", 3, 4, 1, 1, 1, Conv1D.Padding.VALID, 2, false, Activation.LINEAR, new float[6],
                        null))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("groups=2");
    }
}

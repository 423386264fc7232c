package io.jkeras.onnx;

import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.kernels.Activation;

import java.util.List;

/**
 * Keras activations as ONNX: the names the fused recurrent operators take in their
 * {@code activations} attribute (with {@code activation_alpha}/{@code activation_beta}), and
 * element-wise subgraphs for the other layers. The two hard sigmoids stay apart: Keras 1/2's
 * clip(0.2·x + 0.5) is HardSigmoid(alpha 0.2, beta 0.5), Keras 3's relu6(x + 3) / 6 is
 * HardSigmoid(alpha 1/6, beta 0.5); which one a layer holds was decided by the file's Keras version
 * when it was read.
 */
final class OnnxActivations {
    private OnnxActivations() {}

    /** One activation of an RNN, LSTM or GRU node: its ONNX name and the alpha and beta it takes (NaN: none). */
    record Recurrent(String name, float alpha, float beta) {}

    /**
     * The recurrent operators' form of {@code a}: ONNX defines Relu, Tanh, Sigmoid, Affine,
     * LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid, Elu, Softsign and Softplus there.
     */
    static Recurrent recurrent(Activation a, String layer) {
        switch (a) {
        case TANH: return new Recurrent("Tanh", Float.NaN, Float.NaN);
        case SIGMOID: return new Recurrent("Sigmoid", Float.NaN, Float.NaN);
        case RELU: return new Recurrent("Relu", Float.NaN, Float.NaN);
        case LINEAR: return new Recurrent("Affine", 1f, 0f);
        case HARD_SIGMOID_SLOPE_0_2: return new Recurrent("HardSigmoid", 0.2f, 0.5f);
        case HARD_SIGMOID_RELU6: return new Recurrent("HardSigmoid", 1f / 6f, 0.5f);
        case LEAKY_RELU: return new Recurrent("LeakyRelu", 0.2f, Float.NaN);
        case ELU: return new Recurrent("Elu", 1f, Float.NaN);
        case SOFTSIGN: return new Recurrent("Softsign", Float.NaN, Float.NaN);
        case SOFTPLUS: return new Recurrent("Softplus", Float.NaN, Float.NaN);
        default:
            throw new UnsupportedModelException(null, layer, null, "activation " + name(a)
                    + " has no ONNX recurrent form; the ONNX RNN, LSTM and GRU operators take tanh, sigmoid, relu,"
                    + " linear, hard_sigmoid, leaky_relu, elu, softsign and softplus");
        }
    }

    /** Sets the activation attributes of a recurrent node: names, and the alphas and betas in their order. */
    static void attributes(List<Recurrent> acts, List<io.jkeras.onnx.proto.OnnxProtos.AttributeProto> out) {
        List<String> names = new java.util.ArrayList<>();
        List<Float> alphas = new java.util.ArrayList<>();
        List<Float> betas = new java.util.ArrayList<>();
        for (Recurrent r : acts) {
            names.add(r.name());
            if (!Float.isNaN(r.alpha())) alphas.add(r.alpha());
            if (!Float.isNaN(r.beta())) betas.add(r.beta());
        }
        out.add(OnnxGraph.strings("activations", names));
        if (!alphas.isEmpty()) out.add(OnnxGraph.floats("activation_alpha", alphas));
        if (!betas.isEmpty()) out.add(OnnxGraph.floats("activation_beta", betas));
    }

    /**
     * {@code a} applied to {@code x} element-wise (softmax and log_softmax over the last axis); returns
     * the result's name ({@code x} itself for linear).
     */
    static String apply(OnnxGraph g, Activation a, String x, String out, String layer) {
        switch (a) {
        case LINEAR: return x;
        case TANH: return g.unary("Tanh", x, out);
        case SIGMOID: return g.unary("Sigmoid", x, out);
        case RELU: return g.unary("Relu", x, out);
        case HARD_SIGMOID_SLOPE_0_2: return hardSigmoid(g, x, out, 0.2f);
        case HARD_SIGMOID_RELU6: return hardSigmoid(g, x, out, 1f / 6f);
        case HARD_SILU: return g.binary("Mul", x, hardSigmoid(g, x, out + "/hard_sigmoid", 1f / 6f), out);
        case RELU6: return clip(g, x, out, 0f, 6f);
        case HARD_TANH: return clip(g, x, out, -1f, 1f);
        case LEAKY_RELU: return g.unary("LeakyRelu", x, out, OnnxGraph.attr("alpha", 0.2f));
        case ELU: return g.unary("Elu", x, out, OnnxGraph.attr("alpha", 1f));
        case CELU: return g.unary("Celu", x, out, OnnxGraph.attr("alpha", 1f));
        // ONNX's default alpha and gamma are Keras' constants rounded to float
        case SELU: return g.unary("Selu", x, out);
        case SOFTPLUS: return g.unary("Softplus", x, out);
        case SOFTSIGN: return g.unary("Softsign", x, out);
        case EXPONENTIAL: return g.unary("Exp", x, out);
        case SILU: return g.binary("Mul", x, g.unary("Sigmoid", x, out + "/sigmoid"), out);
        case GELU: {   // exact: x · (1 + erf(x / √2)) / 2 (opset 17 has no Gelu)
            String e = g.unary("Erf", g.binary("Mul", x, g.scalar(out + "/inv_sqrt2", (float) (1 / Math.sqrt(2))),
                    out + "/scaled"), out + "/erf");
            String half = g.binary("Mul", x, g.scalar(out + "/half", 0.5f), out + "/half_x");
            return g.binary("Mul", half, g.binary("Add", e, g.scalar(out + "/one", 1f), out + "/one_plus"), out);
        }
        case MISH: return g.binary("Mul", x, g.unary("Tanh", g.unary("Softplus", x, out + "/softplus"),
                out + "/tanh"), out);
        case LOG_SIGMOID: return g.unary("Neg", g.unary("Softplus", g.unary("Neg", x, out + "/neg"),
                out + "/softplus"), out);
        case TANH_SHRINK: return g.binary("Sub", x, g.unary("Tanh", x, out + "/tanh"), out);
        case HARD_SHRINK: return g.unary("Shrink", x, out, OnnxGraph.attr("lambd", 0.5f), OnnxGraph.attr("bias", 0f));
        case SOFT_SHRINK: return g.unary("Shrink", x, out, OnnxGraph.attr("lambd", 0.5f),
                OnnxGraph.attr("bias", 0.5f));
        case SOFTMAX: return g.unary("Softmax", x, out, OnnxGraph.attr("axis", -1L));
        case LOG_SOFTMAX: return g.unary("LogSoftmax", x, out, OnnxGraph.attr("axis", -1L));
        case SPARSE_PLUS: {   // 0 below -1, x above 1, (x + 1)² / 4 between
            String q = g.binary("Add", x, g.scalar(out + "/one", 1f), out + "/x_plus_1");
            String mid = g.binary("Div", g.binary("Mul", q, q, out + "/squared"), g.scalar(out + "/four", 4f),
                    out + "/quarter");
            String hi = g.op("Where", out + "/upper", List.of(g.binary("GreaterOrEqual", x, g.scalar(out + "/p1", 1f),
                    out + "/at_least_1"), x, mid));
            return g.op("Where", out, List.of(g.binary("LessOrEqual", x, g.scalar(out + "/m1", -1f), out
                    + "/at_most_m1"), g.scalar(out + "/zero", 0f), hi));
        }
        case SPARSE_SIGMOID:   // clip((x + 1) / 2, 0, 1): halving is exact, so this rounds as Keras' form does
            return clip(g, g.binary("Mul", g.binary("Add", x, g.scalar(out + "/one", 1f), out + "/x_plus_1"),
                    g.scalar(out + "/half", 0.5f), out + "/halved"), out, 0f, 1f);
        case SQUAREPLUS: {   // (x + sqrt(x² + b)) / 2, Keras' default b = 4
            String r = g.unary("Sqrt", g.binary("Add", g.binary("Mul", x, x, out + "/squared"), g.scalar(out + "/b",
                    4f), out + "/plus_b"), out + "/root");
            return g.binary("Mul", g.binary("Add", x, r, out + "/sum"), g.scalar(out + "/half", 0.5f), out);
        }
        case GLU: {   // the first half of the last axis times the sigmoid of the second
            String[] h = g.ops("Split", new String[]{out + "/a", out + "/b"}, List.of(x), OnnxGraph.attr("axis", -1L));
            return g.binary("Mul", h[0], g.unary("Sigmoid", h[1], out + "/gate"), out);
        }
        case SPARSEMAX: return sparsemax(g, x, out);
        default:
            throw new UnsupportedModelException(null, layer, null, "activation " + name(a)
                    + " is not exported to ONNX (yet); docs/onnx.md lists the activations that are");
        }
    }

    /**
     * Sparsemax over the last axis as Keras computes it (keras/src/backend/tensorflow/nn.py, Keras 3.15.1):
     * z sorted descending, its running sums c, the support z - (c - 1) / r > 0 for r = 1..D, and
     * tau = (the sum of c over the support - 1) / its size; then max(x - tau, 0).
     */
    private static String sparsemax(OnnxGraph g, String x, String out) {
        String d = g.op("Slice", out + "/width", List.of(g.op("Shape", out + "/shape", List.of(x)),
                g.longs(out + "/last", -1), g.longs(out + "/end", Long.MAX_VALUE)));
        String z = g.ops("TopK", new String[]{out + "/sorted", out + "/sorted_at"}, List.of(x, d),
                OnnxGraph.attr("axis", -1L), OnnxGraph.attr("largest", 1L), OnnxGraph.attr("sorted", 1L))[0];
        String c = g.op("CumSum", out + "/cumsum", List.of(z, g.intScalar(out + "/axis", 7, -1)));
        String r = g.unary("Cast", g.op("Range", out + "/r_long", List.of(g.intScalar(out + "/r0", 7, 1),
                g.binary("Add", g.squeeze(d, out + "/width_s", 0), g.intScalar(out + "/r1", 7, 1), out + "/r_end"),
                g.intScalar(out + "/step", 7, 1))), out + "/r", OnnxGraph.attr("to", 1L));
        String support = g.binary("Greater", g.binary("Sub", z, g.binary("Div", g.binary("Sub", c,
                g.scalar(out + "/one", 1f), out + "/c_minus_1"), r, out + "/mean_excess"), out + "/margin"),
                g.scalar(out + "/zero", 0f), out + "/support");
        String k = g.op("ReduceSum", out + "/k", List.of(g.unary("Cast", support, out + "/support_f",
                OnnxGraph.attr("to", 1L)), g.longs(out + "/axes", -1)), OnnxGraph.attr("keepdims", 1L));
        String safe = g.op("Where", out + "/c_on_support", List.of(support, c, g.scalar(out + "/zero_c", 0f)));
        String tau = g.binary("Div", g.binary("Sub", g.op("ReduceSum", out + "/c_sum", List.of(safe,
                g.longs(out + "/axes_c", -1)), OnnxGraph.attr("keepdims", 1L)), g.scalar(out + "/one_t", 1f),
                out + "/tau_num"), k, out + "/tau");
        return g.unary("Relu", g.binary("Sub", x, tau, out + "/shifted"), out);
    }

    private static String hardSigmoid(OnnxGraph g, String x, String out, float alpha) {
        return g.unary("HardSigmoid", x, out, OnnxGraph.attr("alpha", alpha), OnnxGraph.attr("beta", 0.5f));
    }

    private static String clip(OnnxGraph g, String x, String out, float lo, float hi) {
        return g.op("Clip", out, List.of(x, g.scalar(out + "/min", lo), g.scalar(out + "/max", hi)));
    }

    static String name(Activation a) { return a.name().toLowerCase(java.util.Locale.ROOT); }
}

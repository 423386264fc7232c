package io.jkeras.onnx;

import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.layers.ActivationLayer;
import io.jkeras.layers.Attention;
import io.jkeras.layers.BatchNormalization;
import io.jkeras.layers.Bidirectional;
import io.jkeras.layers.Concatenate;
import io.jkeras.layers.Conv;
import io.jkeras.layers.Conv1D;
import io.jkeras.layers.ConvLstm;
import io.jkeras.layers.ConvTranspose;
import io.jkeras.layers.CudnnRecurrent;
import io.jkeras.layers.CustomLayer;
import io.jkeras.layers.Dense;
import io.jkeras.layers.DepthwiseConv;
import io.jkeras.layers.Dot;
import io.jkeras.layers.ElementwiseOp;
import io.jkeras.layers.Embedding;
import io.jkeras.layers.Flatten;
import io.jkeras.layers.GlobalPooling;
import io.jkeras.layers.GroupNormalization;
import io.jkeras.layers.Gru;
import io.jkeras.layers.Identity;
import io.jkeras.layers.InputLayer;
import io.jkeras.layers.Layer;
import io.jkeras.layers.LayerNormalization;
import io.jkeras.layers.Lstm;
import io.jkeras.layers.Masking;
import io.jkeras.layers.Merge;
import io.jkeras.layers.MultiHeadAttention;
import io.jkeras.layers.Permute;
import io.jkeras.layers.Pooling;
import io.jkeras.layers.Recurrent;
import io.jkeras.layers.RepeatVector;
import io.jkeras.layers.Reshape;
import io.jkeras.layers.SeparableConv;
import io.jkeras.layers.ShapeOp;
import io.jkeras.layers.SimpleRnn;
import io.jkeras.layers.Softmax;
import io.jkeras.layers.SpatialResize;
import io.jkeras.layers.TimeDistributed;
import io.jkeras.layers.UnitNormalization;
import io.jkeras.layers.Weight;
import io.jkeras.model.DType;
import io.jkeras.model.Model;
import io.jkeras.model.Node;
import io.jkeras.model.TensorSpec;
import io.jkeras.onnx.proto.OnnxProtos.TensorProto;

import java.util.ArrayList;
import java.util.List;

/**
 * One export: walks the model's nodes in order and writes each layer call as ONNX nodes (the
 * {@link Layer.Visitor}, so that a new layer class names this place at compile time). Each layer
 * either maps exactly or is refused with an {@link UnsupportedModelException} naming it and the
 * construct; nothing is approximated.
 */
final class OnnxExport implements Layer.Visitor<OnnxValue[]> {
    private static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
    private static final int INT32 = TensorProto.DataType.INT32_VALUE;

    private final Model model;
    private final OnnxGraph graph;
    private final List<String[]> stateOutputs = new ArrayList<>();
    private final String batchDim;
    /** The call being exported: its input values and node. */
    private OnnxValue[] in;
    private Node node;

    OnnxExport(Model model) {
        this.model = model;
        this.graph = new OnnxGraph(model.name());
        List<TensorSpec> specs = model.inputs();
        this.batchDim = specs.get(0).shape()[0] > 0 ? Integer.toString(specs.get(0).shape()[0]) : "batch";
    }

    OnnxGraph graph() { return graph; }

    /** Builds the graph: inputs, every node, outputs (then the state outputs of stateful layers). */
    OnnxGraph run() {
        List<TensorSpec> specs = model.inputs();
        OnnxValue[][] values = new OnnxValue[model.nodes().size()][];
        for (String out : outputNames()) graph.claim(out);
        for (int i = 0; i < specs.size(); i++) {
            TensorSpec s = specs.get(i);
            if (!graph.claim(s.name())) throw refuse(s.name(), "two inputs are named '" + s.name() + "'");
            String[] dims = new String[s.rank()];
            for (int d = 0; d < dims.length; d++) {
                int v = s.shape()[d];
                dims[d] = d == 0 ? batchDim : v >= 0 ? Integer.toString(v)
                        : specs.size() == 1 && d == 1 ? "time" : s.name() + "_dim" + d;
            }
            boolean ids = s.dtype() == DType.INT32;
            graph.input(s.name(), ids ? INT32 : FLOAT, dims);
            values[model.inputNodeIds().get(i)] = new OnnxValue[]{new OnnxValue(s.name(), null, ids)};
        }
        for (Node n : model.nodes()) {
            if (values[n.id()] != null) continue;
            if (n.layer() instanceof InputLayer) {
                throw refuse(n.layer().name(), "an input layer that is not a model input");
            }
            if (n.mask() != null) throw refuse(n.layer().name(), "an explicit mask argument");
            in = new OnnxValue[n.inputs().size()];
            for (int j = 0; j < in.length; j++) in[j] = values[n.inputs().get(j).node()][n.inputs().get(j).index()];
            node = n;
            values[n.id()] = n.layer().accept(this);
        }
        List<String> names = outputNames();
        List<TensorSpec> outs = model.outputs();
        for (int i = 0; i < names.size(); i++) {
            Node.Ref r = model.outputRefs().get(i);
            OnnxValue v = values[r.node()][r.index()];
            graph.identity(v.name(), names.get(i));
            int[] shape = outs.get(i).shape();
            String[] dims = new String[shape.length];
            for (int d = 0; d < dims.length; d++) dims[d] = d == 0 ? batchDim : shape[d] >= 0
                    ? Integer.toString(shape[d]) : "?";
            graph.output(names.get(i), FLOAT, dims);
        }
        for (String[] s : stateOutputs) {
            graph.identity(s[1], s[0]);
            graph.output(s[0], FLOAT, null);
        }
        return graph;
    }

    /**
     * The graph outputs' names: the Keras name of each model output (the layer's; {@code _1},
     * {@code _2} after it for a layer's further outputs, e.g. return_state's), made unique.
     */
    List<String> outputNames() {
        List<String> out = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (TensorSpec s : model.inputs()) seen.add(s.name());
        for (int i = 0; i < model.outputCount(); i++) {
            Node.Ref r = model.outputRefs().get(i);
            String base = model.outputName(i) + (r.index() > 0 ? "_" + r.index() : "");
            String n = base;
            for (int k = 1; !seen.add(n); k++) n = base + "_" + k;
            out.add(n);
        }
        return out;
    }

    /**
     * Graph inputs for a stateful layer's carried state: {@code <layer>/initial_h} (and
     * {@code /initial_c} for an LSTM) of shape (directions, batch, units), as ONNX's operators take it.
     */
    String[] stateInputs(String layer, int dirs, int units, boolean lstm) {
        String[] out = new String[2];
        for (int s = 0; s < (lstm ? 2 : 1); s++) {
            String n = layer + (s == 0 ? "/initial_h" : "/initial_c");
            if (!graph.claim(n)) throw refuse(layer, "its state input name '" + n + "' is taken");
            graph.input(n, FLOAT, new String[]{Integer.toString(dirs), batchDim, Integer.toString(units)});
            out[s] = n;
        }
        return out;
    }

    /** Graph outputs {@code <layer>/Y_h} (and {@code /Y_c}): the final state, fed back as the next call's initial_*. */
    void stateOutputs(String layer, String yh, String yc) {
        for (String[] s : new String[][]{{layer + "/Y_h", yh}, {layer + "/Y_c", yc}}) {
            if (s[1] == null) continue;
            if (!graph.claim(s[0])) throw refuse(layer, "its state output name '" + s[0] + "' is taken");
            stateOutputs.add(s);
        }
    }

    static UnsupportedModelException refuse(String layer, String what) {
        return new UnsupportedModelException(null, layer, null, what + " is not exported to ONNX (docs/onnx.md "
                + "lists what is)");
    }

    private OnnxValue[] one(String name, String mask) { return new OnnxValue[]{new OnnxValue(name, mask, false)}; }

    private UnsupportedModelException unsupported(Layer l) {
        return refuse(l.name(), "layer type " + l.typeName());
    }

    private void noMask(Layer l) {
        for (OnnxValue v : in) if (v.mask() != null) throw refuse(l.name(), l.typeName() + " with a masked input");
    }

    private List<String> stateNames() {
        List<String> s = new ArrayList<>();
        for (int i = 1; i < in.length; i++) s.add(in[i].name());
        return s;
    }

    @Override public OnnxValue[] visit(InputLayer l) { throw unsupported(l); }

    @Override
    public OnnxValue[] visit(Dense l) { return one(dense(l, in[0].name()), in[0].mask()); }

    /** x · kernel + bias over the last axis (MatMul broadcasts over the leading ones), then the activation. */
    private String dense(Dense l, String x) {
        List<Weight> w = l.weights();
        int inputSize = w.get(0).shape()[0];
        String y = graph.binary("MatMul", x, graph.floats(l.name() + "/kernel", new long[]{inputSize, l.units()},
                w.get(0).values()), l.name() + "/matmul");
        if (w.size() > 1) y = graph.binary("Add", y, graph.floats(l.name() + "/bias", new long[]{l.units()},
                w.get(1).values()), l.name() + "/bias_add");
        return OnnxActivations.apply(graph, l.activation(), y, l.name() + "/" + OnnxActivations.name(l.activation()),
                l.name());
    }

    @Override public OnnxValue[] visit(SimpleRnn l) { return recurrent(l); }

    @Override public OnnxValue[] visit(Lstm l) { return recurrent(l); }

    @Override public OnnxValue[] visit(Gru l) { return recurrent(l); }

    @Override public OnnxValue[] visit(CudnnRecurrent l) { return recurrent(l); }

    private OnnxValue[] recurrent(Recurrent l) { return OnnxRecurrent.layer(this, l, in[0], stateNames()); }

    @Override public OnnxValue[] visit(Bidirectional l) { return OnnxRecurrent.bidirectional(this, l, in[0],
            stateNames()); }

    @Override
    public OnnxValue[] visit(TimeDistributed l) {
        if (l.inner() instanceof Dense) return one(dense((Dense) l.inner(), in[0].name()), in[0].mask());
        throw refuse(l.name(), "TimeDistributed(" + l.inner().typeName() + ")");
    }

    @Override
    public OnnxValue[] visit(Embedding l) {
        String ids = in[0].integer() ? in[0].name() : graph.unary("Cast", in[0].name(), l.name() + "/ids",
                OnnxGraph.attr("to", (long) INT32));
        Weight e = l.weights().get(0);
        String y = graph.op("Gather", l.name() + "/embeddings_of", List.of(graph.floats(l.name() + "/embeddings",
                new long[]{e.shape()[0], e.shape()[1]}, e.values()), ids), OnnxGraph.attr("axis", 0L));
        String mask = null;
        if (l.maskZero() && node.outputShapes()[0].length == 2) {   // (batch, timesteps) ids: a timestep mask
            String zero = graph.intScalar(l.name() + "/zero", INT32, 0);
            mask = graph.unary("Cast", graph.unary("Not", graph.binary("Equal", ids, zero, l.name() + "/is_zero"),
                    l.name() + "/not_zero"), l.name() + "/mask", OnnxGraph.attr("to", (long) FLOAT));
        } else if (l.maskZero()) {
            throw refuse(l.name(), "mask_zero on ids of rank " + (node.outputShapes()[0].length));
        }
        return one(y, mask);
    }

    /**
     * Keras Masking: a timestep is kept when any feature differs from mask_value, and the output is
     * the input times that flag (keras/src/layers/core/masking.py).
     */
    @Override
    public OnnxValue[] visit(Masking l) {
        if (node.outputShapes()[0].length != 2) throw refuse(l.name(), "Masking of an input that is not (batch, "
                + "timesteps, features)");
        String x = in[0].name();
        String differs = graph.unary("Cast", graph.unary("Not", graph.binary("Equal", x,
                graph.scalar(l.name() + "/mask_value", l.maskValue()), l.name() + "/equal"), l.name() + "/differs"),
                l.name() + "/differs_f", OnnxGraph.attr("to", (long) FLOAT));
        String mask = graph.op("ReduceMax", l.name() + "/mask", List.of(differs), OnnxGraph.ints("axes", -1),
                OnnxGraph.attr("keepdims", 0L));
        String y = graph.binary("Mul", x, graph.unsqueeze(mask, l.name() + "/mask3", 2), l.name() + "/masked");
        return one(y, mask);
    }

    @Override public OnnxValue[] visit(Identity l) { return new OnnxValue[]{in[0]}; }

    @Override
    public OnnxValue[] visit(ActivationLayer l) {
        return one(OnnxActivations.apply(graph, l.activation(), in[0].name(), l.name(), l.name()), in[0].mask());
    }

    @Override public OnnxValue[] visit(Flatten l) { return one(graph.reshape(in[0].name(), l.name(), 0, -1), null); }

    @Override
    public OnnxValue[] visit(Conv1D l) {
        if (l.channelsFirst()) throw refuse(l.name(), "Conv1D with data_format channels_first");
        noMask(l);
        String name = l.name();
        List<Weight> w = l.weights();
        int k = l.kernelSize(), cg = l.channels() / l.groups(), f = l.filters();
        float[] kernel = w.get(0).values(), onnx = new float[f * cg * k];   // Keras (K, C/g, F) -> ONNX (F, C/g, K)
        for (int kk = 0; kk < k; kk++)
            for (int c = 0; c < cg; c++)
                for (int o = 0; o < f; o++) onnx[(o * cg + c) * k + kk] = kernel[(kk * cg + c) * f + o];
        List<String> args = new ArrayList<>(List.of(graph.transpose(in[0].name(), name + "/ncw", 0, 2, 1),
                graph.floats(name + "/kernel", new long[]{f, cg, k}, onnx)));
        if (w.size() > 1) args.add(graph.floats(name + "/bias", new long[]{f}, w.get(1).values()));
        List<io.jkeras.onnx.proto.OnnxProtos.AttributeProto> attrs = new ArrayList<>(List.of(
                OnnxGraph.ints("kernel_shape", k), OnnxGraph.ints("strides", l.stride()),
                OnnxGraph.ints("dilations", l.dilation()), OnnxGraph.attr("group", (long) l.groups())));
        switch (l.padding()) {
        case SAME: attrs.add(OnnxGraph.attr("auto_pad", "SAME_UPPER")); break;   // TF SAME: the odd pad after
        case CAUSAL: attrs.add(OnnxGraph.ints("pads", (long) (k - 1) * l.dilation(), 0)); break;
        default: attrs.add(OnnxGraph.ints("pads", 0, 0));
        }
        String y = graph.op("Conv", name + "/conv", args, attrs.toArray(new io.jkeras.onnx.proto.OnnxProtos
                .AttributeProto[0]));
        y = graph.transpose(y, name + "/nwc", 0, 2, 1);
        return one(OnnxActivations.apply(graph, l.activation(), y, name + "/" + OnnxActivations.name(l.activation()),
                name), null);
    }

    /**
     * Inference BatchNormalization over the last axis as TensorFlow computes it,
     * {@code x · inv + (beta − mean · inv)} with {@code inv = gamma / sqrt(var + ε)}.
     */
    @Override
    public OnnxValue[] visit(BatchNormalization l) {
        int rank = l.rank();
        if (l.axes().length != 1 || l.axes()[0] != rank - 1) throw refuse(l.name(),
                "BatchNormalization over axes other than the last one");
        int n = l.paramShape()[l.paramShape().length - 1];
        float[] gamma = null, beta = null, mean = null, var = null;
        for (Weight w : l.weights()) {
            switch (w.name()) {
            case "gamma": gamma = w.values(); break;
            case "beta": beta = w.values(); break;
            case "moving_mean": mean = w.values(); break;
            case "moving_variance": var = w.values(); break;
            default: break;
            }
        }
        if (mean == null || var == null) throw refuse(l.name(), "BatchNormalization without moving statistics");
        float eps = (float) l.epsilon();
        float[] inv = new float[n], shift = new float[n];
        for (int i = 0; i < n; i++) {
            double v = (gamma == null ? 1.0 : gamma[i]) / Math.sqrt((double) var[i] + eps);
            inv[i] = (float) v;
            shift[i] = (float) ((beta == null ? 0.0 : beta[i]) - mean[i] * v);
        }
        String y = graph.binary("Mul", in[0].name(), graph.floats(l.name() + "/inv", new long[]{n}, inv),
                l.name() + "/scaled");
        return one(graph.binary("Add", y, graph.floats(l.name() + "/shift", new long[]{n}, shift), l.name()),
                in[0].mask());
    }

    @Override
    public OnnxValue[] visit(Reshape l) {
        noMask(l);
        int[] t = l.targetShape();
        long[] dims = new long[t.length + 1];
        for (int i = 0; i < t.length; i++) dims[i + 1] = t[i];
        return one(graph.reshape(in[0].name(), l.name(), dims), null);
    }

    @Override
    public OnnxValue[] visit(Permute l) {
        noMask(l);
        int[] d = l.dims();
        long[] perm = new long[d.length + 1];
        for (int i = 0; i < d.length; i++) perm[i + 1] = d[i];
        return one(graph.transpose(in[0].name(), l.name(), perm), null);
    }

    @Override
    public OnnxValue[] visit(Softmax l) {
        noMask(l);
        if (l.axes().length != 1) throw refuse(l.name(), "Softmax over several axes");
        return one(graph.unary("Softmax", in[0].name(), l.name(), OnnxGraph.attr("axis", (long) l.axes()[0])), null);
    }

    @Override
    public OnnxValue[] visit(RepeatVector l) {
        noMask(l);
        String x = graph.unsqueeze(in[0].name(), l.name() + "/b1f", 1);
        return one(graph.op("Tile", l.name(), List.of(x, graph.longs(l.name() + "/repeats", 1, l.n(), 1))), null);
    }

    @Override
    public OnnxValue[] visit(Concatenate l) {
        noMask(l);
        List<String> xs = new ArrayList<>();
        for (OnnxValue v : in) xs.add(v.name());
        return one(graph.op("Concat", l.name(), xs, OnnxGraph.attr("axis", (long) l.axis())), null);
    }

    @Override
    public OnnxValue[] visit(Merge l) {
        noMask(l);
        int rank = node.outputShapes()[0].length;
        List<String> xs = new ArrayList<>();
        for (int i = 0; i < in.length; i++) {
            if (node.inputs().size() != in.length) throw unsupported(l);
            xs.add(in[i].name());
        }
        for (Node.Ref r : node.inputs()) {
            Node src = model.nodes().get(r.node());
            if (src.outputShapes()[r.index()].length != rank) throw refuse(l.name(), l.op().kerasName()
                    + " of inputs of different ranks");
        }
        String name = l.name();
        switch (l.op()) {
        case ADD: return one(graph.op("Sum", name, xs), null);
        case SUBTRACT: return one(graph.binary("Sub", xs.get(0), xs.get(1), name), null);
        case MAXIMUM: return one(graph.op("Max", name, xs), null);
        case MINIMUM: return one(graph.op("Min", name, xs), null);
        case AVERAGE: return one(graph.binary("Div", graph.op("Sum", name + "/sum", xs),
                graph.scalar(name + "/count", xs.size()), name), null);
        default: {
            String y = xs.get(0);
            for (int i = 1; i < xs.size(); i++) y = graph.binary("Mul", y, xs.get(i), i == xs.size() - 1 ? name
                    : name + "/product");
            return one(y, null);
        }
        }
    }

    @Override public OnnxValue[] visit(ElementwiseOp l) { throw unsupported(l); }

    @Override public OnnxValue[] visit(ShapeOp l) { throw unsupported(l); }

    @Override public OnnxValue[] visit(LayerNormalization l) { throw unsupported(l); }

    @Override public OnnxValue[] visit(UnitNormalization l) { throw unsupported(l); }

    @Override public OnnxValue[] visit(GroupNormalization l) { throw unsupported(l); }

    @Override public OnnxValue[] visit(Attention l) { throw unsupported(l); }

    @Override public OnnxValue[] visit(MultiHeadAttention l) { throw unsupported(l); }

    @Override public OnnxValue[] visit(Dot l) { throw unsupported(l); }

    @Override public OnnxValue[] visit(Conv l) { throw unsupported(l); }

    @Override public OnnxValue[] visit(DepthwiseConv l) { throw unsupported(l); }

    @Override public OnnxValue[] visit(SeparableConv l) { throw unsupported(l); }

    @Override public OnnxValue[] visit(ConvTranspose l) { throw unsupported(l); }

    @Override public OnnxValue[] visit(Pooling l) { throw unsupported(l); }

    @Override public OnnxValue[] visit(GlobalPooling l) { throw unsupported(l); }

    @Override public OnnxValue[] visit(SpatialResize l) { throw unsupported(l); }

    @Override public OnnxValue[] visit(ConvLstm l) {
        throw refuse(l.name(), "ConvLSTM (ONNX has no convolutional recurrent operator; a Loop is never written)");
    }

    @Override public OnnxValue[] visit(CustomLayer l) { throw refuse(l.name(), "a custom layer (" + l.typeName()
            + ")"); }
}

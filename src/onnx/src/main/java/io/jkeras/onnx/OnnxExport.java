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
import java.util.Arrays;
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
    private static final int DOUBLE = TensorProto.DataType.DOUBLE_VALUE;

    private final Model model;
    private final OnnxExporter.Precision precision;
    private final OnnxGraph graph;
    private final List<String[]> stateOutputs = new ArrayList<>();
    private final String batchDim;
    /** The call being exported: its input values, and the static shapes (without batch) of its inputs and outputs. */
    private OnnxValue[] in;
    private int[][] inShapes;
    private int[][] outShapes;

    OnnxExport(Model model, OnnxExporter.Precision precision) {
        this.model = model;
        this.precision = precision;
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
            in = new OnnxValue[n.inputs().size()];
            for (int j = 0; j < in.length; j++) in[j] = values[n.inputs().get(j).node()][n.inputs().get(j).index()];
            if (n.mask() != null && in.length > 0) {   // a mask argument: its values != 0, as (batch, timesteps)
                OnnxValue mv = values[n.mask().node()][n.mask().index()];
                String name = n.layer().name() + "/mask_argument";
                String m = zeroOne(truth(graph.reshape(asFloat(mv, name + "/float"), name + "/bt", 0, -1),
                        name + "/flags"), name);
                in[0] = new OnnxValue(in[0].name(), m, in[0].integer(), in[0].timeMajor());
            }
            inShapes = new int[in.length][];
            for (int j = 0; j < in.length; j++) {
                Node.Ref r = n.inputs().get(j);
                inShapes[j] = model.nodes().get(r.node()).outputShapes()[r.index()];
            }
            outShapes = n.outputShapes();
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

    /**
     * x · kernel + bias over the last axis (MatMul broadcasts over the leading ones), then the activation;
     * under {@link OnnxExporter.Precision#DOUBLE_DENSE} the product and the bias in float64, rounded once.
     */
    private String dense(Dense l, String x) {
        List<Weight> w = l.weights();
        int inputSize = w.get(0).shape()[0];
        boolean wide = precision == OnnxExporter.Precision.DOUBLE_DENSE;
        String n = l.name();
        String xin = wide ? graph.unary("Cast", x, n + "/x_double", OnnxGraph.attr("to", (long) DOUBLE)) : x;
        long[] kd = {inputSize, l.units()}, bd = {l.units()};
        String y = graph.binary("MatMul", xin, wide ? graph.doubles(n + "/kernel", kd, w.get(0).values())
                : graph.floats(n + "/kernel", kd, w.get(0).values()), n + "/matmul");
        if (w.size() > 1) y = graph.binary("Add", y, wide ? graph.doubles(n + "/bias", bd, w.get(1).values())
                : graph.floats(n + "/bias", bd, w.get(1).values()), n + "/bias_add");
        if (wide) y = graph.unary("Cast", y, n + "/rounded", OnnxGraph.attr("to", (long) FLOAT));
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

    /**
     * TimeDistributed: a Dense directly (MatMul broadcasts over time); any other inner layer on the
     * batch and time axes folded into one, (B, T, …) to (B·T, …) and back. The mask passes through.
     */
    @Override
    public OnnxValue[] visit(TimeDistributed l) {
        OnnxValue x = in[0];
        if (l.inner() instanceof Dense) return one(dense((Dense) l.inner(), x.name()), x.mask());
        if (in.length != 1) throw refuse(l.name(), "TimeDistributed with several inputs");
        String name = l.name();
        String shape = graph.op("Shape", name + "/shape", List.of(x.name()));
        String folded = graph.op("Reshape", name + "/folded", List.of(x.name(), graph.op("Concat", name
                + "/folded_shape", List.of(graph.longs(name + "/minus_one", -1), graph.op("Slice", name + "/rest",
                List.of(shape, graph.longs("start", 2), graph.longs("end", Long.MAX_VALUE)))),
                OnnxGraph.attr("axis", 0L))));
        int[][] savedIn = inShapes, savedOut = outShapes;
        OnnxValue[] savedValues = in;
        OnnxValue[] y;
        try {
            inShapes = new int[][]{java.util.Arrays.copyOfRange(savedIn[0], 1, savedIn[0].length)};
            outShapes = new int[][]{java.util.Arrays.copyOfRange(savedOut[0], 1, savedOut[0].length)};
            in = new OnnxValue[]{OnnxValue.of(folded)};
            y = l.inner().accept(this);
        } finally {
            inShapes = savedIn;
            outShapes = savedOut;
            in = savedValues;
        }
        if (y.length != 1) throw refuse(name, "TimeDistributed(" + l.inner().typeName() + ") with several outputs");
        String yShape = graph.op("Shape", name + "/inner_shape", List.of(y[0].name()));
        String out = graph.op("Reshape", name, List.of(y[0].name(), graph.op("Concat", name + "/unfolded_shape",
                List.of(graph.op("Slice", name + "/batch_time", List.of(shape, graph.longs("start", 0),
                        graph.longs("end", 2))), graph.op("Slice", name + "/inner_rest", List.of(yShape,
                        graph.longs("start", 1), graph.longs("end", Long.MAX_VALUE)))),
                OnnxGraph.attr("axis", 0L))));
        return one(out, x.mask());
    }

    @Override
    public OnnxValue[] visit(Embedding l) {
        String ids = in[0].integer() ? in[0].name() : graph.unary("Cast", in[0].name(), l.name() + "/ids",
                OnnxGraph.attr("to", (long) INT32));
        Weight e = l.weights().get(0);
        String y = graph.op("Gather", l.name() + "/embeddings_of", List.of(graph.floats(l.name() + "/embeddings",
                new long[]{e.shape()[0], e.shape()[1]}, e.values()), ids), OnnxGraph.attr("axis", 0L));
        String mask = null;
        if (l.maskZero() && outShapes[0].length == 2) {   // (batch, timesteps) ids: a timestep mask
            String zero = graph.intScalar(l.name() + "/zero", INT32, 0);
            mask = graph.unary("Cast", graph.unary("Not", graph.binary("Equal", ids, zero, l.name() + "/is_zero"),
                    l.name() + "/not_zero"), l.name() + "/mask", OnnxGraph.attr("to", (long) FLOAT));
        } else if (l.maskZero()) {
            throw refuse(l.name(), "mask_zero on ids of rank " + (outShapes[0].length));
        }
        return one(y, mask);
    }

    /**
     * Keras Masking: a timestep is kept when any feature differs from mask_value, and the output is
     * the input times that flag (keras/src/layers/core/masking.py).
     */
    @Override
    public OnnxValue[] visit(Masking l) {
        if (outShapes[0].length != 2) throw refuse(l.name(), "Masking of an input that is not (batch, "
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
        noMask(l);
        List<Weight> w = l.weights();
        int cg = l.channels() / l.groups(), f = l.filters();
        String y = conv(l.name(), in[0].name(), l.channelsFirst(), new int[]{l.kernelSize()}, new int[]{l.stride()},
                new int[]{l.dilation()}, l.padding() == Conv1D.Padding.SAME, l.padding() == Conv1D.Padding.CAUSAL,
                l.groups(), f, cg, kernelToOnnx(w.get(0).values(), l.kernelSize(), cg, f),
                w.size() > 1 ? w.get(1).values() : null);
        return one(OnnxActivations.apply(graph, l.activation(), y, l.name() + "/"
                + OnnxActivations.name(l.activation()), l.name()), null);
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
        return one(graph.reshape(in[0].name(), l.name(), batchFirst(l.targetShape())), null);
    }

    @Override
    public OnnxValue[] visit(Permute l) {
        noMask(l);
        return one(graph.transpose(in[0].name(), l.name(), batchFirst(l.dims())), null);
    }

    /** {@code d} (dimensions or axes without the batch) with the batch's 0 in front, as ONNX takes them. */
    private static long[] batchFirst(int[] d) {
        long[] r = new long[d.length + 1];
        for (int i = 0; i < d.length; i++) r[i + 1] = d[i];
        return r;
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
        List<String> xs = new ArrayList<>();
        for (OnnxValue v : in) xs.add(v.name());
        return one(graph.op("Concat", l.name(), xs, OnnxGraph.attr("axis", (long) l.axis())), concatMask(l));
    }

    /**
     * {@link Concatenate#combineMasks} in the graph: null without masks; along time the masks joined (an
     * input without one counting as all kept), along features OR'd (Keras 3) or AND'ed (Keras 1/2).
     */
    private String concatMask(Concatenate l) {
        boolean any = false;
        for (OnnxValue v : in) any |= v.mask() != null;
        if (!any) return null;
        if (outShapes[0].length != 2) throw refuse(l.name(), "Concatenate with masked inputs of rank "
                + (outShapes[0].length + 1));
        List<String> ms = new ArrayList<>();
        for (int i = 0; i < in.length; i++) {
            String p = l.name() + "/mask" + i;
            ms.add(in[i].mask() != null ? in[i].mask() : graph.op("Expand", p, List.of(graph.scalar(p + "/one", 1f),
                    graph.op("Slice", p + "/bt", List.of(graph.op("Shape", p + "/shape", List.of(in[i].name())),
                            graph.longs(p + "/start", 0), graph.longs(p + "/end", 2))))));
        }
        int a = l.axis() < 0 ? l.axis() + 3 : l.axis();
        if (a == 1) return graph.op("Concat", l.name() + "/mask", ms, OnnxGraph.attr("axis", 1L));
        return graph.op(l.maskRule() == Concatenate.MaskRule.KERAS2_ALL ? "Min" : "Max", l.name() + "/mask", ms);
    }

    @Override
    public OnnxValue[] visit(Merge l) {
        noMask(l);
        int rank = outShapes[0].length;
        List<String> xs = new ArrayList<>();
        for (int i = 0; i < in.length; i++) {
            if (inShapes[i].length != rank) {
                throw refuse(l.name(), l.op().kerasName() + " of inputs of different ranks");
            }
            xs.add(in[i].name());
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

    /** Input {@code i}'s static shape without batch (-1 where unknown). */
    private int[] inShape(int i) { return inShapes[i]; }

    /** Channels-last (B, s…, C) to channels-first (B, C, s…) for rank {@code r} spatial axes, and back. */
    private static long[] toChannelsFirst(int r) {
        long[] p = new long[r + 2];
        p[1] = r + 1;
        for (int i = 0; i < r; i++) p[i + 2] = i + 1;
        return p;
    }

    private static long[] toChannelsLast(int r) {
        long[] p = new long[r + 2];
        for (int i = 0; i < r; i++) p[i + 1] = i + 2;
        p[r + 1] = 1;
        return p;
    }

    /** Conv2D/Conv3D: ONNX Conv, Keras' kernel (k…, C/g, F) as (F, C/g, k…). */
    @Override
    public OnnxValue[] visit(Conv l) {
        noMask(l);
        io.jkeras.layers.ConvWindow w = l.window();
        int cg = l.channels() / l.groups(), f = l.filters();
        List<Weight> ws = l.weights();
        float[] onnx = kernelToOnnx(ws.get(0).values(), taps(w.kernelSize()), cg, f);
        String y = conv(l.name(), in[0].name(), w.channelsFirst(), w.kernelSize(), w.strides(), w.dilation(),
                w.padding() == io.jkeras.kernels.WindowGeometry.Padding.SAME, false, l.groups(), f, cg, onnx,
                ws.size() > 1 ? ws.get(1).values() : null);
        return one(OnnxActivations.apply(graph, w.activation(), y, l.name() + "/"
                + OnnxActivations.name(w.activation()), l.name()), null);
    }

    /** DepthwiseConv1D/2D: ONNX Conv with group = channels, Keras' kernel (k…, C, m) as (C·m, 1, k…). */
    @Override
    public OnnxValue[] visit(DepthwiseConv l) {
        noMask(l);
        io.jkeras.layers.ConvWindow w = l.window();
        int c = l.channels(), m = l.multiplier();
        List<Weight> ws = l.weights();
        String y = conv(l.name(), in[0].name(), w.channelsFirst(), w.kernelSize(), w.strides(), w.dilation(),
                w.padding() == io.jkeras.kernels.WindowGeometry.Padding.SAME, false, c, c * m, 1,
                kernelToOnnx(ws.get(0).values(), taps(w.kernelSize()), 1, c * m),
                ws.size() > 1 ? ws.get(1).values() : null);
        return one(OnnxActivations.apply(graph, w.activation(), y, l.name() + "/"
                + OnnxActivations.name(w.activation()), l.name()), null);
    }

    /** SeparableConv1D/2D: the depthwise Conv, then a 1×…×1 Conv with the pointwise kernel and the bias. */
    @Override
    public OnnxValue[] visit(SeparableConv l) {
        noMask(l);
        io.jkeras.layers.ConvWindow w = l.window();
        int c = l.channels(), m = l.multiplier(), f = l.filters(), r = w.rank();
        List<Weight> ws = l.weights();
        String name = l.name();
        String x = w.channelsFirst() ? in[0].name() : graph.transpose(in[0].name(), name + "/channels_first",
                toChannelsFirst(r));
        String d = conv(name + "/depthwise", x, true, spatial(w.channelsFirst(), r), w.kernelSize(), w.strides(),
                w.dilation(),
                w.padding() == io.jkeras.kernels.WindowGeometry.Padding.SAME, false, c, c * m, 1,
                kernelToOnnx(ws.get(0).values(), taps(w.kernelSize()), 1, c * m), null);
        int[] ones = new int[r];
        java.util.Arrays.fill(ones, 1);
        String y = conv(name + "/pointwise", d, true, null, ones, ones, ones, false, false, 1, f, c * m,
                kernelToOnnx(ws.get(1).values(), 1, c * m, f), ws.size() > 2 ? ws.get(2).values() : null);
        if (!w.channelsFirst()) y = graph.transpose(y, name + "/channels_last", toChannelsLast(r));
        return one(OnnxActivations.apply(graph, w.activation(), y, name + "/" + OnnxActivations.name(w.activation()),
                name), null);
    }

    private static int taps(int[] k) {
        int t = 1;
        for (int x : k) t *= x;
        return t;
    }

    /** Keras' kernel (taps, cin, cout) as ONNX's (cout, cin, taps). */
    private static float[] kernelToOnnx(float[] kernel, int taps, int cin, int cout) {
        float[] onnx = new float[taps * cin * cout];
        for (int t = 0; t < taps; t++)
            for (int c = 0; c < cin; c++)
                for (int o = 0; o < cout; o++) onnx[(o * cin + c) * taps + t] = kernel[(t * cin + c) * cout + o];
        return onnx;
    }

    /**
     * One ONNX Conv over {@code x} (channels-first when {@code channelsFirst}, else transposed there and
     * back), kernel {@code (cout, cin, k…)}. Padding: TensorFlow's SAME (the odd pad after) is
     * SAME_UPPER, but ONNX Runtime takes no auto_pad with dilation, so then the pads are computed from the
     * static input sizes; {@code causal} pads (k − 1)·dilation before (Conv1D).
     */
    private String conv(String name, String x, boolean channelsFirst, int[] k, int[] strides, int[] dilation,
                        boolean same, boolean causal, int group, int cout, int cin, float[] kernel, float[] bias) {
        return conv(name, x, channelsFirst, spatial(channelsFirst, k.length), k, strides, dilation, same, causal,
                group, cout, cin, kernel, bias);
    }

    /** The spatial sizes of input 0 (-1 where unknown), in a layout of {@code channelsFirst}. */
    private int[] spatial(boolean channelsFirst, int r) {
        int[] s = inShape(0);
        return java.util.Arrays.copyOfRange(s, channelsFirst ? 1 : 0, (channelsFirst ? 1 : 0) + r);
    }

    private String conv(String name, String x, boolean channelsFirst, int[] sizes, int[] k, int[] strides,
                        int[] dilation, boolean same, boolean causal, int group, int cout, int cin, float[] kernel,
                        float[] bias) {
        int r = k.length;
        long[] dims = new long[r + 2];
        dims[0] = cout;
        dims[1] = cin;
        for (int i = 0; i < r; i++) dims[i + 2] = k[i];
        String xc = channelsFirst ? x : graph.transpose(x, name + "/channels_first", toChannelsFirst(r));
        List<String> args = new ArrayList<>(List.of(xc, graph.floats(name + "/kernel", dims, kernel)));
        if (bias != null) args.add(graph.floats(name + "/bias", new long[]{cout}, bias));
        long[] pads = new long[2 * r];
        io.jkeras.onnx.proto.OnnxProtos.AttributeProto pad = OnnxGraph.ints("pads", pads);
        boolean dilated = false;
        for (int d : dilation) dilated |= d > 1;
        if (causal) {
            pads[0] = (long) (k[0] - 1) * dilation[0];
            pad = OnnxGraph.ints("pads", pads);
        } else if (same && !dilated) {
            pad = OnnxGraph.attr("auto_pad", "SAME_UPPER");
        } else if (same) {
            for (int i = 0; i < r; i++) {
                int size = sizes[i];
                if (size < 0) throw refuse(name, "a dilated convolution with padding same over a dimension of "
                        + "unknown size");
                long span = (long) (k[i] - 1) * dilation[i] + 1;
                long out = (size + strides[i] - 1) / strides[i];
                long total = Math.max((out - 1) * strides[i] + span - size, 0);
                pads[i] = total / 2;
                pads[i + r] = total - total / 2;
            }
            pad = OnnxGraph.ints("pads", pads);
        }
        String y = graph.op("Conv", name + "/conv", args, OnnxGraph.ints("kernel_shape", longs(k)),
                OnnxGraph.ints("strides", longs(strides)), OnnxGraph.ints("dilations", longs(dilation)),
                OnnxGraph.attr("group", (long) group), pad);
        return channelsFirst ? y : graph.transpose(y, name + "/channels_last", toChannelsLast(r));
    }

    /** TensorFlow's SAME (the odd pad after) is ONNX's SAME_UPPER; VALID pads nothing. */
    private static io.jkeras.onnx.proto.OnnxProtos.AttributeProto padding(boolean same, int rank) {
        return same ? OnnxGraph.attr("auto_pad", "SAME_UPPER") : OnnxGraph.ints("pads", new long[2 * rank]);
    }

    private static long[] longs(int[] v) {
        long[] o = new long[v.length];
        for (int i = 0; i < v.length; i++) o[i] = v[i];
        return o;
    }

    /**
     * Max and average pooling: ONNX MaxPool/AveragePool over channels-first data; the average divides by
     * the in-range count (count_include_pad=0), as tf.nn.avg_pool does.
     */
    @Override
    public OnnxValue[] visit(Pooling l) {
        noMask(l);
        int r = l.rank();
        String name = l.name();
        String x = l.channelsFirst() ? in[0].name() : graph.transpose(in[0].name(), name + "/channels_first",
                toChannelsFirst(r));
        String y = graph.op(l.kind() == Pooling.Kind.MAX ? "MaxPool" : "AveragePool", name + "/pool", List.of(x),
                OnnxGraph.ints("kernel_shape", longs(l.poolSize())), OnnxGraph.ints("strides", longs(l.strides())),
                padding(l.same(), r));
        return one(l.channelsFirst() ? y : graph.transpose(y, name + "/channels_last", toChannelsLast(r)), null);
    }

    /**
     * Global pooling: ReduceMax/ReduceMean over the spatial axes. GlobalAveragePooling1D with a mask
     * averages over the kept steps only, sum(x·m) / sum(m) (an all-masked sample is 0/0 = NaN, as in Keras,
     * keras/src/layers/pooling/global_average_pooling1d.py).
     */
    @Override
    public OnnxValue[] visit(GlobalPooling l) {
        int r = l.rank();
        String name = l.name();
        long[] axes = new long[r];
        for (int i = 0; i < r; i++) axes[i] = l.channelsFirst() ? i + 2 : i + 1;
        long keep = l.keepDims() ? 1 : 0;
        String mask = l.usesMask() ? in[0].mask() : null;
        if (mask != null) {
            if (l.channelsFirst()) throw refuse(name, "a masked GlobalAveragePooling1D with channels_first");
            String m3 = graph.unsqueeze(mask, name + "/mask3", 2);
            String sum = graph.op("ReduceSum", name + "/sum", List.of(graph.binary("Mul", in[0].name(), m3,
                    name + "/kept"), graph.longs("axes", axes)), OnnxGraph.attr("keepdims", keep));
            String count = graph.op("ReduceSum", name + "/count", List.of(m3, graph.longs("axes", axes)),
                    OnnxGraph.attr("keepdims", keep));
            return one(graph.binary("Div", sum, count, name), null);
        }
        return one(graph.op(l.kind() == Pooling.Kind.MAX ? "ReduceMax" : "ReduceMean", name, List.of(in[0].name()),
                OnnxGraph.ints("axes", axes), OnnxGraph.attr("keepdims", keep)), null);
    }

    /** γ or β of a normalization over {@code axes} as an initializer broadcasting against the input. */
    private String broadcastParam(String name, float[] v, int[] axes) {
        int[] shape = inShape(0);
        long[] dims = new long[shape.length + 1];
        java.util.Arrays.fill(dims, 1);
        for (int a : axes) dims[a] = shape[a - 1];
        return graph.floats(name, dims, v);
    }

    /**
     * LayerNormalization and RMSNormalization as Keras 3 computes them over its axes (Keras' own
     * mean and variance, then the scale and the offset): LAYER {@code (x − mean)/sqrt(var + ε)·γ + β},
     * RMS_SCALING {@code x/sqrt(var + ε)·γ}, RMS {@code x/sqrt(mean(x²) + ε)·γ}.
     */
    @Override
    public OnnxValue[] visit(LayerNormalization l) {
        String name = l.name(), x = in[0].name();
        int[] axes = l.axes();
        for (int a : axes) if (inShape(0)[a - 1] < 0) throw refuse(name, "normalization over an axis of unknown size");
        long[] ax = longs(axes);
        String eps = graph.scalar(name + "/epsilon", l.epsilon());
        String spread;
        String centred = x;
        if (l.kind() == LayerNormalization.Kind.RMS) {
            spread = graph.op("ReduceMean", name + "/mean_square", List.of(graph.binary("Mul", x, x, name + "/square")),
                    OnnxGraph.ints("axes", ax), OnnxGraph.attr("keepdims", 1L));
        } else {
            String mean = graph.op("ReduceMean", name + "/mean", List.of(x), OnnxGraph.ints("axes", ax),
                    OnnxGraph.attr("keepdims", 1L));
            String d = graph.binary("Sub", x, mean, name + "/centred");
            spread = graph.op("ReduceMean", name + "/variance", List.of(graph.binary("Mul", d, d, name + "/d2")),
                    OnnxGraph.ints("axes", ax), OnnxGraph.attr("keepdims", 1L));
            if (l.kind() == LayerNormalization.Kind.LAYER) centred = d;
        }
        String y = graph.binary("Div", centred, graph.unary("Sqrt", graph.binary("Add", spread, eps, name + "/var_eps"),
                name + "/std"), name + "/normalized");
        if (l.gamma() != null) y = graph.binary("Mul", y, broadcastParam(name + "/gamma", l.gamma(), axes),
                name + "/scaled");
        if (l.beta() != null) y = graph.binary("Add", y, broadcastParam(name + "/beta", l.beta(), axes),
                name + "/shifted");
        return one(y, in[0].mask());
    }

    /** UnitNormalization: {@code x / max(‖x‖₂, 1e-12)} over its axes. */
    @Override
    public OnnxValue[] visit(UnitNormalization l) {
        return one(l2(in[0].name(), longs(l.axes()), l.name()), in[0].mask());
    }

    /** {@code x / max(‖x‖₂, 1e-12)} over {@code axes} (NormalizationKernels.unitNorm). */
    private String l2(String x, long[] axes, String name) {
        String sq = graph.op("ReduceSum", name + "/sum_squares", List.of(graph.binary("Mul", x, x, name + "/square"),
                graph.longs("axes", axes)), OnnxGraph.attr("keepdims", 1L));
        String norm = graph.op("Max", name + "/norm", List.of(graph.unary("Sqrt", sq, name + "/l2"),
                graph.scalar(name + "/epsilon", 1e-12f)));
        return graph.binary("Div", x, norm, name);
    }

    /**
     * Dot (batch_dot) of inputs of rank 2 or 3 with batch: the first's dot axis moved last, the second's
     * first after the batch, one batched MatMul; the output has the first input's other axes, then the
     * second's, (batch, 1) for two vectors.
     */
    @Override
    public OnnxValue[] visit(Dot l) {
        noMask(l);
        String name = l.name();
        int ra = inShape(0).length + 1, rb = inShape(1).length + 1;
        if (ra > 3 || rb > 3) throw refuse(name, "Dot of inputs of rank above 3");
        int a0 = l.axis(0, ra), a1 = l.axis(1, rb);
        String a = in[0].name(), b = in[1].name();
        if (l.normalize()) {
            a = l2(a, new long[]{a0}, name + "/normalized_0");
            b = l2(b, new long[]{a1}, name + "/normalized_1");
        }
        a = ra == 2 ? graph.unsqueeze(a, name + "/a_1n", 1) : a0 == 2 ? a : graph.transpose(a, name + "/a_pn", 0, 2, 1);
        b = rb == 2 ? graph.unsqueeze(b, name + "/b_n1", 2) : a1 == 1 ? b : graph.transpose(b, name + "/b_np", 0, 2, 1);
        String y = graph.binary("MatMul", a, b, name + "/matmul");
        if (ra == 2 && rb == 2) y = graph.squeeze(y, name, 2);
        else if (ra == 2) y = graph.squeeze(y, name, 1);
        else if (rb == 2) y = graph.squeeze(y, name, 2);
        return one(y, null);
    }

    /**
     * Attention and AdditiveAttention (keras/src/layers/attention/attention.py): scores, the value mask
     * and the causal mask subtracted as 1e9, softmax over the values, the weighted sum, masked query rows
     * zeroed; the attention weights as a second output with return_attention_scores.
     */
    @Override
    public OnnxValue[] visit(Attention l) {
        String name = l.name();
        OnnxValue q = in[0], v = in[1], k = in.length == 3 ? in[2] : in[1];
        if (k.mask() != null && k != v) throw refuse(name, "a key with its own mask");
        String scores;
        float[] scale = l.scale();
        if (l.kind() == Attention.Kind.DOT) {
            scores = graph.binary("MatMul", q.name(), graph.transpose(k.name(), name + "/key_t", 0, 2, 1),
                    name + "/dot");
            if (scale != null) scores = graph.binary("Mul", scores, graph.scalar(name + "/scale", scale[0]),
                    name + "/scores");
        } else {
            String qk = graph.binary("Add", graph.unsqueeze(q.name(), name + "/q4", 2),
                    graph.unsqueeze(k.name(), name + "/k4", 1), name + "/q_plus_k");
            if (l.kind() == Attention.Kind.CONCAT && scale != null) {
                qk = graph.binary("Mul", qk, graph.scalar(name + "/scale", scale[0]), name + "/scaled");
            }
            String t = graph.unary("Tanh", qk, name + "/tanh");
            if (l.kind() == Attention.Kind.ADDITIVE && scale != null) {
                t = graph.binary("Mul", t, graph.floats(name + "/scale", new long[]{scale.length}, scale),
                        name + "/scaled");
            }
            scores = graph.op("ReduceSum", name + "/sum", List.of(t, graph.longs("axes", -1)),
                    OnnxGraph.attr("keepdims", 0L));
            if (l.kind() == Attention.Kind.CONCAT) {
                scores = graph.binary("Mul", scores, graph.scalar(name + "/concat_score_weight",
                        l.concatWeight()[0]), name + "/scores");
            }
        }
        String keep = null;   // (B or 1, Tq or 1, Tv) float, 1 = attend
        if (v.mask() != null) keep = graph.unsqueeze(v.mask(), name + "/value_mask", 1);
        if (l.causal()) {
            String shape = graph.op("Shape", name + "/scores_shape", List.of(scores));
            String tqtv = graph.op("Slice", name + "/tq_tv", List.of(shape, graph.longs("start", 1),
                    graph.longs("end", 3)));
            String ones = graph.op("ConstantOfShape", name + "/ones", List.of(tqtv), io.jkeras.onnx.proto.OnnxProtos
                    .AttributeProto.newBuilder().setName("value").setType(io.jkeras.onnx.proto.OnnxProtos
                            .AttributeProto.AttributeType.TENSOR).setT(io.jkeras.onnx.proto.OnnxProtos.TensorProto
                            .newBuilder().setDataType(FLOAT).addDims(1).addFloatData(1f)).build());
            String lower = graph.op("Trilu", name + "/causal", List.of(ones), OnnxGraph.attr("upper", 0L));
            keep = keep == null ? lower : graph.binary("Mul", keep, lower, name + "/keep");
        }
        if (keep != null) {
            String drop = graph.binary("Sub", graph.scalar(name + "/one", 1f), keep, name + "/masked");
            scores = graph.binary("Sub", scores, graph.binary("Mul", drop, graph.scalar(name + "/big", 1e9f),
                    name + "/penalty"), name + "/masked_scores");
        }
        String w = graph.unary("Softmax", scores, name + "/weights", OnnxGraph.attr("axis", -1L));
        String out = graph.binary("MatMul", w, v.name(), name + "/weighted_sum");
        if (q.mask() != null) out = graph.binary("Mul", out, graph.unsqueeze(q.mask(), name + "/query_mask", 2),
                name + "/query_masked");
        if (!l.returnScores()) return one(out, q.mask());
        return new OnnxValue[]{new OnnxValue(out, q.mask(), false), OnnxValue.of(w)};
    }

    /**
     * ZeroPadding (Pad), Cropping (Slice) and UpSampling (Resize: nearest repeats each position, as
     * Keras' repeat does; bilinear is TensorFlow's half-pixel resize) over the spatial axes.
     */
    @Override
    public OnnxValue[] visit(SpatialResize l) {
        noMask(l);
        String name = l.name(), x = in[0].name();
        int r = l.rank(), first = l.channelsFirst() ? 2 : 1;
        switch (l.kind()) {
        case ZERO_PADDING: {
            long[] pads = new long[2 * (r + 2)];
            for (int i = 0; i < r; i++) {
                pads[first + i] = l.before()[i];
                pads[r + 2 + first + i] = l.after()[i];
            }
            return one(graph.op("Pad", name, List.of(x, graph.longs(name + "/pads", pads))), null);
        }
        case CROPPING: {
            long[] starts = new long[r], ends = new long[r], axes = new long[r];
            for (int i = 0; i < r; i++) {
                starts[i] = l.before()[i];
                ends[i] = l.after()[i] == 0 ? Long.MAX_VALUE : -l.after()[i];
                axes[i] = first + i;
            }
            return one(graph.op("Slice", name, List.of(x, graph.longs(name + "/starts", starts),
                    graph.longs(name + "/ends", ends), graph.longs(name + "/axes", axes))), null);
        }
        default: {
            float[] scales = new float[r + 2];
            java.util.Arrays.fill(scales, 1f);
            for (int i = 0; i < r; i++) scales[first + i] = l.size()[i];
            List<io.jkeras.onnx.proto.OnnxProtos.AttributeProto> a = new ArrayList<>();
            if (l.bilinear()) {
                a.add(OnnxGraph.attr("mode", "linear"));
                a.add(OnnxGraph.attr("coordinate_transformation_mode", "half_pixel"));
            } else {
                a.add(OnnxGraph.attr("mode", "nearest"));
                a.add(OnnxGraph.attr("coordinate_transformation_mode", "asymmetric"));
                a.add(OnnxGraph.attr("nearest_mode", "floor"));
            }
            return one(graph.op("Resize", name, List.of(x, "", graph.floats(name + "/scales",
                    new long[]{r + 2}, scales)), a.toArray(new io.jkeras.onnx.proto.OnnxProtos.AttributeProto[0])),
                    null);
        }
        }
    }

    /**
     * Conv1D/2D/3DTranspose: ONNX ConvTranspose, Keras' kernel (k…, F, C) as (C, F, k…), with the output
     * sizes and TensorFlow padding Keras gives (WindowGeometry.transposed) as explicit pads and
     * output_padding, which needs the input's spatial sizes when the model is exported.
     */
    @Override
    public OnnxValue[] visit(ConvTranspose l) {
        noMask(l);
        io.jkeras.layers.ConvWindow w = l.window();
        int r = w.rank(), c = l.channels(), f = l.filters();
        int[] k = w.kernelSize(), st = w.strides(), dl = w.dilation(), sizes = spatial(w.channelsFirst(), r);
        for (int x : sizes) if (x < 0) throw refuse(l.name(), l.typeName() + " over a dimension of unknown size");
        io.jkeras.kernels.WindowGeometry geo = io.jkeras.kernels.WindowGeometry.transposed(sizes, k, st, dl,
                w.padding(), l.outputPadding());
        long[] pads = new long[2 * r], outPad = new long[r];
        for (int i = 0; i < r; i++) {
            long span = (long) (k[i] - 1) * dl[i] + 1, full = (sizes[i] - 1L) * st[i] + span;
            long o = geo.inputShape()[i], p = geo.padBefore()[i];
            outPad[i] = Math.max(0, o - full + p);
            pads[i] = p;
            pads[i + r] = full + outPad[i] - p - o;
        }
        int taps = taps(k);
        List<Weight> ws = l.weights();
        float[] kernel = ws.get(0).values(), onnx = new float[taps * f * c];   // Keras (taps, F, C) -> (C, F, taps)
        for (int t = 0; t < taps; t++)
            for (int o = 0; o < f; o++)
                for (int i = 0; i < c; i++) onnx[(i * f + o) * taps + t] = kernel[(t * f + o) * c + i];
        long[] dims = new long[r + 2];
        dims[0] = c;
        dims[1] = f;
        for (int i = 0; i < r; i++) dims[i + 2] = k[i];
        String name = l.name();
        String x = w.channelsFirst() ? in[0].name() : graph.transpose(in[0].name(), name + "/channels_first",
                toChannelsFirst(r));
        List<String> args = new ArrayList<>(List.of(x, graph.floats(name + "/kernel", dims, onnx)));
        if (ws.size() > 1) args.add(graph.floats(name + "/bias", new long[]{f}, ws.get(1).values()));
        String y = graph.op("ConvTranspose", name + "/conv_transpose", args, OnnxGraph.ints("kernel_shape", longs(k)),
                OnnxGraph.ints("strides", longs(st)), OnnxGraph.ints("dilations", longs(dl)),
                OnnxGraph.ints("pads", pads), OnnxGraph.ints("output_padding", outPad));
        if (!w.channelsFirst()) y = graph.transpose(y, name + "/channels_last", toChannelsLast(r));
        return one(OnnxActivations.apply(graph, w.activation(), y, name + "/" + OnnxActivations.name(w.activation()),
                name), null);
    }

    /**
     * GroupNormalization: the channels (moved last) split into groups, (B, positions, G, C/G), each group
     * normalised over its positions and channels, then γ and β per channel (group_normalization.py).
     */
    @Override
    public OnnxValue[] visit(GroupNormalization l) {
        String name = l.name();
        int rank = l.rank(), axis = l.axis(), g = l.groups(), c = l.channels();
        long[] toLast = new long[rank], back = new long[rank];
        int j = 0;
        for (int i = 0; i < rank; i++) if (i != axis) toLast[j++] = i;
        toLast[rank - 1] = axis;
        for (int i = 0; i < rank; i++) back[(int) toLast[i]] = i;
        boolean moved = axis != rank - 1;
        String x = moved ? graph.transpose(in[0].name(), name + "/channels_last", toLast) : in[0].name();
        String shape = graph.op("Shape", name + "/shape", List.of(x));
        String grouped = graph.reshape(x, name + "/grouped", 0, -1, g, c / g);
        String mean = graph.op("ReduceMean", name + "/mean", List.of(grouped), OnnxGraph.ints("axes", 1, 3),
                OnnxGraph.attr("keepdims", 1L));
        String d = graph.binary("Sub", grouped, mean, name + "/centred");
        String var = graph.op("ReduceMean", name + "/variance", List.of(graph.binary("Mul", d, d, name + "/d2")),
                OnnxGraph.ints("axes", 1, 3), OnnxGraph.attr("keepdims", 1L));
        String y = graph.binary("Div", d, graph.unary("Sqrt", graph.binary("Add", var, graph.scalar(name
                + "/epsilon", l.epsilon()), name + "/var_eps"), name + "/std"), name + "/normalized");
        y = graph.op("Reshape", name + "/ungrouped", List.of(y, shape));
        if (l.gamma() != null) y = graph.binary("Mul", y, graph.floats(name + "/gamma", new long[]{c}, l.gamma()),
                name + "/scaled");
        if (l.beta() != null) y = graph.binary("Add", y, graph.floats(name + "/beta", new long[]{c}, l.beta()),
                name + "/shifted");
        return one(moved ? graph.transpose(y, name + "/back", back) : y, in[0].mask());
    }

    /**
     * MultiHeadAttention on rank-3 inputs attending over the timesteps (Keras' default attention_axes):
     * the query, key and value projections (EinsumDense kernels (D, H, dim) as (D, H·dim)), the query
     * scaled by 1/√key_dim, per head {@code softmax(q·kᵀ)·v} with masked scores as Keras treats them
     * ({@link MultiHeadAttention#maskRule}: {@code ops.dot_product_attention}'s −0.7·3.38953e38, or the Softmax
     * layer's −1e9 with masked weights zeroed), the query, value and key masks, attention_mask, the causal
     * mask and the sliding window combined, the gate, and the output projection.
     */
    @Override
    public OnnxValue[] visit(MultiHeadAttention l) {
        OnnxValue q = in[0], v = in[1], k = l.hasKey() ? in[2] : in[1];
        if (l.rank() == 3 && l.attentionAxes().length == 1 && l.attentionAxes()[0] == 1) return attend(l, q, v, k);
        return attendOverAxes(l, q, v, k);
    }

    /**
     * MultiHeadAttention over inputs of rank 4 or more, or over attention_axes other than the
     * timesteps, as the rank-3 form: Keras' einsums treat the inner axes outside attention_axes as
     * batch axes and normalize the scores jointly over the value's attention axes (keras/src/layers/
     * attention/multi_head_attention.py, _build_attention_equation), so each input is transposed to
     * (B, other axes, attention axes, F) and reshaped to (B·others, attended positions, F); the output
     * and the scores are reshaped and transposed back. The inner sizes must be known when exporting;
     * masks, attention_mask and the causal mask are refused here (their axes would need the same folding).
     */
    private OnnxValue[] attendOverAxes(MultiHeadAttention l, OnnxValue q, OnnxValue v, OnnxValue k) {
        String name = l.name();
        boolean masked = q.mask() != null || v.mask() != null || k.mask() != null;
        if (masked || l.hasAttentionMask() || l.causal() || l.slidingWindow() > 0) {
            throw refuse(name, "MultiHeadAttention over attention_axes " + Arrays.toString(l.attentionAxes())
                    + " with a mask, attention_mask, causal mask or sliding window");
        }
        int[] axes = l.attentionAxes();
        int inner = l.rank() - 2;   // the axes between batch and features
        int[] order = new int[inner];   // the other inner axes first, then the attention axes (1-based)
        int o = 0;
        for (int a = 1; a <= inner; a++) if (Arrays.binarySearch(axes, a) < 0) order[o++] = a;
        int others = o;
        for (int a : axes) order[o++] = a;
        long[] perm = new long[inner + 2];
        for (int i = 0; i < inner; i++) perm[i + 1] = order[i];
        perm[inner + 1] = inner + 1;
        OnnxValue[] folded = new OnnxValue[3];
        long[] querySizes = new long[inner];
        OnnxValue[] xs = {q, v, k};
        for (int i = 0; i < (l.hasKey() ? 3 : 2); i++) {
            int[] s = inShapes[i];
            long attended = 1;
            for (int j = 0; j < inner; j++) {
                if (s[order[j] - 1] < 0) throw refuse(name, "MultiHeadAttention over attention_axes with inner "
                        + "sizes unknown when exporting (input " + i + " is " + Arrays.toString(s) + ")");
                if (j < others && s[order[j] - 1] != inShapes[0][order[j] - 1]) throw refuse(name,
                        "MultiHeadAttention whose inputs differ on axis " + order[j] + " outside attention_axes");
                if (j >= others) attended *= s[order[j] - 1];
                if (i == 0) querySizes[j] = s[order[j] - 1];
            }
            String t = graph.transpose(xs[i].name(), name + "/input" + i + "_others_first", perm);
            folded[i] = OnnxValue.of(graph.reshape(t, name + "/input" + i + "_folded", -1, attended,
                    s[s.length - 1]));
        }
        OnnxValue[] r = attend(l, folded[0], folded[1], l.hasKey() ? folded[2] : folded[1]);
        // the output (B·others, Tq, out…) back to (B, others…, query attention axes…, out…), then to Keras' order
        int[] os = l.outputShape();
        long[] dims = new long[1 + inner + os.length];
        dims[0] = -1;
        for (int j = 0; j < inner; j++) dims[1 + j] = querySizes[j];
        for (int j = 0; j < os.length; j++) dims[1 + inner + j] = os[j];
        String y = graph.reshape(r[0].name(), name + "/unfolded", dims);
        long[] back = new long[dims.length];
        for (int i = 0; i < inner; i++) back[order[i]] = i + 1;
        for (int j = 0; j < os.length; j++) back[1 + inner + j] = 1 + inner + j;
        y = graph.transpose(y, name + "/keras_order", back);
        if (!l.returnScores()) return one(y, null);
        // the scores (B·others, H, Tq, Tv) are Keras' (B, others…, H, query axes…, value axes…) row-major
        int[] vs = inShapes[1];
        long[] sd = new long[2 + inner + axes.length];
        sd[0] = -1;
        int p = 1;
        for (int j = 0; j < others; j++) sd[p++] = querySizes[j];
        sd[p++] = l.heads();
        for (int j = others; j < inner; j++) sd[p++] = querySizes[j];
        for (int a : axes) sd[p++] = vs[a - 1];
        return new OnnxValue[]{OnnxValue.of(y), OnnxValue.of(graph.reshape(r[1].name(), name + "/scores_unfolded",
                sd))};
    }

    /** MultiHeadAttention over (B, T, F) inputs, attention over the timesteps. */
    private OnnxValue[] attend(MultiHeadAttention l, OnnxValue q, OnnxValue v, OnnxValue k) {
        String name = l.name();
        int h = l.heads(), kd = l.keyDim(), vd = l.valueDim();
        List<Weight> ws = l.weights();
        int n = ws.size() == (l.gate() ? 10 : 8) ? 2 : 1;
        int at = 0;
        String pq = heads(projection(name + "/query", q.name(), ws, at, n, h * kd), h, kd, name + "/query");
        at += n;
        String pk = heads(projection(name + "/key", k.name(), ws, at, n, h * kd), h, kd, name + "/key");
        at += n;
        String gate = null;
        if (l.gate()) {
            gate = graph.unary("Sigmoid", projection(name + "/gate", q.name(), ws, at, n, h * vd), name
                    + "/gate_sigmoid");
            at += n;
        }
        String pv = heads(projection(name + "/value", v.name(), ws, at, n, h * vd), h, vd, name + "/value");
        at += n;
        // Keras scales the projected query by 1/sqrt(key_dim) in float32 before the product
        pq = graph.binary("Mul", pq, graph.scalar(name + "/inv_sqrt_key_dim", (float) (1.0 / Math.sqrt(kd))),
                name + "/query_scaled");
        String scores = graph.binary("MatMul", pq, graph.transpose(pk, name + "/key_t", 0, 1, 3, 2), name
                + "/scores");
        String keep = null;   // broadcasting to (B, H, Tq, Tv), 1 = attend
        if (q.mask() != null) keep = graph.unsqueeze(q.mask(), name + "/query_mask", 1, 3);
        for (OnnxValue m : l.hasKey() ? List.of(v, k) : List.of(v)) {
            if (m.mask() != null) keep = times(keep, graph.unsqueeze(m.mask(), name + "/kv_mask", 1, 2), name);
        }
        if (l.hasAttentionMask()) {
            OnnxValue am = in[l.hasKey() ? 3 : 2];
            String f = graph.unary("Cast", am.name(), name + "/attention_mask_f", OnnxGraph.attr("to", (long) FLOAT));
            keep = times(keep, graph.unsqueeze(f, name + "/attention_mask", 1), name);
        }
        String tqtv = null;
        if (l.causal() || l.slidingWindow() > 0) {
            tqtv = graph.op("Slice", name + "/tq_tv", List.of(graph.op("Shape", name + "/scores_shape",
                    List.of(scores)), graph.longs("start", 2), graph.longs("end", 4)));
        }
        if (l.causal()) keep = times(keep, graph.op("Trilu", name + "/causal", List.of(ones(tqtv, name)),
                OnnxGraph.attr("upper", 0L)), name);
        if (l.slidingWindow() > 0) {   // |i − j| < w
            String i = graph.unsqueeze(positions(tqtv, 0, name + "/i"), name + "/i_col", 1);
            String j = positions(tqtv, 1, name + "/j");
            String band = graph.binary("Less", graph.unary("Abs", graph.binary("Sub", i, j, name + "/i_minus_j"),
                    name + "/distance"), graph.scalar(name + "/window", l.slidingWindow()), name + "/in_window");
            keep = times(keep, graph.unary("Cast", band, name + "/window_f", OnnxGraph.attr("to", (long) FLOAT)), name);
        }
        boolean softmaxLayer = l.maskRule() == io.jkeras.kernels.AttentionKernels.MaskRule.SOFTMAX_LAYER;
        String kept = null;
        if (keep != null) {
            kept = graph.unary("Cast", graph.binary("Mul", keep, graph.op("ConstantOfShape", name + "/ones_like",
                    List.of(graph.op("Shape", name + "/shape_scores", List.of(scores))), one1()), name + "/keep_full"),
                    name + "/keep_b", OnnxGraph.attr("to", 9L));
            float masked = softmaxLayer ? -1e9f : (float) (3.38953e38 * -0.7);
            scores = graph.op("Where", name + "/masked_scores", List.of(kept, scores, graph.scalar(name
                    + "/masked_value", masked)));
        }
        String w = graph.unary("Softmax", scores, name + "/weights", OnnxGraph.attr("axis", -1L));
        if (kept != null && softmaxLayer) w = graph.op("Where", name + "/weights_masked", List.of(kept, w,
                graph.scalar(name + "/zero", 0f)));
        String o = graph.reshape(graph.transpose(graph.binary("MatMul", w, pv, name + "/per_head"), name
                + "/per_head_t", 0, 2, 1, 3), name + "/attention_output", 0, 0, (long) h * vd);
        if (gate != null) o = graph.binary("Mul", o, gate, name + "/gated");
        int[] os = l.outputShape();
        int ow = 1;
        for (int x : os) ow *= x;
        String y = projection(name + "/output", o, ws, at, n, ow);
        if (os.length > 1) {
            long[] dims = new long[2 + os.length];
            for (int i = 0; i < os.length; i++) dims[2 + i] = os[i];
            y = graph.reshape(y, name + "/output_shape", dims);
        }
        if (!l.returnScores()) return one(y, q.mask());
        return new OnnxValue[]{new OnnxValue(y, q.mask(), false), OnnxValue.of(w)};
    }

    private String times(String a, String b, String name) {
        return a == null ? b : graph.binary("Mul", a, b, name + "/keep");
    }

    private static io.jkeras.onnx.proto.OnnxProtos.AttributeProto one1() {
        return io.jkeras.onnx.proto.OnnxProtos.AttributeProto.newBuilder().setName("value")
                .setType(io.jkeras.onnx.proto.OnnxProtos.AttributeProto.AttributeType.TENSOR)
                .setT(TensorProto.newBuilder().setDataType(FLOAT).addDims(1).addFloatData(1f)).build();
    }

    /** A float tensor of ones of the (dynamic) shape {@code shape}. */
    private String ones(String shape, String name) {
        return graph.op("ConstantOfShape", name + "/ones", List.of(shape), one1());
    }

    /** 0, 1, … (float) as long as element {@code index} of {@code shape}. */
    private String positions(String shape, int index, String name) {
        String len = graph.op("Gather", name + "/length", List.of(shape, graph.intScalar(name + "/index",
                TensorProto.DataType.INT64_VALUE, index)), OnnxGraph.attr("axis", 0L));
        return graph.unary("Cast", graph.op("Range", name + "/range", List.of(graph.intScalar(name + "/zero",
                TensorProto.DataType.INT64_VALUE, 0), len, graph.intScalar(name + "/one",
                TensorProto.DataType.INT64_VALUE, 1))), name, OnnxGraph.attr("to", (long) FLOAT));
    }

    /** x · kernel (+ bias) for weights {@code ws[at]} (and {@code ws[at + 1]} when {@code n} = 2), out columns. */
    private String projection(String name, String x, List<Weight> ws, int at, int n, int out) {
        Weight kw = ws.get(at);
        String y = graph.binary("MatMul", x, graph.floats(name + "/kernel", new long[]{kw.values().length / out, out},
                kw.values()), name + "/matmul");
        if (n == 2) y = graph.binary("Add", y, graph.floats(name + "/bias", new long[]{out}, ws.get(at + 1)
                .values()), name + "/projected");
        return y;
    }

    /** (B, T, H·d) to (B, H, T, d). */
    private String heads(String x, int h, int d, String name) {
        return graph.transpose(graph.reshape(x, name + "/split", 0, 0, h, d), name + "/heads", 0, 2, 1, 3);
    }

    /** {@code v} as float: integer ids cast (exact up to 2^24, the largest ids an Embedding takes here). */
    private String asFloat(OnnxValue v, String name) {
        return v.integer() ? graph.unary("Cast", v.name(), name, OnnxGraph.attr("to", (long) FLOAT)) : v.name();
    }

    /** Keras' truth of {@code x}: x != 0, as ONNX bool. */
    private String truth(String x, String name) {
        return graph.unary("Not", graph.binary("Equal", x, graph.scalar(name + "/zero", 0f), name + "/is_zero"),
                name);
    }

    /** bool to float 0/1, as jkeras holds Keras booleans. */
    private String zeroOne(String b, String name) { return graph.unary("Cast", b, name, OnnxGraph.attr("to",
            (long) FLOAT)); }

    /**
     * Keras ops recorded as layers (comparisons and logical operators, mostly making masks by hand):
     * ONNX's comparison operators with NumPy broadcasting, booleans as float 0/1. No mask passes through.
     */
    @Override
    public OnnxValue[] visit(ElementwiseOp l) {
        String name = l.name();
        String a = asFloat(in[0], name + "/a");
        String b = l.constant() == null ? asFloat(in[1], name + "/b") : graph.scalar(name + "/constant", l.constant());
        if (l.constant() != null && l.constantFirst()) {
            String t = a;
            a = b;
            b = t;
        }
        String r;
        switch (l.op()) {
        case EQUAL: r = graph.binary("Equal", a, b, name + "/bool"); break;
        case NOT_EQUAL: r = graph.unary("Not", graph.binary("Equal", a, b, name + "/equal"), name + "/bool"); break;
        case GREATER: r = graph.binary("Greater", a, b, name + "/bool"); break;
        case GREATER_EQUAL: r = graph.binary("GreaterOrEqual", a, b, name + "/bool"); break;
        case LESS: r = graph.binary("Less", a, b, name + "/bool"); break;
        case LESS_EQUAL: r = graph.binary("LessOrEqual", a, b, name + "/bool"); break;
        case LOGICAL_AND: r = graph.binary("And", truth(a, name + "/a_b"), truth(b, name + "/b_b"), name + "/bool");
            break;
        case LOGICAL_OR: r = graph.binary("Or", truth(a, name + "/a_b"), truth(b, name + "/b_b"), name + "/bool");
            break;
        default: r = graph.binary("Xor", truth(a, name + "/a_b"), truth(b, name + "/b_b"), name + "/bool");
        }
        return one(zeroOne(r, name), null);
    }

    /**
     * Single-input Keras ops (any/all, expand_dims, squeeze, zeros_like/ones_like, logical_not, casts), axes
     * counting the batch as 0 as {@link ShapeOp} does. No mask passes through.
     */
    @Override
    public OnnxValue[] visit(ShapeOp l) {
        String name = l.name();
        String x = asFloat(in[0], name + "/x");
        int rank = inShapes[0].length + 1;
        int[] axes = l.axes();
        switch (l.op()) {
        case ANY: case ALL: {
            boolean[] reduced = l.reduced(rank);
            long[] r = new long[rank];
            int n = 0;
            for (int i = 0; i < rank; i++) if (reduced[i]) r[n++] = i;
            r = Arrays.copyOf(r, n);
            return one(graph.op(l.op() == ShapeOp.Op.ANY ? "ReduceMax" : "ReduceMin", name,
                    List.of(zeroOne(truth(x, name + "/truth"), name + "/flags")), OnnxGraph.ints("axes", r),
                    OnnxGraph.attr("keepdims", l.keepDims() ? 1L : 0L)), null);
        }
        case EXPAND_DIMS:
            return one(graph.unsqueeze(x, name, axes[0] < 0 ? axes[0] + rank + 1 : axes[0]), null);
        case SQUEEZE: {
            List<Long> r = new ArrayList<>();
            if (axes == null) {
                for (int i = 1; i < rank; i++) if (inShapes[0][i - 1] == 1) r.add((long) i);
            } else {
                for (int a : axes) r.add((long) (a < 0 ? a + rank : a));
            }
            if (r.isEmpty()) return one(x, null);
            long[] ra = new long[r.size()];
            for (int i = 0; i < ra.length; i++) ra[i] = r.get(i);
            return one(graph.squeeze(x, name, ra), null);
        }
        case ZEROS_LIKE: case ONES_LIKE:
            return one(graph.op("Expand", name, List.of(graph.scalar(name + "/value", l.op() == ShapeOp.Op.ZEROS_LIKE
                    ? 0f : 1f), graph.op("Shape", name + "/shape", List.of(x)))), null);
        case LOGICAL_NOT:
            return one(zeroOne(graph.binary("Equal", x, graph.scalar(name + "/zero", 0f), name + "/is_zero"), name),
                    null);
        case CAST_BOOL:
            return one(zeroOne(truth(x, name + "/truth"), name), null);
        case CAST_INT:   // toward zero, as Java's (long) cast in ShapeOp
            return one(graph.unary("Cast", graph.unary("Cast", x, name + "/int", OnnxGraph.attr("to",
                    (long) TensorProto.DataType.INT64_VALUE)), name, OnnxGraph.attr("to", (long) FLOAT)), null);
        default:   // CAST_FLOAT
            return one(x, null);
        }
    }

    @Override public OnnxValue[] visit(ConvLstm l) {
        throw refuse(l.name(), "ConvLSTM (ONNX has no convolutional recurrent operator; a Loop is never written)");
    }

    @Override public OnnxValue[] visit(CustomLayer l) { throw refuse(l.name(), "a custom layer (" + l.typeName()
            + ")"); }
}

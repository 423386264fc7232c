package io.jkeras.onnx;

import com.google.protobuf.ByteString;
import io.jkeras.onnx.proto.OnnxProtos.AttributeProto;
import io.jkeras.onnx.proto.OnnxProtos.GraphProto;
import io.jkeras.onnx.proto.OnnxProtos.NodeProto;
import io.jkeras.onnx.proto.OnnxProtos.TensorProto;
import io.jkeras.onnx.proto.OnnxProtos.TensorShapeProto;
import io.jkeras.onnx.proto.OnnxProtos.TypeProto;
import io.jkeras.onnx.proto.OnnxProtos.ValueInfoProto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The ONNX graph being written: nodes in topological order, initializers, inputs and outputs, and
 * the names in use (every value name is unique; {@link #fresh} derives one from a Keras layer name).
 * Mutable, used by one export only.
 */
final class OnnxGraph {
    private final GraphProto.Builder g = GraphProto.newBuilder();
    private final Set<String> names = new HashSet<>();

    OnnxGraph(String name) { g.setName(name); }

    /**
     * The graph without the nodes and initializers no output depends on (a batch-first copy of a
     * sequence that only the next recurrent operator read, in its time-major form).
     */
    GraphProto build() {
        java.util.Set<String> needed = new HashSet<>();
        for (ValueInfoProto o : g.getOutputList()) needed.add(o.getName());
        List<NodeProto> kept = new java.util.ArrayList<>();
        for (int i = g.getNodeCount() - 1; i >= 0; i--) {
            NodeProto n = g.getNode(i);
            if (n.getOutputList().stream().noneMatch(needed::contains)) continue;
            kept.add(0, n);
            needed.addAll(n.getInputList());
        }
        List<TensorProto> inits = new java.util.ArrayList<>();
        for (TensorProto t : g.getInitializerList()) if (needed.contains(t.getName())) inits.add(t);
        return g.clone().clearNode().addAllNode(kept).clearInitializer().addAllInitializer(inits).build();
    }

    /** Claims {@code name} exactly (a graph input or output); false when it is taken already. */
    boolean claim(String name) { return names.add(name); }

    /** A name not used yet: {@code base}, else {@code base_1}, {@code base_2}, ... */
    String fresh(String base) {
        if (names.add(base)) return base;
        for (int i = 1; ; i++) {
            String n = base + "_" + i;
            if (names.add(n)) return n;
        }
    }

    /** One node with one output named after {@code out}; returns the output's name. */
    String op(String opType, String out, List<String> inputs, AttributeProto... attrs) {
        return ops(opType, new String[]{out}, inputs, attrs)[0];
    }

    /** One node with outputs named after {@code outs} (an empty string leaves an optional output out). */
    String[] ops(String opType, String[] outs, List<String> inputs, AttributeProto... attrs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(opType).addAllInput(inputs);
        String[] names = new String[outs.length];
        for (int i = 0; i < outs.length; i++) {
            names[i] = outs[i].isEmpty() ? "" : fresh(outs[i]);
            n.addOutput(names[i]);
        }
        n.setName(fresh(outs[0].isEmpty() ? opType : outs[0] + "/" + opType));
        for (AttributeProto a : attrs) n.addAttribute(a);
        g.addNode(n);
        return names;
    }

    /** An Identity node writing {@code x} to {@code out}, a name claimed before (a graph output). */
    void identity(String x, String out) {
        g.addNode(NodeProto.newBuilder().setOpType("Identity").setName(fresh(out + "/Identity")).addInput(x)
                .addOutput(out));
    }

    /** A float32 initializer of the given shape. */
    String floats(String base, long[] dims, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return raw(base, dims, TensorProto.DataType.FLOAT_VALUE, b);
    }

    /** A float64 initializer of the given shape, the float values widened exactly. */
    String doubles(String base, long[] dims, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putDouble(v);
        return raw(base, dims, TensorProto.DataType.DOUBLE_VALUE, b);
    }

    /** An initializer of {@code dataType} holding {@code bytes} (little-endian, as ONNX's raw_data is). */
    private String raw(String base, long[] dims, int dataType, ByteBuffer bytes) {
        String name = fresh(base);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(dataType)
                .setRawData(ByteString.copyFrom(bytes.array()));
        for (long d : dims) t.addDims(d);
        g.addInitializer(t);
        return name;
    }

    /** A float32 scalar initializer. */
    String scalar(String base, float value) { return floats(base, new long[0], new float[]{value}); }

    /** A 1-D int64 initializer (shapes, axes, slice bounds). */
    String longs(String base, long... values) {
        String name = fresh(base);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(values.length);
        for (long v : values) t.addInt64Data(v);
        g.addInitializer(t);
        return name;
    }

    /** A scalar initializer of ONNX type {@code dataType} (INT32 or INT64) holding {@code value}. */
    String intScalar(String base, int dataType, long value) {
        String name = fresh(base);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(dataType);
        if (dataType == TensorProto.DataType.INT64_VALUE) t.addInt64Data(value);
        else t.addInt32Data((int) value);
        g.addInitializer(t);
        return name;
    }

    void input(String name, int elemType, String[] dims) { g.addInput(valueInfo(name, elemType, dims)); }

    void output(String name, int elemType, String[] dims) { g.addOutput(valueInfo(name, elemType, dims)); }

    /** A value's type: {@code dims} holds a number or a symbolic name per dimension (null: none). */
    private static ValueInfoProto valueInfo(String name, int elemType, String[] dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        if (dims != null) {
            for (String d : dims) {
                TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
                if (d.chars().allMatch(Character::isDigit)) dim.setDimValue(Long.parseLong(d));
                else dim.setDimParam(d);
                s.addDim(dim);
            }
        }
        TypeProto.Tensor.Builder t = TypeProto.Tensor.newBuilder().setElemType(elemType);
        if (dims != null) t.setShape(s);
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(t)).build();
    }

    // the few shape operations every layer needs, named after the value they make

    String transpose(String x, String out, long... perm) {
        return op("Transpose", out, List.of(x), ints("perm", perm));
    }

    String squeeze(String x, String out, long... axes) { return op("Squeeze", out, List.of(x, longs("axes", axes))); }

    String unsqueeze(String x, String out, long... axes) {
        return op("Unsqueeze", out, List.of(x, longs("axes", axes)));
    }

    /** Reshape to {@code dims} (0 keeps the input's dimension, -1 is inferred). */
    String reshape(String x, String out, long... dims) { return op("Reshape", out, List.of(x, longs("shape", dims))); }

    /** {@code x} read backwards along {@code axis}, whatever its length: Slice from -1 with step -1. */
    String reverse(String x, String out, long axis) {
        return op("Slice", out, List.of(x, longs("starts", -1), longs("ends", Long.MIN_VALUE), longs("axes", axis),
                longs("steps", -1)));
    }

    String binary(String opType, String a, String b, String out) { return op(opType, out, List.of(a, b)); }

    String unary(String opType, String x, String out, AttributeProto... attrs) {
        return op(opType, out, List.of(x), attrs);
    }

    static AttributeProto attr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    static AttributeProto attr(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value)
                .build();
    }

    static AttributeProto attr(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value)).build();
    }

    static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) a.addInts(v);
        return a.build();
    }

    static AttributeProto floats(String name, List<Float> values) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOATS)
                .addAllFloats(values).build();
    }

    static AttributeProto strings(String name, List<String> values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name)
                .setType(AttributeProto.AttributeType.STRINGS);
        for (String v : values) a.addStrings(ByteString.copyFromUtf8(v));
        return a.build();
    }
}

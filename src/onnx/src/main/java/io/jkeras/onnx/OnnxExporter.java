package io.jkeras.onnx;

import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.model.Model;
import io.jkeras.onnx.proto.OnnxProtos.ModelProto;
import io.jkeras.onnx.proto.OnnxProtos.OperatorSetIdProto;
import io.jkeras.onnx.proto.OnnxProtos.StringStringEntryProto;
import io.jkeras.util.AtomicFiles;
import io.jkeras.util.Version;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a jkeras model as an ONNX model (IR version {@value #IR_VERSION}, default-domain opset
 * {@value #OPSET}): SimpleRNN, LSTM and GRU as ONNX's fused RNN, LSTM and GRU operators, the other
 * layers as the operators docs/onnx.md lists. Inputs and outputs keep the Keras model's names;
 * batch and timesteps stay dynamic unless the model fixes them. A stateful layer gets graph inputs
 * {@code <layer>/initial_h} (and {@code /initial_c}) and outputs {@code <layer>/Y_h} (and
 * {@code /Y_c}), shaped (directions, batch, units): a caller carries the state by feeding each
 * call's Y_* to the next call's initial_* (zeros at the start). The metadata holds the model's
 * Keras version ({@code keras_version}) and the exporter's ({@code jkeras_version}).
 *
 * <p>Everything is checked before anything is written: a model with a layer or option that has
 * no exact ONNX form is refused with an {@link UnsupportedModelException} naming the layer and
 * the construct, and no file is made.
 */
public final class OnnxExporter {
    /** The ONNX opset of the default domain the exported models import. */
    public static final int OPSET = 17;
    /** The ONNX IR version written (IR 8 is the one of opset 17's release, ONNX 1.12). */
    public static final int IR_VERSION = 8;

    private OnnxExporter() {}

    /**
     * The arithmetic the exported graph asks of the runtime. ONNX Runtime sums a MatMul in float32 in its own
     * order; where a Dense layer's outputs are large, that lands a few ulps from Keras' float32 result (3 ulps,
     * 1.1e-5, at outputs near 35 in a Keras 1 model of the zoo fixtures). {@link #DOUBLE_DENSE} computes the
     * Dense layers' product and bias in float64 and rounds once, as jkeras' own kernels effectively do; it
     * costs two casts and a float64 MatMul per Dense layer, so it is chosen, not the default.
     */
    public enum Precision {
        /** Everything in float32: the fastest graph. */
        FLOAT,
        /** Dense (and TimeDistributed(Dense)) layers in float64, rounded to float32 once. */
        DOUBLE_DENSE
    }

    /** The model as ONNX protobuf bytes; refuses an unsupported model before making anything. */
    public static byte[] toBytes(Model model) { return toBytes(model, Precision.FLOAT); }

    /** As {@link #toBytes(Model)}, with the given {@link Precision}. */
    public static byte[] toBytes(Model model, Precision precision) { return proto(model, precision).toByteArray(); }

    /**
     * Writes the model to {@code out} atomically (a temporary file in the same directory, moved over
     * {@code out}); on refusal or error nothing is written and an existing {@code out} is untouched.
     */
    public static void export(Model model, Path out) throws IOException { export(model, out, Precision.FLOAT); }

    /** As {@link #export(Model, Path)}, with the given {@link Precision}. */
    public static void export(Model model, Path out, Precision precision) throws IOException {
        byte[] bytes = toBytes(model, precision);
        AtomicFiles.write(out, o -> o.write(bytes));
    }

    static ModelProto proto(Model model, Precision precision) {
        if (model.inputCount() == 0) throw new UnsupportedModelException("model '" + model.name()
                + "' has no inputs; nothing to export to ONNX");
        return model(new OnnxExport(model, java.util.Objects.requireNonNull(precision, "precision")).run(),
                metadata(model, precision));
    }

    /** {@code graph} as an ONNX model of this exporter's IR version and opset, with {@code metadata}. */
    static ModelProto model(OnnxGraph graph, Map<String, String> metadata) {
        ModelProto.Builder m = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("jkeras")
                .setProducerVersion(Version.jkeras())
                .setGraph(graph.build())
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET));
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(e.getKey()).setValue(e.getValue()));
        }
        return m.build();
    }

    private static Map<String, String> metadata(Model model, Precision precision) {
        Map<String, String> md = new TreeMap<>();
        md.put("jkeras_version", Version.jkeras());
        if (precision != Precision.FLOAT) md.put("jkeras_precision", precision.name().toLowerCase(Locale.ROOT));
        String kv = model.metadata().get("keras_version");
        if (kv != null) md.put("keras_version", kv);
        String backend = model.metadata().get("backend");
        if (backend != null) md.put("keras_backend", backend);
        if (model.stateful()) md.put("stateful", "carry each <layer>/Y_h (and /Y_c) into the next call's "
                + "<layer>/initial_h (and /initial_c); start from zeros");
        return md;
    }
}

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

    /** The model as ONNX protobuf bytes; refuses an unsupported model before making anything. */
    public static byte[] toBytes(Model model) { return proto(model).toByteArray(); }

    /**
     * Writes the model to {@code out} atomically (a temporary file in the same directory, moved over
     * {@code out}); on refusal or error nothing is written and an existing {@code out} is untouched.
     */
    public static void export(Model model, Path out) throws IOException {
        byte[] bytes = toBytes(model);
        AtomicFiles.write(out, o -> o.write(bytes));
    }

    static ModelProto proto(Model model) {
        if (model.inputCount() == 0) throw new UnsupportedModelException("model '" + model.name()
                + "' has no inputs; nothing to export to ONNX");
        OnnxGraph graph = new OnnxExport(model).run();
        ModelProto.Builder m = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("jkeras")
                .setProducerVersion(Version.jkeras())
                .setGraph(graph.build())
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET));
        for (Map.Entry<String, String> e : metadata(model).entrySet()) {
            m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(e.getKey()).setValue(e.getValue()));
        }
        return m.build();
    }

    private static Map<String, String> metadata(Model model) {
        Map<String, String> md = new TreeMap<>();
        md.put("jkeras_version", Version.jkeras());
        String kv = model.metadata().get("keras_version");
        if (kv != null) md.put("keras_version", kv);
        String backend = model.metadata().get("backend");
        if (backend != null) md.put("keras_backend", backend);
        if (model.stateful()) md.put("stateful", "carry each <layer>/Y_h (and /Y_c) into the next call's "
                + "<layer>/initial_h (and /initial_c); start from zeros");
        return md;
    }
}

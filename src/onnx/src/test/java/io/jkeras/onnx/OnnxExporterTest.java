package io.jkeras.onnx;

import io.jkeras.JKeras;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.model.Model;
import io.jkeras.onnx.proto.OnnxProtos.ModelProto;
import io.jkeras.onnx.proto.OnnxProtos.NodeProto;
import io.jkeras.onnx.proto.OnnxProtos.StringStringEntryProto;
import io.jkeras.onnx.proto.OnnxProtos.ValueInfoProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OnnxExporterTest {
    private static Model load(String fixture) {
        return JKeras.load(Path.of("fixtures/keras3", fixture, "model.h5"));
    }

    private static ModelProto written(Model m, Path dir) throws Exception {
        Path out = dir.resolve("m.onnx");
        OnnxExporter.export(m, out);
        return ModelProto.parseFrom(Files.readAllBytes(out));
    }

    private static List<String> ops(ModelProto m) {
        return m.getGraph().getNodeList().stream().map(NodeProto::getOpType).collect(Collectors.toList());
    }

    @ParameterizedTest
    @CsvSource({"lstm_default, LSTM", "gru_default, GRU", "gru_reset_after_false, GRU", "simple_rnn_default, RNN",
            "bidir_lstm_concat, LSTM", "lstm_go_backwards_seq, LSTM", "embedding_mask_gru, GRU",
            "stack_lstm_lstm_dense, LSTM"})
    void recurrentLayersBecomeTheFusedOperatorNeverALoopOrScan(String fixture, String op, @TempDir Path dir)
            throws Exception {
        ModelProto m = written(load(fixture), dir);
        assertThat(ops(m)).contains(op).doesNotContain("Loop", "Scan", "If");
    }

    @Test
    void bidirectionalIsOneBidirectionalNode(@TempDir Path dir) throws Exception {
        NodeProto lstm = written(load("bidir_lstm_concat"), dir).getGraph().getNodeList().stream()
                .filter(n -> n.getOpType().equals("LSTM")).findFirst().orElseThrow();
        assertThat(lstm.getAttributeList().stream().filter(a -> a.getName().equals("direction")).findFirst()
                .orElseThrow().getS().toStringUtf8()).isEqualTo("bidirectional");
    }

    @Test
    void gruResetAfterIsLinearBeforeReset(@TempDir Path dir) throws Exception {
        for (String[] c : new String[][]{{"gru_default", "1"}, {"gru_reset_after_false", "0"}}) {
            NodeProto gru = written(load(c[0]), dir).getGraph().getNodeList().stream()
                    .filter(n -> n.getOpType().equals("GRU")).findFirst().orElseThrow();
            assertThat(gru.getAttributeList().stream().filter(a -> a.getName().equals("linear_before_reset"))
                    .findFirst().orElseThrow().getI()).as(c[0]).isEqualTo(Long.parseLong(c[1]));
        }
    }

    @Test
    void opsetIrVersionNamesDynamicDimsAndMetadataAreWritten(@TempDir Path dir) throws Exception {
        Model k = load("lstm_default");
        ModelProto m = written(k, dir);
        assertThat(m.getOpsetImport(0).getVersion()).isEqualTo(17);
        assertThat(m.getIrVersion()).isEqualTo(8);
        ValueInfoProto in = m.getGraph().getInput(0);
        assertThat(in.getName()).isEqualTo(k.inputs().get(0).name());
        assertThat(in.getType().getTensorType().getShape().getDim(0).getDimParam()).isEqualTo("batch");
        assertThat(in.getType().getTensorType().getShape().getDim(1).getDimValue()).isEqualTo(k.inputs().get(0)
                .shape()[1]);
        ModelProto variable = written(load("graph_variable_time"), dir);
        assertThat(variable.getGraph().getInput(0).getType().getTensorType().getShape().getDim(1).getDimParam())
                .isEqualTo("time");
        assertThat(m.getGraph().getOutput(0).getName()).isEqualTo(k.outputName(0));
        Map<String, String> md = m.getMetadataPropsList().stream()
                .collect(Collectors.toMap(StringStringEntryProto::getKey, StringStringEntryProto::getValue));
        assertThat(md).containsEntry("keras_version", k.metadata().get("keras_version"))
                .containsKey("jkeras_version");
    }

    @Test
    void statefulLayersGetStateInputsAndOutputs(@TempDir Path dir) throws Exception {
        ModelProto m = written(load("lstm_stateful"), dir);
        List<String> ins = m.getGraph().getInputList().stream().map(ValueInfoProto::getName).toList();
        List<String> outs = m.getGraph().getOutputList().stream().map(ValueInfoProto::getName).toList();
        assertThat(ins).contains("lstm/initial_h", "lstm/initial_c");
        assertThat(outs).contains("lstm/Y_h", "lstm/Y_c");
    }

    @Test
    void refusalNamesTheLayerAndWritesNothing(@TempDir Path dir) throws Exception {
        Model m = load("act_gelu");
        Path out = dir.resolve("m.onnx");
        assertThatThrownBy(() -> OnnxExporter.export(m, out)).isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("simple_rnn").hasMessageContaining("activation gelu");
        assertThat(dir).isEmptyDirectory();
        Files.writeString(out, "kept");
        assertThatThrownBy(() -> OnnxExporter.export(m, out)).isInstanceOf(UnsupportedModelException.class);
        assertThat(out).hasContent("kept");
        assertThat(Files.list(dir).count()).isEqualTo(1);
    }
}

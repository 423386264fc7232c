package io.jkeras.cli;

import io.jkeras.onnx.proto.OnnxProtos.ModelProto;
import io.jkeras.onnx.proto.OnnxProtos.NodeProto;
import io.jkeras.onnx.proto.OnnxProtos.ValueInfoProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code jkeras convert MODEL out.onnx}: the extension picks the ONNX exporter (jkeras-onnx). */
class ConvertOnnxCommandTest {
    @Test
    void convertToOnnxWritesTheModelWithItsFusedRecurrentOperator(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("m.onnx");
        CliResult r = CliResult.run("convert", "fixtures/keras3/bidir_gru/model.h5", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("wrote", "ONNX opset 17");
        ModelProto m = ModelProto.parseFrom(Files.readAllBytes(out));
        assertThat(m.getGraph().getNodeList()).extracting(NodeProto::getOpType).contains("GRU")
                .doesNotContain("Loop", "Scan");
        assertThat(m.getGraph().getOutputList()).extracting(ValueInfoProto::getName).containsExactly("bidirectional");
    }
}

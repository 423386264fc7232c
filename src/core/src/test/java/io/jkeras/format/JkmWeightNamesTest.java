package io.jkeras.format;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jkeras.exceptions.ModelFormatException;
import io.jkeras.model.Model;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The weight names a {@code .jkm} gives a layer must be names its decoder reads: with its checksums
 * repaired, a file whose BatchNormalization 'beta' was renamed loaded without its beta, and its
 * output moved by 1.08.
 */
class JkmWeightNamesTest {
    private static final Path BN = Path.of("fixtures", "native", "v2.0", "stack_lstm_batchnorm_noscale.jkm");

    private static Model read(byte[] b) { return JkmReader.read(b, "m.jkm", JkmReader.Options.DEFAULT); }

    private static byte[] edited(Consumer<ObjectNode> edit) throws IOException {
        return JkmFiles.rewrite(Files.readAllBytes(BN), edit);
    }

    /** The weight entries of the layer named {@code name}. */
    private static ArrayNode weightsOf(ObjectNode header, String name) {
        for (var l : header.get("model").get("layers")) {
            if (l.get("name").asText().equals(name)) {
                if (!l.has("weights") || l.get("weights").isNull()) ((ObjectNode) l).putArray("weights");
                return (ArrayNode) l.get("weights");
            }
        }
        throw new AssertionError("no layer " + name);
    }

    @Test
    void theFileAsWrittenLoads() throws IOException {
        assertThat(read(edited(h -> { })).layers()).extracting(l -> l.name()).contains("batch_normalization");
    }

    @Test
    void aRenamedBatchNormalizationWeightIsRefusedNamingTheNamesAllowed() throws IOException {
        byte[] b = edited(h -> {
            for (var w : weightsOf(h, "batch_normalization")) {
                if (w.get("name").asText().equals("beta")) ((ObjectNode) w).put("name", "bias");
            }
        });
        var e = assertThrows(ModelFormatException.class, () -> read(b));
        assertThat(e.getMessage()).contains("m.jkm", "layer 'batch_normalization'", "weight 'bias'",
                "is not a weight this layer reads", "allowed: gamma, beta, moving_mean, moving_variance, renorm_*");
    }

    @Test
    void aWeightGivenToALayerThatReadsNoneIsRefused() throws IOException {
        byte[] b = edited(h -> weightsOf(h, "input_layer").addObject().put("name", "kernel").put("tensor", 0));
        var e = assertThrows(ModelFormatException.class, () -> read(b));
        assertThat(e.getMessage()).contains("layer 'input_layer'", "weight 'kernel'", "allowed: none");
    }

    @Test
    void aWeightListedTwiceIsRefused() throws IOException {
        byte[] b = edited(h -> {
            ArrayNode ws = weightsOf(h, "dense");
            ws.add(ws.get(0).deepCopy());
        });
        var e = assertThrows(ModelFormatException.class, () -> read(b));
        assertThat(e.getMessage()).contains("layer 'dense'", "weight 'kernel'", "is listed twice");
    }
}

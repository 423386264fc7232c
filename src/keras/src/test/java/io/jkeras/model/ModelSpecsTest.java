package io.jkeras.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jkeras.JKeras;
import io.jkeras.npy.Npy;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link Model#inputs()} and {@link Model#outputs()} against what each fixture's Keras config declares. */
class ModelSpecsTest {

    private static final Path FIXTURES = Path.of("fixtures", "keras3");

    @Test
    void twoInputTwoOutputGraphListsItsInputsAndOutputsAsItsConfigDeclares() throws IOException {
        Model m = JKeras.load(FIXTURES.resolve("graph_two_in_two_out/model.keras"));
        JsonNode config = config("graph_two_in_two_out");
        assertThat(m.outputs().get(1).shape()).as("a sequence output").hasSize(3);
        assertThat(m.inputs()).hasSize(2).containsExactlyElementsOf(expectedInputs(config));
        assertThat(m.outputs()).hasSize(2).containsExactlyElementsOf(expectedOutputs("graph_two_in_two_out", config));
        assertThat(m.inputs()).extracting(TensorSpec::name).containsExactly("in_a", "in_b");
        assertThat(m.outputs()).extracting(TensorSpec::name).containsExactly("dense_a", "srnn_b");
    }

    @Test
    void embeddingModelHasAnIntegerInput() throws IOException {
        for (String c : List.of("embedding_lstm", "embedding_mask_gru", "graph_embedding_mask_merge")) {
            Model m = JKeras.load(FIXTURES.resolve(c + "/model.keras"));
            JsonNode config = config(c);
            assertThat(m.inputs()).as(c).containsExactlyElementsOf(expectedInputs(config));
            assertThat(m.inputs()).as(c).extracting(TensorSpec::dtype).containsOnly(DType.INT32);
            assertThat(m.outputs()).as(c).containsExactlyElementsOf(expectedOutputs(c, config));
        }
    }

    @Test
    void returnStateModelListsTheStateOutputUnderItsLayersName() throws IOException {
        Model m = JKeras.load(FIXTURES.resolve("graph_return_state_outputs/model.keras"));
        JsonNode config = config("graph_return_state_outputs");
        assertThat(m.inputs()).containsExactlyElementsOf(expectedInputs(config));
        assertThat(m.outputs()).hasSize(3)
                .containsExactlyElementsOf(expectedOutputs("graph_return_state_outputs", config));
        assertThat(m.outputs()).extracting(TensorSpec::name).containsExactly("srnn", "from_h", "enc");
        assertThat(m.outputs()).extracting(TensorSpec::dtype).containsOnly(DType.FLOAT32);
    }

    @Test
    void specsAreTheSameFromEveryFormatOfAFixture() {
        Model keras = JKeras.load(FIXTURES.resolve("graph_two_in_two_out/model.keras"));
        Model h5 = JKeras.load(FIXTURES.resolve("graph_two_in_two_out/model.h5"));
        assertThat(h5.inputs()).isEqualTo(keras.inputs());
        assertThat(h5.outputs()).isEqualTo(keras.outputs());
    }

    @Test
    void specsAreImmutableAndTheirShapesAreCopies() {
        Model m = JKeras.load(FIXTURES.resolve("graph_two_in_two_out/model.keras"));
        List<TensorSpec> in = m.inputs();
        int[] shape = in.get(0).shape();
        int before = shape[1];
        shape[1] = 999;
        assertThat(in.get(0).shape()[1]).isEqualTo(before);
        assertThat(m.inputs().get(0).shape()[1]).isEqualTo(before);
        assertThatThrownBy(() -> in.add(in.get(0))).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> m.outputs().clear()).isInstanceOf(UnsupportedOperationException.class);
        int[] given = {-1, 4};
        TensorSpec s = new TensorSpec("x", given, DType.FLOAT32);
        given[1] = 5;
        assertThat(s.shape()).containsExactly(-1, 4);
    }

    // ---------------------------------------------------------------- expectations from the Keras config

    /** The {@code config} object of the fixture's {@code .keras} archive, as Keras wrote it. */
    private static JsonNode config(String fixture) throws IOException {
        try (ZipFile z = new ZipFile(FIXTURES.resolve(fixture + "/model.keras").toFile());
             InputStream in = z.getInputStream(z.getEntry("config.json"))) {
            return new ObjectMapper().readTree(in).get("config");
        }
    }

    private static boolean sequential(JsonNode config) { return !config.has("input_layers"); }

    /**
     * The {@code [name, node, tensor]} triples of {@code input_layers}/{@code output_layers}; Keras 3
     * writes a bare triple for a single tensor.
     */
    private static List<JsonNode> triples(JsonNode list) {
        List<JsonNode> l = new ArrayList<>();
        if (list.get(0).isTextual()) {
            l.add(list);
        } else {
            list.forEach(l::add);
        }
        return l;
    }

    private static JsonNode layer(JsonNode config, String name) {
        for (JsonNode l : config.get("layers")) {
            if (l.get("config").get("name").asText().equals(name)) return l;
        }
        throw new AssertionError("no layer " + name);
    }

    private static List<TensorSpec> expectedInputs(JsonNode config) {
        List<TensorSpec> l = new ArrayList<>();
        List<String> names = new ArrayList<>();
        if (sequential(config)) {
            names.add(config.get("layers").get(0).get("config").get("name").asText());
        } else {
            for (JsonNode t : triples(config.get("input_layers"))) names.add(t.get(0).asText());
        }
        for (String name : names) {
            JsonNode c = layer(config, name).get("config");
            JsonNode bs = c.get("batch_shape");
            int[] shape = new int[bs.size()];
            for (int i = 0; i < shape.length; i++) shape[i] = bs.get(i).isNull() ? -1 : bs.get(i).asInt();
            boolean integer = c.get("dtype").asText().startsWith("int") || feedsEmbedding(config, name);
            l.add(new TensorSpec(name, shape, integer ? DType.INT32 : DType.FLOAT32));
        }
        return l;
    }

    private static boolean feedsEmbedding(JsonNode config, String input) {
        JsonNode layers = config.get("layers");
        if (sequential(config)) return layers.get(1).get("class_name").asText().equals("Embedding");
        for (JsonNode l : layers) {
            boolean fed = l.get("inbound_nodes").toString().contains("\"" + input + "\"");
            if (l.get("class_name").asText().equals("Embedding") && fed) return true;
        }
        return false;
    }

    /**
     * Each output's name (the layer of {@code output_layers}, or a Sequential's last layer) and shape:
     * batch unknown, then the shape of the output Keras computed for the fixture ({@code y<i>.npy}, one
     * batch), whose last dimension must be the producing layer's {@code units}.
     */
    private static List<TensorSpec> expectedOutputs(String fixture, JsonNode config) {
        List<JsonNode> outs = new ArrayList<>();
        if (sequential(config)) {
            JsonNode layers = config.get("layers");
            outs.add(layers.get(layers.size() - 1));
        } else {
            for (JsonNode t : triples(config.get("output_layers"))) outs.add(layer(config, t.get(0).asText()));
        }
        List<TensorSpec> l = new ArrayList<>();
        for (int i = 0; i < outs.size(); i++) {
            JsonNode c = outs.get(i).get("config");
            int[] keras = Npy.read(FIXTURES.resolve(fixture).resolve("y" + i + ".npy")).tensor().shape();
            assertThat(keras[keras.length - 1]).as(fixture + " output " + i).isEqualTo(c.get("units").asInt());
            keras[0] = -1;
            l.add(new TensorSpec(c.get("name").asText(), keras, DType.FLOAT32));
        }
        return l;
    }
}

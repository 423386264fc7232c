package io.jkeras.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jkeras.JKeras;
import io.jkeras.kernels.Activation;
import io.jkeras.layers.Dense;
import io.jkeras.layers.Layer;
import io.jkeras.layers.Lstm;
import io.jkeras.layers.RecurrentOptions;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.layers.TrainingConfig.Constraint;
import io.jkeras.layers.TrainingConfig.Initializer;
import io.jkeras.layers.TrainingConfig.Regularizer;
import io.jkeras.model.Model;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Keras config's training-only settings reach the model as {@link TrainingConfig}s: from real
 * Keras 3 and Keras 1 files, from the training fixtures (frozen layers, regularizers), and every
 * spelling of regularizers, constraints and initializers.
 */
class KerasTrainingConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path FIX = Path.of("fixtures").toAbsolutePath();

    /** A comparable description (records holding int[] axes do not compare by value). */
    static String describe(TrainingConfig c) {
        StringBuilder sb = new StringBuilder("trainable=" + c.trainable() + " dropout=" + c.dropout() + " recurrent="
                + c.recurrentDropout());
        sb.append(" reg=").append(new TreeMap<>(c.regularizers())).append(" act=").append(c.activityRegularizer());
        Map<String, String> k = new TreeMap<>();
        c.constraints().forEach((n, x) -> k.put(n, describe(x)));
        sb.append(" con=").append(k).append(" init=").append(new TreeMap<>(c.initializers()));
        return sb.toString();
    }

    static String describe(Constraint x) {
        if (x instanceof Constraint.MaxNorm m) return "MaxNorm(" + m.maxValue() + "," + Arrays.toString(m.axis()) + ")";
        if (x instanceof Constraint.UnitNorm u) return "UnitNorm(" + Arrays.toString(u.axis()) + ")";
        if (x instanceof Constraint.MinMaxNorm m) return "MinMaxNorm(" + m.minValue() + "," + m.maxValue() + ","
                + m.rate() + "," + Arrays.toString(m.axis()) + ")";
        return x.toString();
    }

    private static Model load(String rel) { return JKeras.load(FIX.resolve(rel)); }

    // ------------------------------------------------------------------ real files

    @Test
    void lstmDropoutAndInitializersFromKeras3Files() {
        for (String f : List.of("model.h5", "model.keras")) {
            TrainingConfig c = load("keras3/lstm_dropout/" + f).trainingConfig("lstm");
            assertThat(c.trainable()).isTrue();
            assertThat(c.dropout()).isEqualTo(0.25);
            assertThat(c.recurrentDropout()).isEqualTo(0.4);
            assertThat(c.regularizers()).isEmpty();
            assertThat(c.constraints()).isEmpty();
            assertThat(c.activityRegularizer()).isNull();
            assertThat(c.initializers().get("kernel").className()).isEqualTo("GlorotUniform");
            assertThat(c.initializers().get("recurrent_kernel"))
                    .isEqualTo(new Initializer("Orthogonal", Map.of("gain", 1.0)));
            assertThat(c.initializers().get("bias"))
                    .isEqualTo(new Initializer("Zeros", Map.of("unit_forget_bias", true)));
        }
        assertThat(load("keras3/lstm_no_unit_forget_bias/model.h5").trainingConfig("lstm").initializers().get("bias"))
                .isEqualTo(Initializer.of("Zeros"));
        assertThat(load("keras3/simple_rnn_dropout/model.keras").trainingConfigs().values())
                .anyMatch(c -> c.dropout() > 0 && c.recurrentDropout() > 0);
    }

    @Test
    void dropoutLayersCarryTheirRate() {
        Model m = load("keras3/stack_dropout_layers/model.h5");
        assertThat(m.trainingConfig("dropout").dropout()).isEqualTo(0.2);
        assertThat(m.trainingConfig("dropout_1").dropout()).isEqualTo(0.5);
        assertThat(m.trainingConfig("dropout_2").dropout()).isEqualTo(0.3);
        assertThat(m.trainingConfig("lstm").dropout()).isZero();
        assertThat(describe(load("keras3/stack_dropout_layers/model.keras").trainingConfig("dropout_1")))
                .isEqualTo(describe(m.trainingConfig("dropout_1")));
    }

    @Test
    void wrappersKeyTheirInnerWeights() {
        Model b = load("keras3/bidir_lstm_concat/model.keras");
        TrainingConfig c = b.trainingConfig("bidirectional");
        assertThat(c.initializers().keySet()).containsExactlyInAnyOrder(
                "forward_lstm/kernel", "forward_lstm/recurrent_kernel", "forward_lstm/bias",
                "backward_lstm/kernel", "backward_lstm/recurrent_kernel", "backward_lstm/bias");
        assertThat(c.initializers().get("backward_lstm/bias").flag("unit_forget_bias")).isTrue();
        // every key names a weight the layer has
        List<String> weights = b.weights().stream().filter(w -> w.layer().equals("bidirectional"))
                .map(w -> w.weight().name()).toList();
        assertThat(weights).containsAll(c.initializers().keySet());

        Model t = load("keras3/stack_srnn_lstm_td_dense/model.h5");
        assertThat(t.trainingConfig("time_distributed").initializers()).containsOnlyKeys("kernel", "bias");
        Model e = load("keras3/embedding_lstm/model.h5");
        assertThat(e.trainingConfig("embedding").initializers().get("embeddings"))
                .isEqualTo(new Initializer("RandomUniform", Map.of("minval", -0.05, "maxval", 0.05)));
    }

    @Test
    void keras1FileSpellings() {
        Model m = load("zoo/dl4j_simple_lstm_tf_keras1/model.h5");
        TrainingConfig l = m.trainingConfig("lstm_1");
        assertThat(l.dropout()).isEqualTo(0.2); // dropout_W
        assertThat(l.recurrentDropout()).isZero();
        assertThat(l.initializers().get("kernel")).isEqualTo(Initializer.of("GlorotUniform"));
        assertThat(l.initializers().get("recurrent_kernel"))
                .isEqualTo(new Initializer("Orthogonal", Map.of("gain", 1.1)));
        assertThat(l.initializers().get("bias")).isEqualTo(new Initializer("Zeros", Map.of("unit_forget_bias", true)));
        TrainingConfig d = m.trainingConfig("dense_1");
        assertThat(d.initializers()).containsEntry("kernel", Initializer.of("GlorotUniform"))
                .containsEntry("bias", Initializer.of("Zeros"));
    }

    /**
     * fixtures/train (written by real Keras 3 for the trainer): every layer's trainable flag is
     * the one case.json records, every regularizer of the config is there with its factors, and
     * start.h5 and start.keras give the same configuration.
     */
    @TestFactory
    Stream<DynamicTest> trainingFixtures() throws IOException {
        Path base = FIX.resolve("train");
        if (!Files.isDirectory(base)) return Stream.empty();
        List<Path> cases;
        try (Stream<Path> s = Files.list(base)) {
            cases = s.filter(p -> Files.isRegularFile(p.resolve("start.h5"))
                    && Files.isRegularFile(p.resolve("case.json"))).sorted().toList();
        }
        return cases.stream().map(d -> DynamicTest.dynamicTest(d.getFileName().toString(), () -> {
            JsonNode c = JSON.readTree(d.resolve("case.json").toFile());
            Model m = JKeras.load(d.resolve("start.h5"));
            for (JsonNode l : c.path("model").path("layers")) {
                if (!l.has("trainable")) continue;
                assertThat(m.trainingConfig(l.path("name").asText()).trainable())
                        .as(l.path("name").asText() + " trainable")
                        .isEqualTo(l.path("trainable").asBoolean());
            }
            JsonNode config = JSON.readTree(m.metadata().get(KerasLoader.META_MODEL_CONFIG));
            for (JsonNode l : config.path("config").path("layers")) expectRegularizers(m, l);
            if (Files.isRegularFile(d.resolve("start.keras"))) {
                Model k = JKeras.load(d.resolve("start.keras"));
                for (Layer layer : m.layers()) {
                    assertThat(describe(k.trainingConfig(layer.name()))).as(layer.name())
                            .isEqualTo(describe(m.trainingConfig(layer.name())));
                }
            }
        }));
    }

    /** Keras 3 spellings read independently: {"class_name": "L2", "config": {"l2": …}}. */
    private static void expectRegularizers(Model m, JsonNode layer) {
        String name = layer.path("config").path("name").asText();
        JsonNode cfg = layer.path("config");
        TrainingConfig tc = m.trainingConfig(name);
        for (Iterator<Map.Entry<String, JsonNode>> it = cfg.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getKey().endsWith("_regularizer") || e.getValue().isNull()) continue;
            JsonNode r = e.getValue().path("config");
            Regularizer want = new Regularizer(r.path("l1").asDouble(0), r.path("l2").asDouble(0));
            String cls = e.getValue().path("class_name").asText();
            if (cls.equals("L1") && !r.has("l1")) want = new Regularizer(0.01, 0);
            if (cls.equals("L2") && !r.has("l2")) want = new Regularizer(0, 0.01);
            if (e.getKey().equals("activity_regularizer")) {
                assertThat(tc.activityRegularizer()).as(name + " activity").isEqualTo(want);
            } else {
                String w = switch (e.getKey()) {
                    case "recurrent_regularizer" -> "recurrent_kernel";
                    default -> e.getKey().substring(0, e.getKey().length() - "_regularizer".length());
                };
                assertThat(tc.regularizers()).as(name + " " + e.getKey()).containsEntry(w, want);
            }
        }
    }

    // ------------------------------------------------------------------ every spelling

    private static final MapContext K3 = new MapContext("test", KerasVersion.parse("3.15.1"), "tensorflow");
    private static final MapContext K2 = new MapContext("test", KerasVersion.parse("2.2.4"), "tensorflow");
    private static final MapContext K1 = new MapContext("test", KerasVersion.parse("1.2.2"), "tensorflow");

    private static TrainingConfig dense(String configJson, MapContext ctx, boolean useBias,
            KerasTrainingConfig reader) throws IOException {
        ObjectNode cfg = ConfigNormalizer.layerConfig("Dense", JSON.readTree(configJson));
        Layer l = new Dense("d", 2, 3, Activation.LINEAR, new float[6], useBias ? new float[3] : null);
        return reader.of(new LayerSpec("Dense", "d", cfg, List.of()), l, ctx);
    }

    private static TrainingConfig lstm(String configJson, MapContext ctx) throws IOException {
        ObjectNode cfg = ConfigNormalizer.layerConfig("LSTM", JSON.readTree(configJson));
        Layer l = new Lstm("l", 2, 3, Activation.TANH, Activation.SIGMOID, new float[24], new float[16], new float[8],
                RecurrentOptions.DEFAULT);
        return new KerasTrainingConfig().of(new LayerSpec("LSTM", "l", cfg, List.of()), l, ctx);
    }

    @Test
    void regularizerSpellings() throws IOException {
        KerasTrainingConfig r = new KerasTrainingConfig();
        assertThat(dense("""
                {"kernel_regularizer": {"module": "keras.regularizers", "class_name": "L2",
                 "config": {"l2": 0.01}, "registered_name": null},
                 "bias_regularizer": {"class_name": "L1", "config": {"l1": 0.5}},
                 "activity_regularizer": {"class_name": "L1L2", "config": {"l1": 0.1, "l2": 0.2}}}""", K3, true, r))
                .satisfies(c -> {
                    assertThat(c.regularizers()).containsEntry("kernel", new Regularizer(0, 0.01))
                            .containsEntry("bias", new Regularizer(0.5, 0));
                    assertThat(c.activityRegularizer()).isEqualTo(new Regularizer(0.1, 0.2));
                });
        // Keras 2: L1L2 with both factors; tf.keras float32 spellings; string shortcuts
        assertThat(dense("""
                {"kernel_regularizer": {"class_name": "L1L2", "config": {"l1": 0.0, "l2": 0.009999999776482582}},
                 "bias_regularizer": "l1"}""", K2, true, r).regularizers())
                .containsEntry("kernel", new Regularizer(0, 0.009999999776482582))
                .containsEntry("bias", new Regularizer(0.01, 0));
        assertThat(dense("{\"kernel_regularizer\": \"l2\", \"activity_regularizer\": \"l1_l2\"}", K3, true, r))
                .satisfies(c -> {
                    assertThat(c.regularizers()).containsEntry("kernel", new Regularizer(0, 0.01));
                    assertThat(c.activityRegularizer()).isEqualTo(new Regularizer(0.01, 0.01));
                });
        // Keras 1: W_/b_regularizer objects named by "name", activity regularizer
        assertThat(dense("""
                {"W_regularizer": {"name": "WeightRegularizer", "l1": 0.0, "l2": 0.03},
                 "b_regularizer": {"name": "WeightRegularizer", "l1": 0.02, "l2": 0.0},
                 "activity_regularizer": {"name": "ActivityRegularizer", "l1": 0.0, "l2": 0.4}}""", K1, true, r))
                .satisfies(c -> {
                    assertThat(c.regularizers()).containsEntry("kernel", new Regularizer(0, 0.03))
                            .containsEntry("bias", new Regularizer(0.02, 0));
                    assertThat(c.activityRegularizer()).isEqualTo(new Regularizer(0, 0.4));
                });
        // a bias entry for a layer without bias is dropped
        assertThat(dense("{\"bias_regularizer\": \"l2\", \"use_bias\": false}", K3, false, r).regularizers()).isEmpty();
        assertThat(r.unsupported).isEmpty();
        // unknown classes load, and are reported
        TrainingConfig o = dense(
                "{\"kernel_regularizer\": {\"class_name\": \"OrthogonalRegularizer\", \"config\": {\"factor\": 0.01,"
                        + " \"mode\": \"rows\"}}}", K3, true, r);
        assertThat(o.regularizers()).isEmpty();
        assertThat(r.unsupported).singleElement().asString().contains("OrthogonalRegularizer");
    }

    @Test
    void recurrentSpellingsAndKeras1Keys() throws IOException {
        TrainingConfig k3 = lstm("""
                {"trainable": false, "dropout": 0.1, "recurrent_dropout": 0.2,
                 "kernel_regularizer": {"class_name": "L2", "config": {"l2": 0.001}},
                 "recurrent_regularizer": {"class_name": "L1", "config": {"l1": 0.002}},
                 "recurrent_constraint": {"class_name": "UnitNorm", "config": {"axis": [0, 1]}},
                 "bias_constraint": {"class_name": "NonNeg", "config": {}},
                 "kernel_initializer": {"class_name": "HeNormal", "config": {"seed": 42}},
                 "recurrent_initializer": {"class_name": "Orthogonal", "config": {"gain": 2.0, "seed": null}},
                 "bias_initializer": {"class_name": "Constant", "config": {"value": 0.5}},
                  "unit_forget_bias": true}""", K3);
        assertThat(describe(k3)).isEqualTo("trainable=false dropout=0.1 recurrent=0.2"
                + " reg={kernel=Regularizer[l1=0.0, l2=0.001], recurrent_kernel=Regularizer[l1=0.002, l2=0.0]} act=null"
                + " con={bias=NonNeg[], recurrent_kernel=UnitNorm([0, 1])}"
                + " init={bias=Initializer[className=Constant, params={value=0.5, unit_forget_bias=true}],"
                + " kernel=Initializer[className=HeNormal, params={seed=42}],"
                + " recurrent_kernel=Initializer[className=Orthogonal, params={gain=2.0}]}");
        TrainingConfig k1 = lstm("""
                {"dropout_W": 0.3, "dropout_U": 0.4, "init": "uniform", "inner_init": "orthogonal",
                 "forget_bias_init": "one",
                 "W_regularizer": {"name": "WeightRegularizer", "l1": 0.0, "l2": 0.01},
                 "U_regularizer": {"name": "WeightRegularizer", "l1": 0.01, "l2": 0.0},
                 "b_regularizer": null,
                 "W_constraint": {"name": "MaxNorm", "m": 3, "axis": 0}, "U_constraint": {"name": "NonNeg"},
                 "b_constraint": {"name": "UnitNorm", "axis": 0}}""", K1);
        assertThat(describe(k1)).isEqualTo("trainable=true dropout=0.3 recurrent=0.4"
                + " reg={kernel=Regularizer[l1=0.0, l2=0.01], recurrent_kernel=Regularizer[l1=0.01, l2=0.0]} act=null"
                + " con={bias=UnitNorm([0]), kernel=MaxNorm(3.0,[0]), recurrent_kernel=NonNeg[]}"
                + " init={bias=Initializer[className=Zeros, params={unit_forget_bias=true}],"
                + " kernel=Initializer[className=RandomUniform, params={minval=-0.05, maxval=0.05}],"
                + " recurrent_kernel=Initializer[className=Orthogonal, params={gain=1.1}]}");
    }

    @Test
    void constraintSpellings() throws IOException {
        KerasTrainingConfig r = new KerasTrainingConfig();
        TrainingConfig c = dense("""
                {"kernel_constraint": {"module": "keras.constraints", "class_name": "MaxNorm",
                 "config": {"max_value": 2, "axis": 0}},
                 "bias_constraint": {"class_name": "MinMaxNorm", "config": {"min_value": 0.5,
                  "max_value": 1.5, "rate": 0.7, "axis": 0}}}""", K3, true, r);
        assertThat(describe(c.constraints().get("kernel"))).isEqualTo("MaxNorm(2.0,[0])");
        assertThat(describe(c.constraints().get("bias"))).isEqualTo("MinMaxNorm(0.5,1.5,0.7,[0])");
        c = dense("{\"kernel_constraint\": \"max_norm\", \"bias_constraint\": \"non_neg\"}", K3, true, r);
        assertThat(describe(c.constraints().get("kernel"))).isEqualTo("MaxNorm(2.0,[0])");
        assertThat(c.constraints().get("bias")).isInstanceOf(Constraint.NonNeg.class);
        c = dense("{\"kernel_constraint\": {\"class_name\": \"MaxNorm\", \"config\": {\"max_value\": 4, \"axis\":"
                + " [0]}},"
                + " \"bias_constraint\": {\"class_name\": \"UnitNorm\", \"config\": {\"axis\": -1}}}", K2, true, r);
        assertThat(describe(c.constraints().get("kernel"))).isEqualTo("MaxNorm(4.0,[0])");
        assertThat(describe(c.constraints().get("bias"))).isEqualTo("UnitNorm([-1])");
        c = dense("{\"kernel_constraint\": \"unitnorm\", \"bias_constraint\": {\"class_name\": \"Custom\","
                + " \"config\": {}}}", K2, true, r);
        assertThat(c.constraints()).containsOnlyKeys("kernel");
        assertThat(r.unsupported).singleElement().asString().contains("Custom");
    }

    @Test
    void initializerSpellings() throws IOException {
        KerasTrainingConfig r = new KerasTrainingConfig();
        TrainingConfig c = dense("""
                {"kernel_initializer": {"class_name": "VarianceScaling", "config": {"scale": 2.0,
                 "mode": "fan_in", "distribution": "normal", "seed": null}},
                 "bias_initializer": "ones"}""", K2, true, r);
        assertThat(c.initializers().get("kernel")).isEqualTo(new Initializer("VarianceScaling",
                // Keras 2's "normal" was truncated
                Map.of("scale", 2.0, "mode", "fan_in", "distribution", "truncated_normal")));
        assertThat(c.initializers().get("bias")).isEqualTo(Initializer.of("Ones"));
        c = dense("{\"init\": \"he_normal\"}", K1, true, r);
        assertThat(c.initializers().get("kernel")).isEqualTo(new Initializer("VarianceScaling",
                Map.of("scale", 2.0, "mode", "fan_in", "distribution", "untruncated_normal")));
        assertThat(c.initializers().get("bias")).isEqualTo(Initializer.of("Zeros"));
        c = dense("{\"kernel_initializer\": {\"class_name\": \"IdentityInitializer\", \"config\": {\"gain\": 3.0}}}",
                K3, true, r);
        assertThat(c.initializers().get("kernel")).isEqualTo(new Initializer("Identity", Map.of("gain", 3.0)));
        assertThat(r.unsupported).isEmpty();
    }

    @Test
    void unsupportedTrainingSettingsDoNotStopLoading(@TempDir Path tmp) throws IOException {
        Path src = FIX.resolve("keras3/gru_default");
        ObjectNode config = (ObjectNode) JSON.readTree(src.resolve("config.json").toFile());
        List<JsonNode> layers = new ArrayList<>();
        config.path("config").path("layers").forEach(layers::add);
        ObjectNode gru = (ObjectNode) layers.get(1).path("config");
        gru.set("kernel_regularizer",
                JSON.readTree("{\"class_name\": \"OrthogonalRegularizer\", \"config\": {\"factor\": 0.01}}"));
        gru.set("recurrent_regularizer", JSON.readTree("{\"class_name\": \"L2\", \"config\": {\"l2\": 0.25}}"));
        Path json = tmp.resolve("config.json");
        Files.writeString(json, config.toString());
        Model m = JKeras.load(json, src.resolve("model.weights.h5"));
        String name = layers.get(1).path("config").path("name").asText();
        assertThat(m.trainingConfig(name).regularizers()).containsOnlyKeys("recurrent_kernel");
        assertThat(m.metadata().get("keras.training_unsupported")).contains(name).contains("OrthogonalRegularizer");
    }
}

package io.jkeras.keras;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jkeras.JKeras;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.exceptions.WeightException;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.model.Model;
import io.jkeras.train.TrainGraph;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What {@link KerasWriter} writes, structurally: the {@code .keras} weights tree equals the one
 * Keras' saving_lib wrote for every fixture; legacy files keep the original names and version;
 * what Keras 3 could not read is refused before anything is written; optimizer variables follow
 * Keras' order; long name lists are chunked as Keras does.
 */
class KerasWriterTest {
    private static final Path FIX = Path.of("fixtures").toAbsolutePath();

    @TempDir
    static Path tmp;

    /** Every dataset of an HDF5 file as "path shape", and every group path. */
    static Map<String, String> tree(HdfFile f) {
        Map<String, String> out = new TreeMap<>();
        walk(f, "", out);
        return out;
    }

    private static void walk(Group g, String prefix, Map<String, String> out) {
        for (Map.Entry<String, Node> e : g.getChildren().entrySet()) {
            String p = prefix + "/" + e.getKey();
            if (e.getValue() instanceof Group c) {
                out.put(p, "group");
                walk(c, p, out);
            } else if (e.getValue() instanceof Dataset d) {
                out.put(p, Arrays.toString(d.getDimensions()));
            }
        }
    }

    static byte[] entry(Path zip, String name) throws IOException {
        try (ZipFile z = new ZipFile(zip.toFile())) {
            return z.getInputStream(z.getEntry(name)).readAllBytes();
        }
    }

    /** Our model.weights.h5 has exactly the groups and datasets (with shapes) Keras' own has. */
    @TestFactory
    Stream<DynamicTest> kerasWeightsTreeEqualsKeras() throws IOException {
        List<Path> cases;
        try (Stream<Path> s = Files.list(FIX.resolve("keras3"))) {
            cases = s.filter(p -> Files.isRegularFile(p.resolve("model.keras"))).sorted().toList();
        }
        return cases.stream().map(d -> DynamicTest.dynamicTest(d.getFileName().toString(), () -> {
            Path out = tmp.resolve(d.getFileName() + ".keras");
            KerasWriter.saveKeras(JKeras.load(d.resolve("model.keras")), out);
            Map<String, String> want, got;
            try (HdfFile a = HdfFile.fromBytes(entry(d.resolve("model.keras"), "model.weights.h5"));
                 HdfFile b = HdfFile.fromBytes(entry(out, "model.weights.h5"))) {
                want = tree(a);
                got = tree(b);
                // the top-level layers' and the model's vars carry their name, as saving_lib writes it
                for (String p : got.keySet()) {
                    if (p.matches("/layers/[^/]+/vars|/vars")) {
                        Attribute n = H5.child(b, p, "x").getAttribute("name");
                        assertThat(n).as(p + " name").isNotNull();
                        assertThat(H5.string(H5.child(b, p, "x"), "name", "x"))
                                .isEqualTo(H5.string(H5.child(a, p, "x"), "name", "x"));
                    }
                }
            }
            assertThat(got).isEqualTo(want);
            String meta = new String(entry(out, "metadata.json"), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(meta).contains("\"keras_version\":\"3.15.1\"").contains("date_saved");
        }));
    }

    @Test
    void legacyFileKeepsNamesVersionAndLayout() throws IOException {
        Path src = FIX.resolve("keras3/embedding_mask_bidir_lstm_td_dense/model.h5");
        Path out = tmp.resolve("names.h5");
        KerasWriter.saveH5(JKeras.load(src), out);
        try (HdfFile a = new HdfFile(src); HdfFile b = new HdfFile(out)) {
            for (String attr : List.of("keras_version", "backend", "model_config")) {
                assertThat(H5.string(b, attr, "x")).as(attr).isEqualTo(H5.string(a, attr, "x"));
            }
            Group wa = (Group) a.getChild("model_weights"), wb = (Group) b.getChild("model_weights");
            assertThat(H5.strings(wb, "layer_names", "x")).isEqualTo(H5.strings(wa, "layer_names", "x"));
            for (String layer : H5.strings(wa, "layer_names", "x")) {
                Group la = (Group) wa.getChild(layer), lb = (Group) wb.getChild(layer);
                assertThat(H5.strings(lb, "weight_names", "x")).as(layer)
                        .isEqualTo(H5.strings(la, "weight_names", "x"));
            }
            // the same datasets in the same places (weightless layers get a group without weight_names)
            Map<String, String> ta = tree(a), tb = tree(b);
            ta.keySet().removeIf(k -> !k.startsWith("/model_weights"));
            tb.keySet().removeIf(k -> !k.startsWith("/model_weights"));
            assertThat(tb).isEqualTo(ta);
        }
    }

    @Test
    void keras2FilesRoundTripAsLegacyFilesOnly() throws IOException {
        Path src = FIX.resolve("zoo/keras2c_lstm_hard_sigmoid_keras224/model.h5");
        Model m = JKeras.load(src);
        Path out = tmp.resolve("k224.h5");
        JKeras.save(m, out);
        Model b = JKeras.load(out);
        assertThat(b.metadata().get("keras_version")).isEqualTo("2.2.4"); // so hard_sigmoid keeps its Keras 2 meaning
        for (int i = 0; i < m.weights().size(); i++) {
            assertThat(b.weights().get(i).weight().values()).containsExactly(m.weights().get(i).weight().values());
        }
        try (HdfFile f = new HdfFile(out)) {
            Group w = (Group) f.getChild("model_weights");
            for (String layer : H5.strings(w, "layer_names", "x")) {
                List<String> names = H5.strings((Group) w.getChild(layer), "weight_names", "x");
                if (names != null) assertThat(names).allMatch(n -> n.endsWith(":0")); // Keras 2 spellings kept
            }
        }
        assertThatThrownBy(() -> JKeras.save(m, tmp.resolve("k224.keras")))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("save it as .h5");
    }

    @Test
    void whatKeras3CannotReadIsRefusedBeforeWriting() throws IOException {
        Path target = tmp.resolve("existing.h5");
        Files.writeString(target, "old content");
        Model k1 = JKeras.load(FIX.resolve("zoo/dl4j_simple_lstm_tf_keras1/model.h5"));
        assertThatThrownBy(() -> JKeras.save(k1, target)).isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("Keras 1");
        Model list = JKeras.load(FIX.resolve("zoo/dl4j_simple_rnn_tf_keras2/model.h5"));
        assertThatThrownBy(() -> JKeras.save(list, target)).isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("bare list");
        Model k3 = JKeras.load(FIX.resolve("keras3/lstm_default/model.h5"));
        Model bare = new Model(k3.name(), k3.nodes(), k3.inputNodeIds(), k3.outputRefs(), k3.layers(),
                Map.of("source", "x"));
        assertThatThrownBy(() -> JKeras.save(bare, target)).isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("holds no Keras model config");
        Map<String, String> meta = new LinkedHashMap<>(k3.metadata());
        meta.put(KerasLoader.META_MODEL_CONFIG, meta.get(KerasLoader.META_MODEL_CONFIG)
                .replace("\"LSTM\"", "\"CuDNNLSTM\""));
        meta.put("keras_version", "2.2.4");
        Model cudnn = new Model(k3.name(), k3.nodes(), k3.inputNodeIds(), k3.outputRefs(), k3.layers(), meta);
        assertThatThrownBy(() -> JKeras.save(cudnn, target)).isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("CuDNNLSTM");
        assertThat(Files.readString(target)).isEqualTo("old content");
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith("tmp"));
        }
        // a successful save replaces the file whole
        JKeras.save(k3, target);
        assertThat(JKeras.load(target).weights()).hasSameSizeAs(k3.weights());
    }

    @Test
    void trainedModelsSaveTheirNewWeights() throws IOException {
        Model m = io.jkeras.train.Initializers.reinitialize(
                JKeras.load(FIX.resolve("keras3/stack_lstm_lstm_dense/model.keras")), "dense", 3);
        Model trained = new TrainGraph(m).toModel(); // layers rebuilt from the training parameters
        assertThat(trained.metadata()).isEqualTo(m.metadata());
        for (String ext : List.of("h5", "keras")) {
            Path out = tmp.resolve("trained." + ext);
            JKeras.save(trained, out);
            Model back = JKeras.load(out);
            for (int i = 0; i < trained.weights().size(); i++) {
                assertThat(back.weights().get(i).weight().values())
                        .containsExactly(trained.weights().get(i).weight().values());
            }
        }
    }

    @Test
    void optimizerVariablesFollowKerasOrderAndSkipFrozenLayers() throws IOException {
        Model m = JKeras.load(FIX.resolve("keras3/stack_lstm_lstm_dense/model.h5"));
        Map<String, TrainingConfig> tc = new HashMap<>(m.trainingConfigs());
        tc.put("lstm", tc.get("lstm").withTrainable(false));
        Model frozen = new Model(m.name(), m.nodes(), m.inputNodeIds(), m.outputRefs(), m.layers(), m.metadata(), tc);
        Map<String, Object> cfg = Map.of("name", "sgd", "learning_rate", 0.1, "momentum", 0.9);
        Map<String, Map<String, float[]>> slots = new LinkedHashMap<>();
        List<String> order = new ArrayList<>();
        for (Model.NamedWeight w : m.weights()) {
            if (w.layer().equals("lstm")) continue;
            float[] v = new float[(int) w.weight().size()];
            Arrays.fill(v, order.size() + 1);
            slots.put(w.fullName(), Map.of("momentum", v));
            order.add(w.fullName());
        }
        KerasWriter.OptimizerState st = new KerasWriter.OptimizerState("SGD", cfg, "mse", 3, 0.1,
                KerasWriter.kerasSlotGroups("SGD", cfg), slots);
        Path out = tmp.resolve("sgd.keras");
        KerasWriter.saveKeras(frozen, out, st);
        try (HdfFile f = HdfFile.fromBytes(entry(out, "model.weights.h5"))) {
            Group vars = (Group) H5.child(f, "optimizer/vars", "x");
            assertThat(vars.getChildren()).hasSize(2 + order.size());
            assertThat(((Dataset) vars.getChild("0")).getData()).isEqualTo(3L);
            assertThat(((Dataset) vars.getChild("1")).getData()).isEqualTo(0.1f);
            for (int i = 0; i < order.size(); i++) {
                float[] v = (float[]) ((Dataset) vars.getChild(String.valueOf(2 + i))).getDataFlat();
                assertThat(v).containsOnly(i + 1f);
            }
        }
        String config = new String(entry(out, "config.json"), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(config).contains(
                "\"compile_config\":{\"optimizer\":{\"module\":\"keras.optimizers\",\"class_name\":\"SGD\"");
        // the same state from slots keyed layer/weight/slot, as jkeras' optimizers export them
        Map<String, float[]> flat = new LinkedHashMap<>();
        slots.forEach((w, m2) -> m2.forEach((slot, v) -> flat.put(w + "/" + slot, v)));
        KerasWriter.OptimizerState st2 = KerasWriter.OptimizerState.of("SGD", cfg, "mse", 3, 0.1, flat);
        assertThat(st2.slotGroups()).isEqualTo(List.of(List.of("momentum")));
        assertThat(st2.slots().keySet()).isEqualTo(slots.keySet());
        slots.forEach((w, m2) -> assertThat(st2.slots().get(w).get("momentum")).isSameAs(m2.get("momentum")));
        // slots for a frozen weight, or a missing slot, are refused
        Map<String, Map<String, float[]>> extra = new LinkedHashMap<>(slots);
        extra.put("lstm/kernel", Map.of("momentum", new float[72]));
        assertThatThrownBy(()
                -> KerasWriter.saveKeras(frozen, tmp.resolve("x.keras"),
                        new KerasWriter.OptimizerState("SGD", cfg, null, 3,
                0.1, KerasWriter.kerasSlotGroups("SGD", cfg), extra))).isInstanceOf(WeightException.class)
                        .hasMessageContaining("not a trainable weight");
        assertThatThrownBy(()
                -> KerasWriter.saveKeras(frozen, tmp.resolve("y.keras"),
                        new KerasWriter.OptimizerState("Adam", cfg, null, 3,
                0.1, KerasWriter.kerasSlotGroups("Adam", Map.of()), slots))).isInstanceOf(WeightException.class)
                        .hasMessageContaining("'velocity'");
        assertThat(tmp.resolve("x.keras")).doesNotExist();
    }

    @Test
    void longNameListsAreChunkedAsKerasDoes() throws IOException {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 1500; i++) names.add("layer_with_a_rather_long_name_" + i);
        Path out = tmp.resolve("chunks.h5");
        KerasWriter.writeTo(out, root -> {
            KerasWriter.putStrings(root, "layer_names", names);
            KerasWriter.putStrings(root.putGroup("g"), "weight_names", List.of("ü/kernel:0"));
        }, "test");
        try (HdfFile f = new HdfFile(out)) {
            assertThat(f.getAttribute("layer_names")).isNull();
            assertThat(f.getAttribute("layer_names0")).isNotNull();
            assertThat(f.getAttribute("layer_names3")).isNotNull();
            assertThat(H5.strings(f, "layer_names", "x")).isEqualTo(names);
            assertThat(H5.strings((Group) f.getChild("g"), "weight_names", "x")).containsExactly("ü/kernel:0");
        }
    }
}

package io.jkeras.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jhdf.Superblock;
import io.jhdf.WritableGroupImpl;
import io.jhdf.storage.HdfFileChannel;
import io.jhdf.api.WritableGroup;
import io.jhdf.api.WritableNode;
import io.jkeras.exceptions.JKerasException;
import io.jkeras.exceptions.ModelFileException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.exceptions.WeightException;
import io.jkeras.layers.Layer;
import io.jkeras.layers.Weight;
import io.jkeras.model.Model;
import io.jkeras.util.AtomicFiles;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Saves a model back into the files Keras 3 loads: a legacy HDF5 file ({@code model.save("m.h5")}
 * layout, {@code keras.src.legacy.saving.legacy_h5_format.save_model_to_hdf5}) or a {@code .keras}
 * archive ({@code keras.src.saving.saving_lib}), with the model's current weights.
 *
 * <p>jkeras does not write Keras configs: it writes back the model config the model was loaded
 * from (kept by {@link KerasLoader} in the model's metadata under {@link KerasLoader#META_MODEL_CONFIG}),
 * with the original layer names and, for a legacy file, each layer's original {@code weight_names}.
 * Each layer's weights are written in Keras' own layout: the engine's {@link Layer#weights()} are
 * already Keras' logical layout, bit for bit. So:
 * <ul>
 * <li>models loaded from Keras 3 files, and from Keras 2 / tf.keras files whose configs Keras 3
 * reads, are written;</li>
 * <li>models loaded from Keras 1 files are refused ({@link UnsupportedModelException}): Keras 3
 * cannot read Keras 1 configs, and jkeras does not translate configs; so are Keras 2's CuDNNLSTM and
 * CuDNNGRU (no such class in Keras 3) and models that were not loaded from a Keras file;</li>
 * <li>a {@code .keras} archive is written only for models whose config is a Keras 3 (or Keras
 * 2.13–2.15 {@code .keras}) config;</li>
 * <li>a legacy file's {@code model_config} attribute must fit in one HDF5 object header (jhdf
 * writes no dense attribute storage): about 48 KB of JSON; a larger model is refused with a hint
 * to save a {@code .keras} archive, which has no such limit.</li>
 * </ul>
 * String attributes are written as fixed-length UTF-8 byte strings, which h5py reads as
 * {@code bytes} and Keras decodes ({@code load_attributes_from_hdf5_group}). Files are written
 * atomically ({@link AtomicFiles}). A file loaded from a Theano-backend Keras 2 file is written with
 * backend {@code tensorflow}, since its weights are held in TensorFlow's orientation.
 */
public final class KerasWriter {
    /** What a model's optimizer holds, for {@link #saveKeras(Model, Path, OptimizerState)}. */
    public record OptimizerState(String className, Map<String, Object> config, String loss, long iterations,
                                 Double learningRate, List<List<String>> slotGroups,
                                 Map<String, Map<String, float[]>> slots) {
        /**
         * @param className   Keras class, e.g. {@code Adam}
         * @param config      the optimizer's Keras config ({@code learning_rate}, {@code beta_1}, …)
         * @param loss        the Keras loss name for {@code compile_config} (e.g. {@code mean_squared_error}), a
         *                    serialized loss or list of losses as JSON text (starting with '{' or '['), or null
         * @param iterations  Keras' {@code optimizer.iterations}
         * @param learningRate the current learning rate, stored as Keras' {@code learning_rate}
         *                    variable; null when it is a schedule (Keras then holds no such variable)
         * @param slotGroups  slot names as Keras' {@code build} creates them: each inner list is one
         *                    {@code add_optimizer_variables} call, which interleaves its names per
         *                    weight (Adam {@code [[momentum, velocity]]}; RMSprop
         *                    {@code [[velocity], [momentum]]}); see {@link #kerasSlotGroups}
         * @param slots       per trainable weight full name ({@code lstm/kernel}), per slot name, the
         *                    values in the weight's Keras layout
         */
        public OptimizerState {
            config = new LinkedHashMap<>(config);
            slotGroups = List.copyOf(slotGroups);
            slots = Map.copyOf(slots);
        }

        /**
         * From slots keyed {@code layer/weight/slot} ({@code lstm/kernel/momentum},
         * {@code bidirectional/forward_lstm/kernel/velocity}), as jkeras' optimizers export them,
         * with Keras' slot layout for {@code className} ({@link #kerasSlotGroups}).
         */
        public static OptimizerState of(String className, Map<String, Object> config, String loss, long iterations,
                                        Double learningRate, Map<String, float[]> slotsByKey) {
            Map<String, Map<String, float[]>> bySlot = new LinkedHashMap<>();
            for (Map.Entry<String, float[]> e : slotsByKey.entrySet()) {
                int cut = e.getKey().lastIndexOf('/');
                if (cut <= 0) throw new IllegalArgumentException("slot key '" + e.getKey()
                        + "' is not layer/weight/slot");
                bySlot.computeIfAbsent(e.getKey().substring(0, cut), k -> new LinkedHashMap<>())
                        .put(e.getKey().substring(cut + 1), e.getValue());
            }
            return new OptimizerState(className, config, loss, iterations, learningRate,
                    kerasSlotGroups(className, config), bySlot);
        }
    }

    /** Keras 3's slot layout of its built-in optimizers ({@code build}), for {@link OptimizerState#slotGroups}. */
    public static List<List<String>> kerasSlotGroups(String className, Map<String, Object> config) {
        boolean momentum = config.get("momentum") instanceof Number n && n.doubleValue() != 0;
        return switch (className) {
            case "SGD" -> momentum ? List.of(List.of("momentum")) : List.of();
            case "Adam", "AdamW", "Nadam" -> Boolean.TRUE.equals(config.get("amsgrad"))
                    ? List.of(List.of("momentum", "velocity"), List.of("velocity_hat"))
                            : List.of(List.of("momentum", "velocity"));
            case "RMSprop" -> {
                List<List<String>> g = new ArrayList<>(List.of(List.of("velocity")));
                if (momentum) g.add(List.of("momentum"));
                if (Boolean.TRUE.equals(config.get("centered"))) g.add(List.of("average_gradient"));
                yield g;
            }
            case "Adagrad" -> List.of(List.of("accumulator"));
            case "Adamax" -> List.of(List.of("m", "u"));
            case "Lion" -> List.of(List.of("momentum"));
            case "Adadelta" -> List.of(List.of("accumulated_grad", "accumulated_delta_var"));
            case "Ftrl" -> List.of(List.of("accumulator", "linear"));
            default -> throw new UnsupportedModelException(null, null, null, "optimizer '" + className
                    + "' has no known Keras slot layout; pass slotGroups explicitly");
        };
    }

    /** The largest model_config attribute written (UTF-8 bytes); jhdf fails beyond ~59 KB per object header. */
    static final int MAX_CONFIG_BYTES = 48 * 1024;
    /** Attribute lists are split into {@code name0, name1, …} beyond this many bytes, as Keras does at 64512. */
    static final int MAX_LIST_BYTES = 16 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> NOT_IN_KERAS3 = Set.of("CuDNNLSTM", "CuDNNGRU", "TimeDistributedDense",
            "Convolution1D", "AtrousConvolution1D");

    private KerasWriter() {}

    /** {@code .keras} by name ends as a Keras 3 archive, anything else as a legacy HDF5 file. */
    public static void save(Model model, Path path) {
        if (path.getFileName() != null && path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".keras")) {
            saveKeras(model, path, null);
        } else {
            saveH5(model, path);
        }
    }

    // ================================================================== legacy HDF5

    /**
     * Writes {@code model} as Keras' legacy HDF5 full-model file, without optimizer: Keras 3 (3.15.1)
     * does not restore an optimizer state from one (it builds the optimizer of a loaded .h5 on no
     * variables, keeps {@code iteration} and {@code learning_rate} only, and its next {@code fit}
     * fails), so an optimizer state is saved in {@code .keras} archives only.
     */
    public static void saveH5(Model model, Path path) {
        String label = path.toString();
        Source src = Source.of(model, label);
        // compact JSON
        String config = utf8Length(src.configText) > MAX_CONFIG_BYTES ? src.config.toString() : src.configText;
        if (utf8Length(config) > MAX_CONFIG_BYTES) {
            throw new UnsupportedModelException(label, null, null, "the model config is " + utf8Length(config)
                    + " bytes of JSON; jkeras"
                    + " writes HDF5 attributes of at most " + MAX_CONFIG_BYTES
                            + " bytes (no dense attribute storage): save a .keras"
                    + " archive instead, which holds the config as a file");
        }
        List<String> layerNames = src.h5LayerNames();
        writeHdf5(path, label, f -> {
            if (src.kerasVersion != null) f.putAttribute("keras_version", src.kerasVersion);
            f.putAttribute("backend", src.backend);
            f.putAttribute("model_config", config);
            WritableGroup mw = f.putGroup("model_weights");
            putStrings(mw, "layer_names", layerNames);
            mw.putAttribute("backend", src.backend);
            if (src.kerasVersion != null) mw.putAttribute("keras_version", src.kerasVersion);
            for (String name : layerNames) {
                WritableGroup lg = mw.putGroup(name);
                List<Weight> ws = src.weightsOf(name);
                if (ws.isEmpty()) continue; // no weight_names attribute: Keras and jkeras read it as none
                List<String> wn = src.weightNames(name, ws);
                putStrings(lg, "weight_names", wn);
                Map<String, WritableGroup> groups = new HashMap<>();
                for (int i = 0; i < ws.size(); i++) {
                    putDataset(lg, groups, wn.get(i), ws.get(i), label, name);
                }
            }
            mw.putGroup("top_level_model_weights");
        });
    }

    // ================================================================== .keras archive

    /** Writes {@code model} as a Keras 3 {@code .keras} archive, without optimizer. */
    public static void saveKeras(Model model, Path path) { saveKeras(model, path, null); }

    /**
     * Writes {@code model} as a Keras 3 {@code .keras} archive: {@code metadata.json},
     * {@code config.json} (with a {@code compile_config} when {@code optimizer} is given) and
     * {@code model.weights.h5}, whose groups {@code layers/<snake_case class>[_k]/…/vars/<i>} are
     * the paths {@code saving_lib} writes ({@link WeightPaths}); the optimizer's variables go to
     * {@code optimizer/vars/<i>} in Keras' order: iteration, learning_rate, then the slots.
     */
    public static void saveKeras(Model model, Path path, OptimizerState optimizer) {
        String label = path.toString();
        Source src = Source.of(model, label);
        if (!src.keras3Config) {
            throw new UnsupportedModelException(label, null, null, "the model was loaded from a Keras " + src.versionRaw
                    + " legacy file; a .keras archive needs a Keras 3 config, which jkeras does not write: save it"
                            + " as .h5");
        }
        ObjectNode config = src.config.deepCopy();
        if (!config.has("module")) {
            // a legacy HDF5 model_config: saving_lib locates the top-level class by its module
            boolean sequential = "Sequential".equals(ConfigParser.text(config, "class_name", null));
            ObjectNode top = JsonNodeFactory.instance.objectNode();
            top.put("module", sequential ? "keras" : "keras.src.models.functional");
            config.fields().forEachRemaining(e -> top.set(e.getKey(), e.getValue()));
            if (sequential) top.putNull("registered_name");
            else top.put("registered_name", "Functional");
            config = top;
        }
        if (optimizer != null) config.set("compile_config", compileConfig(optimizer));
        byte[] configJson = config.toString().getBytes(StandardCharsets.UTF_8);
        ObjectNode meta = JsonNodeFactory.instance.objectNode();
        meta.put("keras_version", src.kerasVersion != null ? src.kerasVersion : "3.0.0");
        meta.put("date_saved", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd@HH:mm:ss")));
        byte[] weights = weightsH5(src, optimizer, label);
        try {
            AtomicFiles.write(path, out -> {
                ZipOutputStream z = new ZipOutputStream(out);
                stored(z, KerasLoader.METADATA, meta.toString().getBytes(StandardCharsets.UTF_8));
                stored(z, KerasLoader.CONFIG, configJson);
                stored(z, KerasLoader.WEIGHTS, weights);
                z.finish();
                z.flush();
            });
        } catch (IOException e) {
            throw new ModelFileException(label, null, null, "cannot write: " + e.getMessage(), e);
        }
    }

    private static void stored(ZipOutputStream z, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        e.setTime(315532800000L); // 1980-01-01, as Keras' writestr entries
        z.putNextEntry(e);
        z.write(data);
        z.closeEntry();
    }

    private static ObjectNode compileConfig(OptimizerState o) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode opt = f.objectNode();
        opt.put("module", "keras.optimizers");
        opt.put("class_name", o.className());
        opt.set("config", JSON.valueToTree(o.config()));
        opt.putNull("registered_name");
        ObjectNode c = f.objectNode();
        c.set("optimizer", opt);
        if (o.loss() == null) c.putNull("loss");
        else if (o.loss().startsWith("{") || o.loss().startsWith("[")) {
            try {
                c.set("loss", JSON.readTree(o.loss()));
            } catch (IOException e) {
                throw new IllegalArgumentException("the loss is not valid JSON: " + o.loss(), e);
            }
        }
        else c.put("loss", o.loss());
        c.putNull("loss_weights");
        c.putNull("metrics");
        c.putNull("weighted_metrics");
        c.put("run_eagerly", false);
        c.put("steps_per_execution", 1);
        c.put("jit_compile", false);
        return c;
    }

    /** One variable of the weights file: where it goes and, for the optimizer, whether it trains. */
    private record Slot(WeightPaths.VarGroup group, int index, boolean nonTrainable) {}

    /**
     * The model's trainable weights in Keras' {@code model.trainable_variables} order (the order of
     * an optimizer's slot variables), full name ({@code lstm/kernel}) to shape: the weights of
     * {@code model.layers} in order, each layer's in walk order, without those of frozen layers and
     * non-trainable variables. Needs a model loaded from a Keras file, as {@link #saveKeras} does.
     */
    static Map<String, int[]> trainableVariables(Model model, String label) {
        Source src = Source.of(model, label);
        Map<String, int[]> out = new LinkedHashMap<>();
        for (WeightPaths.LayerVars lv : WeightPaths.layers(src.config, true, label)) {
            List<Weight> ws = src.weightsOf(lv.name());
            List<Slot> order = legacyOrder(lv, ws.size(), label);
            for (int i = 0; i < ws.size(); i++) {
                if (!order.get(i).nonTrainable() && src.model.trainingConfig(lv.name()).trainable()) {
                    out.put(lv.name() + "/" + ws.get(i).name(), ws.get(i).shape());
                }
            }
        }
        return out;
    }

    private static byte[] weightsH5(Source src, OptimizerState optimizer, String label) {
        List<WeightPaths.LayerVars> layers = WeightPaths.layers(src.config, true, label);
        Map<String, Map<Integer, float[]>> values = new LinkedHashMap<>(); // group path → index → values
        Map<String, Map<Integer, int[]>> shapes = new HashMap<>();
        Map<String, String> groupNames = new LinkedHashMap<>();
        List<String> trainableOrder = new ArrayList<>(); // full weight names in model.trainable_variables order
        Map<String, int[]> trainableShapes = new HashMap<>();
        for (WeightPaths.LayerVars lv : layers) {
            List<Weight> ws = src.weightsOf(lv.name());
            List<Slot> order = legacyOrder(lv, ws.size(), label);
            for (WeightPaths.VarGroup g : lv.groups()) {
                values.putIfAbsent(g.path(), new LinkedHashMap<>());
                if (g.path().equals(lv.groups().get(0).path())) groupNames.put(g.path(), lv.name());
            }
            for (int i = 0; i < ws.size(); i++) {
                Slot s = order.get(i);
                Weight w = ws.get(i);
                values.get(s.group().path()).put(s.index(), w.values());
                shapes.computeIfAbsent(s.group().path(), k -> new HashMap<>()).put(s.index(), w.shape());
                boolean trains = !s.nonTrainable() && src.model.trainingConfig(lv.name()).trainable();
                if (trains) {
                    String full = lv.name() + "/" + w.name();
                    trainableOrder.add(full);
                    trainableShapes.put(full, w.shape());
                }
            }
        }
        return writeHdf5Bytes(label, f -> {
            f.putGroup("vars").putAttribute("name", src.model.name());
            Map<String, WritableGroup> groups = new HashMap<>();
            for (Map.Entry<String, Map<Integer, float[]>> e : values.entrySet()) {
                WritableGroup vars = group(f, groups, e.getKey() + "/vars");
                String n = groupNames.get(e.getKey());
                if (n != null) vars.putAttribute("name", n);
                for (Map.Entry<Integer, float[]> v : new java.util.TreeMap<>(e.getValue()).entrySet()) {
                    vars.putDataset(String.valueOf(v.getKey()),
                            nested(v.getValue(), shapes.get(e.getKey()).get(v.getKey())));
                }
            }
            if (optimizer != null) writeOptimizer(f, groups, optimizer, trainableOrder, trainableShapes, label);
        });
    }

    /**
     * Where each of a layer's weights (legacy order: trainable ones first, then the others, each in
     * walk order) sits in the object tree: the inverse of {@link KerasWeightsH5Reader}.
     */
    private static List<Slot> legacyOrder(WeightPaths.LayerVars lv, int count, String label) {
        int known = 0, unknownGroups = 0;
        for (WeightPaths.VarGroup g : lv.groups()) {
            if (g.names() == null) unknownGroups++;
            else known += g.names().size();
        }
        if (known != count && !(unknownGroups == 1 && count > known)) {
            if (count == 0 && unknownGroups > 0 && known == 0) return List.of();
            throw new WeightException(label, lv.name(), null, "the layer holds " + count + " weights but its "
                    + lv.className()
                    + " config has " + known + " variables" + (unknownGroups > 0 ? " in the groups jkeras knows" : ""),
                            null);
        }
        List<Slot> trainable = new ArrayList<>(), frozen = new ArrayList<>();
        for (WeightPaths.VarGroup g : lv.groups()) {
            int n = g.names() != null ? g.names().size() : count - known;
            for (int i = 0; i < n; i++) {
                String name = g.names() != null ? g.names().get(i) : null;
                boolean nt = g.frozen() || (name != null && g.nonTrainable().contains(name));
                (nt ? frozen : trainable).add(new Slot(g, i, nt));
            }
        }
        trainable.addAll(frozen);
        return trainable;
    }

    private static void writeOptimizer(WritableGroup f, Map<String, WritableGroup> groups, OptimizerState o,
                                       List<String> trainable, Map<String, int[]> shapes, String label) {
        WritableGroup vars = group(f, groups, "optimizer/vars");
        Object name = o.config().get("name");
        vars.putAttribute("name", name instanceof String s ? s : WeightPaths.snake(o.className(), true));
        int i = 0;
        vars.putDataset(String.valueOf(i++), o.iterations());
        if (o.learningRate() != null) vars.putDataset(String.valueOf(i++), (float) o.learningRate().doubleValue());
        for (List<String> group : o.slotGroups()) {
            for (String w : trainable) {
                Map<String, float[]> s = o.slots().get(w);
                for (String slot : group) {
                    float[] v = s == null ? null : s.get(slot);
                    if (v == null) {
                        throw new WeightException(label, w.substring(0, w.indexOf('/')),
                                w.substring(w.indexOf('/') + 1),
                                "the optimizer state has no '" + slot + "' slot for this trainable weight", null);
                    }
                    vars.putDataset(String.valueOf(i++), nested(v, shapes.get(w)));
                }
            }
        }
        for (String w : o.slots().keySet()) {
            if (!shapes.containsKey(w)) {
                throw new WeightException(label, null, w,
                        "the optimizer state has slots for a weight that is not a trainable weight of the model", null);
            }
        }
    }

    // ================================================================== the model's source

    /** What the writers need from a loaded model. */
    private static final class Source {
        Model model;
        String configText;
        ObjectNode config;
        String kerasVersion; // null when only inferred
        String versionRaw;
        String backend;
        boolean keras3Config;
        final Map<String, Layer> engineLayers = new LinkedHashMap<>();

        static Source of(Model model, String label) {
            Source s = new Source();
            s.model = model;
            Map<String, String> meta = model.metadata();
            s.configText = meta.get(KerasLoader.META_MODEL_CONFIG);
            if (s.configText == null) {
                throw new UnsupportedModelException(label, null, null, "model '" + model.name()
                        + "' holds no Keras model config"
                        + " (it was not loaded from a Keras file); jkeras writes back the config of the file a model"
                                + " was loaded from");
            }
            JsonNode json = ConfigParser.parseJson(s.configText, label);
            s.config = (ObjectNode) json;
            s.versionRaw = meta.getOrDefault("keras_version", "?");
            KerasVersion v = KerasVersion.parse(s.versionRaw);
            if (v == null || v.major() < 2) {
                throw new UnsupportedModelException(label, null, null, "the model was loaded from a Keras "
                        + s.versionRaw + " file;"
                        + " Keras 3 cannot read Keras 1 configs and jkeras does not translate them, so it is not"
                                + " written"
                        + " (re-save the model with Keras 2 or 3 first)");
            }
            JsonNode inner = json.get("config");
            if (inner != null && inner.isArray()) {
                throw new UnsupportedModelException(label, null, null, "the model was loaded from a Keras "
                        + s.versionRaw
                        + " file whose Sequential config is a bare list of layers (Keras 2.0-2.1), which Keras 3"
                                + " cannot read;"
                        + " jkeras does not translate configs, so it is not written");
            }
            s.kerasVersion = s.versionRaw.contains("inferred") ? null : s.versionRaw;
            String backend = meta.get("backend");
            s.backend = backend == null || "theano".equalsIgnoreCase(backend) ? "tensorflow" : backend;
            s.keras3Config = v.major() >= 3 || "keras-zip".equals(meta.get("format"));
            if (v.major() >= 3 && annotateOperations(s.config)) s.configText = s.config.toString();
            List<String> refused = new ArrayList<>();
            classes(json, refused);
            if (!refused.isEmpty()) {
                throw new UnsupportedModelException(label, null, null, "layer class(es) " + String.join(", ", refused)
                        + " do not exist in Keras 3, which could not load the file; jkeras does not rewrite configs");
            }
            for (Layer l : model.layers()) s.engineLayers.put(l.name(), l);
            for (io.jkeras.model.Node n : model.nodes()) s.engineLayers.putIfAbsent(n.layer().name(), n.layer());
            return s;
        }

        /**
         * Keras 3 writes the operations of a functional graph ({@code NotEqual}, {@code Any}, …)
         * into a legacy file's model_config without their module, and then cannot load its own
         * file ("Unknown layer: 'NotEqual'"); the {@code .keras} config names it. Adds the module
         * ({@code keras.src.ops.numpy}, {@code keras.src.ops.core} for Cast) and registered name
         * Keras gives them in {@code .keras} configs, so that Keras 3 loads what jkeras writes.
         */
        static boolean annotateOperations(ObjectNode config) {
            JsonNode layers = config.path("config").path("layers");
            boolean changed = false;
            for (JsonNode l : layers) {
                if (!(l instanceof ObjectNode o) || o.has("module") || !WeightPaths.isOperation(o)) continue;
                String cls = ConfigParser.text(o, "class_name", null);
                if (cls == null) continue;
                o.put("module", "Cast".equals(cls) ? "keras.src.ops.core" : "keras.src.ops.numpy");
                o.put("registered_name", cls);
                changed = true;
            }
            return changed;
        }

        private static void classes(JsonNode n, List<String> refused) {
            if (n == null) return;
            if (n.isObject()) {
                JsonNode c = n.get("class_name");
                if (c != null && c.isTextual() && NOT_IN_KERAS3.contains(c.asText())
                        && !refused.contains(c.asText())) refused.add(c.asText());
                n.forEach(x -> classes(x, refused));
            } else if (n.isArray()) {
                n.forEach(x -> classes(x, refused));
            }
        }

        /**
         * The weights of the Keras layer {@code name}: an engine layer's, or for a nested model the loader inlined
         * ({@link NestedModels}) its inlined layers' weights in the order its file listed them.
         */
        List<Weight> weightsOf(String name) {
            List<Weight> out = new ArrayList<>();
            for (Model.NamedWeight w : namedWeightsOf(name)) out.add(w.weight());
            return out;
        }

        /** {@link #weightsOf} with the engine layer holding each weight. */
        List<Model.NamedWeight> namedWeightsOf(String name) {
            List<Model.NamedWeight> out = new ArrayList<>();
            Layer l = engineLayers.get(name);
            if (l != null) {
                for (Weight w : l.weights()) out.add(new Model.NamedWeight(name, w));
                return out;
            }
            String order = model.metadata().get(NestedModels.META_NESTED_WEIGHTS + name);
            if (order == null) return out;
            for (JsonNode at : jsonArray(order)) out.add(namedWeightsOf(at.path(0).asText()).get(at.path(1).asInt()));
            return out;
        }

        /** {@code model.layers} names as the legacy file lists them. */
        List<String> h5LayerNames() {
            String kept = model.metadata().get(KerasLoader.META_LAYER_NAMES);
            if (kept != null) {
                List<String> out = new ArrayList<>();
                jsonArray(kept).forEach(x -> out.add(x.asText()));
                return out;
            }
            List<String> out = new ArrayList<>();
            for (WeightPaths.LayerVars lv : WeightPaths.layers(config, true, "config")) out.add(lv.name());
            return out;
        }

        /** The layer's original weight_names when they fit its weights, else {@code layer/weight}. */
        List<String> weightNames(String layer, List<Weight> ws) {
            String kept = model.metadata().get(KerasLoader.META_WEIGHT_NAMES + layer);
            if (kept != null) {
                List<String> out = new ArrayList<>();
                jsonArray(kept).forEach(x -> out.add(x.asText()));
                if (out.size() == ws.size()) return out;
            }
            List<String> out = new ArrayList<>();
            if (engineLayers.get(layer) == null) {
                // a nested model: Keras 3 names its weights by the path below it (innermost/dense/kernel)
                for (Model.NamedWeight w : namedWeightsOf(layer)) out.add(w.layer().startsWith(layer + "/")
                        ? w.layer().substring(layer.length() + 1) + "/" + w.weight().name() : w.fullName());
                if (out.size() == ws.size()) return out;
                out.clear();
            }
            for (Weight w : ws) out.add(layer + "/" + w.name());
            return out;
        }
    }

    // ================================================================== HDF5 helpers

    @FunctionalInterface
    interface H5Body {
        void write(WritableGroup root) throws IOException;
    }

    private static void writeHdf5(Path target, String label, H5Body body) {
        Path tmp = null;
        try {
            Path dir = target.toAbsolutePath().getParent();
            if (dir != null) Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".h5tmp");
            writeTo(tmp, body, label);
            Path src = tmp;
            AtomicFiles.write(target, out -> Files.copy(src, out));
        } catch (IOException e) {
            throw new ModelFileException(label, null, null, "cannot write: " + e.getMessage(), e);
        } finally {
            if (tmp != null) try { Files.deleteIfExists(tmp); } catch (IOException ignored) { /* best effort */ }
        }
    }

    private static byte[] writeHdf5Bytes(String label, H5Body body) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile("jkeras-weights-", ".h5");
            writeTo(tmp, body, label);
            return Files.readAllBytes(tmp);
        } catch (IOException e) {
            throw new ModelFileException(label, null, null, "cannot write the weights file: " + e.getMessage(), e);
        } finally {
            if (tmp != null) try { Files.deleteIfExists(tmp); } catch (IOException ignored) { /* best effort */ }
        }
    }

    /**
     * Writes the tree {@code body} builds with jhdf's writable nodes, but not through
     * {@code WritableHdfFile}: its {@code close()} (jhdf 0.13.0) appends an info string with a
     * relative write at the channel's position, which is the end of the last dataset's data, not
     * the end of the file, so it overwrites the object header of any group laid out after that
     * dataset (files then fail to open in h5py and jhdf). This does what {@code close()} does
     * without that write: the tree from the root group's address (64), then the superblock.
     */
    static void writeTo(Path tmp, H5Body body, String label) throws IOException {
        try (FileChannel fc = FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING)) {
            Superblock.SuperblockV2V3 sb = new Superblock.SuperblockV2V3();
            HdfFileChannel ch = new HdfFileChannel(fc, sb);
            WritableGroupImpl root = new WritableGroupImpl(null, "/");
            body.write(root);
            root.write(ch, ROOT_ADDRESS);
            ch.write(sb.toBuffer(fc.size()), 0L);
            fc.force(true);
        } catch (JKerasException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ModelFileException(label, null, null, "HDF5 writing failed (" + e + ")", e);
        }
    }

    /** Where jhdf's superblock v2 places the root group's object header. */
    private static final long ROOT_ADDRESS = 64;

    /** A group at a '/'-separated path below {@code root}, created with its parents as needed. */
    private static WritableGroup group(WritableGroup root, Map<String, WritableGroup> made, String path) {
        WritableGroup g = root;
        StringBuilder sofar = new StringBuilder();
        for (String part : path.split("/")) {
            if (part.isEmpty()) continue;
            if (sofar.length() > 0) sofar.append('/');
            sofar.append(part);
            WritableGroup parent = g;
            g = made.computeIfAbsent(sofar.toString(), k -> parent.putGroup(part));
        }
        return g;
    }

    private static void putDataset(WritableGroup layerGroup, Map<String, WritableGroup> groups, String path, Weight w,
                                   String label, String layer) {
        int slash = path.lastIndexOf('/');
        WritableGroup g = slash < 0 ? layerGroup : group(layerGroup, groups, path.substring(0, slash));
        String name = path.substring(slash + 1);
        if (name.isEmpty()) throw new WeightException(label, layer, w.name(), "weight name '" + path
                + "' ends with '/'", null);
        g.putDataset(name, nested(w.values(), w.shape()));
    }

    /** A flat row-major array as the nested Java array jhdf writes with that shape. */
    static Object nested(float[] flat, int[] shape) {
        if (shape.length == 0) return flat[0];
        for (int d : shape) {
            if (d <= 0) throw new UnsupportedModelException(null, null, null,
                    "jkeras cannot write a weight with an empty dimension "
                    + io.jkeras.tensor.Tensor.shapeString(shape));
        }
        if (shape.length == 1) return flat.clone();
        Object a = Array.newInstance(float.class, shape);
        fill(a, flat, shape, 0, 0);
        return a;
    }

    private static int fill(Object a, float[] flat, int[] shape, int dim, int off) {
        if (dim == shape.length - 1) {
            System.arraycopy(flat, off, (float[]) a, 0, shape[dim]);
            return off + shape[dim];
        }
        for (int i = 0; i < shape[dim]; i++) off = fill(Array.get(a, i), flat, shape, dim + 1, off);
        return off;
    }

    /**
     * A list of strings as one attribute, or split into {@code name0, name1, …} as Keras'
     * {@code save_attributes_to_hdf5_group} does ({@code np.array_split} into equal parts) when
     * it is larger than {@link #MAX_LIST_BYTES}.
     */
    static void putStrings(WritableNode node, String name, List<String> items) {
        int width = 1;
        for (String s : items) width = Math.max(width, utf8Length(s));
        long bytes = (long) width * items.size();
        int chunks = 1;
        while (bytes > (long) MAX_LIST_BYTES * chunks && chunks < items.size()) chunks++;
        if (chunks == 1) {
            node.putAttribute(name, items.toArray(new String[0]));
            return;
        }
        int n = items.size(), base = n / chunks, extra = n % chunks, at = 0;
        for (int c = 0; c < chunks; c++) {
            int len = base + (c < extra ? 1 : 0);
            node.putAttribute(name + c, items.subList(at, at + len).toArray(new String[0]));
            at += len;
        }
    }

    private static JsonNode jsonArray(String text) {
        try {
            JsonNode n = JSON.readTree(text);
            if (n != null && n.isArray()) return n;
        } catch (IOException e) {
            // fall through
        }
        throw new IllegalStateException("model metadata holds a malformed name list: " + text);
    }

    private static int utf8Length(String s) { return s.getBytes(StandardCharsets.UTF_8).length; }
}

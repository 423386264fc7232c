package io.jkeras.keras;

import io.jkeras.model.LoadOptions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jkeras.exceptions.JKerasException;
import io.jkeras.exceptions.ModelFileException;
import io.jkeras.exceptions.ModelFormatException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.exceptions.WeightException;
import io.jkeras.model.Model;
import io.jkeras.tensor.Tensor;
import io.jkeras.train.TrainingState;
import io.jkeras.train.KerasOptimizer;
import io.jkeras.train.LossConfig;
import io.jkeras.train.OptimizerState;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a saved model's optimizer state and compile config, so that training can go on where it
 * stopped: the inverse of what {@link KerasWriter#saveKeras(Model, Path, KerasWriter.OptimizerState)}
 * and Keras 3's savers write.
 * <ul>
 * <li>a {@code .keras} archive (Keras 3, or jkeras): {@code config.json}'s {@code compile_config}
 * ({@code optimizer} as {@code {"module", "class_name", "config", "registered_name"}}, {@code loss},
 * {@code loss_weights}) and {@code model.weights.h5}'s {@code optimizer/vars/<i>}, which
 * {@code saving_lib} writes in the order of {@code optimizer.variables};</li>
 * <li>a legacy HDF5 file written by Keras 3 ({@code model.save("m.h5")}): the {@code training_config}
 * attribute ({@code optimizer_config}, {@code loss}, {@code loss_weights}) and the
 * {@code optimizer_weights} group, whose {@code weight_names} attribute lists the variables in the same
 * order ({@code legacy_h5_format.save_optimizer_weights_to_hdf5_group}).</li>
 * </ul>
 * Keras 3's {@code optimizer.variables} are {@code iteration} (int64), {@code learning_rate} (float32;
 * absent when the learning rate is a schedule), then the slots as {@code build} creates them:
 * each {@code add_optimizer_variables(trainable_variables, names)} call adds, per trainable variable
 * in {@code model.trainable_variables} order, one variable per name ({@link KerasWriter#kerasSlotGroups}:
 * Adam {@code momentum, velocity} per weight, then with amsgrad {@code velocity_hat} per weight;
 * RMSprop {@code velocity}, then {@code momentum} if momentum &gt; 0, then {@code average_gradient} if
 * centered; SGD with momentum {@code momentum}; Adagrad {@code accumulator}). An optimizer that has
 * not been built yet (saved after {@code compile}, before {@code fit}) holds {@code iteration} and
 * {@code learning_rate} only. Each variable is checked against the model: count, shape, and for
 * legacy files the name ({@code adam/sequential_dense_kernel_momentum} ends with the slot's name).
 *
 * <p>Only Keras 3 layouts are read: Keras 2 optimizers order and name their variables otherwise, and
 * their state is refused ({@link UnsupportedModelException}).
 */
public final class KerasOptimizerReader {

    private KerasOptimizerReader() {}

    /** One saved optimizer variable: its name (legacy files; null in archives), shape and values. */
    public record Variable(String name, int[] shape, float[] values) {}

    /**
     * What a file holds for training, as saved.
     *
     * @param format       {@code keras-zip} or {@code keras-hdf5}
     * @param kerasVersion the Keras version that wrote it (null when unknown)
     * @param optimizer    the serialized optimizer ({@code {"class_name", "config"}}), or null
     * @param loss         the {@code loss} entry (null when none)
     * @param lossWeights  the {@code loss_weights} entry (null when none)
     * @param iterations   the saved {@code iteration} variable, null when the file holds no optimizer variables
     * @param variables    the optimizer variables after {@code iteration}, in Keras' order (empty when none)
     */
    public record Saved(String format, String kerasVersion, JsonNode optimizer, JsonNode loss, JsonNode lossWeights,
                        Long iterations, List<Variable> variables) {
        public Saved {
            variables = List.copyOf(variables);
        }
    }

    /** As {@link #read(Path, Model, LoadOptions)} with the default limits. */
    public static Optional<TrainingState> read(Path path, Model model) { return read(path, model, LoadOptions.DEFAULT);
            }

    /**
     * The training state of the file {@code path} for {@code model} (the model loaded from that
     * file, or one with the same architecture): its optimizer, built from the saved config
     * ({@link Optimizers#fromConfig}), with the saved {@code iterations} and slots imported, and its
     * loss config. Empty when the file holds no optimizer config (a model saved uncompiled, a
     * weights-only file, a jkeras {@code .jkm} file).
     *
     * @throws UnsupportedModelException for an optimizer or option jkeras does not implement, or a Keras 2 state
     * @throws ModelFormatException      when the saved variables do not fit the optimizer and the model
     */
    public static Optional<TrainingState> read(Path path, Model model, LoadOptions options) {
        Optional<Saved> s = readSaved(path, options);
        if (s.isEmpty()) return Optional.empty();
        try {
            return Optional.of(restore(s.get(), model, path.toString()));
        } catch (JKerasException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ModelFormatException(path.toString(), null, null, "cannot restore the optimizer state (" + e
                    + ")", e);
        }
    }

    /** What {@code path} holds for training, unmapped; empty when it names no optimizer. */
    public static Optional<Saved> readSaved(Path path, LoadOptions options) {
        String label = path.toString();
        try {
            if (io.jkeras.format.Jkm.isJkm(path)) return Optional.empty();
            if (KerasZipReader.isZip(H5.head(path, 4, label))) return readArchive(
                    H5.mapFile(path, options.maxStreamBytes(), label), label, options);
            try (HdfFile f = KerasFiles.openHdf5(path, label)) {
                return readLegacy(f, label, options);
            }
        } catch (JKerasException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ModelFileException(label, null, null, "cannot read the optimizer state (" + e + ")", e);
        }
    }

    private static Optional<Saved> readArchive(java.nio.ByteBuffer zip, String label, LoadOptions options) {
        KerasZipReader.Archive a = KerasZipReader.read(zip, label, options,
                Set.of(KerasLoader.CONFIG, KerasLoader.METADATA, KerasLoader.WEIGHTS));
        if (!a.has(KerasLoader.CONFIG)) return Optional.empty();
        JsonNode config = ConfigParser.parseJson(utf8(a.get(KerasLoader.CONFIG), label), label + "!/"
                + KerasLoader.CONFIG, options);
        JsonNode compile = config.path("compile_config");
        JsonNode optimizer = compile.get("optimizer");
        if (optimizer == null || optimizer.isNull()) return Optional.empty();
        String version = null;
        if (a.has(KerasLoader.METADATA)) {
            JsonNode meta = ConfigParser.parseJson(utf8(a.get(KerasLoader.METADATA), label), label + "!/"
                    + KerasLoader.METADATA, options);
            version = ConfigParser.text(meta, "keras_version", null);
        }
        Long iterations = null;
        List<Variable> vars = new ArrayList<>();
        if (a.has(KerasLoader.WEIGHTS)) {
            String wl = label + "!/" + KerasLoader.WEIGHTS;
            try (HdfFile f = H5.open(a.get(KerasLoader.WEIGHTS), wl)) {
                Node g = H5.child(f, "optimizer/vars", wl);
                if (g instanceof Group) {
                    Map<String, Node> children = H5.children(g, wl);
                    for (int i = 0; i < children.size(); i++) {
                        Node n = children.get(String.valueOf(i));
                        if (n == null) {
                            throw new ModelFormatException(wl, null, null, "optimizer/vars holds " + children.keySet()
                                    + ": Keras numbers the optimizer variables 0.." + (children.size() - 1), null);
                        }
                        if (i == 0) iterations = iteration(n, "optimizer/vars/0", wl);
                        else vars.add(variable(n, null, "optimizer/vars/" + i, wl, options));
                    }
                }
            }
        }
        checkVersion(version, iterations, label);
        return Optional.of(new Saved("keras-zip", version, optimizer, compile.get("loss"), compile.get("loss_weights"),
                iterations, vars));
    }

    private static Optional<Saved> readLegacy(HdfFile f, String label, LoadOptions options) {
        String tc = H5.string(f, "training_config", label);
        if (tc == null) return Optional.empty();
        JsonNode training = ConfigParser.parseJson(tc, label + " (training_config)", options);
        JsonNode optimizer = training.get("optimizer_config");
        if (optimizer == null || optimizer.isNull()) return Optional.empty();
        String version = H5.string(f, "keras_version", label);
        Long iterations = null;
        List<Variable> vars = new ArrayList<>();
        Node g = H5.child(f, "optimizer_weights", label);
        if (g instanceof Group) {
            List<String> names = H5.strings(g, "weight_names", label);
            if (names == null) throw new ModelFormatException(label, null, null,
                    "optimizer_weights has no weight_names attribute", null);
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                Node n = H5.child((Group) g, name, label);
                if (n == null) {
                    throw new ModelFormatException(label, null, null, "optimizer_weights lists '" + name
                            + "' but holds no such dataset", null);
                }
                if (i == 0) iterations = iteration(n, name, label);
                else vars.add(variable(n, name, "optimizer_weights/" + name, label, options));
            }
        }
        checkVersion(version, iterations, label);
        return Optional.of(new Saved("keras-hdf5", version, optimizer, training.get("loss"),
                training.get("loss_weights"), iterations, vars));
    }

    private static void checkVersion(String version, Long iterations, String label) {
        KerasVersion v = KerasVersion.parse(version);
        if (iterations != null && v != null && v.major() < 3) {
            throw new UnsupportedModelException(label, null, null, "the optimizer state was written by Keras " + version
                    + "; jkeras reads Keras 3's optimizer variables only (Keras 2 orders and names them otherwise)");
        }
    }

    private static long iteration(Node n, String path, String label) {
        if (!(n instanceof Dataset ds)) throw new ModelFormatException(label, null, null, path
                + " (the optimizer's iteration) is not a dataset", null);
        Object v;
        try {
            v = ds.isScalar() ? ds.getData() : null;
        } catch (RuntimeException e) {
            throw new ModelFileException(label, null, null, "cannot read " + path + " (" + e.getMessage() + ")", e);
        }
        if (!(v instanceof Long || v instanceof Integer) || ((Number) v).longValue() < 0) {
            throw new ModelFormatException(label, null, null, path
                    + " should be the optimizer's iteration counter, a non-negative"
                    + " integer scalar; found " + H5.describe(v) + (v instanceof Number ? " " + v : ""), null);
        }
        return ((Number) v).longValue();
    }

    private static Variable variable(Node n, String name, String path, String label, LoadOptions options) {
        if (!(n instanceof Dataset ds)) throw new ModelFormatException(label, null, null, path
                + " (an optimizer variable) is not a dataset", null);
        WeightArray w = H5.weight(ds, "optimizer", path, path, label, options);
        return new Variable(name, w.shape(), w.data());
    }

    private static String utf8(byte[] b, String label) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new ModelFormatException(label, null, null, "a JSON entry of the .keras archive is not UTF-8 text",
                    e);
        }
    }

    // ================================================================== mapping

    /**
     * Builds the optimizer of {@code saved} and imports its variables, mapped to {@code model}'s
     * trainable weights: slot {@code k} of group {@code g} for trainable weight {@code w} is variable
     * {@code base + Σ(earlier groups) · n + w · |g| + k}. The saved {@code learning_rate} variable
     * replaces the config's (Keras restores the variable, which a user may have assigned).
     */
    public static TrainingState restore(Saved saved, Model model, String label) {
        ObjectNode serialized = saved.optimizer().isObject() ? ((ObjectNode) saved.optimizer()).deepCopy() : null;
        JsonNode optJson = serialized != null ? serialized : saved.optimizer();
        JsonNode cfg = serialized == null ? null : serialized.has("class_name") ? serialized.path("config")
                : serialized;
        boolean schedule = cfg != null && cfg.path("learning_rate").isObject();
        List<Variable> vars = saved.variables();
        boolean hasVars = saved.iterations() != null;
        if (hasVars && !schedule && !vars.isEmpty() && cfg instanceof ObjectNode oc) {
            Variable lr = vars.get(0);
            checkName(lr, "learning_rate", label);
            if (lr.values().length != 1) {
                throw new ModelFormatException(label, null, null,
                        "optimizer variable 1 should be the learning rate, a scalar; found shape "
                        + Tensor.shapeString(lr.shape()), null);
            }
            if (!oc.path("learning_rate").isNumber() || (float) oc.get("learning_rate").asDouble() != lr.values()[0]) {
                oc.put("learning_rate", (double) lr.values()[0]);
            }
        }
        KerasOptimizer opt = KerasOptimizers.fromJson(optJson);
        Object plainLoss = KerasOptimizers.plain(saved.loss());
        LossConfig loss = plainLoss == null ? null : new LossConfig(plainLoss);
        List<Double> lossWeights = lossWeights(saved.lossWeights());
        if (!hasVars) return new TrainingState(opt, false, loss, lossWeights, saved.format());
        opt.importState(map(saved, opt, KerasWriter.trainableVariables(model, label), label));
        return new TrainingState(opt, true, loss, lossWeights, saved.format());
    }

    /** {@code loss_weights} when it is a list (one per output; an entry that is not a number reads 0), else null. */
    private static List<Double> lossWeights(JsonNode w) {
        if (w == null || !w.isArray()) return null;
        List<Double> out = new ArrayList<>();
        for (JsonNode x : w) out.add(x.asDouble());
        return out;
    }

    /** The saved variables as {@code layer/weight/slot} slots of {@code opt} for the given trainable weights. */
    static OptimizerState map(Saved saved, KerasOptimizer opt, Map<String, int[]> trainable, String label) {
        List<Variable> vars = saved.variables();
        int base = opt.learningRateIsSchedule() ? 0 : 1;
        if (base == 1 && vars.isEmpty()) {
            throw new ModelFormatException(label, null, null, "the saved " + opt.name()
                    + " holds no learning_rate variable after"
                    + " its iteration, which Keras keeps for a learning rate that is not a schedule", null);
        }
        Map<String, Object> cfg = opt.kerasConfig();
        List<List<String>> groups = KerasWriter.kerasSlotGroups(opt.name(), cfg);
        Set<String> inGroups = new HashSet<>();
        int perWeight = 0;
        for (List<String> g : groups) {
            inGroups.addAll(g);
            perWeight += g.size();
        }
        if (!inGroups.equals(new HashSet<>(opt.kerasSlotNames()))) {
            throw new IllegalStateException("Keras' slots of " + opt.name() + " " + groups + " are not jkeras' "
                    + opt.kerasSlotNames());
        }
        int slotVars = vars.size() - base, expected = perWeight * trainable.size();
        Map<String, float[]> slots = new LinkedHashMap<>();
        if (slotVars == 0) {
            // saved after compile() and before the first update: Keras had not built the slots yet
            return new OptimizerState(saved.iterations(), slots);
        }
        if (slotVars != expected) {
            throw new ModelFormatException(label, null, null, "the saved " + opt.name() + " holds " + slotVars
                    + " slot variables (after"
                    + " iteration" + (base == 1 ? " and learning_rate" : "") + "), but for this model's "
                            + trainable.size()
                    + " trainable weights Keras keeps " + expected + " (" + groups
                            + " per weight); the optimizer state does not"
                    + " belong to this model", null);
        }
        List<String> weights = new ArrayList<>(trainable.keySet());
        int at = base;
        for (List<String> g : groups) {
            for (String w : weights) {
                for (String slot : g) {
                    Variable v = vars.get(at++);
                    checkName(v, slot, label);
                    int[] shape = trainable.get(w);
                    if (!Arrays.equals(shape, v.shape())) {
                        throw new WeightException(label, w.substring(0, w.indexOf('/')),
                                w.substring(w.indexOf('/') + 1), "its saved optimizer slot '"
                                + slot + "'" + (v.name() != null ? " (" + v.name() + ")" : "") + " has shape "
                                        + Tensor.shapeString(v.shape())
                                + ", the weight " + Tensor.shapeString(shape), null);
                    }
                    slots.put(w + "/" + slot, v.values());
                }
            }
        }
        return new OptimizerState(saved.iterations(), slots);
    }

    /**
     * A legacy file names its variables ({@code adam/sequential_dense_kernel_momentum}): the name must end with the
     * slot's.
     */
    private static void checkName(Variable v, String slot, String label) {
        if (v.name() == null) return;
        String n = v.name();
        if (!(n.equals(slot) || n.endsWith("/" + slot) || n.endsWith("_" + slot))) {
            throw new ModelFormatException(label, null, null, "optimizer variable '" + n + "' is where Keras keeps a '"
                    + slot
                    + "' variable: the optimizer state does not fit the optimizer config or the model", null);
        }
    }

    // ================================================================== saving

    /**
     * What {@link KerasWriter#saveKeras(Model, Path, KerasWriter.OptimizerState)} needs to save
     * {@code optimizer}'s state with {@code model}: its Keras config ({@link KerasOptimizer#kerasConfig}),
     * {@code iterations}, learning rate and a slot per trainable weight (those the optimizer has not
     * touched yet at their initial value, as Keras' {@code build} creates them).
     *
     * @param loss the compile config's loss ({@link TrainingState#loss}), or null for none
     */
    public static KerasWriter.OptimizerState forSaving(Model model, KerasOptimizer optimizer, LossConfig loss) {
        String label = model.name();
        OptimizerState st = optimizer.exportState();
        Map<String, float[]> slots = new LinkedHashMap<>(st.slots());
        for (Map.Entry<String, int[]> w : KerasWriter.trainableVariables(model, label).entrySet()) {
            int size = 1;
            for (int d : w.getValue()) size *= d;
            for (String slot : optimizer.kerasSlotNames()) {
                String key = w.getKey() + "/" + slot;
                if (!slots.containsKey(key)) {
                    float[] v = new float[size];
                    Arrays.fill(v, optimizer.initialSlotValueOf(slot));
                    slots.put(key, v);
                }
            }
        }
        Map<String, Object> cfg = optimizer.kerasConfig();
        Double lr = optimizer.learningRateIsSchedule() ? null : optimizer.learningRateAt(st.iterations());
        String lossText = loss == null ? null : loss.value() instanceof String t ? t
                : KerasOptimizers.text(loss.value());
        return KerasWriter.OptimizerState.of(optimizer.name(), cfg, lossText, st.iterations(), lr, slots);
    }
}

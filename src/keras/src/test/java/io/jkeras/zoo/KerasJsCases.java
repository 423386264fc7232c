package io.jkeras.zoo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import io.jkeras.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Array;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * keras-js layer tests ({@code keras-js/keras1-layer-tests/*.json}, {@code keras2.1.2-layer-tests/*.json}):
 * each case holds one sample's {@code input}, the layer's weights in Keras {@code get_weights()}
 * order and Keras' {@code expected} output; {@code cases.json} (same folder) gives the layer
 * arguments. jkeras only loads model files, so each case is turned into the legacy HDF5 file Keras
 * of that version would have written for a one-layer Sequential model: {@code model_config}
 * (Keras 1 or 2.1.2 config syntax), {@code keras_version}, and {@code model_weights} with the
 * {@code layer_names}/{@code weight_names} naming of real files of that version (checked against
 * the DL4J Keras 1.2.2 / 2.1.3 files in the zoo). Stateful cases: Keras called predict twice on
 * the same input; the expected value is the second output.
 *
 * <p>The writer is "1.2.2" for the Keras-1 folder (the manifest says "Keras 1.x, likely 1.2.x")
 * and "2.1.2" for the other.
 */
public final class KerasJsCases {
    private KerasJsCases() {}

    /** Case ids in a test-case JSON, in file order. */
    static List<String> caseIds(Path file) {
        List<String> ids = new ArrayList<>();
        read(file).fieldNames().forEachRemaining(ids::add);
        return ids;
    }

    private static JsonNode read(Path p) {
        try {
            return Zoo.JSON.readTree(p.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean keras1(Zoo.Entry e) { return e.model().getParent().getFileName().toString()
            .startsWith("keras1"); }

    static JsonNode caseData(Zoo.Entry e) { return read(e.model()).path(e.caseId()); }

    static JsonNode caseMeta(Zoo.Entry e) { return read(e.model().resolveSibling("cases.json")).path("cases")
            .path(e.caseId()); }

    static Tensor withBatch(JsonNode t) {
        JsonNode shape = t.path("shape");
        int[] s = new int[shape.size() + 1];
        s[0] = 1;
        for (int i = 0; i < shape.size(); i++) s[i + 1] = shape.get(i).asInt();
        JsonNode d = t.path("data");
        float[] v = new float[d.size()];
        for (int i = 0; i < v.length; i++) v[i] = (float) d.get(i).asDouble();
        return new Tensor(s, v);
    }

    static References.Reference reference(Zoo.Entry e) {
        JsonNode c = caseData(e);
        int calls = caseMeta(e).path("predict_calls_before_expected").asInt(1);
        References.Case rc = new References.Case(e.caseId()
                + (calls > 1 ? " (stateful: output of call " + calls + ")" : ""),
                new Tensor[]{withBatch(c.path("input"))}, new Tensor[]{withBatch(c.path("expected"))}, calls);
        return new References.Reference(References.Kind.ORIGINAL, e.file(), List.of(rc), null);
    }

    // ------------------------------------------------------------------ synthesis

    private static final Pattern ARG = Pattern.compile("(\\w+)\\s*=\\s*'?([\\w.]+)'?");

    /** Writes the case's model file into {@code dir}; returns its path. */
    static Path materialize(Zoo.Entry e, Path dir) {
        boolean k1 = keras1(e);
        JsonNode c = caseData(e);
        JsonNode meta = caseMeta(e);
        String desc = meta.path("description").asText("");
        Map<String, String> args = new LinkedHashMap<>();
        Matcher m = ARG.matcher(desc);
        while (m.find()) args.put(m.group(1), m.group(2));
        List<JsonNode> weights = new ArrayList<>();
        c.path("weights").forEach(weights::add);
        int[] inShape = ints(c.path("input").path("shape"));
        boolean stateful = meta.path("input_batch_size_fixed_to_1").asBoolean(false)
                || "True".equals(args.get("stateful"));
        ArrayNode batchShape = Zoo.JSON.createArrayNode();
        if (stateful) batchShape.add(1); else batchShape.addNull();
        for (int d : inShape) batchShape.add(d);

        String id = e.caseId();
        String family = id.split("\\.")[1];
        ObjectNode layer;
        String layerName;
        List<String> weightNames = new ArrayList<>();
        if (id.startsWith("recurrent.")) {
            layerName = rnnName(family, k1);
            layer = rnn(family, args, weights.size(), k1, layerName);
            weightNames.addAll(rnnWeightNames(family, weights.size(), k1, layerName, layerName + "/"));
        } else if (id.startsWith("wrappers.Bidirectional")) {
            Matcher w = Pattern.compile("wrap a (\\w+) layer").matcher(desc);
            if (!w.find()) throw new IllegalStateException("cannot read wrapped layer from: " + desc);
            String inner = w.group(1);
            String innerName = rnnName(inner, k1);
            ObjectNode innerLayer = rnn(inner, args, weights.size() / 2, k1, innerName);
            layerName = "bidirectional_1";
            layer = wrapper("Bidirectional", layerName, innerLayer);
            ((ObjectNode) layer.get("config"))
                    .put("merge_mode", meta.path("merge_mode").asText(args.getOrDefault("merge_mode", "concat")));
            for (String dirn : new String[]{"forward_", "backward_"}) {
                weightNames.addAll(rnnWeightNames(inner, weights.size() / 2, k1, dirn + innerName,
                        layerName + "/" + dirn + innerName + "/"));
            }
        } else if (id.startsWith("wrappers.TimeDistributed")) {
            layerName = k1 ? "timedistributed_1" : "time_distributed_1";
            ObjectNode inner;
            String innerName;
            if (desc.contains("Dense")) {
                int units = weights.get(1).path("shape").get(0).asInt();
                innerName = "dense_1";
                inner = obj("Dense", innerName);
                ObjectNode cfg = (ObjectNode) inner.get("config");
                if (k1) { cfg.put("output_dim", units); cfg.put("activation", "linear"); cfg.put("bias", true);
                        cfg.put("init", "glorot_uniform"); }
                else { cfg.put("units", units); cfg.put("activation", "linear"); cfg.put("use_bias", true); }
            } else {
                int[] ks = ints(weights.get(0).path("shape"));
                innerName = k1 ? "convolution2d_1" : "conv2d_1";
                inner = obj(k1 ? "Convolution2D" : "Conv2D", innerName);
                ObjectNode cfg = (ObjectNode) inner.get("config");
                if (k1) {
                    cfg.put("nb_filter", ks[3]); cfg.put("nb_row", ks[0]); cfg.put("nb_col", ks[1]);
                    cfg.put("border_mode", "valid"); cfg.putArray("subsample").add(1).add(1);
                    cfg.put("dim_ordering", "tf"); cfg.put("bias", true); cfg.put("activation", "linear");
                } else {
                    cfg.put("filters", ks[3]); cfg.putArray("kernel_size").add(ks[0]).add(ks[1]);
                    cfg.putArray("strides").add(1).add(1); cfg.put("padding", "valid");
                    cfg.put("data_format", "channels_last"); cfg.putArray("dilation_rate").add(1).add(1);
                    cfg.put("activation", "linear"); cfg.put("use_bias", true);
                }
            }
            layer = wrapper("TimeDistributed", layerName, inner);
            if (k1) {
                weightNames.add(innerName + "_W:0");
                weightNames.add(innerName + "_b:0");
            } else {
                weightNames.add(layerName + "/kernel:0");
                weightNames.add(layerName + "/bias:0");
            }
        } else if (id.startsWith("embeddings.")) {
            layerName = "embedding_1";
            layer = obj("Embedding", layerName);
            ObjectNode cfg = (ObjectNode) layer.get("config");
            int[] ws = ints(weights.get(0).path("shape"));
            cfg.put("input_dim", ws[0]);
            cfg.put("output_dim", ws[1]);
            cfg.put("input_length", inShape[0]);
            cfg.put("mask_zero", "True".equals(args.get("mask_zero")));
            if (k1) { cfg.put("init", "uniform");
                    cfg.put("dropout", Double.parseDouble(args.getOrDefault("dropout", "0").replaceAll("\\.$", ""))); }
            else cfg.put("embeddings_initializer", "uniform");
            weightNames.add(k1 ? layerName + "_W:0" : layerName + "/embeddings:0");
        } else {
            throw new IllegalStateException("unknown keras-js case " + id);
        }
        ObjectNode lc = (ObjectNode) layer.get("config");
        lc.set("batch_input_shape", batchShape);
        if (k1) lc.put("input_dtype", id.startsWith("embeddings.") ? "int32" : "float32");
        else lc.put("dtype", "float32");

        ObjectNode model = Zoo.JSON.createObjectNode();
        model.put("class_name", "Sequential");
        model.putArray("config").add(layer);
        model.put("keras_version", k1 ? "1.2.2" : "2.1.2");
        if (!k1) model.put("backend", "tensorflow");

        Path file = dir.resolve(e.caseId() + ".h5");
        try (WritableHdfFile f = HdfFile.write(file)) {
            f.putAttribute("model_config", model.toString());
            f.putAttribute("keras_version", k1 ? "1.2.2" : "2.1.2");
            if (!k1) f.putAttribute("backend", "tensorflow");
            WritableGroup mw = f.putGroup("model_weights");
            mw.putAttribute("layer_names", new String[]{layerName});
            WritableGroup lg = mw.putGroup(layerName);
            lg.putAttribute("weight_names", weightNames.toArray(String[]::new));
            for (int i = 0; i < weightNames.size(); i++) {
                String path = weightNames.get(i);
                WritableGroup g = lg;
                String[] parts = path.split("/");
                for (int p = 0; p < parts.length - 1; p++) {
                    WritableGroup existing = g.getChild(parts[p]) instanceof WritableGroup wg ? wg : null;
                    g = existing != null ? existing : g.putGroup(parts[p]);
                }
                g.putDataset(parts[parts.length - 1], nested(weights.get(i)));
            }
        }
        return file;
    }

    private static String rnnName(String family, boolean k1) {
        return switch (family) {
            case "LSTM" -> "lstm_1";
            case "GRU" -> "gru_1";
            case "SimpleRNN" -> k1 ? "simplernn_1" : "simple_rnn_1";
            default -> throw new IllegalStateException("unknown recurrent layer " + family);
        };
    }

    private static ObjectNode rnn(String family, Map<String, String> args, int nWeights, boolean k1, String name) {
        ObjectNode l = obj(family, name);
        ObjectNode c = (ObjectNode) l.get("config");
        int units = Integer.parseInt(args.getOrDefault(k1 ? "output_dim" : "units", args.getOrDefault("units", "4")));
        String act = args.getOrDefault("activation", "tanh");
        String rec = args.getOrDefault(k1 ? "inner_activation" : "recurrent_activation", "hard_sigmoid");
        int perGate = "LSTM".equals(family) ? 4 : "GRU".equals(family) ? 3 : 1;
        c.put("return_sequences", "True".equals(args.get("return_sequences")));
        c.put("go_backwards", "True".equals(args.get("go_backwards")));
        c.put("stateful", "True".equals(args.get("stateful")));
        c.put("unroll", false);
        c.put("activation", act);
        if (k1) {
            c.put("output_dim", units);
            if (perGate > 1) c.put("inner_activation", rec);
            c.put("consume_less", "cpu");
            c.put("dropout_W", 0.0);
            c.put("dropout_U", 0.0);
            c.put("init", "glorot_uniform");
            c.put("inner_init", "orthogonal");
            if ("LSTM".equals(family)) c.put("forget_bias_init", "one");
        } else {
            c.put("return_state", false);
            c.put("units", units);
            if (perGate > 1) c.put("recurrent_activation", rec);
            // Keras 2 stores [kernel, recurrent_kernel(, bias)]: two arrays mean use_bias=False
            c.put("use_bias", nWeights == 3);
            c.put("dropout", 0.0);
            c.put("recurrent_dropout", 0.0);
            c.put("implementation", 1);
            if ("LSTM".equals(family)) c.put("unit_forget_bias", true);
        }
        return l;
    }

    private static List<String> rnnWeightNames(String family, int n, boolean k1, String prefix, String path) {
        List<String> out = new ArrayList<>();
        if (k1) {
            List<String> shortNames = switch (family) {
                case "LSTM" -> List.of("W_i", "U_i", "b_i", "W_c", "U_c", "b_c", "W_f", "U_f", "b_f", "W_o", "U_o",
                        "b_o");
                case "GRU" -> List.of("W_z", "U_z", "b_z", "W_r", "U_r", "b_r", "W_h", "U_h", "b_h");
                default -> List.of("W", "U", "b");
            };
            if (shortNames.size() != n) throw new IllegalStateException(family + " with " + n + " Keras 1 arrays");
            for (String s : shortNames) out.add(prefix + "_" + s + ":0");
        } else {
            List<String> s = List.of("kernel", "recurrent_kernel", "bias");
            for (int i = 0; i < n; i++) out.add(path + s.get(i) + ":0");
        }
        return out;
    }

    private static ObjectNode obj(String cls, String name) {
        ObjectNode l = Zoo.JSON.createObjectNode();
        l.put("class_name", cls);
        ObjectNode c = l.putObject("config");
        c.put("name", name);
        c.put("trainable", true);
        return l;
    }

    private static ObjectNode wrapper(String cls, String name, ObjectNode inner) {
        ObjectNode l = obj(cls, name);
        ((ObjectNode) l.get("config")).set("layer", inner);
        return l;
    }

    private static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }

    /** A weight as a nested float array of its shape (what jhdf writes as an n-d dataset). */
    private static Object nested(JsonNode w) {
        int[] shape = ints(w.path("shape"));
        JsonNode d = w.path("data");
        float[] flat = new float[d.size()];
        for (int i = 0; i < flat.length; i++) flat[i] = (float) d.get(i).asDouble();
        if (shape.length == 1) return flat;
        Object arr = Array.newInstance(float.class, shape);
        fill(arr, shape, 0, flat, new int[]{0});
        return arr;
    }

    private static void fill(Object arr, int[] shape, int dim, float[] flat, int[] pos) {
        if (dim == shape.length - 1) {
            float[] row = (float[]) arr;
            System.arraycopy(flat, pos[0], row, 0, row.length);
            pos[0] += row.length;
            return;
        }
        for (int i = 0; i < shape[dim]; i++) fill(Array.get(arr, i), shape, dim + 1, flat, pos);
    }
}

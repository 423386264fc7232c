package io.jkeras.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.exceptions.WeightException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Inlines nested models (a Sequential or Functional model used as a layer, at any depth, also as the
 * layer of a TimeDistributed) into the outer graph at map time, so that the engine, the native
 * format, training and the summary see plain layers. An inner layer {@code dense} of the nested
 * model {@code head} becomes the layer {@code head/dense}; the inner input layers disappear (their
 * tensors are the nested call's inputs) and the outer model's references to the nested model's
 * outputs are redirected to the inner layers that produce them.
 *
 * <p>{@code TimeDistributed(model)} is inlined as {@code TimeDistributed} around each inner layer:
 * applying a composition to every time slice is the composition of the per-slice applications
 * (Keras' {@code TimeDistributed.call} folds time into the batch and calls the inner model, whose
 * layers are per-sample), so no wrapper needs a whole model as its layer.
 *
 * <p>A nested model's weights arrive as one list (the readers follow Keras: its group under
 * {@code model_weights} in a legacy HDF5 file with its own {@code weight_names}, or
 * {@code layers/<outer>/layers/<inner>/…} in a {@code .keras} archive); they are split by inner
 * layer from their paths: the {@code .keras} walk names each inner layer's folder by its class
 * ({@link WeightPaths}), the legacy names carry the inner layer's name as a path segment.
 */
final class NestedModels {
    static final Set<String> MODELS = Set.of("Sequential", "Functional", "Model");
    /** Metadata key prefix: {@code keras.nested.<name>} = the class of a nested model that was inlined. */
    static final String META_NESTED = io.jkeras.model.Model.META_NESTED;
    /**
     * Metadata key prefix: {@code keras.nested_weights.<name>} = where each weight of the nested model went, in the
     * order the file listed them: a JSON list of {@code [layer, index]} (an inlined layer, or a nested model inside).
     */
    static final String META_NESTED_WEIGHTS = "keras.nested_weights.";

    private NestedModels() {}

    /** The spec with every nested model inlined, its weights per inlined layer, and the nested models found. */
    record Inlined(ModelSpec spec, Map<String, List<WeightArray>> weights, Map<String, String> nested,
                   Map<String, String> weightOrder) {}

    static boolean isModel(String cls) { return MODELS.contains(cls); }

    static Inlined inline(ModelSpec spec, Map<String, List<WeightArray>> weights, MapContext ctx) {
        boolean any = false;
        for (LayerSpec l : spec.layers()) any |= isModel(l.className()) || timeDistributedModel(l) != null;
        if (!any) return new Inlined(spec, weights, Map.of(), Map.of());
        Map<String, List<WeightArray>> w = new LinkedHashMap<>(weights);
        Run run = new Run(ctx, w);
        ModelSpec out = run.inline(spec, 2);
        return new Inlined(out, w, run.nested, run.order);
    }

    /** The model a TimeDistributed wraps, or null. */
    private static JsonNode timeDistributedModel(LayerSpec l) {
        if (!"TimeDistributed".equals(l.className())) return null;
        JsonNode inner = l.config().get("layer");
        return inner != null && isModel(WeightPaths.className(inner)) ? inner : null;
    }

    private static final class Run {
        final MapContext ctx;
        final Map<String, List<WeightArray>> weights;
        final Map<String, String> nested = new LinkedHashMap<>();
        final Map<String, String> order = new LinkedHashMap<>();

        Run(MapContext ctx, Map<String, List<WeightArray>> weights) {
            this.ctx = ctx;
            this.weights = weights;
        }

        /**
         * {@code spec} with its nested models inlined; {@code depth} is the number of path segments of
         * the folder of a layer of {@code spec} in the {@code .keras} walk ({@code layers/<snake>}).
         */
        ModelSpec inline(ModelSpec spec, int depth) {
            List<LayerSpec> layers = new ArrayList<>();
            Map<String, List<LayerSpec.TensorRef>> redirect = new HashMap<>(); // nested name → its outputs
            for (LayerSpec l : spec.layers()) {
                JsonNode tdModel = timeDistributedModel(l);
                if (!isModel(l.className()) && tdModel == null) {
                    layers.add(l);
                    continue;
                }
                if (l.calls().size() != 1) {
                    throw new UnsupportedModelException(ctx.file(), l.name(), null, "the nested model "
                            + l.name() + " is called " + l.calls().size()
                            + " times; jkeras inlines a nested model called once");
                }
                boolean td = tdModel != null;
                ObjectNode root = JsonNodeFactory.instance.objectNode();
                root.put("class_name", td ? WeightPaths.className(tdModel) : l.className());
                root.set("config", td ? tdModel.get("config") : l.config());
                ModelSpec inner = new ConfigParser(ctx.file(), ctx.options()).parse(root);
                nested.put(l.name(), td ? "TimeDistributed" : l.className());
                List<WeightArray> own = weights.remove(l.name());
                int innerDepth = depth + (td ? 1 : 0);
                split(l.name(), inner, root, own == null ? List.of() : own, innerDepth);
                ModelSpec flat = inline(prefixed(inner, l.name()), innerDepth + 2);
                redirect.put(l.name(), splice(l, flat, td, layers));
            }
            List<LayerSpec> fixed = new ArrayList<>();
            for (LayerSpec l : layers) fixed.add(redirected(l, redirect));
            return new ModelSpec(spec.name(), spec.sequential(), fixed, spec.inputs(), refs(spec.outputs(),
                    redirect));
        }

        /** {@code s} with every layer name and reference prefixed by {@code p/}. */
        private static ModelSpec prefixed(ModelSpec s, String p) {
            List<LayerSpec> layers = new ArrayList<>();
            for (LayerSpec l : s.layers()) {
                List<List<LayerSpec.TensorRef>> calls = new ArrayList<>();
                List<LayerSpec.TensorRef> masks = new ArrayList<>();
                List<JsonNode> raw = new ArrayList<>();
                for (int c = 0; c < l.calls().size(); c++) {
                    calls.add(prefixed(l.calls().get(c), p));
                    masks.add(l.mask(c) == null ? null : prefixed(List.of(l.mask(c)), p).get(0));
                    raw.add(l.rawCall(c));
                }
                layers.add(new LayerSpec(l.className(), key(p, l.name()), l.config(), calls, masks, raw));
            }
            return new ModelSpec(key(p, s.name()), s.sequential(), layers, prefixed(s.inputs(), p),
                    prefixed(s.outputs(), p));
        }

        private static List<LayerSpec.TensorRef> prefixed(List<LayerSpec.TensorRef> refs, String p) {
            List<LayerSpec.TensorRef> out = new ArrayList<>();
            for (LayerSpec.TensorRef r : refs) out.add(new LayerSpec.TensorRef(key(p, r.layer()), r.node(), r.index()));
            return out;
        }

        /**
         * Adds the inner layers of {@code flat} (already without nested models) under {@code outer}'s
         * name to {@code out}; returns the tensors that stand for the nested call's outputs.
         */
        private List<LayerSpec.TensorRef> splice(LayerSpec outer, ModelSpec flat, boolean td, List<LayerSpec> out) {
            String p = outer.name();
            List<LayerSpec.TensorRef> args = outer.calls().get(0);
            if (args.size() != flat.inputs().size()) {
                throw new UnsupportedModelException(ctx.file(), p, null, "the nested model takes "
                        + flat.inputs().size() + " input(s) but is called with " + args.size());
            }
            Map<String, LayerSpec.TensorRef> inputs = new HashMap<>();
            for (int i = 0; i < args.size(); i++) inputs.put(flat.inputs().get(i).layer(), args.get(i));
            for (LayerSpec l : flat.layers()) {
                if (inputs.containsKey(l.name())) continue;
                if ("InputLayer".equals(l.className())) {
                    throw new UnsupportedModelException(ctx.file(), p, null, "the nested model has an input layer "
                            + l.name() + " that is not one of its inputs");
                }
                List<List<LayerSpec.TensorRef>> calls = new ArrayList<>();
                List<LayerSpec.TensorRef> masks = new ArrayList<>();
                for (int c = 0; c < l.calls().size(); c++) {
                    List<LayerSpec.TensorRef> call = new ArrayList<>();
                    for (LayerSpec.TensorRef r : l.calls().get(c)) call.add(inputs.getOrDefault(r.layer(), r));
                    calls.add(call);
                    masks.add(l.mask(c) == null ? null : inputs.getOrDefault(l.mask(c).layer(), l.mask(c)));
                    if (td && call.size() != 1) {
                        throw new UnsupportedModelException(ctx.file(), p, null, "TimeDistributed wraps a model"
                                + " whose layer " + l.name() + " takes " + call.size()
                                + " inputs; jkeras distributes a wrapped model whose layers take one input each");
                    }
                }
                List<JsonNode> raw = new ArrayList<>();
                for (int c = 0; c < l.calls().size(); c++) raw.add(l.rawCall(c));
                String name = l.name();
                String cls = l.className();
                JsonNode config = l.config();
                if (!outer.config().path("trainable").asBoolean(true) && config instanceof ObjectNode o) {
                    ObjectNode frozen = o.deepCopy(); // Keras: a frozen model freezes every layer inside it
                    frozen.put("trainable", false);
                    config = frozen;
                }
                if (td) {
                    ObjectNode wrapped = JsonNodeFactory.instance.objectNode();
                    wrapped.put("class_name", cls);
                    wrapped.set("config", config);
                    ObjectNode tdConfig = outer.config().deepCopy();
                    tdConfig.put("name", name);
                    tdConfig.set("layer", wrapped);
                    cls = "TimeDistributed";
                    config = tdConfig;
                }
                out.add(new LayerSpec(cls, name, config, calls, masks, raw));
            }
            List<LayerSpec.TensorRef> outs = new ArrayList<>();
            for (LayerSpec.TensorRef r : flat.outputs()) outs.add(inputs.getOrDefault(r.layer(), r));
            return outs;
        }

        /** {@code l} with its references to inlined nested models replaced by the tensors they stand for. */
        private LayerSpec redirected(LayerSpec l, Map<String, List<LayerSpec.TensorRef>> redirect) {
            if (redirect.isEmpty()) return l;
            List<List<LayerSpec.TensorRef>> calls = new ArrayList<>();
            List<LayerSpec.TensorRef> masks = new ArrayList<>();
            List<JsonNode> raw = new ArrayList<>();
            for (int c = 0; c < l.calls().size(); c++) {
                calls.add(refs(l.calls().get(c), redirect));
                LayerSpec.TensorRef m = l.mask(c);
                masks.add(m == null ? null : refs(List.of(m), redirect).get(0));
                raw.add(l.rawCall(c));
            }
            return new LayerSpec(l.className(), l.name(), l.config(), calls, masks, raw);
        }

        private List<LayerSpec.TensorRef> refs(List<LayerSpec.TensorRef> in,
                                               Map<String, List<LayerSpec.TensorRef>> redirect) {
            List<LayerSpec.TensorRef> out = new ArrayList<>();
            for (LayerSpec.TensorRef r : in) {
                List<LayerSpec.TensorRef> to = redirect.get(r.layer());
                if (to == null) {
                    out.add(r);
                } else if (r.index() < 0 || r.index() >= to.size()) {
                    throw new io.jkeras.exceptions.ModelFormatException(ctx.file(), r.layer(), null,
                            "reference " + r + " but the nested model has " + to.size() + " output(s)", null);
                } else {
                    out.add(to.get(r.index())); // a nested model called once: every node index is that call
                }
            }
            return out;
        }

        /**
         * Files the weights of the nested model {@code name} under {@code name/<inner layer>}, in their
         * order. {@code depth}: path segments of the nested model's own folder in the {@code .keras} walk.
         */
        private void split(String name, ModelSpec inner, JsonNode root, List<WeightArray> own, int depth) {
            Map<String, String> byFolder = folders(root, depth);
            Set<String> names = new java.util.HashSet<>();
            for (LayerSpec l : inner.layers()) names.add(l.name());
            Map<String, List<WeightArray>> parts = new LinkedHashMap<>();
            for (LayerSpec l : inner.layers()) parts.put(l.name(), new ArrayList<>());
            com.fasterxml.jackson.databind.node.ArrayNode where = JsonNodeFactory.instance.arrayNode();
            for (WeightArray w : own) {
                String layer = owner(w.path(), names, byFolder, depth);
                if (layer == null) {
                    throw new WeightException(ctx.file(), name, w.name(), "weight " + w.path()
                            + " of the nested model belongs to none of its layers " + names, null);
                }
                where.addArray().add(key(name, layer)).add(parts.get(layer).size());
                parts.get(layer).add(w);
            }
            order.put(name, where.toString());
            for (Map.Entry<String, List<WeightArray>> e : parts.entrySet()) {
                if (!e.getValue().isEmpty()) weights.put(key(name, e.getKey()), e.getValue());
            }
        }

        /** The inner layer a weight belongs to, from its path; null if none. */
        private static String owner(String path, Set<String> names, Map<String, String> byFolder, int depth) {
            String[] seg = path.split("/");
            if (path.contains("/vars/")) {
                // .keras walk: <depth segments of the nested model>/layers/<folder of the inner layer>/…
                return seg.length > depth + 1 ? byFolder.get(seg[depth + 1]) : null;
            }
            for (String s : seg) { // legacy weight names carry the inner layer's name
                int colon = s.indexOf(':');
                String t = colon >= 0 ? s.substring(0, colon) : s;
                if (names.contains(t)) return t;
            }
            return null;
        }

        /** The folder names Keras' walk gives the inner layers ({@link WeightPaths}), to their layer names. */
        private static Map<String, String> folders(JsonNode root, int depth) {
            Map<String, String> out = new HashMap<>();
            for (boolean keras3 : new boolean[] {true, false}) {
                for (WeightPaths.LayerVars v : WeightPaths.layers(root, keras3, "")) {
                    String[] seg = v.groups().isEmpty() ? new String[0] : v.groups().get(0).path().split("/");
                    if (seg.length > 1) out.putIfAbsent(seg[1], v.name());
                }
            }
            return out;
        }
    }

    static String key(String prefix, String name) { return prefix + "/" + name; }
}

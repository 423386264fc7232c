package io.jkeras.keras;

import io.jkeras.model.LoadOptions;
import io.jkeras.exceptions.JKerasException;
import io.jkeras.exceptions.ModelFormatException;
import io.jkeras.exceptions.WeightException;
import io.jkeras.layers.InputLayer;
import io.jkeras.layers.Layer;
import io.jkeras.layers.Shapes;
import io.jkeras.model.Model;
import io.jkeras.model.Node;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the engine's {@link Model} from a {@link ModelSpec} and the arrays read for each layer:
 * maps every layer once (at its first call, when its input shapes are known) and wires every call
 * as a node, in an order where each node's inputs come first.
 */
public final class ModelAssembler {
    private ModelAssembler() {}

    public static Model assemble(ModelSpec nestedSpec, Map<String, List<WeightArray>> nestedWeights, MapContext ctx,
                                 Map<String, String> metadata) {
        NestedModels.Inlined inlined = NestedModels.inline(nestedSpec, nestedWeights, ctx);
        ModelSpec spec = inlined.spec();
        Map<String, List<WeightArray>> weights = inlined.weights();
        Map<String, LayerSpec> byName = new LinkedHashMap<>();
        for (LayerSpec l : spec.layers()) {
            if (byName.put(l.name(), l) != null) {
                throw new ModelFormatException(ctx.file(), l.name(), null, "two layers share this name", null);
            }
        }
        for (String w : weights.keySet()) {
            if (!byName.containsKey(w) && !weights.get(w).isEmpty() && !"top_level_model_weights".equals(w)) {
                throw new WeightException(ctx.file(), w, null,
                        "the file holds weights for this layer but the model config has no such layer", null);
            }
        }
        Graph g = new Graph(byName, weights, ctx);
        g.buildAll(spec.layers());
        List<Node> nodes = g.nodes;
        Map<String, Integer> nodeOf = g.nodeOf;
        Map<String, Layer> built = g.built;
        Map<String, io.jkeras.layers.TrainingConfig> training = g.training;
        KerasTrainingConfig trainingReader = g.trainingReader;
        List<Integer> inputIds = new ArrayList<>();
        for (LayerSpec.TensorRef r : spec.inputs()) {
            Integer id = nodeOf.get(r.layer() + "#" + r.node());
            if (id == null || !(nodes.get(id).layer() instanceof InputLayer)) {
                throw new ModelFormatException(ctx.file(), r.layer(), null, "model input " + r
                        + " is not an input layer", null);
            }
            inputIds.add(id);
        }
        List<Node.Ref> outputs = new ArrayList<>();
        for (LayerSpec.TensorRef r : spec.outputs()) {
            Integer id = nodeOf.get(r.layer() + "#" + r.node());
            if (id == null) throw new ModelFormatException(ctx.file(), r.layer(), null, "model output " + r
                    + " is not produced by any layer call", null);
            if (r.index() >= nodes.get(id).outputShapes().length) {
                throw new ModelFormatException(ctx.file(), r.layer(), null, "model output " + r + " but that call has "
                        + nodes.get(id).outputShapes().length + " output(s)", null);
            }
            outputs.add(new Node.Ref(id, r.index()));
        }
        List<Layer> summaryLayers = new ArrayList<>();
        for (LayerSpec l : spec.layers()) {
            Layer layer = built.get(l.name());
            if (layer == null) continue;
            if (spec.sequential() && layer instanceof InputLayer) continue;
            summaryLayers.add(layer);
        }
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        inlined.nested().forEach((name, cls) -> meta.put(NestedModels.META_NESTED + name, cls));
        inlined.weightOrder().forEach((name, o) -> meta.put(NestedModels.META_NESTED_WEIGHTS + name, o));
        if (!trainingReader.unsupported.isEmpty()) {
            meta.put("keras.training_unsupported", String.join("; ", trainingReader.unsupported));
        }
        return new Model(spec.name(), nodes, inputIds, outputs, summaryLayers, meta, training);
    }

    /** One call of a layer (an InputLayer has the single call 0, with no inputs). */
    private record Call(LayerSpec layer, int index) {
        boolean input() { return "InputLayer".equals(layer.className()); }

        List<LayerSpec.TensorRef> refs() { return input() ? List.of() : layer.calls().get(index); }

        String key() { return layer.name() + "#" + index; }
    }

    /**
     * Builds the calls in an order where each call's inputs come first, in time linear in the number
     * of calls and inputs: the calls are taken in config order (the order Keras writes, where every
     * call is ready at once), a call whose input is not built yet waits on that input, and the calls
     * waiting on a call are taken as soon as it is built. A config listing its layers in any order
     * builds the same graph.
     */
    private static final class Graph {
        final Map<String, LayerSpec> byName;
        final Map<String, List<WeightArray>> weights;
        final MapContext ctx;
        final List<Node> nodes = new ArrayList<>();
        final Map<String, Integer> nodeOf = new HashMap<>(); // "layer#call" → node id
        final Map<String, Layer> built = new LinkedHashMap<>();
        final Map<String, io.jkeras.layers.TrainingConfig> training = new LinkedHashMap<>();
        final KerasTrainingConfig trainingReader = new KerasTrainingConfig();
        /** Calls waiting, by the "layer#call" key of the first input they found missing. */
        private final Map<String, List<Call>> waiting = new HashMap<>();

        Graph(Map<String, LayerSpec> byName, Map<String, List<WeightArray>> weights, MapContext ctx) {
            this.byName = byName;
            this.weights = weights;
            this.ctx = ctx;
        }

        void buildAll(List<LayerSpec> layers) {
            List<Call> calls = new ArrayList<>();
            for (LayerSpec l : layers) {
                if ("InputLayer".equals(l.className())) calls.add(new Call(l, 0));
                else for (int i = 0; i < l.calls().size(); i++) calls.add(new Call(l, i));
            }
            java.util.Deque<Call> work = new java.util.ArrayDeque<>();
            for (Call c : calls) {
                work.push(c);
                while (!work.isEmpty()) {
                    Call next = work.pop();
                    String missing = firstMissing(next);
                    if (missing != null) {
                        waiting.computeIfAbsent(missing, k -> new ArrayList<>()).add(next);
                        continue;
                    }
                    build(next);
                    List<Call> woken = waiting.remove(next.key());
                    if (woken != null) for (int i = woken.size() - 1; i >= 0; i--) work.push(woken.get(i));
                }
            }
            for (Call c : calls) {
                if (!nodeOf.containsKey(c.key())) {
                    throw new ModelFormatException(ctx.file(), c.layer().name(), null,
                            "its inputs are never produced (a cycle or a"
                            + " missing node): " + c.layer().calls().get(c.index()), null);
                }
            }
        }

        /** The key of the first input (or mask) of {@code c} not built yet, or null when {@code c} is ready. */
        private String firstMissing(Call c) {
            LayerSpec l = c.layer();
            List<LayerSpec.TensorRef> refs = c.refs();
            if (refs.isEmpty() && !c.input()) {
                throw new ModelFormatException(ctx.file(), l.name(), null, "call " + c.index()
                        + " has no input tensors (its inbound node names no keras tensor)", null);
            }
            for (LayerSpec.TensorRef r : refs) {
                if (!byName.containsKey(r.layer())) {
                    throw new ModelFormatException(ctx.file(), l.name(), null, "takes input " + r
                            + " from a layer that is not in the model", null);
                }
                String key = r.layer() + "#" + r.node();
                Integer id = nodeOf.get(key);
                if (id == null) return key;
                if (r.index() < 0 || r.index() >= nodes.get(id).outputShapes().length) {
                    throw new ModelFormatException(ctx.file(), l.name(), null, "takes input " + r
                            + " but that layer call has "
                            + nodes.get(id).outputShapes().length + " output(s)", null);
                }
            }
            LayerSpec.TensorRef m = c.input() ? null : l.mask(c.index());
            if (m != null) {
                if (!byName.containsKey(m.layer())) {
                    throw new ModelFormatException(ctx.file(), l.name(), null, "takes its mask from " + m
                            + ", a layer that is not in the model", null);
                }
                String key = m.layer() + "#" + m.node();
                if (!nodeOf.containsKey(key)) return key;
            }
            return null;
        }

        private void build(Call c) {
            LayerSpec l = c.layer();
            List<Node.Ref> inputs = new ArrayList<>();
            for (LayerSpec.TensorRef r : c.refs()) inputs.add(
                    new Node.Ref(nodeOf.get(r.layer() + "#" + r.node()), r.index()));
            LayerSpec.TensorRef m = c.input() ? null : l.mask(c.index());
            Node.Ref maskRef = m == null ? null : new Node.Ref(nodeOf.get(m.layer() + "#" + m.node()), m.index());
            int[][] inShapes = new int[inputs.size()][];
            for (int i = 0; i < inShapes.length; i++) inShapes[i] = nodes.get(inputs.get(i).node())
                    .outputShapes()[inputs.get(i).index()];
            Layer layer = built.get(l.name());
            int[][] outShapes;
            try {
                if (layer == null) {
                    List<WeightArray> w = weights.getOrDefault(l.name(), List.of());
                    layer = LayerRegistry.mapper(l, ctx).map(l, w, inShapes, ctx);
                    built.put(l.name(), layer);
                    try {
                        training.put(l.name(), trainingReader.of(l, layer, ctx));
                    } catch (RuntimeException e) { // training-only settings never stop a model from loading
                        trainingReader.unsupported.add(l.name() + ": training config unreadable (" + e.getMessage()
                                + ")");
                    }
                }
                outShapes = layer.outputShapes(inShapes);
                // before any layer allocates from these shapes (at the next layer's mapping, or when the model runs)
                LoadOptions o = ctx.options();
                Shapes.checkLimits(l.name(), outShapes, o.maxDimension(), o.maxActivationElements());
            } catch (JKerasException e) {
                throw e.in(ctx.file(), l.name());
            }
            int id = nodes.size();
            nodes.add(new Node(id, layer, inputs, outShapes, maskRef));
            nodeOf.put(c.key(), id);
        }
    }
}

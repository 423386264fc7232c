package io.jkeras.keras;

import io.jkeras.JKerasException;
import io.jkeras.ModelFormatException;
import io.jkeras.WeightException;
import io.jkeras.layers.InputLayer;
import io.jkeras.layers.Layer;
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

    public static Model assemble(ModelSpec spec, Map<String, List<WeightArray>> weights, MapContext ctx,
                                 Map<String, String> metadata) {
        Map<String, LayerSpec> byName = new LinkedHashMap<>();
        for (LayerSpec l : spec.layers()) {
            if (byName.put(l.name(), l) != null) {
                throw new ModelFormatException(ctx.file(), l.name(), null, "two layers share this name", null);
            }
        }
        for (String w : weights.keySet()) {
            if (!byName.containsKey(w) && !weights.get(w).isEmpty() && !"top_level_model_weights".equals(w)) {
                throw new WeightException(ctx.file(), w, null, "the file holds weights for this layer but the model config has no such layer", null);
            }
        }
        List<Node> nodes = new ArrayList<>();
        Map<String, Integer> nodeOf = new HashMap<>(); // "layer#call" → node id
        Map<String, Layer> built = new LinkedHashMap<>();
        Map<String, io.jkeras.layers.TrainingConfig> training = new LinkedHashMap<>();
        KerasTrainingConfig trainingReader = new KerasTrainingConfig();
        // pending calls, in config order
        List<Object[]> pending = new ArrayList<>();
        for (LayerSpec l : spec.layers()) {
            if ("InputLayer".equals(l.className())) pending.add(new Object[]{l, 0});
            else for (int i = 0; i < l.calls().size(); i++) pending.add(new Object[]{l, i});
        }
        boolean progress = true;
        while (!pending.isEmpty() && progress) {
            progress = false;
            for (var it = pending.iterator(); it.hasNext(); ) {
                Object[] p = it.next();
                LayerSpec l = (LayerSpec) p[0];
                int call = (Integer) p[1];
                List<LayerSpec.TensorRef> refs = "InputLayer".equals(l.className()) ? List.of() : l.calls().get(call);
                if (refs.isEmpty() && !"InputLayer".equals(l.className())) {
                    throw new ModelFormatException(ctx.file(), l.name(), null, "call " + call
                            + " has no input tensors (its inbound node names no keras tensor)", null);
                }
                List<Node.Ref> inputs = new ArrayList<>();
                boolean ready = true;
                for (LayerSpec.TensorRef r : refs) {
                    if (!byName.containsKey(r.layer())) {
                        throw new ModelFormatException(ctx.file(), l.name(), null, "takes input " + r + " from a layer that is not in the model", null);
                    }
                    Integer id = nodeOf.get(r.layer() + "#" + r.node());
                    if (id == null) { ready = false; break; }
                    if (r.index() < 0 || r.index() >= nodes.get(id).outputShapes().length) {
                        throw new ModelFormatException(ctx.file(), l.name(), null, "takes input " + r + " but that layer call has "
                                + nodes.get(id).outputShapes().length + " output(s)", null);
                    }
                    inputs.add(new Node.Ref(id, r.index()));
                }
                Node.Ref maskRef = null;
                LayerSpec.TensorRef m = "InputLayer".equals(l.className()) ? null : l.mask(call);
                if (ready && m != null) {
                    Integer mid = nodeOf.get(m.layer() + "#" + m.node());
                    if (!byName.containsKey(m.layer())) {
                        throw new ModelFormatException(ctx.file(), l.name(), null, "takes its mask from " + m + ", a layer that is not in the model", null);
                    }
                    if (mid == null) ready = false;
                    else maskRef = new Node.Ref(mid, m.index());
                }
                if (!ready) continue;
                int[][] inShapes = new int[inputs.size()][];
                for (int i = 0; i < inShapes.length; i++) inShapes[i] = nodes.get(inputs.get(i).node()).outputShapes()[inputs.get(i).index()];
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
                            trainingReader.unsupported.add(l.name() + ": training config unreadable (" + e.getMessage() + ")");
                        }
                    }
                    outShapes = layer.outputShapes(inShapes);
                } catch (JKerasException e) {
                    throw e.in(ctx.file(), l.name());
                }
                int id = nodes.size();
                nodes.add(new Node(id, layer, inputs, outShapes, maskRef));
                nodeOf.put(l.name() + "#" + call, id);
                it.remove();
                progress = true;
            }
        }
        if (!pending.isEmpty()) {
            LayerSpec l = (LayerSpec) pending.get(0)[0];
            throw new ModelFormatException(ctx.file(), l.name(), null, "its inputs are never produced (a cycle or a missing node): "
                    + l.calls().get((Integer) pending.get(0)[1]), null);
        }
        List<Integer> inputIds = new ArrayList<>();
        for (LayerSpec.TensorRef r : spec.inputs()) {
            Integer id = nodeOf.get(r.layer() + "#" + r.node());
            if (id == null || !(nodes.get(id).layer() instanceof InputLayer)) {
                throw new ModelFormatException(ctx.file(), r.layer(), null, "model input " + r + " is not an input layer", null);
            }
            inputIds.add(id);
        }
        List<Node.Ref> outputs = new ArrayList<>();
        for (LayerSpec.TensorRef r : spec.outputs()) {
            Integer id = nodeOf.get(r.layer() + "#" + r.node());
            if (id == null) throw new ModelFormatException(ctx.file(), r.layer(), null, "model output " + r + " is not produced by any layer call", null);
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
        if (!trainingReader.unsupported.isEmpty()) {
            meta.put("keras.training_unsupported", String.join("; ", trainingReader.unsupported));
        }
        return new Model(spec.name(), nodes, inputIds, outputs, summaryLayers, meta, training);
    }
}

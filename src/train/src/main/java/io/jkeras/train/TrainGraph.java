package io.jkeras.train;

import io.jkeras.layers.Layer;
import io.jkeras.model.Model;
import io.jkeras.model.Node;
import io.jkeras.tensor.Tensor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model in training form: the same graph of layer calls, each layer in its {@link TrainableLayer}
 * form (a layer called several times shares one form, so its parameters are shared). Carries the
 * state of stateful layers between batches until {@link #resetStates}.
 */
public final class TrainGraph {
    private final Model model;
    private final Map<Layer, TrainableLayer> forms = new IdentityHashMap<>();
    private final List<Param> params = new ArrayList<>();
    private final Map<Integer, double[][]> states = new HashMap<>();

    public TrainGraph(Model model) {
        this.model = model;
        for (Node n : model.nodes()) {
            forms.computeIfAbsent(n.layer(), l -> {
                TrainableLayer f = TrainableLayers.of(l, model.trainingConfig(l.name()));
                params.addAll(f.params());
                return f;
            });
        }
    }

    public Model model() { return model; }

    /** Every parameter, trainable or not, in layer order. */
    public List<Param> params() { return params; }

    public List<Param> trainableParams() { return params.stream().filter(Param::trainable).toList(); }

    /** The training form of a layer (by name), or null. */
    public TrainableLayer form(String layerName) {
        for (TrainableLayer f : forms.values()) if (f.layer().name().equals(layerName)) return f;
        return null;
    }

    /** The carried states of a stateful layer's call (batch·units values each, null for zeros), created empty. */
    double[][] carried(Node n) {
        return states.computeIfAbsent(n.id(), k -> new double[n.layer().stateCount()][]);
    }

    /** Forgets the carried states of stateful layers. */
    public void resetStates() { states.clear(); }

    /** The forward pass on one batch; inputs as Vars (constants or leaves). */
    public Var[] forward(Tape t, Var[] inputs, TrainContext ctx) {
        return forward(t, inputs, ctx, null);
    }

    /** Receives the outputs of every layer call of a forward pass (e.g. for activity regularizers). */
    @FunctionalInterface
    public interface CallObserver {
        void onCall(Node node, Var[] outputs);
    }

    /** The forward pass, telling {@code observer} (when not null) each layer call's outputs. */
    public Var[] forward(Tape t, Var[] inputs, TrainContext ctx, CallObserver observer) {
        List<Integer> inIds = model.inputNodeIds();
        if (inputs.length != inIds.size()) {
            throw new io.jkeras.exceptions.InputException("model '" + model.name() + "' takes " + inIds.size()
                    + " input(s), got " + inputs.length);
        }
        Var[][] values = new Var[model.nodes().size()][];
        for (int i = 0; i < inputs.length; i++) values[inIds.get(i)] = new Var[]{inputs[i]};
        for (Node n : model.nodes()) {
            if (values[n.id()] != null) continue;
            Var[] in = new Var[n.inputs().size()];
            for (int j = 0; j < in.length; j++) in[j] = values[n.inputs().get(j).node()][n.inputs().get(j).index()];
            if (n.mask() != null && in.length > 0) {
                Var m = values[n.mask().node()][n.mask().index()];
                boolean[] f = new boolean[m.size()];
                for (int k = 0; k < f.length; k++) f[k] = m.value[k] != 0;
                in[0] = in[0].withMask(t, f);
            }
            double[][] st = null;
            if (n.layer().stateful()) st = states.computeIfAbsent(n.id(), k -> new double[n.layer().stateCount()][]);
            values[n.id()] = forms.get(n.layer()).forward(t, in, ctx, st);
            if (observer != null) observer.onCall(n, values[n.id()]);
        }
        List<Node.Ref> outs = model.outputRefs();
        Var[] out = new Var[outs.size()];
        for (int i = 0; i < out.length; i++) out[i] = values[outs.get(i).node()][outs.get(i).index()];
        return out;
    }

    /** Converts an engine tensor to a constant Var (its mask kept). */
    public static Var constant(Tensor x) {
        return Var.constant(x.shape(), Var.widen(x.data()), x.mask());
    }

    /** The model with every layer rebuilt from the current parameter values. */
    public Model toModel() {
        Map<Layer, Layer> repl = new IdentityHashMap<>();
        for (Map.Entry<Layer, TrainableLayer> e : forms.entrySet()) repl.put(e.getKey(), e.getValue().rebuild());
        return model.withLayers(repl);
    }

    /** Current parameter values by full name ({@code layer/name}), float32. */
    public Map<String, float[]> weights() {
        Map<String, float[]> m = new LinkedHashMap<>();
        for (Param p : params) m.put(p.fullName(), p.toFloats());
        return m;
    }
}

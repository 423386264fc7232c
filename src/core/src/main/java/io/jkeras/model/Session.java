package io.jkeras.model;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.StateException;
import io.jkeras.layers.Layer;
import io.jkeras.tensor.Tensor;

import java.util.HashMap;
import java.util.Map;

/**
 * The state of a model for one caller: each {@link #predict} of a stateful model continues from the state the
 * previous call left, and {@link #step}/{@link #steps} feed a stream one timestep (or chunk) at a time, every
 * recurrent layer continuing from where the previous call left it, until {@link #reset}. {@link #snapshot()}
 * saves the state, {@link Model#newSession(State)} resumes it. Not thread-safe; the model it belongs to is.
 */
public final class Session {
    private final Model model;
    private final Map<Integer, float[][]> states = new HashMap<>();
    /** Made at the first step: refuses a model that cannot stream. */
    private StreamPlan plan;

    Session(Model model) { this.model = model; }

    Session(Model model, State state) {
        this.model = model;
        if (!state.fingerprint().equals(model.fingerprint())) {
            throw new StateException("state was taken from another model (fingerprint " + abbrev(state.fingerprint())
                    + "), not from model '" + model.name() + "' (fingerprint " + abbrev(model.fingerprint()) + ")");
        }
        Map<Integer, float[][]> s = state.states();
        for (Map.Entry<Integer, float[][]> e : s.entrySet()) check(e.getKey(), e.getValue());
        states.putAll(s);
    }

    private static String abbrev(String fp) { return fp.substring(0, Math.min(16, fp.length())) + "…"; }

    /** A state entry fits its layer: a node of the model, as many arrays as the layer carries, of one batch. */
    private void check(int node, float[][] a) {
        if (node >= model.nodes().size() || StreamPlan.carried(model.nodes().get(node).layer()) == 0) {
            throw new StateException("state holds values for node " + node + ", which carries no state in model '"
                    + model.name() + "'");
        }
        Layer l = model.nodes().get(node).layer();
        if (a.length != StreamPlan.carried(l)) {
            throw new StateException("state holds " + a.length + " arrays for layer '" + l.name() + "', which carries "
                    + StreamPlan.carried(l));
        }
    }

    public Model model() { return model; }

    public Tensor[] predict(Tensor... inputs) { return model.run(inputs, states); }

    /**
     * Feeds a chunk of timesteps, one tensor per input {@code (batch, k, features…)}: what {@code predict} gives
     * on that chunk when every recurrent layer starts from the state the previous steps left (and leaves its
     * final state for the next). Outputs with a time axis hold the chunk's k steps; outputs without one (a
     * recurrent layer without return_sequences) what the model gives after the chunk's last step. Feeding a
     * sequence in chunks of any sizes gives what one {@code predict} on it gives, except that a masked step at
     * the start of a chunk outputs zeros where {@code predict} would repeat the previous output (as Keras does
     * for a stateful layer called chunk by chunk).
     *
     * @throws io.jkeras.exceptions.UnsupportedModelException naming the layer whose output at a step needs
     *                                                        later timesteps
     */
    public Tensor[] steps(Tensor... chunk) {
        plan();
        return model.run(chunk, states, true);
    }

    /**
     * Feeds one timestep, one tensor per input without the time axis {@code (batch, features…)}: the model's
     * outputs at that step, without the time axis ({@code (batch, units)} where {@code predict} gives
     * {@code (batch, timesteps, units)}). As {@link #steps} with chunks of one timestep.
     */
    public Tensor[] step(Tensor... x) {
        StreamPlan p = plan();
        Tensor[] chunk = new Tensor[x.length];
        for (int i = 0; i < x.length; i++) {
            int[] s = x[i].shape();
            if (s.length < 1) throw new InputException("step input " + i + " must have a batch axis");
            int[] t = new int[s.length + 1];
            t[0] = s[0];
            t[1] = 1;
            System.arraycopy(s, 1, t, 2, s.length - 1);
            chunk[i] = new Tensor(t, x[i].data());
        }
        Tensor[] out = model.run(chunk, states, true);
        for (int i = 0; i < out.length; i++) {
            if (!p.timedOutput(model.outputRefs().get(i))) continue;
            int[] s = out[i].shape();
            int[] t = new int[s.length - 1];
            t[0] = s[0];
            System.arraycopy(s, 2, t, 1, s.length - 2);
            out[i] = new Tensor(t, out[i].data());
        }
        return out;
    }

    /** Single-input, single-output {@link #step}: {@code x (batch, features)}, the output at that step. */
    public Tensor step(float[][] x) {
        Tensor[] out = step(Tensor.of(x));
        if (out.length != 1) throw new InputException("model '" + model.name() + "' has " + out.length
                + " outputs; use step(Tensor...)");
        return out[0];
    }

    private StreamPlan plan() {
        if (plan == null) plan = StreamPlan.of(model);
        return plan;
    }

    /** The carried state now, detached from this session: later calls do not change it. */
    public State snapshot() { return new State(model.fingerprint(), states); }

    /** Forgets all carried state: the next call starts from zeros, as Keras' reset_states(). */
    public void reset() { states.clear(); }
}

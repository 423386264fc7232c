package io.jkeras.model;

import io.jkeras.tensor.Tensor;
import java.util.HashMap;
import java.util.Map;

/**
 * The state of a stateful model for one caller: each {@link #predict} continues from the state the
 * previous call left, until {@link #reset}. Not thread-safe; the model it belongs to is.
 */
public final class Session {
    private final Model model;
    private final Map<Integer, float[][]> states = new HashMap<>();

    Session(Model model) { this.model = model; }

    public Model model() { return model; }

    public Tensor[] predict(Tensor... inputs) { return model.run(inputs, states); }

    /** Forgets all carried state: the next call starts from zeros, as Keras' reset_states(). */
    public void reset() { states.clear(); }
}

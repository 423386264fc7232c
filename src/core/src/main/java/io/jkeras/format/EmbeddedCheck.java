package io.jkeras.format;

import io.jkeras.exceptions.InputException;
import io.jkeras.golden.Tolerance;
import io.jkeras.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Test vectors stored in a native file: batches of inputs (the model's inputs in order) and the
 * outputs expected for them, with the tolerance {@code |got - want| <= atol + rtol·|want|}, each
 * value finite, {@code >= 0} and at most {@link Tolerance#MAX} (a looser check would pass a broken
 * engine; a file claiming one is refused when read).
 * Loading the file runs the batches in one session (so a stateful model carries its state from
 * one to the next, as {@code predict} does with several files) and refuses the file when an
 * output falls outside the tolerance.
 *
 * @param origin who computed the outputs, e.g. {@code jkeras 0.1.0} or {@code keras (golden case x)}
 */
public record EmbeddedCheck(String origin, double atol, double rtol, List<Tensor[]> inputs, List<Tensor[]> outputs) {
    public EmbeddedCheck {
        if (inputs.size() != outputs.size()) {
            throw new IllegalArgumentException(inputs.size() + " input batches but " + outputs.size()
                    + " output batches");
        }
        for (double t : new double[]{atol, rtol}) {
            String problem = Tolerance.strictProblem(t);
            if (problem != null) throw new InputException("embedded check tolerance atol " + atol + ", rtol " + rtol
                    + ": " + problem);
        }
        inputs = List.copyOf(new ArrayList<>(inputs));
        outputs = List.copyOf(new ArrayList<>(outputs));
    }

    /** Number of batches. */
    public int batches() { return inputs.size(); }
}

package io.jkeras.layers;

import io.jkeras.InputException;
import io.jkeras.UnsupportedModelException;
import io.jkeras.model.Tensor;

import java.util.Arrays;

/**
 * What every recurrent layer shares: the options (return_sequences, return_state, go_backwards,
 * stateful), input and state validation, and assembling the outputs. Subclasses implement one
 * pass over the sequence in {@link #run}.
 *
 * <p>Inputs: {@code x (batch, timesteps, features)}, optionally followed by one initial-state
 * tensor {@code (batch, units)} per state (Keras' {@code initial_state}). Outputs: the sequence
 * {@code (batch, timesteps, units)} or the last output {@code (batch, units)}, followed by the
 * final states when return_state is set. With go_backwards the input is read from the last
 * timestep to the first and the returned sequence is in that processing order, as Keras does.
 */
public abstract class Recurrent implements Layer {
    protected final String name;
    protected final int units;
    protected final int inputSize;
    protected final boolean returnSequences;
    protected final boolean returnState;
    protected final boolean goBackwards;
    protected final boolean stateful;
    protected final boolean zeroOutputForMask;

    protected Recurrent(String name, int units, int inputSize, RecurrentOptions o) {
        if (units <= 0) throw new UnsupportedModelException(null, name, null, "units must be positive, got " + units);
        if (inputSize <= 0) throw new UnsupportedModelException(null, name, null, "input features must be positive, got " + inputSize);
        this.name = name;
        this.units = units;
        this.inputSize = inputSize;
        this.returnSequences = o.returnSequences();
        this.returnState = o.returnState();
        this.goBackwards = o.goBackwards();
        this.stateful = o.stateful();
        this.zeroOutputForMask = o.zeroOutputForMask();
    }

    @Override public String name() { return name; }

    @Override public boolean stateful() { return stateful; }

    public int units() { return units; }

    public int inputSize() { return inputSize; }

    public RecurrentOptions options() {
        return new RecurrentOptions(returnSequences, returnState, goBackwards, stateful, zeroOutputForMask);
    }

    /** Width of a row of the input projection (see {@link #project}). */
    protected abstract int projectionWidth();

    /** The input projection of {@code rows} input rows, {@code rows × projectionWidth()}. */
    protected abstract float[] project(float[] x, int rows);

    /**
     * One timestep of one sequence: reads the projected input at {@code xp[xpOff ..]} and the
     * states at offset {@code so} of each state array, and writes the new states there; the output
     * of the step is the new {@code states[0]} row. {@code z} ({@link #projectionWidth()} floats) and
     * {@code scratch} ({@code units} floats) are work space.
     */
    protected abstract void step(float[] xp, int xpOff, float[][] states, int so, float[] z, float[] scratch);

    /**
     * One pass over the sequence, as Keras' rnn loop: {@code x} is (batch, steps, inputSize)
     * row-major; {@code states} holds batch·units initial values per state, replaced in place by the
     * final ones; a masked step keeps the states and outputs the previous output (or zeros with
     * zeroOutputForMask); {@code seq}, when not null, receives (batch, steps, units) outputs in
     * processing order; {@code last} receives the output of the final step.
     */
    protected void run(float[] x, int batch, int steps, float[][] states, float[] seq, boolean[] mask, float[] last) {
        final int width = projectionWidth();
        final int h = units;
        float[] xp = project(x, batch * steps);
        float[] z = new float[width];
        float[] scratch = new float[h];
        for (int b = 0; b < batch; b++) {
            int so = b * h;
            for (int s = 0; s < steps; s++) {
                int t = goBackwards ? steps - 1 - s : s;
                if (mask == null || mask[b * steps + t]) {
                    step(xp, (b * steps + t) * width, states, so, z, scratch);
                    System.arraycopy(states[0], so, last, so, h);
                } else if (zeroOutputForMask) {
                    java.util.Arrays.fill(last, so, so + h, 0f);
                }
                if (seq != null) System.arraycopy(last, so, seq, (b * steps + s) * h, h);
            }
        }
    }

    @Override
    public int[][] outputShapes(int[][] in) {
        Shapes.expectInputs(name, in, 1, 1 + stateCount());
        Shapes.expectRank(name, in[0], 2);
        Shapes.expectLastDim(name, in[0], inputSize);
        for (int i = 1; i < in.length; i++) {
            if (in[i].length != 1 || (in[i][0] != -1 && in[i][0] != units)) {
                throw new UnsupportedModelException(null, name, null, "initial state " + (i - 1) + " must have shape (None, " + units + "), got (None, " + Shapes.inner(in[i]) + ")");
            }
        }
        int n = 1 + (returnState ? stateCount() : 0);
        int[][] out = new int[n][];
        out[0] = returnSequences ? new int[]{in[0][0], units} : new int[]{units};
        for (int i = 1; i < n; i++) out[i] = new int[]{units};
        return out;
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, float[][] state) {
        Tensor x = inputs[0];
        if (x.rank() != 3 || x.dim(2) != inputSize) {
            throw new InputException(null, name, null, "expects input (batch, timesteps, " + inputSize + "), got " + Tensor.shapeString(x.shape()));
        }
        int batch = x.dim(0);
        int steps = x.dim(1);
        int sc = stateCount();
        float[][] states = new float[sc][];
        for (int i = 0; i < sc; i++) {
            float[] init = null;
            if (inputs.length > 1 + i) {
                Tensor s = inputs[1 + i];
                if (s.rank() != 2 || s.dim(0) != batch || s.dim(1) != units) {
                    throw new InputException(null, name, null, "initial state " + i + " must be (" + batch + ", " + units + "), got " + Tensor.shapeString(s.shape()));
                }
                init = s.data();
            } else if (state != null && state[i] != null) {
                if (state[i].length != batch * units) {
                    throw new InputException(null, name, null, "stateful layer holds state for batch size " + state[i].length / units
                            + " but got a batch of " + batch + "; reset the session or keep the batch size fixed");
                }
                init = state[i];
            }
            states[i] = init == null ? new float[batch * units] : Arrays.copyOf(init, batch * units);
        }
        float[] seq = returnSequences ? new float[batch * steps * units] : null;
        float[] last = new float[batch * units];
        if (steps > 0) run(x.data(), batch, steps, states, seq, x.mask(), last);
        Tensor[] out = new Tensor[1 + (returnState ? sc : 0)];
        out[0] = returnSequences
                ? new Tensor(new int[]{batch, steps, units}, seq, x.mask())
                : new Tensor(new int[]{batch, units}, last);
        for (int i = 1; i < out.length; i++) out[i] = new Tensor(new int[]{batch, units}, states[i - 1].clone());
        if (stateful && state != null) {
            for (int i = 0; i < sc; i++) state[i] = states[i];
        }
        return out;
    }

    /** Input projection of all timesteps: {@code xproj = x · kernel + bias}, panel columns. */
    static float[] project(float[] x, int rows, int inputSize, float[] kernelP, float[] biasP, int width) {
        float[] xp = new float[rows * width];
        if (biasP != null) {
            for (int r = 0; r < rows; r++) System.arraycopy(biasP, 0, xp, r * width, width);
        }
        io.jkeras.kernels.RecurrentKernels.Product p = io.jkeras.kernels.RecurrentKernels.BEST;
        for (int r = 0; r < rows; r++) p.accumulate(x, r * inputSize, inputSize, kernelP, width, xp, r * width);
        return xp;
    }

    static void checkShape(String layer, String weight, float[] values, int... shape) {
        long n = 1;
        for (int d : shape) n *= d;
        if (values == null || values.length != n) {
            throw new io.jkeras.WeightException(null, layer, weight, "expected " + n + " values for shape "
                    + Tensor.shapeString(shape) + ", got " + (values == null ? "none" : Integer.toString(values.length)));
        }
    }
}

package io.jkeras.train;

import io.jkeras.layers.Recurrent;
import io.jkeras.layers.RecurrentOptions;
import io.jkeras.layers.TrainingConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * The training form shared by recurrent layers: Keras' rnn loop (go_backwards, masks keeping the
 * state and repeating or zeroing the output, return_sequences, return_state, initial states as
 * extra inputs, stateful carry) with the input projection of all timesteps hoisted out of the
 * loop. Dropout as Keras 3 applies it in training: one mask over the input features and one over
 * the recurrent state, each fixed for the whole sequence.
 */
abstract class RecurrentTrainer implements TrainableLayer {
    protected final Recurrent layer;
    protected final RecurrentOptions options;
    protected final TrainingConfig config;
    protected final int units;
    /** The layer's weights in Keras' order: kernel, recurrent_kernel and (unless use_bias=False) bias. */
    protected final Param kernel, recurrent, bias;

    RecurrentTrainer(Recurrent layer, TrainingConfig config) {
        this.layer = layer;
        this.options = layer.options();
        this.config = config;
        this.units = layer.units();
        List<io.jkeras.layers.Weight> w = layer.weights();
        this.kernel = TrainableLayers.param(layer, w.get(0), config);
        this.recurrent = TrainableLayers.param(layer, w.get(1), config);
        this.bias = w.size() > 2 ? TrainableLayers.param(layer, w.get(2), config) : null;
    }

    @Override public io.jkeras.layers.Layer layer() { return layer; }

    @Override
    public List<Param> params() {
        List<Param> p = new ArrayList<>(List.of(kernel, recurrent));
        if (bias != null) p.add(bias);
        return p;
    }

    abstract int stateCount();

    /** {@code x (rows, features)} → input projection {@code (rows, gates·units)}: x·kernel + bias. */
    Var project(Tape t, Var x) {
        Var z = Ops.matmul(t, x, kernel.var());
        return bias == null ? z : Ops.addBias(t, z, bias.var());
    }

    /**
     * One step: {@code xp (batch, gates·units)} and the states (h first) → the new states (h first,
     * which is also the step's output). {@code hDropped} is h after recurrent dropout; when the
     * layer uses one recurrent mask per gate ({@link #dropoutGroups()} > 1) it is null and
     * {@link #recurrentMasks} holds the masks for this sequence.
     */
    abstract Var[] step(Tape t, Var xp, Var[] states, Var hDropped);

    /**
     * How many independent dropout masks Keras draws per sequence: 1, or one per gate when the
     * cell runs its per-gate implementation (Keras 3 LSTM switches to it whenever
     * recurrent_dropout is set).
     */
    int dropoutGroups() { return 1; }

    /** Gate {@code g}'s columns {@code (rows, units)} of a projection {@code (rows, gates·units)}. */
    Var gateColumns(Tape t, Var projected, int g) { return Ops.sliceLast(t, projected, g * units, units); }

    /** The inverse of {@link #gateColumns}: the gates' columns back into one projection. */
    Var joinGates(Tape t, List<Var> gates) { return Ops.concatLast(t, gates); }

    /** Per-gate recurrent dropout masks of the current sequence (batch·units each), or null. */
    protected double[][] recurrentMasks;

    /** Keras applies a dropout rate only when 0 < rate < 1. */
    static boolean active(double rate) { return rate > 0 && rate < 1; }

    /** A (batch, features) mask repeated over every timestep: (batch, steps, features). */
    static double[] overTime(double[] m, int batch, int steps, int features) {
        double[] full = new double[batch * steps * features];
        for (int b = 0; b < batch; b++)
            for (int s = 0; s < steps; s++) System.arraycopy(m, b * features, full, (b * steps + s) * features,
                    features);
        return full;
    }

    @Override
    public Var[] forward(Tape t, Var[] in, TrainContext ctx, double[][] carried) {
        Var x = in[0];
        int batch = x.dim(0), steps = x.dim(1), features = x.dim(2);
        boolean[] mask = x.mask();
        int sc = stateCount();
        Var[] states = new Var[sc];
        for (int i = 0; i < sc; i++) {
            if (in.length > 1 + i) states[i] = in[1 + i];
            else if (carried != null && carried[i] != null) states[i] = Var.constant(new int[]{batch, units},
                    carried[i].clone());
            else states[i] = Ops.zeros(batch, units);
        }
        int groups = dropoutGroups();
        boolean inDrop = ctx.training() && active(config.dropout());
        boolean recDrop = ctx.training() && active(config.recurrentDropout());
        Var xp;
        if (inDrop && groups > 1) {
            // one input mask per gate: each gate's columns come from the input under its own mask
            List<Var> parts = new ArrayList<>();
            for (int g = 0; g < groups; g++) {
                Var xg = Ops.mulConstant(t, x,
                        overTime(ctx.dropoutMask(batch * features, config.dropout()), batch, steps, features));
                Var all = project(t, Ops.reshape(t, xg, new int[]{batch * steps, features}, false));
                parts.add(gateColumns(t, all, g));
            }
            xp = joinGates(t, parts);
        } else {
            Var xin = inDrop ? Ops.mulConstant(t, x,
                    overTime(ctx.dropoutMask(batch * features, config.dropout()), batch, steps, features)) : x;
            xp = project(t, Ops.reshape(t, xin, new int[]{batch * steps, features}, false));
        }
        double[] recMask = null;
        recurrentMasks = null;
        if (recDrop && groups > 1) {
            recurrentMasks = new double[groups][];
            for (int g = 0; g < groups; g++) recurrentMasks[g] = ctx.dropoutMask(batch * units,
                    config.recurrentDropout());
        } else if (recDrop) {
            recMask = ctx.dropoutMask(batch * units, config.recurrentDropout());
        }
        List<Var> outs = new ArrayList<>();
        Var last = Ops.zeros(batch, units);
        for (int s = 0; s < steps; s++) {
            int ts = options.goBackwards() ? steps - 1 - s : s;
            Var xs = Ops.rowsAtStep(t, xp, batch, steps, ts);
            Var hd = recurrentMasks != null ? null : recMask == null ? states[0]
                    : Ops.mulConstant(t, states[0], recMask);
            Var[] next = step(t, xs, states, hd);
            if (mask == null) {
                states = next;
                last = next[0];
            } else {
                boolean[] keep = new boolean[batch];
                for (int b = 0; b < batch; b++) keep[b] = mask[b * steps + ts];
                for (int i = 0; i < sc; i++) next[i] = Ops.selectRows(t, keep, next[i], states[i]);
                states = next;
                last = Ops.selectRows(t, keep, next[0], options.zeroOutputForMask() ? Ops.zeros(batch, units) : last);
            }
            if (options.returnSequences()) outs.add(last);
        }
        recurrentMasks = null;
        if (carried != null) for (int i = 0; i < sc; i++) carried[i] = states[i].value.clone();
        List<Var> result = new ArrayList<>();
        result.add(options.returnSequences()
                ? (steps == 0 ? Var.constant(new int[]{batch, 0, units}, new double[0]) : Ops.stackSteps(t, outs, mask))
                : last);
        if (options.returnState()) for (Var s : states) result.add(s);
        return result.toArray(new Var[0]);
    }
}

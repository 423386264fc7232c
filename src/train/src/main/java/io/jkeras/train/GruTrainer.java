package io.jkeras.train;

import io.jkeras.kernels.Activation;
import io.jkeras.layers.Gru;
import io.jkeras.layers.Layer;
import io.jkeras.layers.TrainingConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * GRU in training form, gates z, r, h as Keras 3's GRUCell.call computes them
 * (keras/src/layers/rnn/gru.py:182-298), both reset_after variants:
 * <pre>
 *   reset_after=True:  z = ra(xz + hz·Uz + bz')  r = ra(xr + hr·Ur + br')  hh = act(xh + r ⊙ (hh'·Uh + bh'))
 *   reset_after=False: z = ra(xz + hz·Uz)        r = ra(xr + hr·Ur)        hh = act(xh + (r ⊙ hh')·Uh)
 *   h = z ⊙ h_prev + (1 − z) ⊙ hh
 * </pre>
 * with x· = x·W· + b· (the input bias, hoisted over all timesteps) and b·' the recurrent bias.
 * Dropout as Keras 3 applies it in training (gru.py:132-137, 196-258; dropout_rnn_cell.py): a rate
 * applies only when {@code 0 < rate < 1}; masks are drawn once per batch and kept for every step.
 * With recurrent_dropout = 0 (implementation 2) one input mask multiplies x for all three gates;
 * with recurrent_dropout &gt; 0 Keras switches to implementation 1: three independent input masks
 * (x_z, x_r, x_h) and three recurrent masks (h_z, h_r, h_h above), while the h of the final
 * update {@code z ⊙ h_prev} stays undropped.
 */
final class GruTrainer extends RecurrentTrainer {
    private final Gru gru;
    private final TrainingConfig real;

    // per forward pass
    private double[][] inMasks;   // null, or 1 mask (shared) or 3 masks (per gate), batch·features each
    private double[][] recMasks;  // null or 3 masks, batch·units each
    private Var recBias;          // (3u) recurrent bias (reset_after with bias), else null

    GruTrainer(Layer layer, TrainingConfig config) {
        super((Gru) layer, withoutDropout(config));
        this.gru = (Gru) layer;
        this.real = config;
    }

    @Override int stateCount() { return 1; }


    /** The config with both dropout rates 0: this form applies its own masks, not the shared loop's. */
    static TrainingConfig withoutDropout(TrainingConfig c) {
        return new TrainingConfig(c.trainable(), 0, 0, c.regularizers(), c.activityRegularizer(), c.constraints(),
                c.initializers());
    }

    static boolean active(double rate) { return rate > 0 && rate < 1; }

    @Override
    public Var[] forward(Tape t, Var[] in, TrainContext ctx, double[][] carried) {
        int batch = in[0].dim(0), features = in[0].dim(2);
        boolean drop = ctx.training() && active(real.dropout());
        boolean recDrop = ctx.training() && active(real.recurrentDropout());
        inMasks = null;
        recMasks = null;
        if (drop) {
            int n = recDrop ? 3 : 1;
            inMasks = new double[n][];
            for (int g = 0; g < n; g++) inMasks[g] = ctx.dropoutMask(batch * features, real.dropout());
        }
        if (recDrop) {
            recMasks = new double[3][];
            for (int g = 0; g < 3; g++) recMasks[g] = ctx.dropoutMask(batch * units, real.recurrentDropout());
        }
        recBias = bias != null && gru.resetAfter()
                ? Ops.sliceLast(t, Ops.reshape(t, bias.var(), new int[]{6 * units}, false), 3 * units, 3 * units)
                        : null;
        return super.forward(t, in, ctx, carried);
    }

    @Override
    Var project(Tape t, Var x) {
        int u = units;
        Var b = bias == null ? null
                : gru.resetAfter() ? Ops.sliceLast(t, Ops.reshape(t, bias.var(), new int[]{6 * u}, false), 0, 3 * u)
                        : bias.var();
        Var z;
        if (inMasks == null) {
            z = Ops.matmul(t, x, kernel.var());
        } else {
            int rows = x.dim(0), f = x.dim(1), batch = rows == 0 ? 0 : inMasks[0].length / f, steps = batch == 0 ? 0
                    : rows / batch;
            List<Var> parts = new ArrayList<>();
            for (int g = 0; g < 3; g++) {
                if (inMasks.length == 1 && g > 0) break;
                Var xm = Ops.mulConstant(t, x, expand(inMasks[g], batch, steps, f));
                parts.add(inMasks.length == 1 ? Ops.matmul(t, xm, kernel.var())
                        : Ops.matmul(t, xm, Ops.sliceLast(t, kernel.var(), g * u, u)));
            }
            z = parts.size() == 1 ? parts.get(0) : Ops.concatLast(t, parts);
        }
        return b == null ? z : Ops.addBias(t, z, b);
    }

    /** A (batch, f) mask repeated over the steps of each sample: (batch·steps, f) rows. */
    static double[] expand(double[] m, int batch, int steps, int f) {
        double[] full = new double[batch * steps * f];
        for (int b = 0; b < batch; b++)
            for (int s = 0; s < steps; s++) System.arraycopy(m, b * f, full, (b * steps + s) * f, f);
        return full;
    }

    @Override
    Var[] step(Tape t, Var xp, Var[] states, Var hDropped) {
        Var h = states[0];
        Var[] hs = recMasks == null ? null
                : new Var[]{Ops.mulConstant(t, h, recMasks[0]), Ops.mulConstant(t, h, recMasks[1]),
                        Ops.mulConstant(t, h, recMasks[2])};
        return new Var[]{cell(t, xp, h, hs, recurrent.var(), recBias, gru.resetAfter(), gru.activation(),
                gru.recurrentActivation(), units)};
    }

    /**
     * One GRU step: {@code xp (batch, 3u)} the input projection with the input bias, {@code h} the
     * previous state, {@code hs} null or h after the three recurrent dropout masks, {@code U (u, 3u)},
     * {@code recBias} the recurrent bias (reset_after) or null.
     */
    static Var cell(Tape t, Var xp, Var h, Var[] hs, Var U, Var recBias, boolean resetAfter,
                    Activation act, Activation ract, int u) {
        Var xz = Ops.sliceLast(t, xp, 0, u), xr = Ops.sliceLast(t, xp, u, u), xh = Ops.sliceLast(t, xp, 2 * u, u);
        Var rz, rr, rh;
        if (hs == null) {
            Var m = Ops.matmul(t, h, resetAfter ? U : Ops.sliceLast(t, U, 0, 2 * u));
            if (resetAfter && recBias != null) m = Ops.addBias(t, m, recBias);
            rz = Ops.sliceLast(t, m, 0, u);
            rr = Ops.sliceLast(t, m, u, u);
            rh = resetAfter ? Ops.sliceLast(t, m, 2 * u, u) : null;
        } else {
            rz = Ops.matmul(t, hs[0], Ops.sliceLast(t, U, 0, u));
            rr = Ops.matmul(t, hs[1], Ops.sliceLast(t, U, u, u));
            rh = resetAfter ? Ops.matmul(t, hs[2], Ops.sliceLast(t, U, 2 * u, u)) : null;
            if (resetAfter && recBias != null) {
                rz = Ops.addBias(t, rz, Ops.sliceLast(t, recBias, 0, u));
                rr = Ops.addBias(t, rr, Ops.sliceLast(t, recBias, u, u));
                rh = Ops.addBias(t, rh, Ops.sliceLast(t, recBias, 2 * u, u));
            }
        }
        Var z = Ops.activation(t, Ops.add(t, xz, rz), ract);
        Var r = Ops.activation(t, Ops.add(t, xr, rr), ract);
        Var inner = resetAfter ? Ops.mul(t, r, rh)
                : Ops.matmul(t, Ops.mul(t, r, hs == null ? h : hs[2]), Ops.sliceLast(t, U, 2 * u, u));
        Var hh = Ops.activation(t, Ops.add(t, xh, inner), act);
        // z ⊙ h + (1 − z) ⊙ hh
        return Ops.add(t, hh, Ops.mul(t, z, Ops.sub(t, h, hh)));
    }

    @Override
    public Layer rebuild() {
        return new Gru(gru.name(), units, gru.inputSize(), gru.activation(), gru.recurrentActivation(),
                gru.resetAfter(),
                kernel.toFloats(), recurrent.toFloats(), bias == null ? null : bias.toFloats(), options);
    }
}

package io.jkeras.train;

import io.jkeras.kernels.Activation;
import io.jkeras.kernels.Gemm;
import io.jkeras.layers.Dense;
import io.jkeras.layers.Gru;
import io.jkeras.layers.InputLayer;
import io.jkeras.layers.Layer;
import io.jkeras.layers.Lstm;
import io.jkeras.layers.Recurrent;
import io.jkeras.layers.RecurrentOptions;
import io.jkeras.layers.SimpleRnn;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.model.Model;
import io.jkeras.model.Node;
import io.jkeras.model.Tensor;
import io.jkeras.train.fast.CellKernels;

import java.util.ArrayList;
import java.util.List;

/**
 * A fused float32 training step for the most common fine-tuning model, a Sequential
 * {@code LSTM | GRU(reset_after) | SimpleRNN → Dense} without masks, dropout, stateful carry or
 * returned sequences/states. Instead of recording every operation on the double-precision
 * {@link Tape}, one batch runs as a handful of matrix products over the whole batch:
 * <ul>
 * <li>forward: the input projection of every timestep as one product {@code X·W + b}
 * ({@code batch·steps × gates·units}, time-major), then per step one batched recurrent product
 * {@code H·U} and the cell's element-wise update, keeping the gate activations, carries and
 * outputs of every step; then the Dense layer on the last output;</li>
 * <li>the Dense activation, the loss (with its loss weight), the Dense layer's activity penalty
 * and the weight penalties run on a small tape from the Dense pre-activation, so every loss keeps
 * exactly the tape's definition (crossentropies from logits included);</li>
 * <li>backward through time: per step the cell's element-wise gradients and one batched product
 * for the previous state's gradient, then the weight gradients over all steps at once
 * ({@code dW = Xᵀ·dZ}, {@code dU = Hprevᵀ·dZ}, column sums for the biases).</li>
 * </ul>
 * The gradients land in the {@link Param}s (in double, added to the penalties' gradients), so the
 * trainer then applies Keras' clipping, optimizer update, rounding and constraints exactly as for
 * the tape. Weights are read from the Params each batch and rounded to float32 (they are float32
 * values already). Buffers are kept across batches.
 *
 * <p>{@link #mode} selects the path for {@link Trainer#fit}: {@code auto} (the fused step when the
 * model qualifies, else the tape), {@code tape}, or {@code fused} (fails when the model does not
 * qualify); the system property {@code jkeras.train.path} sets the initial mode.
 */
public final class FusedRecurrentFit {
    /** Which training path {@link Trainer#fit} takes. */
    public enum Mode { AUTO, TAPE, FUSED }

    private static volatile Mode mode = initialMode();

    private static Mode initialMode() {
        String s = System.getProperty("jkeras.train.path", "auto");
        try {
            return Mode.valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return Mode.AUTO;
        }
    }

    /** The current path selection (for tests and benchmarks). */
    public static Mode mode() { return mode; }

    /** Sets the path selection (for tests and benchmarks). */
    public static void mode(Mode m) { mode = m == null ? Mode.AUTO : m; }

    private enum Kind { LSTM, GRU, SIMPLE }

    private final Kind kind;
    private final int features, units, gates, outs;
    private final boolean backwards;
    private final Activation act, ract, denseAct;
    private final Param kernel, recurrent, bias, denseKernel, denseBias;
    private final boolean rnnTrainable, denseTrainable;
    private final TrainingConfig.Regularizer denseActivity;
    private final CellKernels.Cells cells = CellKernels.BEST;

    // buffers, reused across batches
    private int capBatch = -1, capSteps = -1;
    private float[] wk, wr, wrT, wb, dk, dkT, db;
    private float[] xt, xtT, z, rec, h, hT, c, tc, dz, drec, dh, dh2, dc, y, dy, hLastT;
    private float[] gk, gr, gd;

    private FusedRecurrentFit(TrainGraph graph, Recurrent rnn, Dense dense, Model model) {
        this.kind = rnn instanceof Lstm ? Kind.LSTM : rnn instanceof Gru ? Kind.GRU : Kind.SIMPLE;
        this.features = rnn.inputSize();
        this.units = rnn.units();
        this.gates = kind == Kind.LSTM ? 4 : kind == Kind.GRU ? 3 : 1;
        this.outs = dense.units();
        this.backwards = rnn.options().goBackwards();
        switch (kind) {
            case LSTM -> { act = ((Lstm) rnn).activation(); ract = ((Lstm) rnn).recurrentActivation(); }
            case GRU -> { act = ((Gru) rnn).activation(); ract = ((Gru) rnn).recurrentActivation(); }
            default -> { act = ((SimpleRnn) rnn).activation(); ract = act; }
        }
        this.denseAct = dense.activation();
        List<Param> rp = graph.form(rnn.name()).params(), dp = graph.form(dense.name()).params();
        this.kernel = rp.get(0);
        this.recurrent = rp.get(1);
        this.bias = rp.size() > 2 ? rp.get(2) : null;
        this.denseKernel = dp.get(0);
        this.denseBias = dp.size() > 1 ? dp.get(1) : null;
        this.rnnTrainable = kernel.trainable();
        this.denseTrainable = denseKernel.trainable();
        this.denseActivity = model.trainingConfig(dense.name()).activityRegularizer();
    }

    /**
     * The fused step for this graph and data, or null when the tape must be used ({@link #mode}
     * {@code TAPE}, or the model does not qualify under {@code AUTO}).
     *
     * @throws IllegalStateException under {@code FUSED} when the model does not qualify
     */
    static FusedRecurrentFit select(TrainGraph graph, Tensor[] x, List<Loss> losses) {
        Mode m = mode;
        if (m == Mode.TAPE) return null;
        String why = whyNot(graph.model(), x, losses);
        if (why != null) {
            if (m == Mode.FUSED) throw new IllegalStateException("the fused training path cannot run model '" + graph.model().name() + "': " + why);
            return null;
        }
        Node[] chain = chain(graph.model());
        return new FusedRecurrentFit(graph, (Recurrent) chain[0].layer(), (Dense) chain[1].layer(), graph.model());
    }

    /** Why the model cannot run on the fused path with these inputs and losses, or null when it can. */
    public static String whyNot(Model model, Tensor[] x, List<Loss> losses) {
        if (model.inputCount() != 1 || model.outputCount() != 1) return "not one input and one output";
        if (losses == null || losses.size() != 1 || losses.get(0) == null) return "not one loss";
        if (x == null || x.length != 1 || x[0].rank() != 3 || x[0].mask() != null) return "the input is not one unmasked (batch, steps, features) tensor";
        if (x[0].dim(1) == 0) return "no timesteps";
        Node[] ch = chain(model);
        if (ch == null) return "not a Sequential recurrent layer followed by a Dense layer";
        Recurrent rnn = (Recurrent) ch[0].layer();
        RecurrentOptions o = rnn.options();
        if (o.returnSequences() || o.returnState() || o.stateful()) return "the recurrent layer returns sequences or states, or is stateful";
        if (rnn instanceof Gru g && !g.resetAfter()) return "GRU with reset_after=False";
        TrainingConfig rc = model.trainingConfig(rnn.name());
        if (RecurrentTrainer.active(rc.dropout()) || RecurrentTrainer.active(rc.recurrentDropout())) return "dropout";
        if (rc.activityRegularizer() != null) return "an activity regularizer on the recurrent layer";
        Activation a, r;
        if (rnn instanceof Lstm l) { a = l.activation(); r = l.recurrentActivation(); }
        else if (rnn instanceof Gru g) { a = g.activation(); r = g.recurrentActivation(); }
        else { a = ((SimpleRnn) rnn).activation(); r = a; }
        if (!CellKernels.supports(a) || !CellKernels.supports(r)) return "cell activation " + a + "/" + r;
        if (x[0].dim(2) != rnn.inputSize()) return "input features differ from the layer's";
        return null;
    }

    /** The recurrent and Dense nodes of an {@code Input → recurrent → Dense} model, or null. */
    private static Node[] chain(Model model) {
        List<Node> rest = new ArrayList<>();
        for (Node n : model.nodes()) {
            if (n.mask() != null) return null;
            if (!(n.layer() instanceof InputLayer)) rest.add(n);
        }
        if (rest.size() != 2) return null;
        Node r = rest.get(0), d = rest.get(1);
        Layer rl = r.layer();
        if (rl.getClass() != Lstm.class && rl.getClass() != Gru.class && rl.getClass() != SimpleRnn.class) return null;
        if (d.layer().getClass() != Dense.class) return null;
        int in = model.inputNodeIds().get(0);
        if (r.inputs().size() != 1 || r.inputs().get(0).node() != in || r.inputs().get(0).index() != 0) return null;
        if (d.inputs().size() != 1 || d.inputs().get(0).node() != r.id() || d.inputs().get(0).index() != 0) return null;
        Node.Ref out = model.outputRefs().get(0);
        if (out.node() != d.id() || out.index() != 0) return null;
        return new Node[]{r, d};
    }

    private static float[] ensure(float[] a, int n) { return a != null && a.length >= n ? a : new float[n]; }

    private static float[] floats(Param p, float[] into) {
        double[] v = p.var().value();
        float[] f = ensure(into, v.length);
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return f;
    }

    private void buffers(int batch, int steps) {
        if (batch <= capBatch && steps <= capSteps && xt != null) return;
        capBatch = Math.max(batch, capBatch);
        capSteps = Math.max(steps, capSteps);
        int rows = capBatch * capSteps, gu = gates * units, bu = capBatch * units;
        xt = new float[rows * features];
        xtT = new float[rows * features];
        z = new float[rows * gu];
        dz = new float[rows * gu];
        if (kind == Kind.GRU) {
            rec = new float[rows * gu];
            drec = new float[rows * gu];
        }
        h = new float[(capSteps + 1) * bu];
        hT = new float[rows * units];
        if (kind == Kind.LSTM) {
            c = new float[(capSteps + 1) * bu];
            tc = new float[rows * units];
            dc = new float[bu];
        }
        dh = new float[bu];
        dh2 = new float[bu];
        y = new float[capBatch * outs];
        dy = new float[capBatch * outs];
        hLastT = new float[bu];
    }

    /**
     * One batch: the loss (as {@link Trainer}'s tape path reports it) with every trainable
     * parameter's gradient set. {@code xb (batch, steps, features)}, {@code yb} the targets.
     */
    Trainer.BatchLoss lossAndGradients(Tensor xb, Tensor yb, Loss loss, double[] lossWeights, List<Param> trainable) {
        int batch = xb.dim(0), steps = xb.dim(1), u = units, gu = gates * units, rows = batch * steps;
        buffers(batch, steps);
        wk = floats(kernel, wk);
        wr = floats(recurrent, wr);
        if (bias != null) wb = floats(bias, wb);
        dk = floats(denseKernel, dk);
        if (denseBias != null) db = floats(denseBias, db);

        // time-major input rows: xt[(t·batch + b)·F ..] = x[b, ts], ts reversed for go_backwards
        float[] xd = xb.data();
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < steps; t++) {
                int ts = backwards ? steps - 1 - t : t;
                System.arraycopy(xd, (b * steps + ts) * features, xt, (t * batch + b) * features, features);
            }
        }
        // input projection of every step: z = x·W + b (GRU: the input half of its bias)
        if (bias != null) {
            for (int r = 0; r < rows; r++) System.arraycopy(wb, 0, z, r * gu, gu);
        }
        Gemm.multiply(rows, gu, features, xt, 0, features, wk, 0, gu, z, 0, gu, bias != null);

        // the recurrence
        int bu = batch * u;
        java.util.Arrays.fill(h, 0, bu, 0f);
        if (kind == Kind.LSTM) java.util.Arrays.fill(c, 0, bu, 0f);
        for (int t = 0; t < steps; t++) {
            int zo = t * batch * gu;
            switch (kind) {
                case LSTM -> {
                    Gemm.multiply(batch, gu, u, h, t * bu, u, wr, 0, gu, z, zo, gu, true);
                    cells.lstmForward(batch, u, act, ract, z, zo, c, t * bu, (t + 1) * bu, tc, t * bu, h, (t + 1) * bu);
                }
                case GRU -> {
                    if (bias != null) CellKernels.fillRows(batch, gu, wb, gu, rec, zo);
                    Gemm.multiply(batch, gu, u, h, t * bu, u, wr, 0, gu, rec, zo, gu, bias != null);
                    cells.gruForward(batch, u, act, ract, z, zo, rec, zo, h, t * bu, (t + 1) * bu);
                }
                case SIMPLE -> {
                    Gemm.multiply(batch, gu, u, h, t * bu, u, wr, 0, gu, z, zo, gu, true);
                    cells.simpleForward(bu, act, z, zo, h, (t + 1) * bu);
                }
            }
        }
        // Dense pre-activation on the last output
        int last = steps * bu;
        if (denseBias != null) CellKernels.fillRows(batch, outs, db, 0, y, 0);
        Gemm.multiply(batch, outs, u, h, last, u, dk, 0, outs, y, 0, outs, denseBias != null);

        // the Dense activation, loss and penalties on a small tape from the pre-activation
        double[] yz = new double[batch * outs];
        for (int i = 0; i < yz.length; i++) yz[i] = y[i];
        Tape tape = new Tape();
        Var pre = Var.leaf(new int[]{batch, outs}, yz);
        Var out = Ops.activation(tape, pre, denseAct);
        Var li = loss.compute(tape, TrainGraph.constant(yb), out);
        double[] perOutput = {li.value()[0]};
        if (lossWeights != null) li = Ops.scale(tape, li, (float) lossWeights[0]);
        Var total = li;
        if (denseActivity != null) total = Ops.add(tape, total, Regularization.activityPenalty(tape, out, denseActivity));
        Var reg = Regularization.weightPenalty(tape, trainable);
        if (reg != null) total = Ops.add(tape, total, reg);
        if (!Double.isFinite(total.value()[0])) return new Trainer.BatchLoss(total, perOutput);
        tape.backward(total);
        double[] gy = pre.grad();
        for (int i = 0; i < batch * outs; i++) dy[i] = gy == null ? 0f : (float) gy[i];

        // Dense gradients: dK = h_lastᵀ·dy, db = Σ dy
        if (denseTrainable) {
            CellKernels.transpose(batch, u, h, last, hLastT, 0);
            gd = ensure(gd, u * outs);
            Gemm.multiply(u, outs, batch, hLastT, 0, batch, dy, 0, outs, gd, 0, outs, false);
            add(denseKernel, gd, u * outs);
            if (denseBias != null) CellKernels.addColumnSums(batch, outs, dy, denseBias.var().gradBuffer(), 0);
        }
        if (!rnnTrainable) return new Trainer.BatchLoss(total, perOutput);

        // dh of the last output = dy·Kᵀ
        dkT = ensure(dkT, outs * u);
        CellKernels.transpose(u, outs, dk, 0, dkT, 0);
        Gemm.multiply(batch, u, outs, dy, 0, outs, dkT, 0, u, dh, 0, u, false);
        wrT = ensure(wrT, gu * u);
        CellKernels.transpose(u, gu, wr, 0, wrT, 0);
        if (kind == Kind.LSTM) java.util.Arrays.fill(dc, 0, bu, 0f);
        float[] dRec = kind == Kind.GRU ? drec : dz;
        for (int t = steps - 1; t >= 0; t--) {
            int zo = t * batch * gu;
            switch (kind) {
                case LSTM -> {
                    cells.lstmBackward(batch, u, act, ract, z, zo, c, t * bu, tc, t * bu, dh, 0, dc, dz, zo);
                    if (t > 0) Gemm.multiply(batch, u, gu, dz, zo, gu, wrT, 0, u, dh, 0, u, false);
                }
                case GRU -> {
                    cells.gruBackward(batch, u, act, ract, z, zo, rec, zo, h, t * bu, dh, dz, zo, drec, zo, dh2);
                    if (t > 0) {
                        Gemm.multiply(batch, u, gu, drec, zo, gu, wrT, 0, u, dh2, 0, u, true);
                        float[] s = dh;
                        dh = dh2;
                        dh2 = s;
                    }
                }
                case SIMPLE -> {
                    cells.simpleBackward(bu, act, h, (t + 1) * bu, dh, dz, zo);
                    if (t > 0) Gemm.multiply(batch, u, gu, dz, zo, gu, wrT, 0, u, dh, 0, u, false);
                }
            }
        }
        // weight gradients over all steps: dW = Xᵀ·dZ, dU = Hprevᵀ·dRec (step 0's h_prev is zero)
        CellKernels.transpose(rows, features, xt, 0, xtT, 0);
        gk = ensure(gk, features * gu);
        Gemm.multiply(features, gu, rows, xtT, 0, rows, dz, 0, gu, gk, 0, gu, false);
        add(kernel, gk, features * gu);
        gr = ensure(gr, u * gu);
        if (steps > 1) {
            int prevRows = rows - batch;
            CellKernels.transpose(prevRows, u, h, bu, hT, 0);
            Gemm.multiply(u, gu, prevRows, hT, 0, prevRows, dRec, batch * gu, gu, gr, 0, gu, false);
        } else {
            java.util.Arrays.fill(gr, 0, u * gu, 0f);
        }
        add(recurrent, gr, u * gu);
        if (bias != null) {
            double[] gb = bias.var().gradBuffer();
            CellKernels.addColumnSums(rows, gu, dz, gb, 0);
            if (kind == Kind.GRU) CellKernels.addColumnSums(rows, gu, drec, gb, gu);
        }
        return new Trainer.BatchLoss(total, perOutput);
    }

    private static void add(Param p, float[] g, int n) {
        double[] b = p.var().gradBuffer();
        for (int i = 0; i < n; i++) b[i] += g[i];
    }
}

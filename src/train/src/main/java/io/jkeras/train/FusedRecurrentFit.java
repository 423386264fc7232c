package io.jkeras.train;

import io.jkeras.kernels.Activation;
import io.jkeras.kernels.CellKernels;
import io.jkeras.kernels.Gemm;
import io.jkeras.kernels.Engine;
import io.jkeras.layers.Dense;
import io.jkeras.layers.GatePanel;
import io.jkeras.layers.Gru;
import io.jkeras.layers.InputLayer;
import io.jkeras.layers.Recurrent;
import io.jkeras.layers.RecurrentOptions;
import io.jkeras.layers.TimeDistributed;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.layers.Layer;
import io.jkeras.model.Model;
import io.jkeras.model.Node;
import io.jkeras.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * A fused float32 training step for the most common fine-tuning models: a Sequential chain of
 * LSTM, GRU (either reset_after) or SimpleRNN layers, then a Dense layer on the last output or on
 * every step's output (on the sequence, or in TimeDistributed). Every recurrent layer but the
 * last returns sequences (the last one too for a per-step Dense layer); go_backwards only on the
 * first; no masks, dropout or returned states (stateful layers carry their states through the
 * graph as on the tape). Instead of recording every
 * operation on the
 * double-precision {@link Tape}, one batch runs as a handful of matrix products over the whole
 * batch, layer by layer:
 * <ul>
 * <li>forward: per step (rows time-major), the step's input projection {@code x·W + b} and one
 * batched recurrent product {@code H·U} into the same rows, then per sample the inference cell
 * ({@link CellKernels}, weights packed into the {@code GatePanel} layout once per batch), keeping the
 * gate activations it leaves, the carries and the outputs of every step; then the Dense layer as one
 * product over its rows;</li>
 * <li>the Dense activation, the loss (with its loss weight), the Dense layer's activity penalty
 * and the weight penalties run on a small tape from the Dense pre-activation, so every loss keeps
 * exactly the tape's definition (crossentropies from logits included); the recurrent layers'
 * activity penalties are computed directly, their gradients added to the outputs' gradients;</li>
 * <li>backward through time: per step the backward method beside that cell, per sample, and one
 * batched product for the previous state's gradient, then the weight gradients over all steps at once
 * ({@code dW = Xᵀ·dZ}, {@code dU = Hprevᵀ·dZ}, column sums for the biases) and, for the layer
 * below, the gradient of its whole output sequence as one product {@code dZ·Wᵀ}.</li>
 * </ul>
 * The gradients land in the {@link Param}s (in double, added to the penalties' gradients), so the
 * trainer then applies Keras' clipping, optimizer update, rounding and constraints exactly as for
 * the tape. Weights are read from the Params each batch and rounded to float32 (they are float32
 * values already). Buffers are kept across batches. The weight gradients are computed transposed
 * with {@link Gemm#multiplyAtB}, reading the stored sequences in place; the small constant
 * weights ({@code Uᵀ}, {@code Wᵀ}, {@code Kᵀ}) are transposed once per batch into reused buffers.
 * The per-step work of both time loops is split by samples of the batch across the threads of
 * the current {@link Engine}, with the same results however it is split.
 *
 * <p>{@link FitOptions#trainPath} selects the path for {@link Trainer#fit}: {@code auto} (the fused
 * step when the model qualifies, else the tape), {@code tape}, or {@code fused} (fails when the model
 * does not qualify); the system property {@code jkeras.train.path} sets the default
 * ({@link #defaultMode()}).
 */
public final class FusedRecurrentFit {
    /** Which training path {@link Trainer#fit} takes. */
    public enum Mode { AUTO, TAPE, FUSED }

    private static final Mode DEFAULT_MODE = initialMode();

    private static Mode initialMode() {
        String s = System.getProperty("jkeras.train.path", "auto");
        try {
            return Mode.valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return Mode.AUTO;
        }
    }

    /** The default of {@link FitOptions#trainPath}: system property {@code jkeras.train.path}, else {@code AUTO}. */
    public static Mode defaultMode() { return DEFAULT_MODE; }

    /** GRU is reset_after=True, GRU1 reset_after=False. */
    private enum Kind { LSTM, GRU, GRU1, SIMPLE }

    /** One recurrent layer of the chain, with its buffers (time-major rows: step t, sample b at row t·batch + b). */
    private static final class Part {
        final Kind kind;
        final int features, units, gates;
        final boolean returnSequences;
        final Activation act, ract;
        /** The cells' activation codes, and the layer's GatePanel layout (width {@link #width}). */
        final int actCode, ractCode, width;
        final GatePanel panel;
        final Param kernel, recurrent, bias;
        final boolean trainable;
        /** The layer's activity regularizer, or null. */
        final TrainingConfig.Regularizer activity;
        /** The layer's call (its carried states, when stateful, are the graph's for this node). */
        final Node node;
        final boolean stateful;
        /** Whether this batch starts from a nonzero state (then step 0's h_prev enters dU). */
        boolean startsFromState;
        /** The weights in Keras' layout (as the Params hold them), then in the GatePanel layout. */
        float[] wkK, wrK, wbK, wk, wr, wb;
        /** Transposes of wr and wk; for GRU1, wrT with only the z and r columns, and with only the h columns. */
        float[] wrT, wkT, wrTzr, wrTh;
        /** Column sums of a gradient (width). */
        double[] sums;
        /**
         * The input rows (rows × features): the gathered x for the first layer, else the previous layer's {@link #h}
         * from {@link #inOff}.
         */
        float[] in;
        int inOff;
        float[] z, rec, h, c, tc, dz, drec, dh, gk, gr, q;
        /** Gradient of every step's output (rows × units), from the layer above; null for the last layer. */
        float[] dhSeq;
        /**
         * Per part of the batch (by its first sample): the running state gradients dh, dh2, dc, dq, and the
         * cells' work space.
         */
        private final java.util.Map<Integer, float[][]> states = new java.util.concurrent.ConcurrentHashMap<>();

        /**
         * The state-gradient buffers of the part of the batch starting at sample {@code b0}, each at least {@code n}
         * long.
         */
        float[][] state(int b0, int n) {
            float[][] s = states.computeIfAbsent(b0, k -> new float[5][]);
            for (int i = 0; i < 4; i++) s[i] = ensure(s[i], n);
            s[4] = ensure(s[4], CellKernels.workSize(units, gates));
            return s;
        }

        Part(TrainGraph graph, Node node, TrainingConfig.Regularizer activity) {
            Recurrent rnn = (Recurrent) node.layer();
            this.activity = activity;
            this.node = node;
            this.stateful = rnn.stateful();
            Cell cell = Cell.of(rnn);
            kind = cell.kind();
            features = rnn.inputSize();
            units = rnn.units();
            gates = kind == Kind.LSTM ? 4 : kind == Kind.SIMPLE ? 1 : 3;
            returnSequences = rnn.options().returnSequences();
            act = cell.act();
            ract = cell.ract();
            actCode = act.cellCode();
            ractCode = ract.cellCode();
            panel = new GatePanel(units, gates);
            width = panel.width();
            List<Param> rp = graph.form(rnn.name()).params();
            kernel = rp.get(0);
            recurrent = rp.get(1);
            bias = rp.size() > 2 ? rp.get(2) : null;
            trainable = kernel.trainable();
        }

        void buffers(int capBatch, int capSteps, boolean first) {
            int rows = capBatch * capSteps, bu = capBatch * units;
            if (first) in = new float[rows * features];
            z = new float[rows * width];
            dz = new float[rows * width];
            if (kind == Kind.GRU) {
                rec = new float[rows * width];
                drec = new float[rows * width];
            }
            if (kind == Kind.GRU1) {
                rec = new float[capBatch * width];
                q = new float[rows * units];
            }
            h = new float[(capSteps + 1) * bu];
            if (kind == Kind.LSTM) {
                c = new float[(capSteps + 1) * bu];
                tc = new float[(capSteps + 1) * bu]; // act(c) of every step, as lstmCell leaves it
            }
            dh = new float[bu];
            if (returnSequences) dhSeq = new float[rows * units];
        }
    }

    private final TrainGraph graph;
    private final Part[] parts;
    private final int outs;
    private final boolean backwards;
    private final Activation denseAct;
    private final Param denseKernel, denseBias;
    private final boolean denseTrainable;
    private final TrainingConfig.Regularizer denseActivity;
    /**
     * The Dense layer runs on every step's output (the last recurrent layer returns sequences); {@link #wrapped} when
     * in TimeDistributed.
     */
    private final boolean seqHead, wrapped;
    private final CellKernels cells = Engine.current().kernels().cells();

    // buffers, reused across batches
    private int capBatch = -1, capSteps = -1;
    private float[] dk, dkT, db, y, dy, gd;

    private FusedRecurrentFit(TrainGraph graph, List<Node> nodes, Layer head, Model model) {
        this.graph = graph;
        List<Recurrent> rnns = new ArrayList<>();
        for (Node n : nodes) rnns.add((Recurrent) n.layer());
        Dense dense = head instanceof TimeDistributed td ? (Dense) td.inner() : (Dense) head;
        this.wrapped = head instanceof TimeDistributed;
        this.seqHead = rnns.get(rnns.size() - 1).options().returnSequences();
        parts = new Part[rnns.size()];
        for (int i = 0; i < parts.length; i++) parts[i] = new Part(graph, nodes.get(i),
                model.trainingConfig(rnns.get(i).name()).activityRegularizer());
        this.outs = dense.units();
        this.backwards = rnns.get(0).options().goBackwards();
        this.denseAct = dense.activation();
        List<Param> dp = graph.form(head.name()).params();
        this.denseKernel = dp.get(0);
        this.denseBias = dp.size() > 1 ? dp.get(1) : null;
        this.denseTrainable = denseKernel.trainable();
        this.denseActivity = model.trainingConfig(head.name()).activityRegularizer();
    }

    /**
     * The fused step for this graph and data, or null when the tape must be used (mode
     * {@code TAPE}, or the model does not qualify under {@code AUTO}).
     *
     * @throws IllegalStateException under {@code FUSED} when the model does not qualify
     */
    static FusedRecurrentFit select(TrainGraph graph, Tensor[] x, List<Loss> losses) {
        return select(graph, x, losses, Mode.AUTO);
    }

    /** {@link #select(TrainGraph, Tensor[], List)} under mode {@code m}. */
    static FusedRecurrentFit select(TrainGraph graph, Tensor[] x, List<Loss> losses, Mode m) {
        if (m == Mode.TAPE) return null;
        String why = whyNot(graph.model(), x, losses);
        if (why != null) {
            if (m == Mode.FUSED) throw new IllegalStateException("the fused training path cannot run model '"
                    + graph.model().name() + "': " + why);
            return null;
        }
        List<Node> chain = chain(graph.model());
        return new FusedRecurrentFit(graph, chain.subList(0, chain.size() - 1), chain.get(chain.size() - 1).layer(),
                graph.model());
    }

    /** Why the model cannot run on the fused path with these inputs and losses, or null when it can. */
    public static String whyNot(Model model, Tensor[] x, List<Loss> losses) {
        if (model.inputCount() != 1 || model.outputCount() != 1) return "not one input and one output";
        if (losses == null || losses.size() != 1 || losses.get(0) == null) return "not one loss";
        if (x == null || x.length != 1 || x[0].rank() != 3
                || x[0].mask() != null) return "the input is not one unmasked (batch, steps, features) tensor";
        if (x[0].dim(1) == 0) return "no timesteps";
        List<Node> ch = chain(model);
        if (ch == null) return "not a Sequential chain of recurrent layers followed by a Dense layer";
        boolean wrapped = ch.get(ch.size() - 1).layer() instanceof TimeDistributed;
        for (int i = 0; i < ch.size() - 1; i++) {
            Recurrent rnn = (Recurrent) ch.get(i).layer();
            boolean last = i == ch.size() - 2;
            RecurrentOptions o = rnn.options();
            if (!last && !o.returnSequences()) return "layer '" + rnn.name() + "' does not return sequences";
            if (last && wrapped && !o.returnSequences()) return "TimeDistributed after a layer that returns its last"
                    + " output only";
            if (o.returnState()) return "layer '" + rnn.name() + "' returns states";
            if (o.goBackwards() && i > 0) return "go_backwards on a layer after the first";
            TrainingConfig rc = model.trainingConfig(rnn.name());
            if (RecurrentTrainer.active(rc.dropout())
                    || RecurrentTrainer.active(rc.recurrentDropout())) return "dropout";
            Cell cell = Cell.of(rnn);
            Activation a = cell.act(), r = cell.ract();
            if (!CellKernels.trains(a) || !CellKernels.trains(r)) return "cell activation " + a + "/" + r;
            if (i == 0 && x[0].dim(2) != rnn.inputSize()) return "input features differ from the layer's";
        }
        return null;
    }

    /** The recurrent nodes then the Dense node of an {@code Input → recurrent… → Dense} model, or null. */
    private static List<Node> chain(Model model) {
        List<Node> rest = new ArrayList<>();
        for (Node n : model.nodes()) {
            if (n.mask() != null) return null;
            if (!(n.layer() instanceof InputLayer)) rest.add(n);
        }
        if (rest.size() < 2) return null;
        int prev = model.inputNodeIds().get(0);
        for (int i = 0; i < rest.size(); i++) {
            Node n = rest.get(i);
            Class<?> c = n.layer().getClass();
            boolean last = i == rest.size() - 1;
            boolean head = c == Dense.class || c == TimeDistributed.class && ((TimeDistributed) n.layer()).inner()
                    .getClass() == Dense.class;
            if (last ? !head : Cell.of(n.layer()) == null) return null;
            if (n.inputs().size() != 1 || n.inputs().get(0).node() != prev || n.inputs().get(0)
                    .index() != 0) return null;
            prev = n.id();
        }
        Node.Ref out = model.outputRefs().get(0);
        if (out.node() != prev || out.index() != 0) return null;
        return rest;
    }

    private static float[] ensure(float[] a, int n) { return a != null && a.length >= n ? a : new float[n]; }

    private static float[] floats(Param p, float[] into) {
        double[] v = p.var().value();
        float[] f = ensure(into, v.length);
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return f;
    }

    private void buffers(int batch, int steps) {
        if (batch <= capBatch && steps <= capSteps) return;
        capBatch = Math.max(batch, capBatch);
        capSteps = Math.max(steps, capSteps);
        for (int i = 0; i < parts.length; i++) parts[i].buffers(capBatch, capSteps, i == 0);
        int u = parts[parts.length - 1].units;
        int hr = seqHead ? capBatch * capSteps : capBatch;
        y = new float[hr * outs];
        dy = new float[hr * outs];
    }

    /**
     * One batch: the loss (as {@link Trainer}'s tape path reports it) with every trainable
     * parameter's gradient set. {@code xb (batch, steps, features)}, {@code yb} the targets.
     */
    Trainer.BatchLoss lossAndGradients(Tensor xb, Tensor yb, Loss loss, double[] lossWeights, List<Param> trainable) {
        return run(xb, yb, loss, lossWeights, trainable, true);
    }

    /** One batch's loss only (no gradient is touched), as the tape's evaluation computes it. */
    Trainer.BatchLoss loss(Tensor xb, Tensor yb, Loss loss, double[] lossWeights, List<Param> trainable) {
        return run(xb, yb, loss, lossWeights, trainable, false);
    }

    private Trainer.BatchLoss run(Tensor xb, Tensor yb, Loss loss, double[] lossWeights, List<Param> trainable,
            boolean gradients) {
        int batch = xb.dim(0), steps = xb.dim(1), rows = batch * steps;
        buffers(batch, steps);
        Part p0 = parts[0];
        // time-major input rows: in[(t·batch + b)·F ..] = x[b, ts], ts reversed for go_backwards
        float[] xd = xb.data();
        int f0 = p0.features;
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < steps; t++) {
                int ts = backwards ? steps - 1 - t : t;
                System.arraycopy(xd, (b * steps + ts) * f0, p0.in, (t * batch + b) * f0, f0);
            }
        }
        p0.inOff = 0;
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                parts[i].in = parts[i - 1].h;
                parts[i].inOff = batch * parts[i - 1].units;  // step 1's output onwards: row t of the sequence
            }
            forward(parts[i], batch, steps);
        }
        Part top = parts[parts.length - 1];
        // the Dense layer's rows: the last output (batch rows), or every step's (batch·steps rows, time-major)
        int u = top.units, hr = seqHead ? rows : batch, hOff = seqHead ? batch * u : steps * batch * u;
        dk = floats(denseKernel, dk);
        if (denseBias != null) db = floats(denseBias, db);
        if (denseBias != null) Gemm.fillRows(hr, outs, db, 0, y, 0);
        Gemm.multiply(hr, outs, u, top.h, hOff, u, dk, 0, outs, y, 0, outs, denseBias != null);

        // the Dense activation, loss and penalties on a small tape from the pre-activation, laid out
        // as the tape path has it: (batch, outs), (batch, steps, outs), or TimeDistributed's (batch·steps, outs)
        double[] yz = new double[hr * outs];
        if (seqHead) {
            for (int b = 0; b < batch; b++)
                for (int t = 0; t < steps; t++)
                    for (int o = 0; o < outs; o++) yz[(b * steps + t) * outs + o] = y[(t * batch + b) * outs + o];
        } else {
            for (int i = 0; i < yz.length; i++) yz[i] = y[i];
        }
        Tape tape = new Tape();
        Var pre = Var.leaf(seqHead && !wrapped ? new int[]{batch, steps, outs} : new int[]{hr, outs}, yz);
        Var out = Ops.activation(tape, pre, denseAct);
        if (wrapped) out = Ops.reshape(tape, out, new int[]{batch, steps, outs}, false);
        Var li = loss.compute(tape, TrainGraph.constant(yb), out);
        double[] perOutput = {li.value()[0]};
        if (lossWeights != null) li = Ops.scale(tape, li, (float) lossWeights[0]);
        Var total = li;
        for (Part p : parts) {
            if (p.activity != null) total = Ops.add(tape, total,
                    Var.constant(new int[0], new double[]{activityPenalty(p, batch, steps, null)}));
        }
        if (denseActivity != null) total = Ops.add(tape, total,
                Regularization.activityPenalty(tape, out, denseActivity));
        Var reg = Regularization.weightPenalty(tape, trainable);
        if (reg != null) total = Ops.add(tape, total, reg);
        if (!gradients || !Double.isFinite(total.value()[0])) return new Trainer.BatchLoss(total, perOutput);
        tape.backward(total);
        double[] gy = pre.grad();
        if (gy == null) {
            java.util.Arrays.fill(dy, 0, hr * outs, 0f);
        } else if (seqHead) {
            for (int b = 0; b < batch; b++)
                for (int t = 0; t < steps; t++)
                    for (int o = 0; o < outs; o++) dy[(t * batch + b) * outs + o] = (float) gy[(b * steps + t) * outs
                            + o];
        } else {
            for (int i = 0; i < hr * outs; i++) dy[i] = (float) gy[i];
        }

        // Dense gradients: dK = Hᵀ·dy, db = Σ dy
        if (denseTrainable) {
            gd = ensure(gd, u * outs);
            Gemm.multiplyAtB(u, outs, hr, top.h, hOff, u, dy, 0, outs, gd, 0, outs, false);
            add(denseKernel, gd, u * outs);
            if (denseBias != null) Gemm.addColumnSums(hr, outs, dy, denseBias.var().gradBuffer(), 0);
        }
        // the lowest layer that trains: nothing below it needs a gradient
        int lowest = -1;
        for (int i = 0; i < parts.length && lowest < 0; i++) if (parts[i].trainable) lowest = i;
        if (lowest < 0) return new Trainer.BatchLoss(total, perOutput);

        // the top layer's output gradient = dy·Kᵀ: its last output's, or every step's
        dkT = ensure(dkT, outs * u);
        Gemm.transpose(u, outs, dk, 0, dkT, 0);
        Gemm.multiply(hr, u, outs, dy, 0, outs, dkT, 0, u, seqHead ? top.dhSeq : top.dh, 0, u, false);
        for (int i = parts.length - 1; i >= lowest; i--) backward(parts[i], i > lowest ? parts[i - 1] : null, batch,
                steps);
        return new Trainer.BatchLoss(total, perOutput);
    }

    /**
     * A recurrent layer's activity penalty as {@link Regularization#activityPenalty} computes it on
     * its output (the last step's, or every step's), {@code (l1·Σ|h| + l2·Σh²)/batch}; with
     * {@code grad} not null, also adds its gradient to {@code grad} (packed like the output).
     */
    private static double activityPenalty(Part p, int batch, int steps, float[] grad) {
        int bu = batch * p.units, from = p.returnSequences ? bu : steps * bu, n = p.returnSequences ? steps * bu : bu;
        double l1 = (float) p.activity.l1(), l2 = (float) p.activity.l2(), scale = 1.0 / batch;
        double a = 0, sq = 0;
        for (int i = 0; i < n; i++) {
            double v = p.h[from + i];
            a += Math.abs(v);
            sq += v * v;
            if (grad != null) grad[i] += (float) (scale * (l1 * Math.signum(v) + 2 * l2 * v));
        }
        return scale * ((l1 != 0 ? l1 * a : 0) + (l2 != 0 ? l2 * sq : 0));
    }

    /** The forward pass of one layer over the batch: every step's activations, carries and outputs kept. */
    private void forward(Part p, int batch, int steps) {
        int u = p.units, bu = batch * u;
        // the weights in the cells' GatePanel layout (GRU's bias: its input row, then its recurrent row)
        p.wkK = floats(p.kernel, p.wkK);
        p.wrK = floats(p.recurrent, p.wrK);
        p.wk = p.panel.pack(p.wkK, p.features);
        p.wr = p.panel.pack(p.wrK, u);
        if (p.bias != null) {
            p.wbK = floats(p.bias, p.wbK);
            p.wb = p.panel.pack(p.wbK, p.kind == Kind.GRU ? 2 : 1);
        }
        float[] h = p.h;
        java.util.Arrays.fill(h, 0, bu, 0f);
        if (p.kind == Kind.LSTM) java.util.Arrays.fill(p.c, 0, bu, 0f);
        p.startsFromState = false;
        double[][] carried = p.stateful ? graph.carried(p.node) : null;
        if (carried != null) {
            // a stateful layer starts from the states the previous batch left (null: zeros)
            for (int i = 0; i < carried.length; i++) {
                double[] st = carried[i];
                if (st == null) continue;
                if (st.length != bu) throw new io.jkeras.exceptions.InputException("stateful layer carries states of "
                        + st.length / u + " samples, got a batch of " + batch);
                float[] dst = i == 0 ? h : p.c;
                for (int j = 0; j < bu; j++) dst[j] = (float) st[j];
                p.startsFromState = true;
            }
        }
        int parts = parts(batch);
        Engine.current().pool().run(parts,
                q -> forwardRows(p, batch, steps, lo(batch, parts, q), lo(batch, parts, q + 1)));
        if (carried != null) {
            // the final states, carried to the next batch
            for (int i = 0; i < carried.length; i++) {
                float[] src = i == 0 ? h : p.c;
                double[] st = new double[bu];
                for (int j = 0; j < bu; j++) st[j] = src[steps * bu + j];
                carried[i] = st;
            }
        }
    }

    /**
     * The time loop of {@link #forward} for samples {@code [b0, b1)} of the batch: their rows of
     * every step are contiguous (time-major layout), and no other rows enter them, so parts of the
     * batch run on separate threads without synchronising per step, and every value is the same
     * however the batch is split (each product row is computed by the same kernel arithmetic).
     */
    private void forwardRows(Part p, int batch, int steps, int b0, int b1) {
        int nb = b1 - b0;
        if (nb <= 0) return;
        int u = p.units, w = p.width, bu = batch * u, so = b0 * u, go = b0 * w;
        float[] z = p.z, h = p.h, work = p.state(b0, nb * u)[4];
        int f = p.features;
        boolean bias = p.bias != null;
        for (int t = 0; t < steps; t++) {
            int zo = t * batch * w + go, hp = t * bu + so, hn = (t + 1) * bu + so;
            // the step's input projection z = x·W + b (GRU: the input row of its bias), on rows
            // still in cache for the recurrent product and the cells that follow
            if (bias) Gemm.fillRows(nb, w, p.wb, 0, z, zo);
            Gemm.multiply(nb, w, f, p.in, p.inOff + (t * batch + b0) * f, f, p.wk, 0, w, z, zo, w, bias, 1);
            // then per sample the cell inference runs, which leaves the activated gates in z
            switch (p.kind) {
                case LSTM -> {
                    Gemm.multiply(nb, w, u, h, hp, u, p.wr, 0, w, z, zo, w, true, 1);
                    System.arraycopy(p.c, hp, p.c, hn, nb * u);
                    for (int b = 0; b < nb; b++) {
                        cells.lstmCell(z, zo + b * w, p.c, hn + b * u, h, hn + b * u, u, p.actCode, p.ractCode, work);
                        System.arraycopy(work, 0, p.tc, hn + b * u, u);
                    }
                }
                case GRU -> {
                    if (bias) Gemm.fillRows(nb, w, p.wb, w, p.rec, zo);
                    Gemm.multiply(nb, w, u, h, hp, u, p.wr, 0, w, p.rec, zo, w, bias, 1);
                    for (int b = 0; b < nb; b++) {
                        cells.gruCell(z, zo + b * w, p.rec, zo + b * w, null, h, hp + b * u, h, hn + b * u, u,
                                p.actCode, p.ractCode, work);
                    }
                }
                case GRU1 -> {
                    // z, r from h·U; then the candidate from (r·h)·U
                    Gemm.multiply(nb, w, u, h, hp, u, p.wr, 0, w, p.rec, go, w, false, 1);
                    for (int b = 0; b < nb; b++) {
                        cells.gruGatesBefore(z, zo + b * w, p.rec, go + b * w, h, hp + b * u, p.q, hp + b * u, u,
                                p.ractCode);
                    }
                    Gemm.multiply(nb, w, u, p.q, hp, u, p.wr, 0, w, p.rec, go, w, false, 1);
                    for (int b = 0; b < nb; b++) {
                        cells.gruCandidateBefore(z, zo + b * w, p.rec, go + b * w, h, hp + b * u, h, hn + b * u, u,
                                p.actCode);
                    }
                }
                case SIMPLE -> {
                    Gemm.multiply(nb, w, u, h, hp, u, p.wr, 0, w, z, zo, w, true, 1);
                    for (int b = 0; b < nb; b++) cells.simpleCell(z, zo + b * w, h, hn + b * u, u, p.actCode, work);
                }
            }
        }
    }

    /**
     * Backward through time for one layer, from {@code p.dh} (the last output's gradient; zero
     * when the layer returns sequences) and {@code p.dhSeq} (every step's, when it does). Adds
     * the weight gradients when the layer trains, and writes the gradient of its input sequence
     * into {@code below.dhSeq} when {@code below} is not null.
     */
    private void backward(Part p, Part below, int batch, int steps) {
        int u = p.units, w = p.width, gu = p.gates * u, rows = batch * steps, bu = batch * u;
        if (p.returnSequences) java.util.Arrays.fill(p.dh, 0, bu, 0f);
        if (p.activity != null) activityPenalty(p, batch, steps, p.returnSequences ? p.dhSeq : p.dh);
        p.wrT = ensure(p.wrT, w * u);
        Gemm.transpose(u, w, p.wr, 0, p.wrT, 0);
        if (p.kind == Kind.GRU1) {
            // Uᵀ with only the rows of the z and r columns, and with only those of the h columns
            p.wrTzr = ensure(p.wrTzr, w * u);
            p.wrTh = ensure(p.wrTh, w * u);
            for (int col = 0; col < w; col++) {
                boolean candidate = col / GatePanel.BLOCK % 3 == 2;
                System.arraycopy(p.wrT, col * u, candidate ? p.wrTh : p.wrTzr, col * u, u);
                java.util.Arrays.fill(candidate ? p.wrTzr : p.wrTh, col * u, (col + 1) * u, 0f);
            }
        }
        float[] dz = p.dz, dRec = p.kind == Kind.GRU ? p.drec : dz;
        int parts = parts(batch);
        Engine.current().pool().run(parts,
                q -> backwardRows(p, batch, steps, lo(batch, parts, q), lo(batch, parts, q + 1)));
        if (p.trainable) {
            // weight gradients over all steps, computed transposed so that the tall operands are read
            // in place (no transposed copies) and the product has many rows (the kernel then packs
            // the narrow right operand, which stays in cache): dWᵀ = dZᵀ·X, dUᵀ = dRecᵀ·Hprev, in the
            // GatePanel columns, added to the Keras-layout gradients column by column
            // (step 0's h_prev is zero unless the layer starts from a carried state)
            p.gk = ensure(p.gk, w * p.features);
            Gemm.multiplyAtB(w, p.features, rows, dz, 0, w, p.in, p.inOff, p.features, p.gk, 0, p.features, false);
            addPanelTransposed(p.kernel, p.gk, p.features, p.panel, 0, p.gates);
            p.gr = ensure(p.gr, w * u);
            p.recurrent.var().gradBuffer();
            if (p.kind == Kind.GRU1) {
                // dU of the z and r columns = Hprevᵀ·dZ (rows from 0: h_prev of step 0 is zero or carried), of the
                // h columns = Qᵀ·dZ
                Gemm.multiplyAtB(w, u, rows, dz, 0, w, p.h, 0, u, p.gr, 0, u, false);
                addPanelTransposed(p.recurrent, p.gr, u, p.panel, 0, 2);
                Gemm.multiplyAtB(w, u, rows, dz, 0, w, p.q, 0, u, p.gr, 0, u, false);
                addPanelTransposed(p.recurrent, p.gr, u, p.panel, 2, 3);
            } else if (p.startsFromState) {
                Gemm.multiplyAtB(w, u, rows, dRec, 0, w, p.h, 0, u, p.gr, 0, u, false);
                addPanelTransposed(p.recurrent, p.gr, u, p.panel, 0, p.gates);
            } else if (steps > 1) {
                Gemm.multiplyAtB(w, u, rows - batch, dRec, batch * w, w, p.h, bu, u, p.gr, 0, u, false);
                addPanelTransposed(p.recurrent, p.gr, u, p.panel, 0, p.gates);
            }
            if (p.bias != null) {
                double[] gb = p.bias.var().gradBuffer();
                p.sums = p.sums != null && p.sums.length == w ? p.sums : new double[w];
                addPanelSums(rows, dz, p.panel, p.sums, gb, 0);
                if (p.kind == Kind.GRU) addPanelSums(rows, p.drec, p.panel, p.sums, gb, gu);
            }
        }
        if (below != null) {
            // the input sequence's gradient: dX = dZ·Wᵀ
            p.wkT = ensure(p.wkT, w * p.features);
            Gemm.transpose(p.features, w, p.wk, 0, p.wkT, 0);
            Gemm.multiply(rows, p.features, w, dz, 0, w, p.wkT, 0, p.features, below.dhSeq, 0, p.features, false);
        }
    }

    /**
     * Adds the gradient of gates {@code [g0, g1)} of a (rows × gates·units) Keras-layout parameter from
     * {@code g}, its transpose in the GatePanel layout (width × rows).
     */
    private static void addPanelTransposed(Param p, float[] g, int rows, GatePanel panel, int g0, int g1) {
        double[] b = p.var().gradBuffer();
        int u = panel.units(), gu = panel.gates() * u, from = g0 * u, to = g1 * u;
        int[] src = new int[to - from]; // the panel column of each Keras column, times rows
        for (int k = from; k < to; k++) src[k - from] = panel.column(k / u, k % u) * rows;
        // row by row: the writes run along a Keras row, the reads step through g's columns
        for (int i = 0; i < rows; i++) {
            int row = i * gu;
            for (int k = from; k < to; k++) b[row + k] += g[src[k - from] + i];
        }
    }

    /** Adds the column sums (in double) of {@code rows} GatePanel rows of {@code m} to a Keras-layout bias row. */
    private static void addPanelSums(int rows, float[] m, GatePanel panel, double[] sums, double[] out, int off) {
        java.util.Arrays.fill(sums, 0.0);
        Gemm.addColumnSums(rows, panel.width(), m, sums, 0);
        int u = panel.units();
        for (int gate = 0; gate < panel.gates(); gate++) {
            for (int un = 0; un < u; un++) out[off + gate * u + un] += sums[panel.column(gate, un)];
        }
    }

    /**
     * The time loop of {@link #backward} for samples {@code [b0, b1)} of the batch, from their rows
     * of {@code p.dh} and {@code p.dhSeq}; the running state gradients live in buffers of this part
     * of the batch ({@link Part#state}), so parts run on separate threads independently.
     */
    private void backwardRows(Part p, int batch, int steps, int b0, int b1) {
        int nb = b1 - b0;
        if (nb <= 0) return;
        int u = p.units, w = p.width, bu = batch * u, so = b0 * u, go = b0 * w, nu = nb * u;
        float[][] st = p.state(b0, nu);
        float[] dh = st[0], dh2 = st[1], dc = st[2], dq = st[3], work = st[4];
        System.arraycopy(p.dh, so, dh, 0, nu);
        java.util.Arrays.fill(dc, 0, nu, 0f);
        float[] dz = p.dz, z = p.z, h = p.h;
        for (int t = steps - 1; t >= 0; t--) {
            int zo = t * batch * w + go, hp = t * bu + so, hn = hp + bu;
            if (p.returnSequences) {
                float[] ds = p.dhSeq;
                for (int i = 0; i < nu; i++) dh[i] += ds[hp + i];
            }
            // per sample the backward of the cell that ran forward, then one product for the previous h
            switch (p.kind) {
                case LSTM -> {
                    for (int b = 0; b < nb; b++) {
                        cells.lstmBackward(z, zo + b * w, p.c, hp + b * u, p.tc, hn + b * u, dh, b * u, dc, b * u, dz,
                                zo + b * w, u, p.actCode, p.ractCode, work);
                    }
                    if (t > 0) Gemm.multiply(nb, u, w, dz, zo, w, p.wrT, 0, u, dh, 0, u, false, 1);
                }
                case GRU -> {
                    for (int b = 0; b < nb; b++) {
                        cells.gruBackward(z, zo + b * w, p.rec, zo + b * w, h, hp + b * u, dh, b * u, dz, zo + b * w,
                                p.drec, zo + b * w, dh2, b * u, u, p.actCode, p.ractCode);
                    }
                    if (t > 0) {
                        Gemm.multiply(nb, u, w, p.drec, zo, w, p.wrT, 0, u, dh2, 0, u, true, 1);
                        float[] s = dh;
                        dh = dh2;
                        dh2 = s;
                    }
                }
                case GRU1 -> {
                    for (int b = 0; b < nb; b++) {
                        cells.gruBackwardBefore(z, zo + b * w, h, hp + b * u, dh, b * u, dz, zo + b * w, dh2, b * u,
                                u, p.actCode, p.ractCode);
                    }
                    // dq = dz_h·U_hᵀ
                    Gemm.multiply(nb, u, w, dz, zo, w, p.wrTh, 0, u, dq, 0, u, false, 1);
                    for (int b = 0; b < nb; b++) {
                        cells.gruBackwardReset(z, zo + b * w, h, hp + b * u, dq, b * u, dz, zo + b * w, dh2, b * u, u,
                                p.ractCode);
                    }
                    if (t > 0) {
                        Gemm.multiply(nb, u, w, dz, zo, w, p.wrTzr, 0, u, dh2, 0, u, true, 1);
                        float[] s = dh;
                        dh = dh2;
                        dh2 = s;
                    }
                }
                case SIMPLE -> {
                    for (int b = 0; b < nb; b++) cells.simpleBackward(h, hn + b * u, dh, b * u, dz, zo + b * w, u,
                            p.actCode);
                    if (t > 0) Gemm.multiply(nb, u, w, dz, zo, w, p.wrT, 0, u, dh, 0, u, false, 1);
                }
            }
        }
    }

    /** Rows (samples) of the batch per thread: at least this many, else fewer parts. */
    static final int MIN_PART_ROWS = 16;

    /** The fewest rows of a part: {@link #MIN_PART_ROWS}; tests lower it to split small batches. */
    int minPartRows = MIN_PART_ROWS;

    /**
     * How many parts the batch's time loops are split into: one per thread of the current {@link Engine},
     * each at least {@link #minPartRows} samples. The results do not depend on it.
     */
    int parts(int batch) {
        return Math.max(1, Math.min(Engine.current().threads(), batch / minPartRows));
    }

    /** The first sample of part {@code q} of {@code parts}. */
    private static int lo(int batch, int parts, int q) {
        return (int) ((long) batch * q / parts);
    }

    /** Adds {@code gᵀ} ({@code g} stored cols × rows) to the gradient of a rows × cols parameter. */
    private static void addTransposed(Param p, float[] g, int rows, int cols) {
        double[] b = p.var().gradBuffer();
        for (int i = 0; i < rows; i++) {
            int bi = i * cols;
            for (int j = 0; j < cols; j++) b[bi + j] += g[j * rows + i];
        }
    }

    private static void add(Param p, float[] g, int n) {
        double[] b = p.var().gradBuffer();
        for (int i = 0; i < n; i++) b[i] += g[i];
    }

    /**
     * The fused cell of a recurrent layer: its kind and activations, or null for a layer the fused
     * path does not run (the model then trains on the tape).
     */
    private record Cell(Kind kind, Activation act, Activation ract) {
        static Cell of(Layer l) {
            Recurrent.FusedCell c = l instanceof Recurrent r ? r.fusedCell() : null;
            if (c == null) return null;
            Kind k;
            switch (c.kind()) {
            case LSTM: k = Kind.LSTM; break;
            case GRU_RESET_AFTER: k = Kind.GRU; break;
            case GRU_RESET_BEFORE: k = Kind.GRU1; break;
            case SIMPLE_RNN: k = Kind.SIMPLE; break;
            default: throw new AssertionError(c.kind());
            }
            return new Cell(k, c.activation(), c.recurrentActivation());
        }
    }
}

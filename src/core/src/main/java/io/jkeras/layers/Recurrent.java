package io.jkeras.layers;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.kernels.CellKernels;
import io.jkeras.kernels.Gemm;
import io.jkeras.kernels.Engine;
import io.jkeras.kernels.RecurrentKernels;
import io.jkeras.kernels.Threads;
import io.jkeras.kernels.Workspace;
import io.jkeras.tensor.Tensor;

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
 *
 * <p>Three ways to run the time loop, all giving Keras' results: batch 1 (or 2) runs one fused
 * {@link CellKernels} step per timestep and row (product, gates and update tile by tile, h
 * double-buffered); larger batches run per timestep one {@code Gemm.multiply} over a block of
 * rows and the fused cell per row, the rows split across the threads of the current {@link Engine} that each run
 * the whole loop for their rows; layers with an activation the kernels lack, and callers asking
 * for it (the oracle of the tests), run the reference {@link #step} per timestep and row. Work
 * arrays come from the thread's {@link Workspace}.
 */
public abstract sealed class Recurrent implements Layer permits SimpleRnn, Lstm, Gru, CudnnRecurrent,
        ConvLstm {
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
        if (inputSize <= 0) throw new UnsupportedModelException(null, name, null,
                "input features must be positive, got " + inputSize);
        this.name = name;
        this.units = units;
        this.inputSize = inputSize;
        this.returnSequences = o.returnSequences();
        this.returnState = o.returnState();
        this.goBackwards = o.goBackwards();
        this.stateful = o.stateful();
        this.zeroOutputForMask = o.zeroOutputForMask();
    }

    /** The packed forms of the layer's weights, made at the first prediction: loading a model does not make them. */
    private volatile PackedOperands packed;

    /**
     * The packed forms of this layer's {@link GatePanel} weights ({@code kernelP}, {@code recurrentP}),
     * made on first use; a race between two first uses only makes equal copies.
     */
    protected final PackedOperands packed(GatePanel panel, float[] kernelP, float[] recurrentP) {
        PackedOperands p = packed;
        if (p == null) packed = p = new PackedOperands(panel, inputSize, kernelP, recurrentP);
        return p;
    }

    @Override public String name() { return name; }

    @Override public boolean stateful() { return stateful; }

    public int units() { return units; }

    public int inputSize() { return inputSize; }

    public RecurrentOptions options() {
        return new RecurrentOptions(returnSequences, returnState, goBackwards, stateful, zeroOutputForMask);
    }

    /** The same layer (weights copied bit for bit) under another name: a Bidirectional's direction. */
    public abstract Recurrent withName(String name);

    @Override public abstract Recurrent withWeights(java.util.List<float[]> values);

    /**
     * The cell as the fused training path runs it, or null for a layer that path does not run
     * (it then trains on the tape).
     */
    public abstract FusedCell fusedCell();

    /** A recurrent cell the fused training path has kernels for, with its activations. */
    public record FusedCell(Kind kind, io.jkeras.kernels.Activation activation,
                            io.jkeras.kernels.Activation recurrentActivation) {
        /** LSTM; GRU with reset_after=True, and with reset_after=False; SimpleRNN. */
        public enum Kind { LSTM, GRU_RESET_AFTER, GRU_RESET_BEFORE, SIMPLE_RNN }
    }

    /** FLOPs of one sample: {@code 2·gates·units·(inputSize + units)} per time step. */
    protected final long recurrentFlops(int[][] in, int gates) {
        long steps = in[0].length >= 2 ? in[0][0] : 1;
        return steps * 2 * gates * units * ((long) inputSize + units);
    }

    @Override public final int vocabulary() { return 0; }

    /** Writes the size and the options every recurrent layer's native entry starts with. */
    protected final void encodeOptions(LayerEncoder e) {
        e.put("units", units);
        e.put("input_size", inputSize);
        e.put("return_sequences", returnSequences);
        e.put("return_state", returnState);
        e.put("go_backwards", goBackwards);
        e.put("stateful", stateful);
        e.put("zero_output_for_mask", zeroOutputForMask);
    }

    /** The options {@link #encodeOptions} wrote. */
    protected static RecurrentOptions decodeOptions(LayerDecoder d) {
        return new RecurrentOptions(d.bool("return_sequences"), d.bool("return_state"), d.bool("go_backwards"),
                d.bool("stateful"), d.bool("zero_output_for_mask"));
    }

    /**
     * A recurrent layer's {@code kernel}, {@code recurrent_kernel} and optional {@code bias} (null
     * when absent), their shapes checked against its config: {@code gates} gates of {@code units}
     * units (see {@link LayerDecoder#gateColumns}), a bias of {@code biasRows} rows (1: a vector).
     */
    protected static float[][] decodeWeights(LayerDecoder d, int units, int inputSize, int gates, int biasRows) {
        int cols = d.gateColumns(units, gates);
        Weight k = d.weight("kernel", 2), r = d.weight("recurrent_kernel", 2), b = d.optionalWeight("bias");
        d.expectShape(k, inputSize, cols);
        d.expectShape(r, units, cols);
        if (b != null) {
            if (biasRows == 1) d.expectShape(b, cols);
            else d.expectShape(b, biasRows, cols);
        }
        d.expectNoOtherWeights("kernel", "recurrent_kernel", "bias");
        return new float[][]{k.values(), r.values(), b == null ? null : b.values()};
    }

    /** Width of a row of the input projection (see {@link #project}). */
    protected abstract int projectionWidth();

    /** The input projection of {@code rows} input rows, {@code rows × projectionWidth()}. */
    protected abstract float[] project(float[] x, int rows);

    /**
     * One timestep of one sequence: reads the projected input at {@code xp[xpOff ..]} and the
     * states at offset {@code so} of each state array, and writes the new states there; the output
     * of the step is the new {@code states[0]} row. {@code z} ({@link #projectionWidth()} floats) and
     * {@code scratch} ({@code units} floats) are work space; {@code p} is the recurrent product to run
     * (the current engine's, looked up once per pass rather than per step).
     */
    protected abstract void step(RecurrentKernels.Product p, float[] xp, int xpOff, float[][] states, int so,
                                 float[] z, float[] scratch);

    /**
     * Whether the fused {@link CellKernels} implement this layer (its activations have kernel
     * codes); otherwise every path runs the reference {@link #step}.
     */
    protected boolean fused() { return false; }

    /**
     * One fused timestep of one sequence: the new h (and the other states, in place at {@code so})
     * from the projected input row {@code xp[xpOff ..]} and the previous h at {@code h[hOff ..]}, for
     * the units of tiles {@code [tileFrom, tileTo)};
     * the new h goes to {@code hOut[hOutOff ..]}, which does not overlap the previous one.
     * {@code states[0]} is not read or written.
     */
    protected void fusedStep(CellKernels k, float[] xp, int xpOff, float[] h, int hOff, float[] hOut, int hOutOff,
                             float[][] states, int so, int tileFrom, int tileTo, float[] work) {
        throw new UnsupportedOperationException();
    }

    /** Whether {@link #fusedStep} may run on disjoint tile ranges in parallel (one product per step). */
    protected boolean splittable() { return fused(); }

    /**
     * One fused timestep of the {@code m} sequences {@code r0 ..}: their projected inputs are the rows
     * {@code xp[xpOff + i·xpLd ..]} (which may be overwritten), their states the rows of
     * {@code states} at {@code (r0 + i)·units}, updated in place for the rows whose timestep
     * {@code t} is not masked. {@code mwork} holds at least {@code m · projectionWidth()} floats and
     * {@code work} {@link CellKernels#workSize} floats.
     */
    protected void fusedRows(CellKernels k, float[] xp, int xpOff, int xpLd, int m, float[][] states, int r0,
                             boolean[] mask, int steps, int t, float[] mwork, float[] work) {
        throw new UnsupportedOperationException();
    }

    /** Floats of {@code mwork} per row that {@link #fusedRows} needs. */
    protected int rowWork() { return projectionWidth(); }

    /** Gates per unit: the panel width is a multiple of {@code gates() · 16}. */
    protected int gates() { return projectionWidth() / (
            ((units + GatePanel.BLOCK - 1) / GatePanel.BLOCK) * GatePanel.BLOCK); }

    /**
     * One pass over the sequence, as Keras' rnn loop: {@code x} is (batch, steps, inputSize)
     * row-major; {@code states} holds batch·units initial values per state, replaced in place by the
     * final ones; a masked step keeps the states and outputs the previous output (or zeros with
     * zeroOutputForMask); {@code seq}, when not null, receives (batch, steps, units) outputs in
     * processing order; {@code last} receives the output of the final step. {@code kernels} null
     * runs the reference path ({@link #step} per timestep and row).
     */
    protected void run(float[] x, int batch, int steps, float[][] states, float[] seq, boolean[] mask, float[] last,
                       CellKernels kernels) {
        if (kernels == null || !fused()) {
            runReference(x, batch, steps, states, seq, mask, last);
            return;
        }
        final int width = projectionWidth();
        if (batch <= 2) {
            final int rows = batch * steps;
            Workspace ws = Workspace.get();
            float[] xp = ws.floats(Workspace.XP, (long) rows * width);
            projectInto(x, rows, xp);
            runRows(kernels, xp, 0, batch, steps, states, seq, mask, last, ws);
            ws.release(Workspace.XP, xp);
        } else {
            long work = (long) batch * steps * units * width;
            Engine engine = Engine.current();
            int parts = (int) Math.max(1, Math.min(Math.min(engine.threads(), batch / 4), work >> 21));
            // each part on the workspace of the thread that runs it: a pool thread may claim part 0
            engine.pool().run(parts, part -> {
                int lo = (int) ((long) batch * part / parts), hi = (int) ((long) batch * (part + 1) / parts);
                runBlock(kernels, x, lo, hi, steps, states, seq, mask, last, Workspace.get());
            });
        }
    }

    /** Batch-1 sequences that could be split over two threads running in this process right now. */
    private static final java.util.concurrent.atomic.AtomicInteger BATCH_ONE_RUNS
            = new java.util.concurrent.atomic.AtomicInteger();

    /** The fused loop for rows {@code [lo, hi)} one at a time: batch 1 and other tiny batches. */
    private void runRows(CellKernels k, float[] xp, int lo, int hi, int steps, float[][] states, float[] seq,
                         boolean[] mask, float[] last, Workspace ws) {
        final int tiles = CellKernels.tiles(units);
        Engine engine = Engine.current();
        if (engine.splitSteps() && hi - lo == 1 && tiles >= 4 && splittable() && engine.threads() >= 2
                && !io.jkeras.kernels.Threads.inWorker()) {
            // split only when no other such sequence runs in this process: two concurrent callers on two
            // cores already keep both busy, and a helper spinning beside them cost 17 % of W1's throughput
            int running = BATCH_ONE_RUNS.incrementAndGet();
            try {
                if (running == 1) runSplit(k, xp, lo, steps, states, seq, mask, last, ws);
                else runAlone(k, xp, lo, hi, steps, states, seq, mask, last, ws);
            } finally {
                BATCH_ONE_RUNS.decrementAndGet();
            }
            return;
        }
        runAlone(k, xp, lo, hi, steps, states, seq, mask, last, ws);
    }

    /** {@link #runRows} on the calling thread alone. */
    private void runAlone(CellKernels k, float[] xp, int lo, int hi, int steps, float[][] states, float[] seq,
                          boolean[] mask, float[] last, Workspace ws) {
        final int width = projectionWidth();
        final int h = units;
        final int tiles = CellKernels.tiles(h);
        float[] hb = ws.floats(Workspace.H, h);
        float[] work = ws.floats(Workspace.WORK, CellKernels.workSize(h, gates()));
        float[] hs = states[0];
        for (int b = lo; b < hi; b++) {
            int so = b * h;
            float[] cur = hs, nxt = hb;
            int curOff = so, nxtOff = 0;
            boolean zero = true;
            for (int s = 0; s < steps; s++) {
                int t = goBackwards ? steps - 1 - s : s;
                if (mask == null || mask[b * steps + t]) {
                    fusedStep(k, xp, (b * steps + t) * width, cur, curOff, nxt, nxtOff, states, so, 0, tiles, work);
                    float[] a = cur; cur = nxt; nxt = a;
                    int o = curOff; curOff = nxtOff; nxtOff = o;
                    zero = false;
                } else if (zeroOutputForMask) {
                    zero = true;
                }
                if (seq != null) {
                    if (zero) Arrays.fill(seq, (b * steps + s) * h, (b * steps + s + 1) * h, 0f);
                    else System.arraycopy(cur, curOff, seq, (b * steps + s) * h, h);
                }
            }
            if (cur != hs) System.arraycopy(cur, curOff, hs, so, h);
            if (zero) Arrays.fill(last, so, so + h, 0f);
            else System.arraycopy(hs, so, last, so, h);
        }
        ws.release(Workspace.H, hb);
        ws.release(Workspace.WORK, work);
    }

    /**
     * One sequence with each step's tiles split in two: the calling thread computes the first half and then
     * the second unless the helper thread has claimed it ({@link StepShare}, {@link Threads#lend}), so that each
     * thread streams only its half of the recurrent kernel while both keep a core, and the caller alone runs
     * the whole step (at single-thread speed) when the helper is late or descheduled: nobody ever waits for a
     * thread that has not claimed work. (A barrier at every step waited for a descheduled partner: W3g's
     * median reached 7.9 ms while other builds ran.) Nothing is allocated per call.
     */
    private void runSplit(CellKernels k, float[] xp, int b, int steps, float[][] states, float[] seq, boolean[] mask,
                          float[] last, Workspace ws) {
        final int width = projectionWidth();
        final int h = units;
        final int tiles = CellKernels.tiles(h);
        final int mid = tiles / 2;
        final int so = b * h;
        final float[] hs = states[0];
        final float[] hb = ws.floats(Workspace.H, (long) so + h);
        final float[] work = ws.floats(Workspace.WORK, CellKernels.workSize(h, gates()));
        final StepShare share = SHARES.get();
        share.begin(this, k, xp, states, so, mid, tiles);
        Threads.lend(share);
        try {
            float[] cur = hs, nxt = hb;
            boolean zero = true;
            for (int s = 0; s < steps; s++) {
                int t = goBackwards ? steps - 1 - s : s;
                if (mask == null || mask[b * steps + t]) {
                    int off = (b * steps + t) * width;
                    long id = share.open(off, cur, nxt);
                    fusedStep(k, xp, off, cur, so, nxt, so, states, so, 0, mid, work);
                    if (share.claim(id)) fusedStep(k, xp, off, cur, so, nxt, so, states, so, mid, tiles, work);
                    else share.awaitHelper(id);
                    float[] a = cur; cur = nxt; nxt = a;
                    zero = false;
                } else if (zeroOutputForMask) {
                    zero = true;
                }
                if (seq != null) {
                    if (zero) Arrays.fill(seq, (b * steps + s) * h, (b * steps + s + 1) * h, 0f);
                    else System.arraycopy(cur, so, seq, (b * steps + s) * h, h);
                }
            }
            if (cur != hs) System.arraycopy(cur, so, hs, so, h);
            if (zero) Arrays.fill(last, so, so + h, 0f);
            else System.arraycopy(hs, so, last, so, h);
        } finally {
            share.stop();
            ws.release(Workspace.WORK, work);
            ws.release(Workspace.H, hb);
        }
    }

    /** Each calling thread's {@link StepShare}, reused call after call. */
    private static final ThreadLocal<StepShare> SHARES = ThreadLocal.withInitial(StepShare::new);

    /**
     * The second half of each step of {@link #runSplit}, lent to the helper thread, one per calling thread and
     * reused. {@code offer} holds the open step's id (positive, never reused: a counter of this object) until
     * someone claims it (its negation) or {@link #STOP}; the step's inputs are written before the offer and read
     * after a successful claim, and {@code done} publishes the helper's result. The caller waits only for a
     * half the helper has claimed. A helper still spinning on this object from an earlier call can only claim a
     * step offered after it, with that step's inputs.
     */
    private static final class StepShare implements Runnable {
        private static final long STOP = Long.MIN_VALUE;
        private final java.util.concurrent.atomic.AtomicLong offer = new java.util.concurrent.atomic.AtomicLong(STOP);
        private volatile long done;
        private volatile Throwable failure;
        private long ids;   // the caller's
        private Recurrent layer;
        private CellKernels k;
        private float[] xp;
        private float[][] states;
        private int so, from, to, workSize, xpOff;
        private float[] cur, nxt;

        /** A call's fixed inputs (before any step is offered). */
        void begin(Recurrent layer, CellKernels k, float[] xp, float[][] states, int so, int from, int to) {
            this.layer = layer;
            this.k = k;
            this.xp = xp;
            this.states = states;
            this.so = so;
            this.from = from;
            this.to = to;
            this.workSize = CellKernels.workSize(layer.units, layer.gates());
            this.failure = null;
        }

        /** Offers the next step's second half to the helper; returns the step's id. */
        long open(int off, float[] c, float[] n) {
            xpOff = off;
            cur = c;
            nxt = n;
            long id = ++ids;
            offer.set(id);
            return id;
        }

        /** True when the caller takes step {@code id}'s second half itself. */
        boolean claim(long id) { return offer.compareAndSet(id, -id); }

        /** Waits for the helper's half of step {@code id}, which it has claimed, and rethrows its failure. */
        void awaitHelper(long id) {
            for (int spins = 0; done != id; spins++) {
                if (spins < 1 << 14) Thread.onSpinWait();
                else Thread.yield();
            }
            Throwable f = failure;
            if (f instanceof RuntimeException) throw (RuntimeException) f;
            if (f instanceof Error) throw (Error) f;
        }

        void stop() {
            offer.set(STOP);
            layer = null;   // nothing of the call stays reachable from the thread's share
            k = null;
            xp = null;
            states = null;
            cur = null;
            nxt = null;
        }

        /** The helper's part: claim offered halves until stopped. */
        @Override
        public void run() {
            Workspace w = Workspace.get();
            for (int spins = 0; ; spins++) {
                long o = offer.get();
                if (o == STOP) return;
                if (o > 0 && offer.compareAndSet(o, -o)) {
                    float[] work = w.floats(Workspace.WORK, workSize);
                    try {
                        layer.fusedStep(k, xp, xpOff, cur, so, nxt, so, states, so, from, to, work);
                    } catch (Throwable t) {
                        failure = t;
                    } finally {
                        w.release(Workspace.WORK, work);
                    }
                    done = o;
                    spins = 0;
                } else if (spins < 1 << 14) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
        }
    }

    /**
     * Floats of projected input a block projects at a time ({@link Engine#chunkFloats()}, system
     * property {@code jkeras.chunkFloats}, 512 KiB by default): one or a few timesteps of the block's rows, so
     * that the projection is still in cache (next to the packed recurrent kernel) when the step
     * consumes it and no projection of the whole sequence is allocated. (128 rows of LSTM(256):
     * one step; more steps at a time measured no faster.) This gives the timesteps projected at a
     * time for {@code m} rows of {@code width} floats.
     */
    static int chunkSteps(int steps, int m, int width) {
        return (int) Math.max(1, Math.min(steps, Engine.current().chunkFloats() / ((long) m * width)));
    }

    /**
     * The fused loop for rows {@code [lo, hi)} together: per step one product over the block's
     * rows. The input projection is computed a chunk of timesteps at a time, step by step, into
     * a small buffer laid out {@code [step][row][width]}.
     */
    private void runBlock(CellKernels k, float[] x, int lo, int hi, int steps, float[][] states, float[] seq,
                          boolean[] mask, float[] last, Workspace ws) {
        final int width = projectionWidth();
        final int h = units;
        final int maxBlock = 256;
        final int mMax = Math.min(maxBlock, hi - lo);
        final int chunk = chunkSteps(steps, mMax, width);
        final int stepLd = steps * inputSize;
        float[] xp = ws.floats(Workspace.XP, (long) chunk * mMax * width);
        float[] mwork = ws.floats(Workspace.M, (long) mMax * rowWork());
        float[] work = ws.floats(Workspace.WORK, CellKernels.workSize(h, gates()));
        for (int b0 = lo; b0 < hi; b0 += maxBlock) {
            final int m = Math.min(maxBlock, hi - b0);
            final int block = m * width;
            for (int s0 = 0; s0 < steps; s0 += chunk) {
                int cs = Math.min(chunk, steps - s0);
                for (int c = 0; c < cs; c++) {
                    int t = goBackwards ? steps - 1 - (s0 + c) : s0 + c;
                    projectRows(x, (b0 * steps + t) * inputSize, stepLd, m, xp, c * block, width, 1);
                }
                for (int c = 0; c < cs; c++) {
                    int s = s0 + c;
                    int t = goBackwards ? steps - 1 - s : s;
                    fusedRows(k, xp, c * block, width, m, states, b0, mask, steps, t, mwork, work);
                    if (mask == null) {
                        // every step's output is the new h: the last one is copied once at the end
                        if (seq != null) {
                            for (int b = b0; b < b0 + m; b++) System.arraycopy(states[0], b * h, seq,
                                    (b * steps + s) * h, h);
                        }
                        continue;
                    }
                    for (int b = b0; b < b0 + m; b++) {
                        int so = b * h;
                        if (mask[b * steps + t]) System.arraycopy(states[0], so, last, so, h);
                        else if (zeroOutputForMask) Arrays.fill(last, so, so + h, 0f);
                        if (seq != null) System.arraycopy(last, so, seq, (b * steps + s) * h, h);
                    }
                }
            }
            if (mask == null) System.arraycopy(states[0], b0 * h, last, b0 * h, m * h);
        }
        ws.release(Workspace.XP, xp);
        ws.release(Workspace.M, mwork);
        ws.release(Workspace.WORK, work);
    }

    /** The reference loop: {@link #step} per timestep and row, with the per-row input projection. */
    private void runReference(float[] x, int batch, int steps, float[][] states, float[] seq, boolean[] mask,
            float[] last) {
        final int width = projectionWidth();
        final int h = units;
        float[] xp = project(x, batch * steps);
        float[] z = new float[width];
        float[] scratch = new float[h];
        RecurrentKernels.Product p = Engine.current().kernels().recurrent();
        for (int b = 0; b < batch; b++) {
            int so = b * h;
            for (int s = 0; s < steps; s++) {
                int t = goBackwards ? steps - 1 - s : s;
                if (mask == null || mask[b * steps + t]) {
                    step(p, xp, (b * steps + t) * width, states, so, z, scratch);
                    System.arraycopy(states[0], so, last, so, h);
                } else if (zeroOutputForMask) {
                    java.util.Arrays.fill(last, so, so + h, 0f);
                }
                if (seq != null) System.arraycopy(last, so, seq, (b * steps + s) * h, h);
            }
        }
    }

    /** The input projection of {@code rows} consecutive rows into {@code xp} as one matrix product (fused path). */
    protected void projectInto(float[] x, int rows, float[] xp) {
        projectRows(x, 0, inputSize, rows, xp, 0, projectionWidth(), Engine.current().threads());
    }

    /**
     * The input projection of {@code rows} input rows {@code x[xOff + r·ldx ..]} into the rows
     * {@code xp[xpOff + r·ldxp ..]} as one matrix product on at most {@code threads} threads (fused path).
     */
    protected void projectRows(float[] x, int xOff, int ldx, int rows, float[] xp, int xpOff, int ldxp, int threads) {
        throw new UnsupportedOperationException();
    }

    /**
     * {@code xp[rows × width] = x[rows × inputSize] · kernel + biasP}, one {@link Gemm#multiply} with the packed kernel
     * on at most {@code threads} threads.
     */
    static void projectRows(float[] x, int xOff, int ldx, int rows, int inputSize, Gemm.PackedB kernelP, float[] biasP,
            int width,
                            float[] xp, int xpOff, int ldxp, int threads) {
        if (biasP != null) {
            for (int r = 0; r < rows; r++) System.arraycopy(biasP, 0, xp, xpOff + r * ldxp, width);
        }
        Gemm.multiply(rows, width, inputSize, x, xOff, ldx, kernelP, xp, xpOff, ldxp, biasP != null, threads);
    }

    @Override
    public int[][] outputShapes(int[][] in) {
        Shapes.expectInputs(name, in, 1, 1 + stateCount());
        Shapes.expectRank(name, in[0], 2);
        Shapes.expectLastDim(name, in[0], inputSize);
        for (int i = 1; i < in.length; i++) {
            if (in[i].length != 1 || (in[i][0] != -1 && in[i][0] != units)) {
                throw new UnsupportedModelException(null, name, null, "initial state " + (i - 1)
                        + " must have shape (None, " + units + "), got (None, " + Shapes.inner(in[i]) + ")");
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
        return forward(inputs, state, Engine.current().kernels().cells());
    }

    /**
     * Without initial-state inputs, returned or carried states (the common case of inference), writes the
     * output into {@code out[0]} and takes every work array from the thread's {@link Workspace}: nothing is
     * allocated. The same loop as {@link #forward}, bit for bit; otherwise it is {@code forward} and a copy.
     */
    @Override
    public void forwardInto(Tensor[] inputs, float[][] state, Tensor[] out) {
        if (returnState || state != null || inputs.length != 1) {
            Shapes.copyOutputs(name, forward(inputs, state), out);
            return;
        }
        Tensor x = inputs[0];
        checkInput(x);
        int batch = x.dim(0), steps = x.dim(1), n = batch * units, sc = stateCount();
        Shapes.expectOutputs(name, out, 1);
        if (returnSequences) Shapes.expectOutput(name, 0, out[0], batch, steps, units);
        else Shapes.expectOutput(name, 0, out[0], batch, units);
        Workspace ws = Workspace.get();
        float[][] states = ws.arrays(sc);
        for (int i = 0; i < sc; i++) {
            states[i] = ws.floats(Workspace.STATE0 + i, n);
            Arrays.fill(states[i], 0, n, 0f);
        }
        float[] last = returnSequences ? ws.floats(Workspace.LAST, n) : out[0].data();
        Arrays.fill(last, 0, n, 0f);
        if (steps > 0) {
            run(x.data(), batch, steps, states, returnSequences ? out[0].data() : null, x.mask(), last,
                    Engine.current().kernels().cells());
        }
        for (int i = 0; i < sc; i++) ws.release(Workspace.STATE0 + i, states[i]);
        ws.release(states);
        if (returnSequences) ws.release(Workspace.LAST, last);
    }

    private void checkInput(Tensor x) {
        if (x.rank() != 3 || x.dim(2) != inputSize) {
            throw new InputException(null, name, null, "expects input (batch, timesteps, " + inputSize + "), got "
                    + Tensor.shapeString(x.shape()));
        }
    }

    /** {@link #forward} with the given fused kernels, or with the reference path when {@code kernels} is null. */
    Tensor[] forward(Tensor[] inputs, float[][] state, CellKernels kernels) {
        Tensor x = inputs[0];
        checkInput(x);
        int batch = x.dim(0);
        int steps = x.dim(1);
        int sc = stateCount();
        float[][] states = new float[sc][];
        // the states are scratch unless they are returned or carried (a stateful layer, or any layer of a
        // streaming Session): then they come from the thread's workspace instead of being allocated per call
        boolean keep = returnState || state != null;
        Workspace ws = keep ? null : Workspace.get();
        for (int i = 0; i < sc; i++) {
            float[] init = null;
            if (inputs.length > 1 + i) {
                Tensor s = inputs[1 + i];
                if (s.rank() != 2 || s.dim(0) != batch || s.dim(1) != units) {
                    throw new InputException(null, name, null, "initial state " + i + " must be (" + batch + ", "
                            + units + "), got " + Tensor.shapeString(s.shape()));
                }
                init = s.data();
            } else if (state != null && state[i] != null) {
                if (state[i].length != batch * units) {
                    throw new InputException(null, name, null, "stateful layer holds state for batch size "
                            + state[i].length / units
                            + " but got a batch of " + batch + "; reset the session or keep the batch size fixed");
                }
                init = state[i];
            }
            if (keep) {
                states[i] = init == null ? new float[batch * units] : Arrays.copyOf(init, batch * units);
            } else {
                states[i] = ws.floats(Workspace.STATE0 + i, (long) batch * units);
                if (init == null) Arrays.fill(states[i], 0, batch * units, 0f);
                else System.arraycopy(init, 0, states[i], 0, batch * units);
            }
        }
        float[] seq = returnSequences ? new float[batch * steps * units] : null;
        float[] last;
        if (returnSequences) {   // then the last output is scratch too
            if (ws == null) ws = Workspace.get();
            last = ws.floats(Workspace.LAST, (long) batch * units);
            Arrays.fill(last, 0, batch * units, 0f);
        } else {
            last = new float[batch * units];
        }
        if (steps > 0) run(x.data(), batch, steps, states, seq, x.mask(), last, kernels);
        Tensor[] out = new Tensor[1 + (returnState ? sc : 0)];
        out[0] = returnSequences
                ? new Tensor(new int[]{batch, steps, units}, seq, x.mask())
                : new Tensor(new int[]{batch, units}, last);
        // a returned state may be handed over as it is, unless the session also keeps it
        boolean carried = state != null;
        for (int i = 1; i < out.length; i++) out[i] = new Tensor(new int[]{batch, units}, carried
                ? states[i - 1].clone() : states[i - 1]);
        if (state != null) {
            for (int i = 0; i < sc; i++) state[i] = states[i];
        }
        if (!keep) {
            for (int i = 0; i < sc; i++) ws.release(Workspace.STATE0 + i, states[i]);
        }
        if (returnSequences) ws.release(Workspace.LAST, last);
        return out;
    }

    /** Input projection of all timesteps: {@code xproj = x · kernel + bias}, panel columns. */
    static float[] project(float[] x, int rows, int inputSize, float[] kernelP, float[] biasP, int width) {
        float[] xp = new float[rows * width];
        if (biasP != null) {
            for (int r = 0; r < rows; r++) System.arraycopy(biasP, 0, xp, r * width, width);
        }
        RecurrentKernels.Product p = Engine.current().kernels().recurrent();
        for (int r = 0; r < rows; r++) p.accumulate(x, r * inputSize, inputSize, kernelP, width, xp, r * width);
        return xp;
    }

    static void checkShape(String layer, String weight, float[] values, int... shape) {
        long n = 1;
        for (int d : shape) n *= d;
        if (values == null || values.length != n) {
            throw new io.jkeras.exceptions.WeightException(null, layer, weight, "expected " + n + " values for shape "
                    + Tensor.shapeString(shape) + ", got "
                            + (values == null ? "none" : Integer.toString(values.length)));
        }
    }
}

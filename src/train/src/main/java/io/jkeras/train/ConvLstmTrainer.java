package io.jkeras.train;

import io.jkeras.exceptions.InputException;
import io.jkeras.kernels.WindowGeometry;
import io.jkeras.layers.ConvLstm;
import io.jkeras.layers.Layer;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * ConvLSTM1D/2D/3D in training form: {@link RecurrentTrainer}'s loop (go_backwards, masks,
 * return_sequences, return_state, initial states, stateful carry) over flat frame rows, as the
 * engine layer runs it, with the input projection a convolution of every timestep and each step's
 * recurrent product a convolution of h (stride 1, same), then Keras' ConvLSTMCell gates
 * (keras/src/layers/rnn/conv_lstm.py). channels_first frames are transposed to channels_last at the
 * boundary, as the engine layer does. Dropout in training is refused: Keras' ConvLSTMCell draws its
 * masks per gate over whole frames, which this form does not copy.
 */
final class ConvLstmTrainer extends RecurrentTrainer {
    private final ConvLstm conv;
    private final int filters;
    private final int outPositions;
    private final int[] inputIndex;
    private final int[] recurrentIndex;

    ConvLstmTrainer(ConvLstm l, TrainingConfig c) {
        super(l, c);
        this.conv = l;
        this.filters = l.filters();
        this.outPositions = l.inputGeometry().outputPositions();
        this.inputIndex = index(l.inputGeometry());
        this.recurrentIndex = index(l.recurrentGeometry());
    }

    /** Input position read by output position o at window position k: {@code [o·K + k]}, -1 in the padding. */
    private static int[] index(WindowGeometry g) {
        int k = g.windowPositions();
        int[] idx = new int[g.outputPositions() * k];
        for (int o = 0; o < g.outputPositions(); o++) {
            for (int w = 0; w < k; w++) idx[o * k + w] = g.inputAt(o, w);
        }
        return idx;
    }

    @Override int stateCount() { return 2; }

    @Override
    public Var[] forward(Tape t, Var[] in, TrainContext ctx, double[][] state) {
        Var x = in[0];
        int[] frame = conv.inputFrame();
        int r = frame.length;
        if (x.rank() != r + 2 || !java.util.Arrays.equals(java.util.Arrays.copyOfRange(x.shape(), 2, r + 2), frame)) {
            throw new InputException(null, conv.name(), null, "expects input (batch, timesteps, "
                    + Tensor.shapeString(frame).substring(1) + ", got " + Tensor.shapeString(x.shape()));
        }
        int batch = x.dim(0), steps = x.dim(1);
        boolean[] mask = x.mask();
        Var[] flat = new Var[in.length];
        flat[0] = Ops.reshape(t, toChannelsLast(t, x, 2), new int[]{batch, steps, conv.inputSize()}, false)
                .withMask(t, mask);
        for (int i = 1; i < in.length; i++) {
            flat[i] = Ops.reshape(t, toChannelsLast(t, in[i], 1), new int[]{batch, units}, false);
        }
        Var[] out = super.forward(t, flat, ctx, state);
        int[] stateFrame = java.util.Arrays.copyOf(conv.outputShape(), r);   // channels_last
        stateFrame[r - 1] = filters;
        Var[] result = new Var[out.length];
        for (int i = 0; i < out.length; i++) {
            boolean seq = i == 0 && options.returnSequences();
            int lead = seq ? 2 : 1;
            int[] s = new int[lead + stateFrame.length];
            s[0] = batch;
            if (seq) s[1] = steps;
            System.arraycopy(stateFrame, 0, s, lead, stateFrame.length);
            Var y = fromChannelsLast(t, Ops.reshape(t, out[i], s, false), lead);
            result[i] = seq ? y.withMask(t, mask) : y;
        }
        return result;
    }

    /** Moves the channel axis (at {@code lead}, channels_first) to the end; channels_last as it is. */
    private Var toChannelsLast(Tape t, Var v, int lead) {
        if (!conv.channelsFirst()) return v;
        int r = v.rank();
        int[] perm = new int[r];
        for (int i = 0; i < lead; i++) perm[i] = i;
        for (int i = lead; i < r - 1; i++) perm[i] = i + 1;
        perm[r - 1] = lead;
        return Ops.transpose(t, v, perm);
    }

    /** The inverse of {@link #toChannelsLast}. */
    private Var fromChannelsLast(Tape t, Var v, int lead) {
        if (!conv.channelsFirst()) return v;
        int r = v.rank();
        int[] perm = new int[r];
        for (int i = 0; i < lead; i++) perm[i] = i;
        perm[lead] = r - 1;
        for (int i = lead + 1; i < r; i++) perm[i] = i - 1;
        return Ops.transpose(t, v, perm);
    }

    /**
     * Keras' ConvLSTMCell draws four masks for its input and four for its state, one per gate (keras/src/layers/
     * rnn/conv_lstm.py: {@code dropout_mask_count = 4}, {@code inputs_i = inputs * dp_mask[0]}, …).
     */
    @Override int dropoutGroups() { return 4; }

    /** The projection is position-major ({@code (rows, S_out, 4F)}): gate g is every position's g-th F. */
    @Override
    Var gateColumns(Tape t, Var projected, int g) {
        int rows = projected.dim(0);
        Var z = Ops.reshape(t, projected, new int[]{rows, outPositions, 4 * filters}, false);
        return Ops.reshape(t, Ops.sliceLast(t, z, g * filters, filters), new int[]{rows, units}, false);
    }

    @Override
    Var joinGates(Tape t, List<Var> gates) {
        int rows = gates.get(0).dim(0);
        List<Var> parts = new ArrayList<>();
        for (Var g : gates) parts.add(Ops.reshape(t, g, new int[]{rows, outPositions, filters}, false));
        return Ops.reshape(t, Ops.concatLast(t, parts), new int[]{rows, 4 * units}, false);
    }

    /** {@code x (rows, S_in·C)} → the input convolution plus bias, {@code (rows, S_out·4F)}. */
    @Override
    Var project(Tape t, Var x) {
        int rows = x.dim(0);
        Var z = conv(t, Ops.reshape(t, x, new int[]{rows, conv.inputGeometry().inputPositions(), conv.channels()},
                false), kernel.var(), inputIndex, conv.inputGeometry().windowPositions());
        if (bias != null) z = Ops.addBias(t, z, bias.var());
        return Ops.reshape(t, z, new int[]{rows, 4 * units}, false);
    }

    @Override
    Var[] step(Tape t, Var xp, Var[] states, Var hDropped) {
        int batch = xp.dim(0), f = filters;
        int[] gateShape = {batch, outPositions, 4 * f}, stateShape = {batch, outPositions, f};
        int window = conv.recurrentGeometry().windowPositions();
        Var rec;
        if (recurrentMasks == null) {
            rec = conv(t, Ops.reshape(t, hDropped, stateShape, false), recurrent.var(), recurrentIndex, window);
        } else {
            // each gate convolves the state under its own mask with its slice of the recurrent kernel
            List<Var> parts = new ArrayList<>();
            for (int gate = 0; gate < 4; gate++) {
                Var h = Ops.reshape(t, Ops.mulConstant(t, states[0], recurrentMasks[gate]), stateShape, false);
                parts.add(conv(t, h, Ops.sliceLast(t, recurrent.var(), gate * f, f), recurrentIndex, window));
            }
            rec = Ops.concatLast(t, parts);
        }
        Var z = Ops.add(t, Ops.reshape(t, xp, gateShape, false), rec);
        Var i = Ops.activation(t, Ops.sliceLast(t, z, 0, f), conv.recurrentActivation());
        Var fg = Ops.activation(t, Ops.sliceLast(t, z, f, f), conv.recurrentActivation());
        Var g = Ops.activation(t, Ops.sliceLast(t, z, 2 * f, f), conv.activation());
        Var o = Ops.activation(t, Ops.sliceLast(t, z, 3 * f, f), conv.recurrentActivation());
        Var c = Ops.add(t, Ops.mul(t, fg, Ops.reshape(t, states[1], stateShape, false)), Ops.mul(t, i, g));
        Var h = Ops.mul(t, o, Ops.activation(t, c, conv.activation()));
        int[] flat = {batch, units};
        return new Var[]{Ops.reshape(t, h, flat, false), Ops.reshape(t, c, flat, false)};
    }

    /**
     * {@code x (n, S_in, C)} convolved with {@code kernel (K, C, F)} → {@code (n, S_out, F)}:
     * {@code y[s, o, f] = Σ_{k, c} x[s, idx[o·K + k], c] · kernel[k, c, f]} (positions in the padding,
     * {@code idx < 0}, read zero), in double, with its backward.
     */
    static Var conv(Tape t, Var x, Var kernel, int[] idx, int k) {
        int n = x.dim(0), inPos = x.dim(1), ch = x.dim(2), f = kernel.dim(-1);
        int outPos = idx.length / k;
        double[] xv = x.value, kv = kernel.value;
        double[] y = new double[n * outPos * f];
        taps(n, inPos, ch, f, idx, k, (xi, ko, yo) -> {
            double a = xv[xi];
            for (int j = 0; j < f; j++) y[yo + j] += a * kv[ko + j];
        });
        Var out = Ops.result(t, new int[]{n, outPos, f}, y, x.needsGrad || kernel.needsGrad, null);
        if (out.needsGrad) t.record(() -> {
            double[] g = out.grad;
            if (g == null) return;
            double[] gx = x.needsGrad ? x.gradBuffer() : null, gk = kernel.needsGrad ? kernel.gradBuffer() : null;
            taps(n, inPos, ch, f, idx, k, (xi, ko, yo) -> {
                double acc = 0, a = xv[xi];
                for (int j = 0; j < f; j++) {
                    acc += g[yo + j] * kv[ko + j];
                    if (gk != null) gk[ko + j] += a * g[yo + j];
                }
                if (gx != null) gx[xi] += acc;
            });
        });
        return out;
    }

    /** One product of the convolution: input element {@code xi}, kernel row {@code ko}, output row {@code yo}. */
    private interface Tap {
        void at(int xi, int ko, int yo);
    }

    /** Every (sample, output position, window position in range, channel) of the convolution, in order. */
    private static void taps(int n, int inPos, int ch, int f, int[] idx, int k, Tap tap) {
        int outPos = idx.length / k;
        for (int s = 0; s < n; s++) {
            for (int o = 0; o < outPos; o++) {
                int yo = (s * outPos + o) * f;
                for (int w = 0; w < k; w++) {
                    int p = idx[o * k + w];
                    if (p < 0) continue;
                    int xo = (s * inPos + p) * ch;
                    for (int c = 0; c < ch; c++) tap.at(xo + c, (w * ch + c) * f, yo);
                }
            }
        }
    }

    @Override
    public Layer rebuild() {
        List<float[]> v = new ArrayList<>(List.of(kernel.toFloats(), recurrent.toFloats()));
        if (bias != null) v.add(bias.toFloats());
        return conv.withWeights(v);
    }
}

package io.jkeras.train;

import io.jkeras.layers.CudnnRecurrent;
import io.jkeras.layers.Gru;
import io.jkeras.layers.Layer;
import io.jkeras.layers.Lstm;
import io.jkeras.layers.Recurrent;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.layers.Weight;

import java.util.List;

/**
 * Keras 2's CuDNNLSTM / CuDNNGRU in training form. The parameters are the weights as the file
 * stores them (CuDNN layout, as {@link CudnnRecurrent#weights()} lists them, so a saved model
 * carries them unchanged); each forward pass converts them differentiably into the Keras layout of
 * the equivalent LSTM / GRU(reset_after) exactly as the loader does (kernel per gate
 * {@code k.T.reshape(k.shape, order='F')}, recurrent kernel per gate transposed, LSTM bias
 * {@code b[:4u] + b[4u:]}, GRU bias reshaped to (2, 3u)) and runs that cell (tanh, sigmoid).
 * The two LSTM bias halves therefore receive the same gradient, as in CuDNN.
 */
final class CudnnTrainer extends RecurrentTrainer {
    private final CudnnRecurrent cudnn;
    private final boolean lstm;
    private final int gates, features;
    private final int[] kernelIndex, recurrentIndex;

    // per forward pass: the converted weights
    private Var u, recBias;

    CudnnTrainer(Layer layer, TrainingConfig config) {
        super((CudnnRecurrent) layer, config);
        this.cudnn = (CudnnRecurrent) layer;
        this.lstm = cudnn.inner() instanceof Lstm;
        this.gates = lstm ? 4 : 3;
        this.features = cudnn.inputSize();
        this.kernelIndex = inputKernelIndex(features, units, gates);
        this.recurrentIndex = recurrentKernelIndex(units, gates);
    }

    @Override int stateCount() { return lstm ? 2 : 1; }


    /** Index into the CuDNN kernel of each element of the Keras kernel (CudnnMappers.inputKernelFromCudnn). */
    static int[] inputKernelIndex(int features, int units, int gates) {
        int gu = gates * units;
        int[] idx = new int[features * gu];
        for (int g = 0; g < gates; g++)
            for (int a = 0; a < features; a++)
                for (int b = 0; b < units; b++) {
                    int n = a + b * features;
                    idx[a * gu + g * units + b] = (n / units) * gu + g * units + n % units;
                }
        return idx;
    }

    /** Per gate, the (u, u) block transposed (CudnnMappers.recurrentKernelFromCudnn). */
    static int[] recurrentKernelIndex(int units, int gates) {
        int gu = gates * units;
        int[] idx = new int[units * gu];
        for (int g = 0; g < gates; g++)
            for (int i = 0; i < units; i++)
                for (int j = 0; j < units; j++) idx[i * gu + g * units + j] = j * gu + g * units + i;
        return idx;
    }

    @Override
    Var project(Tape t, Var x) {
        int gu = gates * units;
        Var w = Ops.gatherElements(t, kernel.var(), kernelIndex, new int[]{features, gu});
        u = Ops.gatherElements(t, recurrent.var(), recurrentIndex, new int[]{units, gu});
        Var inBias = Ops.sliceLast(t, bias.var(), 0, gu);
        Var rb = Ops.sliceLast(t, bias.var(), gu, gu);
        if (lstm) {
            recBias = null;
            return Ops.addBias(t, Ops.matmul(t, x, w), Ops.add(t, inBias, rb));
        }
        recBias = rb;
        return Ops.addBias(t, Ops.matmul(t, x, w), inBias);
    }

    @Override
    Var[] step(Tape t, Var xp, Var[] states, Var hDropped) {
        if (!lstm) {
            return new Var[]{GruTrainer.cell(t, xp, states[0], null, u, recBias, true, ((Gru) cudnn.inner())
                    .activation(),
                    ((Gru) cudnn.inner()).recurrentActivation(), units)};
        }
        return LstmTrainer.cell(t, Ops.add(t, xp, Ops.matmul(t, hDropped, u)), states[1], (Lstm) cudnn.inner(), units);
    }

    @Override
    public Layer rebuild() {
        float[] k = kernel.toFloats(), r = recurrent.toFloats(), b = bias.toFloats();
        int gu = gates * units;
        float[] kk = new float[k.length], rr = new float[r.length];
        for (int i = 0; i < kk.length; i++) kk[i] = k[kernelIndex[i]];
        for (int i = 0; i < rr.length; i++) rr[i] = r[recurrentIndex[i]];
        Recurrent inner;
        if (lstm) {
            Lstm l = (Lstm) cudnn.inner();
            float[] sum = new float[gu];
            for (int i = 0; i < gu; i++) sum[i] = b[i] + b[gu + i];
            inner = new Lstm(l.name(), units, features, l.activation(), l.recurrentActivation(), kk, rr, sum,
                    l.options());
        } else {
            Gru g = (Gru) cudnn.inner();
            inner = new Gru(g.name(), units, features, g.activation(), g.recurrentActivation(), true, kk, rr, b.clone(),
                    g.options());
        }
        List<Weight> w = cudnn.weights();
        List<Weight> stored = List.of(new Weight(w.get(0).name(), w.get(0).shape(), k),
                new Weight(w.get(1).name(), w.get(1).shape(), r),
                new Weight(w.get(2).name(), w.get(2).shape(), b));
        return new CudnnRecurrent(cudnn.typeName(), inner, stored);
    }
}

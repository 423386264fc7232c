package io.jkeras.keras;

import io.jkeras.exceptions.WeightException;
import io.jkeras.kernels.Activation;
import io.jkeras.layers.CudnnRecurrent;
import io.jkeras.layers.Gru;
import io.jkeras.layers.Layer;
import io.jkeras.layers.Lstm;
import io.jkeras.layers.Recurrent;
import io.jkeras.layers.Weight;

import java.util.List;

/**
 * Keras 2's GPU-only CuDNNLSTM and CuDNNGRU (tanh, sigmoid, always with bias), run as the
 * equivalent LSTM and GRU(reset_after=True) after converting the weights exactly as Keras 2 did
 * when loading them into those layers ({@code _convert_rnn_weights} in keras/engine/saving.py):
 * <ul>
 * <li>input kernel, per gate: {@code k.T.reshape(k.shape, order='F')} (CuDNN → Keras layout);</li>
 * <li>recurrent kernel, per gate: transposed;</li>
 * <li>CuDNNLSTM bias (8u): input and recurrent halves summed, {@code b[:4u] + b[4u:]};
 * CuDNNGRU bias (6u): reshaped to (2, 3u), input bias then recurrent bias.</li>
 * </ul>
 * Gate order is unchanged (LSTM i|f|c|o, GRU z|r|h). The layer still reports Keras' class name and
 * the stored CuDNN-layout weights ({@link CudnnRecurrent}).
 */
final class CudnnMappers {
    private CudnnMappers() {}

    /** Registers this group's mappers under their Keras class names ({@link LayerRegistry}). */
    static void register(java.util.Map<String, LayerMapper> m) {
        m.put("CuDNNGRU", CudnnMappers::cudnnGru);
        m.put("CuDNNLSTM", CudnnMappers::cudnnLstm);
    }

    static Layer cudnnLstm(LayerSpec spec, List<WeightArray> w, int[][] in, MapContext ctx) {
        return map(spec, w, in, ctx, 4, "CuDNNLSTM");
    }

    static Layer cudnnGru(LayerSpec spec, List<WeightArray> w, int[][] in, MapContext ctx) {
        return map(spec, w, in, ctx, 3, "CuDNNGRU");
    }

    private static Layer map(LayerSpec spec, List<WeightArray> w, int[][] in, MapContext ctx, int gates, String cls) {
        Cfg c = new Cfg(spec, ctx);
        GruMappers.checkCommon(spec, c, ctx);
        int units = c.dimension("units");
        if (w.size() != 3) {
            throw new WeightException(ctx.file(), spec.name(), null,
                    "expected 3 weights (kernel, recurrent_kernel, bias), found "
                    + w.size() + RecurrentMappers.names(w), null);
        }
        int gu = gates * units;
        WeightArray k = RecurrentMappers.pick(w, "kernel", 0);
        WeightArray r = RecurrentMappers.pick(w, "recurrent_kernel", 1);
        WeightArray b = RecurrentMappers.pick(w, "bias", 2);
        if (k.shape().length != 2 || k.shape()[1] != gu) {
            throw RecurrentMappers.shape(spec, ctx, "kernel", k, "(" + RecurrentMappers.features(in[0]) + ", " + gu
                    + ")");
        }
        RecurrentMappers.expectShape(spec, ctx, "recurrent_kernel", r, units, gu);
        RecurrentMappers.expectShape(spec, ctx, "bias", b, 2 * gu);
        int features = k.shape()[0];
        GruMappers.checkFeatures(spec, in[0], features, ctx);
        float[] kernel = inputKernelFromCudnn(k.data(), features, units, gates);
        float[] recurrent = recurrentKernelFromCudnn(r.data(), units, gates);
        Recurrent inner;
        if (gates == 4) {
            float[] bias = new float[gu];
            for (int i = 0; i < gu; i++) bias[i] = b.data()[i] + b.data()[gu + i];
            inner = new Lstm(spec.name(), units, features, Activation.TANH, Activation.SIGMOID, kernel, recurrent, bias,
                    RecurrentMappers.options(c));
        } else {
            inner = new Gru(spec.name(), units, features, Activation.TANH, Activation.SIGMOID, true, kernel, recurrent,
                    b.data().clone(), RecurrentMappers.options(c));
        }
        List<Weight> stored = List.of(
                new Weight("kernel", new int[]{features, gu}, k.data()),
                new Weight("recurrent_kernel", new int[]{units, gu}, r.data()),
                new Weight("bias", new int[]{2 * gu}, b.data()));
        return new CudnnRecurrent(cls, inner, stored);
    }

    /**
     * Per gate g, the (F, u) block k of columns [g·u, (g+1)·u) becomes
     * {@code k.T.reshape((F, u), order='F')}: element (a, b) is element {@code a + b·F} of k read in
     * row-major order.
     */
    static float[] inputKernelFromCudnn(float[] kernel, int features, int units, int gates) {
        int gu = gates * units;
        float[] out = new float[kernel.length];
        for (int g = 0; g < gates; g++) {
            for (int a = 0; a < features; a++) {
                for (int b = 0; b < units; b++) {
                    int n = a + b * features;
                    out[a * gu + g * units + b] = kernel[(n / units) * gu + g * units + n % units];
                }
            }
        }
        return out;
    }

    /** Per gate, the (u, u) block is transposed. */
    static float[] recurrentKernelFromCudnn(float[] rec, int units, int gates) {
        int gu = gates * units;
        float[] out = new float[rec.length];
        for (int g = 0; g < gates; g++) {
            for (int i = 0; i < units; i++) {
                for (int j = 0; j < units; j++) {
                    out[i * gu + g * units + j] = rec[j * gu + g * units + i];
                }
            }
        }
        return out;
    }
}

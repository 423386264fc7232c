package io.jkeras.train.forms;

import io.jkeras.kernels.Activation;
import io.jkeras.layers.CudnnRecurrent;
import io.jkeras.layers.Gru;
import io.jkeras.layers.Lstm;
import io.jkeras.layers.Recurrent;
import io.jkeras.layers.RecurrentOptions;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.layers.Weight;
import io.jkeras.train.TrainableLayer;
import io.jkeras.train.TrainableLayers;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Random;

import static io.jkeras.train.forms.FormChecks.In;
import static org.assertj.core.api.Assertions.assertThat;

/** CuDNNLSTM / CuDNNGRU: parameters in the stored CuDNN layout, computed as the converted LSTM / GRU. */
class CudnnTrainerTest {
    static final int F = 3, U = 2, B = 2, T = 4;

    /** numpy {@code k.T.reshape(k.shape, order='F')} of the (rows, cols) block of each gate. */
    static float[] fromCudnnKernel(float[] k, int rows, int units, int gates) {
        int gu = gates * units;
        float[] out = new float[k.length];
        for (int g = 0; g < gates; g++) {
            // kt = block.T, shape (units, rows)
            float[][] kt = new float[units][rows];
            for (int a = 0; a < rows; a++) for (int b = 0; b < units; b++) kt[b][a] = k[a * gu + g * units + b];
            // Fortran-order flattening of kt: index i + j·units ↔ kt[i][j]; then Fortran-order fill of (rows, units)
            float[] flat = new float[rows * units];
            for (int j = 0; j < rows; j++) for (int i = 0; i < units; i++) flat[i + j * units] = kt[i][j];
            for (int b = 0; b < units; b++) for (int a = 0; a < rows; a++) out[a * gu + g * units + b] = flat[a
                    + b * rows];
        }
        return out;
    }

    static float[] transposeBlocks(float[] r, int units, int gates) {
        int gu = gates * units;
        float[] out = new float[r.length];
        for (int g = 0; g < gates; g++)
            for (int i = 0; i < units; i++)
                for (int j = 0; j < units; j++) out[i * gu + g * units + j] = r[j * gu + g * units + i];
        return out;
    }

    static CudnnRecurrent cudnn(boolean lstm, Random r, RecurrentOptions o) {
        int gates = lstm ? 4 : 3, gu = gates * U;
        float[] k = FormChecks.rnd(r, F * gu, 0.6), rk = FormChecks.rnd(r, U * gu, 0.6),
                b = FormChecks.rnd(r, 2 * gu, 0.6);
        float[] kk = fromCudnnKernel(k, F, U, gates), rr = transposeBlocks(rk, U, gates);
        Recurrent inner;
        if (lstm) {
            float[] sum = new float[gu];
            for (int i = 0; i < gu; i++) sum[i] = b[i] + b[gu + i];
            inner = new Lstm("cu", U, F, Activation.TANH, Activation.SIGMOID, kk, rr, sum, o);
        } else {
            inner = new Gru("cu", U, F, Activation.TANH, Activation.SIGMOID, true, kk, rr, b, o);
        }
        return new CudnnRecurrent(lstm ? "CuDNNLSTM" : "CuDNNGRU", inner,
                List.of(new Weight("kernel", new int[]{F, gu}, k),
                new Weight("recurrent_kernel", new int[]{U, gu}, rk), new Weight("bias", new int[]{2 * gu}, b)));
    }

    @ParameterizedTest(name = "lstm={0} seq={1} backwards={2} returnState={3}")
    @CsvSource({"true,false,false,false", "true,true,true,true", "false,false,false,false", "false,true,true,true"})
    void gradientsEngineAndStoredLayout(boolean lstm, boolean seq, boolean back, boolean state) {
        Random r = new Random(31);
        CudnnRecurrent l = cudnn(lstm, r, new RecurrentOptions(seq, state, back, false));
        TrainableLayer form = TrainableLayers.of(l, TrainingConfig.DEFAULT);
        assertThat(form.params()).extracting(p -> p.var().size())
                .containsExactly(F * (lstm ? 4 : 3) * U, U * (lstm ? 4 : 3) * U, 2 * (lstm ? 4 : 3) * U);
        List<In> in = List.of(FormChecks.leaf(r, FormChecks.mask(B, T, 1), B, T, F));
        FormChecks.grad(form, in);
        FormChecks.matchesEngine(form, in);
        CudnnRecurrent rebuilt = (CudnnRecurrent) FormChecks.rebuildExact(form);
        assertThat(rebuilt.typeName()).isEqualTo(l.typeName());
        // the rebuilt layer computes with the converted weights of its (stored) parameters
        FormChecks.matches(rebuilt, form, in);
    }
}

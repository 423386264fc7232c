package io.jkeras.train.fit;

import io.jkeras.train.FusedRecurrentFit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

/**
 * Training parity with real Keras 3.15.1 for the CNN-LSTM cases of fixtures/keras3/layers14/fit
 * (Conv1D(4, 3, relu) → MaxPooling1D(2) → LSTM(4) → Dense(2), SGD and Adam): fitted from {@code start.h5}, the
 * final weights and the loss history must match Keras' as {@link TrainingParityTest} requires, on the default
 * path and on the tape.
 */
class PoolingFitParityTest {
    private static final Path ROOT = Path.of("fixtures/keras3/layers14/fit");

    @ParameterizedTest
    @ValueSource(strings = {"fit_cnn_lstm", "fit_cnn_lstm_adam"})
    void cnnLstmWithMaxPoolingFitsAsKerasDoes(String name) throws Exception {
        TrainingParityTest.runCase(ROOT.resolve(name), FusedRecurrentFit.defaultMode());
        TrainingParityTest.runCase(ROOT.resolve(name), FusedRecurrentFit.Mode.TAPE);
    }
}

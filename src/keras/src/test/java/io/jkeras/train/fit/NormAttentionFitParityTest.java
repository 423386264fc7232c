package io.jkeras.train.fit;

import io.jkeras.train.FusedRecurrentFit;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Training parity with real Keras 3.15.1 for the normalisation and attention layers: the fit cases of
 * fixtures/keras3/layers14/fit that use them, run exactly as {@link TrainingParityTest} runs fixtures/train
 * (final weights within 1e-4 of Keras' final.h5, every history value within 1e-4 relative).
 */
class NormAttentionFitParityTest {
    static final Path ROOT = Path.of("fixtures/keras3/layers14/fit");

    @TestFactory
    Stream<DynamicTest> layerNormalizationFitsAsKerasDoes() {
        return Stream.of("fit_layer_norm", "fit_layer_norm_adam").map(n -> DynamicTest.dynamicTest(n,
                () -> TrainingParityTest.runCase(ROOT.resolve(n), FusedRecurrentFit.defaultMode())));
    }

    /** LSTM → Attention(use_scale) → GlobalAveragePooling1D → Dense. */
    @Test
    void attentionFitsAsKerasDoes() throws Exception {
        TrainingParityTest.runCase(ROOT.resolve("fit_attention"), FusedRecurrentFit.defaultMode());
    }
}

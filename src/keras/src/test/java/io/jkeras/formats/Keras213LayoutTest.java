package io.jkeras.formats;

import io.jkeras.JKeras;
import io.jkeras.fixtures.FixtureCase;
import io.jkeras.keras.KerasLoader;
import io.jkeras.model.LoadOptions;
import io.jkeras.model.Model;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Keras 2.13–2.15 {@code .keras} variant: weights under {@code _layer_checkpoint_dependencies/}
 * instead of {@code layers/}. No real file of those versions exists to test with, so
 * fixtures/keras2_13_layout holds archives constructed by tools/make_keras2_13_layout.py from real
 * Keras 3 fixtures, following tf.keras 2.13 saving_lib as its docstring lists: H5IOStore.make
 * ({@code create_group(path).create_group("vars")} for every object), Layer._save_own_variables
 * ({@code _trainable_weights + _non_trainable_weights} as "0", "1", …),
 * Functional._layer_checkpoint_dependencies ({@code layer_with_weights-k} and {@code layer-i}, the
 * same layer twice, first in {@code dir()}), _save_container_state (dict values, visited trackables
 * skipped, {@code generic_utils.to_snake_case} names made unique with _1, _2) and the RNN
 * {@code cell} / Wrapper {@code layer} / Bidirectional {@code forward_layer}, {@code backward_layer}
 * attributes. Keras 3.15.1 itself loads each of them and reproduces the case's outputs exactly
 * (checked when they were built; see that folder's README). Each must give the same arrays as the
 * case's legacy model.h5 and bit-identical outputs.
 */
class Keras213LayoutTest {

    @TestFactory
    Stream<DynamicTest> keras213Archives() throws IOException {
        Path root = FixtureCase.root().resolve("keras2_13_layout");
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(d -> Files.exists(d.resolve("model.keras"))).sorted().toList().stream()
                    .map(d -> DynamicTest.dynamicTest(d.getFileName().toString(), () -> {
                        FixtureCase c = FixtureCase.all("keras3").stream()
                                .filter(x -> x.name().equals(d.getFileName().toString())).findFirst().orElseThrow();
                        Path keras = d.resolve("model.keras");
                        Model m = JKeras.load(keras);
                        assertThat(m.metadata()).containsEntry("format", "keras-zip")
                                .containsEntry("keras_version", "2.13.1");
                        KerasArchiveTest.sameArrays(KerasLoader.archiveWeights(keras, LoadOptions.DEFAULT),
                                KerasArchiveTest.legacyArrays(c));
                        KerasArchiveTest.sameModel(c, m, JKeras.load(c.dir().resolve("model.h5")));
                    }));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}

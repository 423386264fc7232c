package io.jkeras.model;

import io.jkeras.exceptions.ModelFormatException;
import io.jkeras.format.JkmModelLoader;
import io.jkeras.golden.GoldenCase;
import io.jkeras.keras.KerasModelLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.jkeras.testing.JKerasAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Model files are loaded without the core knowing their formats: the loaders registered as
 * services take files by their first bytes, and a golden case loads its model through them.
 */
class ModelLoaderTest {
    @TempDir
    Path tmp;

    private static final Path BIDIR = Path.of("fixtures", "keras3", "bidir_lstm_concat");

    @Test
    void theNativeAndKerasLoadersAreRegisteredAsServices() {
        assertThat(ModelLoader.available()).extracting(l -> (Object) l.getClass())
                .contains(JkmModelLoader.class, KerasModelLoader.class);
    }

    @Test
    void eachFileIsTakenByTheLoaderOfItsFormatWhateverItsName() throws Exception {
        assertThat(ModelLoader.forFile(BIDIR.resolve("model.h5"))).isInstanceOf(KerasModelLoader.class);
        assertThat(ModelLoader.forFile(BIDIR.resolve("model.keras"))).isInstanceOf(KerasModelLoader.class);
        Path jkm = Path.of("fixtures", "native", "v1.0", "graph_two_in_two_out.jkm");
        Path renamed = Files.copy(jkm, tmp.resolve("model.h5"));
        assertThat(ModelLoader.forFile(renamed)).isInstanceOf(JkmModelLoader.class);
        assertThat(ModelLoader.forFile(renamed).load(renamed, LoadOptions.DEFAULT).layers()).isNotEmpty();
    }

    @Test
    void aFileNoLoaderTakesIsRefusedNamingItsFirstBytesAndTheFormatsAvailable() throws Exception {
        Path f = Files.writeString(tmp.resolve("model.h5"), "<html>not a model</html>");
        assertThatThrownBy(() -> ModelLoader.forFile(f)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("3c 68 74 6d 6c 3e 6e 6f")
                .hasMessageContaining("jkeras native (.jkm)").hasMessageContaining("Keras archive (.keras)")
                .hasMessageNotContaining("\n");
        Path empty = Files.createFile(tmp.resolve("empty.keras"));
        assertThatThrownBy(() -> ModelLoader.forFile(empty)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("the file is empty");
    }

    @Test
    void aGoldenCaseWithWeightsBesideItsConfigLoadsThroughTheKerasLoader() throws Exception {
        Path d = Files.createDirectory(tmp.resolve("case"));
        for (String f : new String[]{"x0.npy", "y0.npy", "config.json", "model.weights.h5"}) {
            Files.copy(BIDIR.resolve(f), d.resolve(f));
        }
        GoldenCase c = GoldenCase.open(d);
        assertThat(c.modelFile()).contains(d.resolve("model.weights.h5"));
        assertThat(c.loadModel()).on(c).matchesWithin(1e-5);
    }

    @Test
    void aGoldenCaseWhoseModelNoLoaderTakesIsRefusedNamingTheModelFile() throws Exception {
        Path d = Files.createDirectory(tmp.resolve("case"));
        for (String f : new String[]{"x0.npy", "y0.npy"}) Files.copy(BIDIR.resolve(f), d.resolve(f));
        Files.writeString(d.resolve("model.keras"), "{}");
        assertThatThrownBy(() -> GoldenCase.open(d).loadModel()).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(d.resolve("model.keras").toString())
                .hasMessageContaining("the formats available");
    }
}

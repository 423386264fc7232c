package io.jkeras.testing;

import io.jkeras.format.JkmReader;
import io.jkeras.format.JkmWriter;
import io.jkeras.golden.GoldenCase;
import io.jkeras.model.Model;
import io.jkeras.tensor.Tensor;
import io.jkeras.npy.Npy;
import io.jkeras.util.AtomicFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static io.jkeras.testing.JKerasAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The project's own fixtures through the user-facing test library: {@code @GoldenCases} walks
 * fixtures/keras3 (Keras' outputs), and each model, loaded from its Keras file and from its native
 * conversion, must match Keras within the case's tolerance.
 */
class GoldenCasesFixturesTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @GoldenCases("fixtures/keras3")
    void keras3ModelsMatchKeras(GoldenCase golden) {
        assertThat(golden.loadModel()).on(golden).matchesWithin(1e-5);
    }

    @ParameterizedTest(name = "{0}")
    @GoldenCases(value = "fixtures/keras3", requireModel = true)
    void nativeConversionsMatchKeras(GoldenCase golden) {
        Model m = golden.loadModel();
        Model nat = JkmReader.read(JkmWriter.toBytes(m, JkmWriter.Options.DEFAULT), golden.name() + ".jkm",
                JkmReader.Options.DEFAULT);
        assertThat(nat).on(golden).matchesCaseTolerance();
    }

    @ParameterizedTest(name = "{0}")
    @GoldenCases(value = "fixtures/keras3/gru_default")
    void aSingleCaseDirectoryIsOneCase(GoldenCase golden) {
        org.assertj.core.api.Assertions.assertThat(golden.name()).isEqualTo("gru_default");
        assertThat(golden.loadModel()).hasInputCount(1).hasOutputCount(1).on(golden).matchesWithin(1e-5, 0);
    }

    @Test
    void providerSortsFiltersAndRefusesEmptyDirectories() throws Exception {
        List<GoldenCase> all = GoldenCasesProvider.find(Path.of("fixtures/keras3"), false, Set.of());
        List<GoldenCase> some = GoldenCasesProvider.find(Path.of("fixtures/keras3"), false,
                Set.of("act_celu", "gru_default"));
        org.assertj.core.api.Assertions.assertThat(all).hasSize(some.size() + 2);
        org.assertj.core.api.Assertions.assertThat(all.stream().map(GoldenCase::name).toList()).isSorted()
                .contains("lstm_default");
        Files.createDirectories(tmp.resolve("empty"));
        assertThatThrownBy(() -> GoldenCasesProvider.find(tmp.resolve("empty"), false, Set.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no golden case");
    }

    @Test
    void failureMessageCarriesVerifyStatistics() throws Exception {
        Path src = Path.of("fixtures/keras3/lstm_return_sequences");
        Path g = tmp.resolve("case");
        Files.createDirectories(g);
        Files.copy(src.resolve("x0.npy"), g.resolve("x0.npy"));
        Tensor y = Npy.read(src.resolve("y0.npy")).tensor();
        y.data()[67] += 1e-3f;
        AtomicFiles.write(g.resolve("y0.npy"), o -> Npy.write(o, y));
        Model m = GoldenCase.open(src).loadModel();
        Path report = tmp.resolve("report.html");
        assertThatThrownBy(() -> assertThat(m).on(g).withReport(report).matchesWithin(1e-5))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("to match golden case " + g
                + " within atol 1e-05 (given), rtol 0 (given), but 1 of 1 output(s) differ")
                .hasMessageContaining("max abs err 0.00100")
                .hasMessageContaining("worst at (batch 2, timestep 1, unit 2)")
                .hasMessageContaining("1 of 90 outside atol")
                .hasMessageContaining("report: " + report);
        org.assertj.core.api.Assertions.assertThat(report).content().contains("<svg");
        assertThat(m).on(g).matchesWithin(2e-3);
        assertThatThrownBy(() -> assertThat(m).as("my model").on(g).matchesExactly())
                .hasMessageStartingWith("[my model] ");
    }
}

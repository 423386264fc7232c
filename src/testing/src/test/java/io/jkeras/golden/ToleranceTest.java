package io.jkeras.golden;

import io.jkeras.exceptions.InputException;
import io.jkeras.fixtures.FixtureCase;
import io.jkeras.format.EmbeddedCheck;
import io.jkeras.model.Model;
import io.jkeras.tensor.Tensor;
import io.jkeras.npy.Npy;
import io.jkeras.util.AtomicFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.jkeras.testing.JKerasAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A golden check can fail: tolerances are finite, non-negative and at most {@link Tolerance#MAX}
 * unless loosening is asked for; golden.json is read strictly; a case's files are numbered without
 * a gap.
 */
class ToleranceTest {
    @TempDir
    Path tmp;

    static final Path LSTM = FixtureCase.root().resolve("keras3").resolve("lstm_default");

    /**
     * A copy of lstm_default (inputs, outputs, model; no case.json) with {@code golden} as golden.json, if not null.
     */
    Path caseWith(String golden) throws Exception {
        Path d = Files.createTempDirectory(tmp, "case");
        for (String f : new String[]{"x0.npy", "y0.npy", "model.h5"}) Files.copy(LSTM.resolve(f), d.resolve(f));
        if (golden != null) Files.writeString(d.resolve("golden.json"), golden);
        return d;
    }

    @Test
    void problemRefusesNaNInfinityAndNegativeEvenWhenLooseIsAllowed() {
        for (double v : new double[]{Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -1e-9}) {
            assertThat(Tolerance.problem(v, false)).as("%s", v).contains("finite number >= 0 and at most 0.01");
            assertThat(Tolerance.problem(v, true)).as("%s", v).isNotNull();
        }
        assertThat(Tolerance.problem(0, false)).isNull();
        assertThat(Tolerance.problem(Tolerance.MAX, false)).isNull();
        assertThat(Tolerance.problem(0.02, false)).contains("--allow-loose-tolerance");
        assertThat(Tolerance.problem(0.02, true)).isNull();
        assertThat(Tolerance.strictProblem(0.02)).isEqualTo(Tolerance.RULE);
    }

    @Test
    void goldenJsonWithAnOverflowingAtolIsRefusedNamingFileKeyAndValue() throws Exception {
        Path d = caseWith("{\"atol\": 1e999}");
        assertThatThrownBy(() -> GoldenCase.open(d)).isInstanceOf(InputException.class)
                .hasMessageContaining(d.resolve("golden.json").toString()).hasMessageContaining("'atol' is 1E+999");
    }

    @Test
    void goldenJsonWithAStringToleranceIsRefusedNotIgnored() throws Exception {
        Path d = caseWith("{\"rtol\": \"1e9\"}");
        assertThatThrownBy(() -> GoldenCase.open(d)).isInstanceOf(InputException.class)
                .hasMessageContaining("golden.json")
                .hasMessageContaining("'rtol' is \"1e9\" (a JSON string), but must be a number");
    }

    @Test
    void goldenJsonWithAnUnknownKeyIsRefusedListingTheAllowedKeys() throws Exception {
        Path d = caseWith("{\"atol\": 1e-5, \"tolerance\": 1}");
        assertThatThrownBy(() -> GoldenCase.open(d)).isInstanceOf(InputException.class)
                .hasMessageContaining("unknown key 'tolerance'")
                .hasMessageContaining("atol, batches, description, inputs");
    }

    @Test
    void goldenJsonWithADuplicateKeyIsRefused() throws Exception {
        Path d = caseWith("{\"atol\": 1e-5, \"atol\": 100}");
        assertThatThrownBy(() -> GoldenCase.open(d)).isInstanceOf(InputException.class).hasMessageContaining("atol");
    }

    @Test
    void malformedGoldenJsonIsOneLineNamingTheLineAndColumn() throws Exception {
        Path d = caseWith("{\n  \"atol\": 1e-5,\n}\n");
        assertThatThrownBy(() -> GoldenCase.open(d)).isInstanceOf(InputException.class)
                .hasMessageContaining(d.resolve("golden.json") + ": is not valid JSON: ")
                .hasMessageContaining("(line 3, column 1)")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> GoldenCase.open(caseWith("{\"atol\": 1e-5} x"))).isInstanceOf(InputException.class)
                .hasMessageContaining("is not valid JSON").hasMessageContaining("(line 1, column 16)");
        assertThatThrownBy(() -> GoldenCase.open(caseWith(" \n"))).isInstanceOf(InputException.class)
                .hasMessageContaining("is not a JSON object");
    }

    @Test
    void goldenJsonStartingWithAByteOrderMarkIsRead() throws Exception {
        assertThat(GoldenCase.open(caseWith("\uFEFF{\"atol\": 1e-4}")).atol()).isEqualTo(1e-4);
    }

    @Test
    void goldenJsonWrittenByGoldenRecordIsAccepted() throws Exception {
        Model m = io.jkeras.JKeras.load(LSTM.resolve("model.h5"));
        Path dir = tmp.resolve("rec");
        GoldenRecorder.record(m, LSTM.resolve("model.h5"), List.of(LSTM.resolve("x0.npy")), dir,
                GoldenRecorder.Options.DEFAULT);
        GoldenCase c = GoldenCase.open(dir);
        assertThat(c.atol()).isEqualTo(1e-5);
        assertThat(c.toleranceFile()).isEqualTo("golden.json");
    }

    @Test
    void aCaseToleranceAboveTheMaximumNeedsLooseConsentAndIsThenReportedLoose() throws Exception {
        GoldenCase c = GoldenCase.open(caseWith("{\"atol\": 0.5}"));
        assertThatThrownBy(() -> Tolerance.resolve(null, "--atol", null, "--rtol", c, false))
                .isInstanceOf(InputException.class).hasMessageContaining("golden.json")
                .hasMessageContaining("'atol' is 0.5")
                .hasMessageContaining("--allow-loose-tolerance");
        Tolerance t = Tolerance.resolve(null, "--atol", null, "--rtol", c, true);
        assertThat(t.loose()).isTrue();
        assertThat(t.describe())
                .isEqualTo("atol 0.5 (golden.json), rtol 0 (default), looser than the maximum 0.01"
                + " (--allow-loose-tolerance)");
    }

    @Test
    void resolveTakesTheFlagThenTheCaseThenTheDefaultAndSaysWhichFromWhere() throws Exception {
        GoldenCase c = GoldenCase.open(caseWith("{\"atol\": 1e-4, \"rtol\": 1e-3}"));
        assertThat(Tolerance.resolve(2e-3, "--atol", null, "--rtol", c, false).describe())
                .isEqualTo("atol 0.002 (--atol), rtol 0.001 (golden.json)");
        GoldenCase none = GoldenCase.open(caseWith(null));
        assertThat(Tolerance.resolve(null, "--atol", null, "--rtol", none, false).describe())
                .isEqualTo("atol 1e-05 (default), rtol 0 (default)");
    }

    @Test
    void aGapInTheInputNumberingIsRefusedNamingTheMissingFile() throws Exception {
        Path d = caseWith(null);
        Files.copy(d.resolve("x0.npy"), d.resolve("x2.npy"));
        assertThatThrownBy(() -> GoldenCase.open(d)).isInstanceOf(InputException.class)
                .hasMessageContaining("holds x2.npy but no x1.npy");
    }

    @Test
    void aGapInTheOutputNumberingIsRefusedNamingTheMissingFile() throws Exception {
        Path d = caseWith(null);
        Files.copy(d.resolve("y0.npy"), d.resolve("y3.npy"));
        assertThatThrownBy(() -> GoldenCase.open(d)).isInstanceOf(InputException.class)
                .hasMessageContaining("holds y3.npy but no y1.npy");
    }

    @Test
    void aCaseWithoutX0IsRefusedNamingX0() throws Exception {
        Path d = caseWith(null);
        Files.move(d.resolve("x0.npy"), d.resolve("x1.npy"));
        assertThatThrownBy(() -> GoldenCase.open(d)).isInstanceOf(InputException.class)
                .hasMessageContaining("but no x0.npy");
    }

    @Test
    void aNumberWithALeadingZeroIsRefused() throws Exception {
        Path d = caseWith(null);
        Files.copy(d.resolve("x0.npy"), d.resolve("x01.npy"));
        assertThatThrownBy(() -> GoldenCase.open(d)).isInstanceOf(InputException.class)
                .hasMessageContaining("x01.npy").hasMessageContaining("no leading zeros");
    }

    @Test
    void assertionRefusesTolerancesThatCannotFailUnlessLooseIsAllowed() throws Exception {
        Path d = caseWith(null);
        Tensor y = Npy.read(d.resolve("y0.npy")).tensor();
        for (int i = 0; i < y.data().length; i++) y.data()[i] += 5;
        AtomicFiles.write(d.resolve("y0.npy"), o -> Npy.write(o, y));
        GoldenCase c = GoldenCase.open(d);
        Model m = c.loadModel();
        assertThatThrownBy(() -> assertThat(m).on(c).matchesWithin(Double.NaN)).isInstanceOf(InputException.class);
        assertThatThrownBy(() -> assertThat(m).on(c).matchesWithin(Double.POSITIVE_INFINITY))
                .isInstanceOf(InputException.class);
        assertThatThrownBy(() -> assertThat(m).on(c).matchesWithin(6)).isInstanceOf(InputException.class)
                .hasMessageContaining("--allow-loose-tolerance");
        assertThat(m).on(c).allowingLooseTolerance().matchesWithin(6);
        assertThatThrownBy(() -> assertThat(m).on(c).allowingLooseTolerance().matchesWithin(4))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("looser than the maximum 0.01");
    }

    @Test
    void anEmbeddedCheckRefusesATolerancePastTheMaximum() {
        Tensor x = new Tensor(new int[]{1, 1}, new float[]{1});
        List<Tensor[]> xs = List.<Tensor[]>of(new Tensor[]{x});
        for (double bad : new double[]{Double.NaN, -1, 0.5, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> new EmbeddedCheck("test", bad, 0, xs, xs)).as("%s", bad)
                    .isInstanceOf(InputException.class).hasMessageContaining(Tolerance.RULE);
        }
        assertThat(new EmbeddedCheck("test", Tolerance.MAX, 0, xs, xs).atol()).isEqualTo(Tolerance.MAX);
    }
}

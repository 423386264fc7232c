package io.jkeras.cli;

import io.jkeras.exceptions.InputException;
import io.jkeras.JKeras;
import io.jkeras.fixtures.FixtureCase;
import io.jkeras.model.Model;
import io.jkeras.npy.Npy;
import io.jkeras.util.AtomicFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Numeric options have declared ranges, checked before any work (exit 2, one line naming option,
 * value and range, nothing written); golden tolerances are bounded and reported with their source.
 */
class OptionRangesCliTest {
    @TempDir
    Path tmp;

    static final Path LSTM = FixtureCase.root().resolve("keras3").resolve("lstm_default");

    static String lstm(String f) { return LSTM.resolve(f).toString(); }

    /** Exit 2, one {@code jkeras: error:} line holding every fragment, and nothing left in tmp. */
    void refused(List<String> args, String... fragments) throws Exception {
        CliResult r = CliResult.run(args.toArray(String[]::new));
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(Main.USER_ERROR);
        assertThat(r.errLines()).as(r.err()).hasSize(1);
        assertThat(r.err()).startsWith("jkeras: error: ").contains(fragments).doesNotContain("\tat ");
        try (var s = Files.list(tmp)) {
            assertThat(s.filter(p -> !p.getFileName().toString().equals("case")).toList()).isEmpty();
        }
    }

    static List<String> with(List<String> base, String... more) {
        List<String> l = new ArrayList<>(base);
        l.addAll(List.of(more));
        return l;
    }

    List<String> train() {
        return List.of("train", lstm("model.h5"), "--x", lstm("x0.npy"), "--y", lstm("y0.npy"), "--loss", "mse",
                "--progress", "none", "-o", tmp.resolve("out.h5").toString());
    }

    @ParameterizedTest
    @CsvSource({"--epochs,0,an integer >= 1", "--batch-size,0,an integer >= 1",
            "--learning-rate,NaN,a finite number > 0",
            "--learning-rate,-0.1,a finite number > 0", "--weight-decay,Infinity,a finite number >= 0",
            "--clipnorm,0,a finite number > 0", "--validation-split,1,a number in [0, 1)",
            "--validation-split,-0.5,a number in [0, 1)", "--early-stopping-patience,-1,an integer >= 0"})
    void trainRefusesAnOptionOutOfRangeBeforeLoading(String option, String value, String range) throws Exception {
        // a model path that does not exist: the option is refused before the model would be read
        List<String> a = new ArrayList<>(train());
        a.set(1, tmp.resolve("missing.h5").toString());
        refused(with(a, option, value), option + " " + value + " is out of range: allowed is " + range);
    }

    @Test
    void trainRefusesMomentumOutsideKerasRange() throws Exception {
        refused(with(train(), "--optimizer", "sgd", "--momentum", "1.5"), "--momentum 1.5", "[0, 1]");
    }

    @Test
    void trainWithTheLargestBatchSizeRunsOneStepPerEpochAndWritesTheTrainedModel() throws Exception {
        // targets away from the model's own outputs, so that a step changes the weights
        io.jkeras.tensor.Tensor y = Npy.read(LSTM.resolve("y0.npy")).tensor();
        for (int i = 0; i < y.data().length; i++) y.data()[i] += 1;
        Path target = tmp.resolve("y.npy");
        AtomicFiles.write(target, o -> Npy.write(o, y));
        List<String> a = new ArrayList<>(train());
        a.set(a.indexOf(lstm("y0.npy")), target.toString());
        CliResult r = CliResult.run(
                with(a, "--batch-size", "2147483647", "--optimizer", "sgd", "--learning-rate", "0.5")
                .toArray(String[]::new));
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        Model before = JKeras.load(LSTM.resolve("model.h5")), after = JKeras.load(tmp.resolve("out.h5"));
        float[] k0 = before.weights().get(0).weight().values(), k1 = after.weights().get(0).weight().values();
        assertThat(k1).hasSameSizeAs(k0).isNotEqualTo(k0);
    }

    @Test
    void trainOnZeroSamplesIsRefusedAndWritesNothing() throws Exception {
        Path x = tmp.resolve("x.npy"), y = tmp.resolve("y.npy");
        AtomicFiles.write(x, o -> Npy.write(o, new io.jkeras.tensor.Tensor(new int[]{0, 6, 4}, new float[0])));
        AtomicFiles.write(y, o -> Npy.write(o, new io.jkeras.tensor.Tensor(new int[]{0, 5}, new float[0])));
        CliResult r = CliResult.run("train", lstm("model.h5"), "--x", x.toString(), "--y", y.toString(), "--loss",
                "mse",
                "-o", tmp.resolve("out.h5").toString());
        assertThat(r.code()).as(r.err()).isEqualTo(Main.USER_ERROR);
        assertThat(r.err()).startsWith("jkeras: error: ").contains("0 samples");
        assertThat(tmp.resolve("out.h5")).doesNotExist();
    }

    @ParameterizedTest
    @CsvSource({"--callers,100000,an integer from 1 to 4096", "--threads,0,an integer from 1 to 1024",
            "--seconds,1e300,'a number in [0, 86400]'", "--warmup,NaN,'a number in [0, 86400]'",
            "--first,-1,an integer from 0 to 100000", "--timesteps,2147483647,an integer from 1 to 1048576",
            "--batch,0,an integer from 1 to 1048576"})
    void benchRefusesAnOptionOutOfRangeBeforeLoading(String option, String value, String range) throws Exception {
        refused(List.of("bench", tmp.resolve("missing.h5").toString(), option, value),
                option + " " + value + " is out of range: allowed is " + range);
    }

    @Test
    void benchCallerThreadsThatCannotBeCreatedEndTheCommandWithACleanError() {
        BenchCommand bench = new BenchCommand();
        AtomicInteger made = new AtomicInteger();
        bench.callerThreads = r -> {
            if (made.incrementAndGet() > 3) throw new OutOfMemoryError(
                    "unable to create native thread: possibly out of memory");
            return new Thread(r);
        };
        AtomicReference<Exception> error = new AtomicReference<>();
        CommandLine cl = new CommandLine(bench);
        cl.setExecutionExceptionHandler((ex, c, p) -> {
            error.set(ex);
            return Main.USER_ERROR;
        });
        int code = assertTimeoutPreemptively(Duration.ofSeconds(60), ()
                -> cl.execute(lstm("model.h5"), "--callers", "8",
                "--seconds", "0", "--warmup", "0", "--min-calls", "1", "--max-calls", "1"));
        assertThat(code).isEqualTo(Main.USER_ERROR);
        assertThat(error.get()).isInstanceOf(InputException.class)
                .hasMessageContaining("--callers 8: could start only 3 caller threads")
                .hasMessageContaining("unable to create native thread");
    }

    List<String> verify(Path dir, String... more) {
        return with(List.of("verify", lstm("model.h5"), "--golden", dir.toString()), more);
    }

    /** lstm_default with every expected value moved by 5, and {@code golden} as golden.json when not null. */
    Path offByFive(String golden) throws Exception {
        Path d = tmp.resolve("case");
        Files.createDirectories(d);
        Files.copy(LSTM.resolve("x0.npy"), d.resolve("x0.npy"));
        io.jkeras.tensor.Tensor y = Npy.read(LSTM.resolve("y0.npy")).tensor();
        for (int i = 0; i < y.data().length; i++) y.data()[i] += 5;
        AtomicFiles.write(d.resolve("y0.npy"), o -> Npy.write(o, y));
        if (golden != null) Files.writeString(d.resolve("golden.json"), golden);
        return d;
    }

    @Test
    void verifyRefusesAGoldenJsonToleranceThatCannotFail() throws Exception {
        refused(verify(offByFive("{\"atol\": 1e999}")), "golden.json: 'atol' is 1E+999");
    }

    @ParameterizedTest
    @CsvSource({"--atol,-1", "--atol,NaN", "--rtol,Infinity", "--atol,0.02"})
    void verifyRefusesAToleranceFlagOutsideTheRule(String option, String value) throws Exception {
        refused(verify(offByFive(null), option, value), option + " " + value
                + ": a tolerance is a finite number >= 0 and at most 0.01");
    }

    @Test
    void verifyPrintsTheToleranceAndItsSourceAndNamesALooseOneInTheVerdict() throws Exception {
        Path d = offByFive("{\"rtol\": 0.001}");
        CliResult r = CliResult.run(verify(d, "--atol", "6", "--allow-loose-tolerance").toArray(String[]::new));
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).startsWith(
                "tolerance: atol 6 (--atol), rtol 0.001 (golden.json), looser than the maximum 0.01")
                .contains("PASS (LOOSE tolerance, allowed by --allow-loose-tolerance)");
        CliResult strict = CliResult.run(verify(d, "--atol", "1e-5").toArray(String[]::new));
        assertThat(strict.code()).isEqualTo(Main.CHECK_FAILED);
        assertThat(strict.out()).startsWith("tolerance: atol 1e-05 (--atol), rtol 0.001 (golden.json)\n")
                .contains("FAIL: ");
    }

    @Test
    void goldenRecordRefusesAToleranceOutsideTheRuleAndWritesNothing() throws Exception {
        List<String> rec = List.of("golden", "record", lstm("model.h5"), "-i", lstm("x0.npy"), "--dir", tmp.resolve("g")
                .toString());
        refused(with(rec, "--atol", "-1"), "--atol -1");
        refused(with(rec, "--rtol", "NaN"), "--rtol NaN");
        refused(with(rec, "--atol", "0.5"), "--atol 0.5", "--allow-loose-tolerance");
    }

    @Test
    void convertRefusesAnEmbeddedCheckToleranceOutsideTheRuleAndWritesNothing() throws Exception {
        List<String> conv = List.of("convert", lstm("model.h5"), tmp.resolve("m.jkm").toString(), "--embed-check");
        refused(with(conv, "--check-atol", "-1"), "--check-atol -1");
        refused(with(conv, "--check-atol", "NaN"), "--check-atol NaN");
        refused(with(conv, "--check-rtol", "0.5"),
                "--check-rtol 0.5: a tolerance is a finite number >= 0 and at most 0.01");
    }

    @Test
    void convertRefusesToEmbedAGoldenCaseWithALooseToleranceWithoutOfferingToLoosenIt() throws Exception {
        Path d = offByFive("{\"atol\": 0.5}");
        Files.copy(LSTM.resolve("y0.npy"), d.resolve("y0.npy"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        refused(List.of("convert", lstm("model.h5"), tmp.resolve("m.jkm").toString(), "--embed-check-golden",
                d.toString()),
                d.resolve("golden.json") + ": 'atol' is 0.5: a tolerance is a finite number >= 0 and at most 0.01");
        CliResult r = CliResult.run("convert", lstm("model.h5"), tmp.resolve("m.jkm").toString(),
                "--embed-check-golden", d.toString());
        assertThat(r.err()).doesNotContain("--allow-loose-tolerance");
    }
}

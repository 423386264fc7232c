package io.jkeras.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jkeras.JKeras;
import io.jkeras.fixtures.FixtureCase;
import io.jkeras.model.Model;
import io.jkeras.npy.Npy;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code jkeras bench}: argument handling, the JSON keys the peer benchmark kit reads, and the
 * figures derived from the FLOP counter. Budgets are tiny (no warm-up, a few calls); nothing here
 * checks a time.
 */
class BenchCommandTest {
    static CliResult run(String... args) { return CliResult.run(args); }

    static final String[] FAST = {"--warmup", "0", "--seconds", "0", "--min-calls", "3"};

    static Path fixture(String name, String file) { return FixtureCase.root().resolve("keras3").resolve(name)
            .resolve(file); }

    static String[] args(String... a) {
        List<String> l = new ArrayList<>(List.of("bench"));
        l.addAll(List.of(a));
        return l.toArray(String[]::new);
    }

    static String[] fast(String... a) {
        List<String> l = new ArrayList<>(List.of(args(a)));
        l.addAll(List.of(FAST));
        return l.toArray(String[]::new);
    }

    static JsonNode json(CliResult r) throws Exception {
        assertThat(r.code()).as(r.err()).isZero();
        String[] lines = r.out().strip().split("\n");
        assertThat(lines).as("one JSON line").hasSize(1);
        return new ObjectMapper().readTree(lines[0]);
    }

    @Test
    void jsonHasTheKitKeysAndFiguresFromTheFlopCount() throws Exception {
        Path model = fixture("lstm_default", "model.h5");
        JsonNode j = json(run(fast(model.toString(), "--batch", "3", "--json")));
        for (String k : new String[]{"median_ms", "p90_ms", "throughput_seq_per_s", "gflop_per_s", "min_ms",
                "max_ms"}) {
            assertThat(j.get(k)).as(k).isNotNull();
            assertThat(j.get(k).asDouble()).as(k).isPositive();
        }
        assertThat(j.get("n").asInt()).isGreaterThanOrEqualTo(3);
        assertThat(j.get("batch").asInt()).isEqualTo(3);
        assertThat(j.get("p90_ms").asDouble()).isGreaterThanOrEqualTo(j.get("median_ms").asDouble());
        assertThat(j.get("max_ms").asDouble()).isGreaterThanOrEqualTo(j.get("p90_ms").asDouble());
        assertThat(j.get("min_ms").asDouble()).isLessThanOrEqualTo(j.get("median_ms").asDouble());
        long flops = FlopCounter.forwardPerSample(JKeras.load(model)) * 3;
        assertThat(j.get("flops_per_call").asLong()).isEqualTo(flops);
        double medianS = j.get("median_ms").asDouble() / 1e3;
        assertThat(j.get("gflop_per_s").asDouble())
                .isCloseTo(flops / medianS / 1e9, org.assertj.core.data.Percentage.withPercentage(1e-6));
        assertThat(j.get("throughput_seq_per_s").asDouble())
                .isCloseTo(3 / medianS, org.assertj.core.data.Percentage.withPercentage(1e-6));
        assertThat(j.get("kernel").asText()).isEqualTo(io.jkeras.kernels.Kernels.best().toString());
        assertThat(j.get("variant").asText()).isIn("cli-vector", "cli-scalar");
        assertThat(j.has("max_abs_diff")).isFalse();
    }

    @Test
    void inputAndExpectedReportTheDifferenceFromKeras() throws Exception {
        Path x = fixture("lstm_default", "x0.npy"), y = fixture("lstm_default", "y0.npy");
        JsonNode j = json(run(
                fast(fixture("lstm_default", "model.h5").toString(), "--input", x.toString(), "--expected",
                        y.toString(), "--json")));
        assertThat(j.get("batch").asInt()).isEqualTo(Npy.read(x).tensor().dim(0));
        assertThat(j.get("max_abs_diff").asDouble()).isBetween(0.0, 1e-5);
    }

    @Test
    void inputWhoseBatchDiffersFromBatchIsRefused() {
        Path x = fixture("lstm_default", "x0.npy");
        int b = Npy.read(x).tensor().dim(0);
        CliResult r = run(fast(fixture("lstm_default", "model.h5").toString(), "--input", x.toString(), "--batch",
                Integer.toString(b + 1)));
        assertThat(r.code()).isEqualTo(Main.USER_ERROR);
        assertThat(r.err()).contains("--batch");
    }

    @Test
    void unknownTimeDimensionNeedsTimesteps() throws Exception {
        String m = fixture("graph_variable_time", "model.h5").toString();
        CliResult r = run(fast(m));
        assertThat(r.code()).isEqualTo(Main.USER_ERROR);
        assertThat(r.err()).contains("--timesteps");
        JsonNode j = json(run(fast(m, "--timesteps", "7", "--json")));
        assertThat(j.get("input_shapes").get(0).asText())
                .isEqualTo(io.jkeras.tensor.Tensor.shapeString(
                new int[]{1, 7, JKeras.load(Path.of(m)).input(0).shape()[1]}));
    }

    @Test
    void timestepsThatContradictAFixedTimeDimensionAreRefused() {
        Model model = JKeras.load(fixture("lstm_default", "model.h5"));
        int t = model.input(0).shape()[0];
        CliResult r = run(fast(fixture("lstm_default", "model.h5").toString(), "--timesteps", Integer.toString(t + 1)));
        assertThat(r.code()).isEqualTo(Main.USER_ERROR);
        assertThat(r.err()).contains("fixed time dimension");
    }

    @Test
    void badOptionsAreUsageErrors() {
        String m = fixture("lstm_default", "model.h5").toString();
        String[][] bad = {{"--batch", "0"}, {"--threads", "0"}, {"--callers", "0"}, {"--kernel", "fast"},
                {"--seconds", "-1"},
                {"--max-calls", "0"}, {"--train", "--epochs", "0"}, {"--train", "--samples", "0"},
                {"--train", "--input", fixture("lstm_default", "x0.npy").toString()}, {"--train", "--callers", "2"},
                {"--first", "-1"}, {"--model-warm-up", "-1"}, {"--train", "--first", "2"}};
        for (String[] b : bad) {
            List<String> a = new ArrayList<>(List.of(m));
            a.addAll(List.of(b));
            CliResult r = run(fast(a.toArray(String[]::new)));
            assertThat(r.code()).as(String.join(" ", b) + ": " + r.err()).isEqualTo(Main.USER_ERROR);
            assertThat(r.err()).as(String.join(" ", b)).startsWith("jkeras: ").contains(b[b.length - 2]);
        }
    }

    @Test
    void threadsAndKernelsApplyToTheBenchedModelWithoutTouchingSystemProperties() throws Exception {
        String before = System.getProperty("jkeras.threads"), scalarBefore = System.getProperty("jkeras.scalar");
        JsonNode j = json(run(
                fast(fixture("lstm_default", "model.h5").toString(), "--threads", "3", "--kernel", "scalar",
                "--json")));
        assertThat(j.get("threads").asInt()).isEqualTo(3);
        assertThat(j.get("kernel").asText()).isEqualTo("scalar");
        assertThat(j.get("variant").asText()).isEqualTo("cli-scalar");
        assertThat(System.getProperty("jkeras.threads")).isEqualTo(before);
        assertThat(System.getProperty("jkeras.scalar")).isEqualTo(scalarBefore);
        JsonNode d = json(run(fast(fixture("lstm_default", "model.h5").toString(), "--json")));
        assertThat(d.get("threads").asInt()).isEqualTo(io.jkeras.kernels.Threads.defaultCount());
        assertThat(d.get("kernel").asText()).isEqualTo(io.jkeras.kernels.Kernels.best().toString());
    }

    @Test
    void severalCallersEachTimeTheirCalls() throws Exception {
        JsonNode j = json(run(fast(fixture("gru_default", "model.h5").toString(), "--callers", "2", "--json")));
        assertThat(j.get("callers").asInt()).isEqualTo(2);
        assertThat(j.get("n").asInt()).isGreaterThanOrEqualTo(6);
        double medianS = j.get("median_ms").asDouble() / 1e3;
        assertThat(j.get("throughput_seq_per_s").asDouble())
                .isCloseTo(2 / medianS, org.assertj.core.data.Percentage.withPercentage(1e-6));
    }

    @Test
    void firstCallsAndModelWarmUpAreReported() throws Exception {
        String m = fixture("lstm_default", "model.h5").toString();
        JsonNode j = json(run(fast(m, "--first", "3", "--model-warm-up", "0.001", "--json")));
        assertThat(j.get("first_calls_ms")).hasSize(3);
        for (JsonNode t : j.get("first_calls_ms")) assertThat(t.asDouble()).isPositive();
        assertThat(j.get("model_warm_up_calls").asInt()).isPositive();
        assertThat(j.get("model_warm_up_s").asDouble()).isPositive();
        JsonNode plain = json(run(fast(m, "--json")));
        assertThat(plain.has("first_calls_ms")).isFalse();
        assertThat(plain.has("model_warm_up_calls")).isFalse();
        CliResult human = run(fast(m, "--first", "2", "--model-warm-up", "0.001"));
        assertThat(human.out()).contains("first calls ", "warm-up    Model.warmUp: ");
    }

    @Test
    void humanOutputNamesEveryFigure() {
        CliResult r = run(fast(fixture("simple_rnn_default", "model.h5").toString()));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("latency", "median", "p90", "sequences/s", "GFLOP/s", "kernel");
    }

    @Test
    void trainTimesEpochsOfFit() throws Exception {
        Path model = fixture("lstm_default", "model.h5");
        JsonNode j = json(run(
                args(model.toString(), "--train", "--samples", "8", "--batch", "4", "--epochs", "2", "--json")));
        for (String k : new String[]{"median_s", "p90_s", "min_s", "max_s", "samples_per_s", "gflop_per_s",
                "warmup_epoch_s"}) {
            assertThat(j.get(k)).as(k).isNotNull();
            assertThat(j.get(k).asDouble()).as(k).isPositive();
        }
        assertThat(j.get("n").asInt()).isEqualTo(2);
        assertThat(j.get("batch").asInt()).isEqualTo(4);
        long flops = FlopCounter.TRAINING_FACTOR * FlopCounter.forwardPerSample(JKeras.load(model)) * 8;
        assertThat(j.get("flops_per_epoch").asLong()).isEqualTo(flops);
        assertThat(j.get("loss_first").asDouble()).isFinite().isPositive();
        assertThat(j.get("loss_last").asDouble()).isFinite().isPositive();
        assertThat(j.get("variant").asText()).startsWith("cli-train-");
        assertThat(j.has("median_ms")).isFalse();
    }
}

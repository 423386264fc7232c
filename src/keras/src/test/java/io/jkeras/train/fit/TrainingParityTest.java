package io.jkeras.train.fit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jkeras.JKeras;
import io.jkeras.model.Model;
import io.jkeras.tensor.Tensor;
import io.jkeras.npy.Npy;
import io.jkeras.train.EarlyStopping;
import io.jkeras.train.FitOptions;
import io.jkeras.train.FitResult;
import io.jkeras.train.FusedRecurrentFit;
import io.jkeras.train.Loss;
import io.jkeras.train.Losses;
import io.jkeras.train.Trainer;
import io.jkeras.train.Optimizers;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Training parity with real Keras 3: every case of {@code fixtures/train/} (written by
 * tools/gen_train_fixtures.py) is fitted from {@code start.h5} with the loss, optimizer, epochs,
 * batch size, validation and callbacks of its {@code case.json}; the final weights must match
 * Keras' {@code final.h5} within 1e-4 (absolute) and every per-epoch {@code history} value within
 * 1e-4 (relative). Under the default path selection the cases whose model qualifies for the
 * fused float32 step ({@link FusedRecurrentFit}) run on it; {@link #parityOnTape} runs those cases
 * again on the double-precision tape, so both paths are held to Keras.
 */
class TrainingParityTest {
    static final Path ROOT = Path.of(System.getProperty("jkeras.trainFixtures", "fixtures/train"));
    static final double WEIGHT_ATOL = 1e-4, LOSS_RTOL = 1e-4;
    static final ObjectMapper JSON = new ObjectMapper();

    @TestFactory
    Stream<DynamicTest> parity() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(ROOT), "no fixtures/train directory");
        List<Path> cases = new ArrayList<>();
        try (Stream<Path> s = Files.list(ROOT)) {
            s.filter(p -> Files.isRegularFile(p.resolve("case.json")) && Files.isRegularFile(p.resolve("final.h5")))
                    .sorted().forEach(cases::add);
        }
        Assumptions.assumeFalse(cases.isEmpty(), "no training fixtures yet");
        return cases.stream()
                .map(d -> DynamicTest.dynamicTest(d.getFileName().toString(), ()
                -> runCase(d, FusedRecurrentFit.defaultMode())));
    }

    /** The cases that run fused by default, forced onto the tape. */
    @TestFactory
    Stream<DynamicTest> parityOnTape() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(ROOT), "no fixtures/train directory");
        List<Path> cases = new ArrayList<>();
        try (Stream<Path> s = Files.list(ROOT)) {
            s.filter(p -> Files.isRegularFile(p.resolve("case.json")) && Files.isRegularFile(p.resolve("final.h5")))
                    .sorted().forEach(cases::add);
        }
        List<Path> fused = new ArrayList<>();
        for (Path d : cases) if (whyNotFused(d) == null) fused.add(d);
        Assumptions.assumeFalse(fused.isEmpty(), "no case runs on the fused path");
        return fused.stream().map(d -> DynamicTest.dynamicTest(d.getFileName().toString() + " (tape)", () -> {
            runCase(d, FusedRecurrentFit.Mode.TAPE);
        }));
    }

    /** Why a case's model does not take the fused path, or null when it does. */
    static String whyNotFused(Path dir) throws IOException {
        JsonNode c = JSON.readTree(dir.resolve("case.json").toFile());
        return FusedRecurrentFit.whyNot(JKeras.load(dir.resolve("start.h5")), arrays(dir, c.path("data").get("x")),
                losses(c.get("loss"), c.path("description").asText("")));
    }

    static Tensor[] arrays(Path dir, JsonNode list) {
        List<Tensor> out = new ArrayList<>();
        if (list != null) for (JsonNode f : list) out.add(Npy.read(dir.resolve(f.get("file").asText())).tensor());
        return out.toArray(new Tensor[0]);
    }

    static List<Loss> losses(JsonNode loss, String description) {
        List<Loss> ls = new ArrayList<>();
        if (loss.isArray()) for (JsonNode l : loss) ls.add(loss(l, description));
        else ls.add(loss(loss, description));
        return ls;
    }

    /**
     * Keras 3's {@code Huber.get_config()} drops {@code delta} (losses.py:352 returns only name and
     * reduction), so a case's config cannot carry it: the case description's "delta=…" supplies it.
     */
    static Loss loss(JsonNode l, String description) {
        if (l.path("class_name").asText().equals("Huber") && !l.path("config").has("delta")) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("Huber\\(delta=([0-9.eE+-]+)\\)")
                    .matcher(description);
            if (m.find()) return Losses.huber(Double.parseDouble(m.group(1)));
        }
        return Losses.fromConfig(ConfigJson.plain(l));
    }

    /**
     * The expected per-output loss history ({@code <output>_loss}) of a multi-output case: the plain
     * mean over batches of the per-step output losses Keras computed ({@code steps[].output_losses};
     * inside fit the per-output Mean metric's sample_weight is the static batch size, None, see
     * fixtures/train/README.md). The case's own {@code history} entries for them are not used: the
     * generator's recomputation callback ({@code model.compute_loss} in a tf.function with concrete
     * shapes) updates the same per-output metrics again, weighted by batch size, so those entries
     * equal (Σ l_b + Σ n_b·l_b) / (batches + samples) rather than Keras' plain value.
     */
    static Double outputLossFromSteps(JsonNode c, Model m, String key, int epoch) {
        JsonNode steps = c.path("steps");
        for (int o = 0; o < m.outputCount(); o++) {
            if (!key.equals(m.outputName(o) + "_loss")) continue;
            double tot = 0, n = 0;
            for (JsonNode st : steps) {
                if (st.path("epoch").asInt() != epoch || !st.has("output_losses")) continue;
                tot += st.get("output_losses").get(o).asDouble();
                n += 1;
            }
            return n == 0 ? null : tot / n;
        }
        return null;
    }

    /** Runs one case; returns {max weight error, max history relative error}. */
    static double[] runCase(Path dir, FusedRecurrentFit.Mode mode) throws IOException {
        JsonNode c = JSON.readTree(dir.resolve("case.json").toFile());
        Model start = JKeras.load(dir.resolve("start.h5"));
        Tensor[] x = arrays(dir, c.path("data").get("x")), y = arrays(dir, c.path("data").get("y"));
        FitOptions o = new FitOptions().optimizer(Optimizers.fromConfig(ConfigJson.plain(c.get("optimizer"))))
                .epochs(c.get("epochs").asInt()).batchSize(c.get("batch_size").asInt())
                .shuffle(c.path("shuffle").asBoolean(false))
                .trainPath(mode);
        List<Loss> ls = losses(c.get("loss"), c.path("description").asText(""));
        if (ls.size() == 1) o.loss(ls.get(0));
        else o.losses(ls);
        JsonNode lw = c.get("loss_weights");
        if (lw != null && lw.isArray()) {
            double[] w = new double[lw.size()];
            for (int i = 0; i < w.length; i++) w[i] = lw.get(i).asDouble();
            o.lossWeights(w);
        }
        String validation = c.path("validation").asText("none");
        if (validation.equals("data")) o.validationData(arrays(dir, c.path("data").get("vx")),
                arrays(dir, c.path("data").get("vy")));
        else if (validation.startsWith("split")) o.validationSplit(Double.parseDouble(validation.split(" ")[1]));
        for (JsonNode cb : c.path("callbacks")) {
            if (cb.asText().equals("EarlyStopping") || cb.path("class_name").asText().equals("EarlyStopping")) {
                JsonNode ec = cb.path("config");
                // tools/gen_train_fixtures.py's val_early_stopping: monitor val_loss, patience 1, no restore
                o.earlyStopping(new EarlyStopping(ec.path("monitor").asText("val_loss"), ec.path("min_delta")
                        .asDouble(0),
                        ec.path("patience").asInt(1), ec.path("restore_best_weights").asBoolean(false)));
            }
        }
        String path = mode == FusedRecurrentFit.Mode.TAPE ? "tape" : FusedRecurrentFit.whyNot(start, x, ls) == null
                ? "fused" : "tape";
        FitResult r = Trainer.fit(start, x, y, o);

        Model fin = JKeras.load(dir.resolve("final.h5"));
        Map<String, float[]> want = new LinkedHashMap<>();
        for (Model.NamedWeight w : fin.weights()) want.put(w.fullName(), w.weight().values());
        Map<String, float[]> got = new LinkedHashMap<>();
        for (Model.NamedWeight w : r.model().weights()) got.put(w.fullName(), w.weight().values());
        assertThat(got.keySet()).as("weights of %s", dir).containsExactlyInAnyOrderElementsOf(want.keySet());
        double maxW = 0;
        String worstW = "";
        for (Map.Entry<String, float[]> e : want.entrySet()) {
            float[] a = got.get(e.getKey()), b = e.getValue();
            assertThat(a).as(e.getKey()).hasSameSizeAs(b);
            for (int i = 0; i < b.length; i++) {
                double d = Math.abs(a[i] - b[i]);
                if (!(d <= maxW)) { maxW = d; worstW = e.getKey() + "[" + i + "]"; }
            }
        }
        double maxL = 0;
        String worstL = "";
        JsonNode hist = c.get("history");
        for (var it = hist.fields(); it.hasNext(); ) {
            var e = it.next();
            List<Double> mine = r.history().get(e.getKey());
            assertThat(mine).as("history %s of %s", e.getKey(), dir).hasSize(e.getValue().size());
            for (int i = 0; i < mine.size(); i++) {
                double k = e.getValue().get(i).asDouble();
                if (!e.getKey().equals("loss") && !e.getKey().startsWith("val_")) {
                    Double fromSteps = outputLossFromSteps(c, start, e.getKey(), i);
                    if (fromSteps != null) k = fromSteps;
                }
                double rel = Math.abs(mine.get(i) - k) / Math.max(Math.abs(k), 1e-12);
                if (!(rel <= maxL)) { maxL = rel; worstL = e.getKey() + "[" + i + "] " + mine.get(i) + " vs " + k; }
            }
        }
        System.out.printf("PARITY %-30s %-5s maxWeightErr %.2e (%s)  maxLossRelErr %.2e (%s)%n", dir.getFileName(),
                path, maxW, worstW, maxL, worstL);
        assertThat(maxW).as("max |weight - Keras| in %s at %s", dir.getFileName(), worstW)
                .isLessThanOrEqualTo(WEIGHT_ATOL);
        assertThat(maxL).as("max relative history error in %s at %s", dir.getFileName(), worstL)
                .isLessThanOrEqualTo(LOSS_RTOL);
        return new double[]{maxW, maxL};
    }
}

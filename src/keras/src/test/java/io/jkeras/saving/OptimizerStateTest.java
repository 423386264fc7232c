package io.jkeras.saving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jkeras.JKeras;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.fixtures.FixtureCase;
import io.jkeras.keras.KerasLosses;
import io.jkeras.keras.KerasOptimizerReader;
import io.jkeras.keras.KerasOptimizers;
import io.jkeras.model.LoadOptions;
import io.jkeras.model.Model;
import io.jkeras.tensor.Tensor;
import io.jkeras.npy.Npy;
import io.jkeras.train.FitOptions;
import io.jkeras.train.FitResult;
import io.jkeras.train.Losses;
import io.jkeras.train.Trainer;
import io.jkeras.train.TrainingState;
import io.jkeras.train.KerasOptimizer;
import io.jkeras.train.LossConfig;
import io.jkeras.train.OptimizerState;
import io.jkeras.train.Optimizers;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An optimizer state that survives save and load ({@link KerasOptimizerReader}, {@link JKeras#loadTrainingState},
 * {@link JKeras#save(Model, Path, KerasOptimizer, LossConfig)}):
 * <ol type="a">
 * <li>the state jkeras reads from Keras' own files equals Keras' optimizer variables bit for bit,
 * each found by its Keras name, not by the reader's positional mapping: every {@code fixtures/train}
 * {@code final.h5} (legacy HDF5, {@code optimizer_weights/}), the {@code fixtures/train_resume}
 * archives Keras saved after resuming ({@code .keras}, {@code optimizer/vars}), and the archive jkeras
 * wrote for {@code fixtures/saved/adam_state_*} (whose variables Keras restored); the optimizer config
 * round-trips through {@link KerasOptimizer#kerasConfig};</li>
 * <li>fitting 2 epochs, saving, loading model + state and fitting 1 more epoch gives what 3 epochs
 * straight give, bit for bit, for each optimizer;</li>
 * <li>jkeras resumes Keras' own training: Keras' {@code final.h5} with its optimizer state, trained
 * 1 more epoch by jkeras, equals Keras' continuation ({@code tools/gen_resume_fixture.py}) within 1e-4.</li>
 * </ol>
 */
class OptimizerStateTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final double KERAS_ATOL = 1e-4, LOSS_RTOL = 1e-4;

    @TempDir
    Path tmp;

    static Path train() { return FixtureCase.root().resolve("train"); }

    static Path resume() { return FixtureCase.root().resolve("train_resume"); }

    static List<Path> cases(Path root) throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> Files.isRegularFile(p.resolve("case.json"))).sorted().toList();
        }
    }

    static JsonNode json(Path p) throws IOException { return JSON.readTree(p.toFile()); }

    static float[] flat(Dataset ds) {
        Object d = ds.isScalar() ? ds.getData() : ds.getDataFlat();
        if (d instanceof Float f) return new float[]{f};
        if (d instanceof float[] f) return f;
        throw new AssertionError(ds.getPath() + " holds " + d.getClass().getSimpleName());
    }

    static String flatPath(String kerasPath) { return kerasPath.replace('/', '_'); }

    /**
     * The jkeras slot key ({@code lstm/kernel/momentum}) of a Keras optimizer variable named
     * {@code <optimizer>/<flattened variable path>_<slot>}, from the case's weight list (Keras'
     * path and {@code layer/var} name of each weight): the independent expectation.
     */
    static String slotKey(String varName, String optName, JsonNode weights) {
        String best = null, key = null;
        for (JsonNode w : weights) {
            if (!w.path("trainable").asBoolean(true)) continue;
            String prefix = optName + "/" + flatPath(w.get("path").asText()) + "_";
            if (varName.startsWith(prefix) && (best == null || prefix.length() > best.length())) {
                best = prefix;
                key = w.get("name").asText() + "/" + varName.substring(prefix.length());
            }
        }
        assertThat(key).as("the trainable weight of optimizer variable %s", varName).isNotNull();
        return key;
    }

    static void assertSameSlots(Map<String, float[]> got, Map<String, float[]> want, String what) {
        assertThat(got.keySet()).as("slots of %s", what).containsExactlyInAnyOrderElementsOf(want.keySet());
        for (Map.Entry<String, float[]> e : want.entrySet()) {
            assertThat(Arrays.equals(got.get(e.getKey()), e.getValue())).as("%s: slot %s bit for bit", what, e.getKey())
                    .isTrue();
        }
    }

    // ------------------------------------------------------------------ (a) Keras' variables

    @TestFactory
    Stream<DynamicTest> kerasLegacyFinalStateIsReadExactly() throws IOException {
        List<Path> withState = new ArrayList<>();
        for (Path d : cases(train())) {
            try (HdfFile f = new HdfFile(d.resolve("final.h5"))) {
                if (f.getChildren().containsKey("optimizer_weights")) withState.add(d);
            }
        }
        assertThat(withState).as("fixtures/train cases whose final.h5 holds optimizer weights").hasSizeGreaterThan(50);
        return withState.stream()
                .map(d -> DynamicTest.dynamicTest(d.getFileName().toString(), () -> checkLegacyFinal(d)));
    }

    static void checkLegacyFinal(Path dir) throws IOException {
        JsonNode c = json(dir.resolve("case.json"));
        Path fin = dir.resolve("final.h5");
        Model m = JKeras.load(fin);
        TrainingState s = JKeras.loadTrainingState(fin, m).orElseThrow();
        assertThat(s.restored()).isTrue();
        assertThat(s.format()).isEqualTo("keras-hdf5");
        assertThat(s.iterations()).as("iterations").isEqualTo(c.get("iterations").asLong());

        Map<String, float[]> want = new LinkedHashMap<>();
        JsonNode trainingConfig;
        try (HdfFile f = new HdfFile(fin)) {
            trainingConfig = JSON.readTree((String) f.getAttribute("training_config").getData());
            String[] names = (String[]) f.getByPath("optimizer_weights").getAttribute("weight_names").getData();
            String optName = names[0].substring(0, names[0].indexOf('/'));
            assertThat(((Number) ((Dataset) f.getByPath("optimizer_weights/" + names[0])).getData()).longValue())
                    .isEqualTo(s.iterations());
            for (int i = 1; i < names.length; i++) {
                float[] v = flat((Dataset) f.getByPath("optimizer_weights/" + names[i]));
                if (names[i].equals(optName + "/learning_rate")) {
                    assertThat((float) s.optimizer().learningRateAt(s.iterations())).as("learning rate")
                            .isEqualTo(v[0]);
                    continue;
                }
                assertThat(want.put(slotKey(names[i], optName, c.get("weights")), v)).as("one variable per slot")
                        .isNull();
            }
            assertThat(s.optimizer().learningRateIsSchedule()).as("no learning_rate variable <=> schedule")
                    .isEqualTo(!Arrays.asList(names).contains(optName + "/learning_rate"));
        }
        assertSameSlots(s.optimizer().exportState().slots(), want, dir.getFileName().toString());

        // the optimizer config round-trips: Keras' config -> jkeras optimizer -> Keras' config
        JsonNode kerasConfig = trainingConfig.get("optimizer_config").get("config");
        assertThat((JsonNode) KerasOptimizers.toJson(s.optimizer())).as("config of the restored optimizer")
                .isEqualTo(kerasConfig);
        assertThat((JsonNode) KerasOptimizers.toJson(KerasOptimizers.fromJson(c.get("optimizer"))))
                .as("case.json optimizer config")
                .isEqualTo(c.get("optimizer").get("config"));
        assertThat(s.optimizer().name()).isEqualTo(c.get("optimizer").get("class_name").asText());
        assertThat(s.loss().value())
                .isEqualTo(new ObjectMapper().convertValue(trainingConfig.get("loss"), Object.class));
        assertThat(s.losses()).hasSize(c.get("loss").isArray() ? c.get("loss").size() : 1);
    }

    @TestFactory
    Stream<DynamicTest> kerasArchiveStateIsReadExactly() throws IOException {
        List<Path> cs = cases(resume());
        assertThat(cs).isNotEmpty();
        return cs.stream().map(d -> DynamicTest.dynamicTest(d.getFileName().toString(), () -> {
            JsonNode c = json(d.resolve("case.json"));
            JsonNode weights = json(FixtureCase.root().resolve(c.get("source").asText().replaceFirst("^fixtures/", ""))
                    .resolve("case.json")).get("weights");
            Path archive = d.resolve("resumed.keras");
            TrainingState s = JKeras.loadTrainingState(archive, JKeras.load(archive)).orElseThrow();
            assertThat(s.format()).isEqualTo("keras-zip");
            assertThat(s.iterations()).isEqualTo(c.get("iterations_after").asLong());
            Map<String, float[]> want = new LinkedHashMap<>();
            JsonNode compileOptimizer;
            try (ZipFile z = new ZipFile(archive.toFile());
                 HdfFile f = HdfFile.fromBytes(z.getInputStream(z.getEntry("model.weights.h5")).readAllBytes())) {
                compileOptimizer = JSON.readTree(z.getInputStream(z.getEntry("config.json"))).get("compile_config")
                        .get("optimizer");
                JsonNode vars = c.get("optimizer_variables");
                String optName = vars.get(0).get("path").asText().split("/")[0];
                assertThat(((Number) ((Dataset) f.getByPath("optimizer/vars/0")).getData()).longValue())
                        .isEqualTo(s.iterations());
                for (int i = 1; i < vars.size(); i++) {
                    String name = vars.get(i).get("path").asText();
                    float[] v = flat((Dataset) f.getByPath("optimizer/vars/" + i));
                    if (name.equals(optName + "/learning_rate")) {
                        assertThat((float) s.optimizer().learningRateAt(s.iterations())).isEqualTo(v[0]);
                        continue;
                    }
                    want.put(slotKey(name, optName, weights), v);
                }
            }
            assertSameSlots(s.optimizer().exportState().slots(), want, archive.toString());
            assertThat((JsonNode) KerasOptimizers.toJson(s.optimizer())).isEqualTo(compileOptimizer.get("config"));
        }));
    }

    /** The archive jkeras wrote with a seeded Adam state, whose variables Keras restored (fixtures/saved/README.md). */
    @Test
    void jkerasWrittenArchiveReadsBackTheVariablesKerasRestored() {
        Path d = FixtureCase.root().resolve("saved/adam_state_stack_lstm_lstm_dense");
        Model m = JKeras.load(d.resolve("model.keras"));
        TrainingState s = JKeras.loadTrainingState(d.resolve("model.keras"), m).orElseThrow();
        assertThat(s.iterations()).isEqualTo(17);
        assertThat((float) s.optimizer().learningRateAt(17)).isEqualTo(0.0025f);
        Map<String, float[]> want = new LinkedHashMap<>();
        List<Model.NamedWeight> ws = m.weights(); // all trainable, model.trainable_variables order
        for (int k = 0; k < 2 * ws.size(); k++) {
            // opt<i>.npy: Keras' variable i (2 = the first slot), momentum and velocity interleaved per weight
            want.put(ws.get(k / 2).fullName() + "/" + (k % 2 == 0 ? "momentum" : "velocity"),
                    Npy.read(d.resolve("opt" + (k + 2) + ".npy")).tensor().data());
        }
        assertSameSlots(s.optimizer().exportState().slots(), want, "adam_state");
        assertThat(s.losses().get(0).name()).isEqualTo(Losses.meanSquaredError().name());
    }

    @Test
    void filesWithoutAnOptimizerHaveNoTrainingState() {
        Path lstm = FixtureCase.root().resolve("keras3/lstm_default/model.h5");
        assertThat(JKeras.loadTrainingState(lstm, JKeras.load(lstm))).isEmpty();
        // Keras 3.15.1 dropped the optimizer from its compile_config
        Path start = train().resolve("opt_adam/start.keras");
        assertThat(JKeras.loadTrainingState(start, JKeras.load(start))).isEmpty();
        // compiled, never fitted: the unbuilt optimizer holds iteration 0 and learning_rate, no slots
        Path startH5 = train().resolve("opt_adam/start.h5");
        TrainingState s = JKeras.loadTrainingState(startH5, JKeras.load(startH5)).orElseThrow();
        assertThat(s.restored()).isTrue();
        assertThat(s.iterations()).isZero();
        assertThat(s.optimizer().exportState().slots()).isEmpty();
    }

    @Test
    void stateOfAnotherModelIsRefused() {
        Path fin = train().resolve("opt_adam/final.h5");
        Model other = JKeras.load(FixtureCase.root().resolve("keras3/stack_lstm_lstm_dense/model.h5"));
        assertThatThrownBy(() -> JKeras.loadTrainingState(fin, other))
                .hasMessageContaining("does not belong to this model");
        KerasOptimizerReader.Saved saved = KerasOptimizerReader.readSaved(fin, LoadOptions.DEFAULT).orElseThrow();
        assertThat(saved.iterations()).isEqualTo(9);
    }

    // ------------------------------------------------------------------ (b) jkeras resume parity

    static Tensor[] arrays(Path dir, JsonNode files) {
        List<Tensor> out = new ArrayList<>();
        for (JsonNode f : files) out.add(Npy.read(dir.resolve(f.isTextual() ? f.asText() : f.get("file").asText()))
                .tensor());
        return out.toArray(new Tensor[0]);
    }

    static Map<String, float[]> weights(Model m) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Model.NamedWeight w : m.weights()) out.put(w.fullName(), w.weight().values());
        return out;
    }

    @TestFactory
    Stream<DynamicTest> twoEpochsSavedLoadedPlusOneEqualThreeStraight() {
        return Stream.of("opt_adam", "opt_sgd_momentum", "opt_rmsprop", "opt_rmsprop_momentum", "opt_rmsprop_centered",
                        "opt_adam_amsgrad", "opt_adamw", "opt_adagrad", "sched_cosine", "clip_global_norm")
                .map(n -> DynamicTest.dynamicTest(n, () -> resumeParity(train().resolve(n))));
    }

    void resumeParity(Path dir) throws IOException {
        JsonNode c = json(dir.resolve("case.json"));
        Tensor[] x = arrays(dir, c.get("data").get("x")), y = arrays(dir, c.get("data").get("y"));
        int bs = c.get("batch_size").asInt();
        Model start = JKeras.load(dir.resolve("start.h5"));
        FitResult straight = Trainer.fit(start, x, y, new FitOptions().loss(KerasLosses.fromJson(c.get("loss")))
                .optimizer(KerasOptimizers.fromJson(c.get("optimizer"))).epochs(3).batchSize(bs).shuffle(false));

        KerasOptimizer opt = KerasOptimizers.fromJson(c.get("optimizer"));
        FitResult two = Trainer.fit(start, x, y, new FitOptions().loss(KerasLosses.fromJson(c.get("loss")))
                .optimizer(opt)
                .epochs(2).batchSize(bs).shuffle(false));
        Path saved = tmp.resolve(dir.getFileName() + ".keras");
        JKeras.save(two.model(), saved, opt, LossConfig.name("mean_squared_error"));
        assertThatThrownBy(() -> JKeras.save(two.model(), tmp.resolve("m.h5"), opt, LossConfig.name("mse")))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining(".keras");

        Model loaded = JKeras.load(saved);
        TrainingState s = JKeras.loadTrainingState(saved, loaded).orElseThrow();
        assertThat(s.restored()).isTrue();
        assertThat(s.iterations()).isEqualTo(opt.iterations())
                .isEqualTo(2L * c.get("samples").get("train_batch_sizes").size());
        assertThat((JsonNode) KerasOptimizers.toJson(s.optimizer())).isEqualTo(KerasOptimizers.toJson(opt));
        assertSameSlots(s.optimizer().exportState().slots(), opt.exportState().slots(), "state after save + load");
        FitResult third = Trainer.fit(loaded, x, y, s.fitOptions().epochs(1).batchSize(bs).shuffle(false));

        Map<String, float[]> a = weights(third.model()), b = weights(straight.model());
        assertThat(a.keySet()).containsExactlyElementsOf(b.keySet());
        for (String k : b.keySet()) assertThat(Arrays.equals(a.get(k), b.get(k)))
                .as("%s: %s bit for bit", dir.getFileName(), k).isTrue();
        OptimizerState sa = third.optimizerState(), sb = straight.optimizerState();
        assertThat(sa.iterations()).isEqualTo(sb.iterations());
        assertSameSlots(sa.slots(), sb.slots(), "optimizer after 2 + 1 epochs");
        assertThat(third.history().get("loss").get(0)).isEqualTo(straight.history().get("loss").get(2));
    }

    // ------------------------------------------------------------------ (c) resuming Keras' training

    @TestFactory
    Stream<DynamicTest> jkerasResumesKerasTrainingAsKerasDoes() throws IOException {
        List<Path> cs = cases(resume());
        assertThat(cs).isNotEmpty();
        return cs.stream().map(d -> DynamicTest.dynamicTest(d.getFileName().toString(), () -> kerasContinuation(d)));
    }

    static void kerasContinuation(Path d) throws IOException {
        JsonNode c = json(d.resolve("case.json"));
        Path fin = FixtureCase.root().resolve(c.get("source").asText().replaceFirst("^fixtures/", ""))
                .resolve("final.h5");
        Model m = JKeras.load(fin);
        TrainingState s = JKeras.loadTrainingState(fin, m).orElseThrow();
        assertThat(s.iterations()).isEqualTo(c.get("iterations_before").asLong());
        Tensor[] x = arrays(d, c.get("data").get("x")), y = arrays(d, c.get("data").get("y"));
        FitResult r = Trainer.fit(m, x, y, s.fitOptions().epochs(1).batchSize(c.get("batch_size").asInt())
                .shuffle(false));
        assertThat(r.optimizerState().iterations()).isEqualTo(c.get("iterations_after").asLong());

        Path archive = d.resolve("resumed.keras");
        Model keras = JKeras.load(archive);
        Map<String, float[]> got = weights(r.model()), want = weights(keras);
        assertThat(got.keySet()).containsExactlyElementsOf(want.keySet());
        double maxW = 0, maxS = 0;
        for (String k : want.keySet()) {
            float[] a = got.get(k), b = want.get(k);
            for (int i = 0; i < b.length; i++) maxW = Math.max(maxW, Math.abs(a[i] - b[i]));
        }
        Map<String, float[]> kerasSlots = JKeras.loadTrainingState(archive, keras).orElseThrow().optimizer()
                .exportState().slots();
        assertThat(r.optimizerState().slots().keySet()).containsExactlyInAnyOrderElementsOf(kerasSlots.keySet());
        for (String k : kerasSlots.keySet()) {
            float[] a = r.optimizerState().slots().get(k), b = kerasSlots.get(k);
            for (int i = 0; i < b.length; i++) maxS = Math.max(maxS, Math.abs(a[i] - b[i]));
        }
        double kl = c.get("history").get("loss").get(0).asDouble(), jl = r.history().get("loss").get(0);
        double rel = Math.abs(jl - kl) / Math.abs(kl);
        System.out.printf("RESUME %-22s max|w - Keras| %.2e  max|slot - Keras| %.2e  loss rel %.2e%n", d.getFileName(),
                maxW, maxS, rel);
        assertThat(maxW).as("max |weight - Keras| in %s", d.getFileName()).isLessThanOrEqualTo(KERAS_ATOL);
        assertThat(maxS).as("max |optimizer slot - Keras| in %s", d.getFileName()).isLessThanOrEqualTo(KERAS_ATOL);
        assertThat(rel).as("relative loss error in %s", d.getFileName()).isLessThanOrEqualTo(LOSS_RTOL);
    }
}

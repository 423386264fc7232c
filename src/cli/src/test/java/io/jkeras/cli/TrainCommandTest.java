package io.jkeras.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jkeras.JKeras;
import io.jkeras.fixtures.FixtureCase;
import io.jkeras.model.Model;
import io.jkeras.tensor.Tensor;
import io.jkeras.npy.Npy;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Document;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import java.awt.image.BufferedImage;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code jkeras train}: trains in-process through {@link Main#run} on the lstm_default fixture
 * (an LSTM of 5 units on 6 timesteps of 4 features) and checks the saved model, the outputs
 * beside it, progress output, and the refusals.
 */
class TrainCommandTest {
    static final Path MODEL = FixtureCase.root().resolve("keras3/lstm_default/model.h5");
    static final Path FIXTURE_X = FixtureCase.root().resolve("keras3/lstm_default/x0.npy");

    @TempDir
    Path tmp;
    Path x, y, vx, vy;

    static CliResult run(String... args) { return CliResult.run(args); }

    /**
     * x (n, 6, 4) seeded uniform in [-1, 1]; y (n, 5) a smooth function of x that the LSTM does not already compute.
     */
    static void data(Path xp, Path yp, int n, long seed) throws Exception {
        Random r = new Random(seed);
        float[] xs = new float[n * 6 * 4], ys = new float[n * 5];
        for (int i = 0; i < xs.length; i++) xs[i] = r.nextFloat() * 2 - 1;
        for (int s = 0; s < n; s++) {
            for (int u = 0; u < 5; u++) {
                double acc = 0;
                for (int t = 0; t < 6; t++) acc += xs[(s * 6 + t) * 4 + (u % 4)] * (t + 1) / 6.0;
                ys[s * 5 + u] = (float) (0.5 * Math.tanh(acc));
            }
        }
        write(xp, new Tensor(new int[]{n, 6, 4}, xs));
        write(yp, new Tensor(new int[]{n, 5}, ys));
    }

    static void write(Path p, Tensor t) throws Exception {
        try (OutputStream o = Files.newOutputStream(p)) {
            Npy.write(o, t);
        }
    }

    @BeforeEach
    void makeData() throws Exception {
        x = tmp.resolve("x.npy");
        y = tmp.resolve("y.npy");
        vx = tmp.resolve("vx.npy");
        vy = tmp.resolve("vy.npy");
        data(x, y, 24, 1);
        data(vx, vy, 8, 2);
    }

    static List<float[]> weights(Model m) {
        List<float[]> w = new ArrayList<>();
        for (Model.NamedWeight nw : m.weights()) w.add(nw.weight().values().clone());
        return w;
    }

    static boolean sameWeights(List<float[]> a, List<float[]> b) {
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) if (!Arrays.equals(a.get(i), b.get(i))) return false;
        return true;
    }

    /** The standard training arguments; an option in {@code extra} replaces the default of the same name. */
    String[] train(Path out, String... extra) {
        java.util.LinkedHashMap<String, String> defaults = new java.util.LinkedHashMap<>();
        defaults.put("--loss", "mse");
        defaults.put("--optimizer", "adam");
        defaults.put("--learning-rate", "0.05");
        defaults.put("--epochs", "3");
        defaults.put("--batch-size", "8");
        for (String e : extra) defaults.remove(e);
        List<String> a = new ArrayList<>(
                List.of("train", MODEL.toString(), "--x", x.toString(), "--y", y.toString(), "-o", out.toString()));
        defaults.forEach((k, v) -> { a.add(k); a.add(v); });
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    @Test
    void trainsOnTheFixtureInputAndSavesAModelThatLoadsWithChangedWeights() throws Exception {
        Path y0 = tmp.resolve("y0.npy");
        Model original = JKeras.load(MODEL);
        int n = Npy.read(FIXTURE_X).tensor().dim(0);
        float[] targets = new float[n * 5];
        Arrays.fill(targets, 0.25f);
        write(y0, new Tensor(new int[]{n, 5}, targets));
        Path out = tmp.resolve("trained.h5");
        byte[] before = Files.readAllBytes(MODEL);

        CliResult r = run("train", MODEL.toString(), "--x", FIXTURE_X.toString(), "--y", y0.toString(), "--loss", "mse",
                "--optimizer", "sgd", "--learning-rate", "0.1", "--epochs", "2", "--batch-size", "2", "-o",
                        out.toString());

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        Model trained = JKeras.load(out);
        assertThat(trained.weights()).hasSameSizeAs(original.weights());
        assertThat(sameWeights(weights(trained), weights(original))).as("training changed the weights").isFalse();
        assertThat(Files.readAllBytes(MODEL)).as("the input model is untouched").isEqualTo(before);
        assertThat(r.out()).contains("wrote " + out);
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).as("no temporary files left")
                    .containsExactlyInAnyOrder("x.npy", "y.npy", "vx.npy", "vy.npy", "y0.npy", "trained.h5");
        }
    }

    @Test
    void aNativeOutputHoldsTheTrainedWeightsAndSaysItHasNoOptimizerState() throws Exception {
        Path h5 = tmp.resolve("same.h5");
        Path jkm = tmp.resolve("same.jkm");
        CliResult viaH5 = run(train(h5, "--seed", "7"));
        CliResult viaJkm = run(train(jkm, "--seed", "7"));

        assertThat(viaJkm.code()).as(viaJkm.err()).isZero();
        assertThat(viaH5.code()).as(viaH5.err()).isZero();
        assertThat(io.jkeras.format.Jkm.isJkm(jkm)).isTrue();
        assertThat(sameWeights(weights(JKeras.load(jkm)), weights(JKeras.load(h5))))
                .as("the same seeded run saved natively and as HDF5 holds the same weights").isTrue();
        assertThat(viaJkm.out()).contains("optimizer state not saved: the native format holds none");
    }

    @Test
    void pipedOutputGetsOnePlainLinePerEpoch() {
        CliResult r = run(train(tmp.resolve("m.h5"), "--validation-x", vx.toString(), "--validation-y", vy.toString()));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).doesNotContain("\r");
        List<String> epochLines = r.out().lines().filter(l -> l.startsWith("epoch ")).toList();
        assertThat(epochLines).hasSize(3);
        for (int e = 0; e < 3; e++) {
            assertThat(epochLines.get(e))
                    .matches("epoch " + (e + 1) + "/3 loss \\d+\\.\\d{6} val_loss \\d+\\.\\d{6} time \\d+\\.\\ds");
        }
        assertThat(r.out()).containsPattern(
                "wrote .*m\\.h5 \\(3 epochs, loss \\d+\\.\\d{6}, val_loss \\d+\\.\\d{6}\\)");
    }

    @Test
    void theBarModeRedrawsInPlace() {
        CliResult r = run(train(tmp.resolve("m.h5"), "--progress", "bar"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("\rEpoch 1/3  [", "\rEpoch 3/3  [" + "=".repeat(ProgressBar.BAR_WIDTH)
                + "]  3/3  loss ");
        assertThat(run(train(tmp.resolve("q.h5"), "--progress", "none")).out())
                .doesNotContain("epoch 1/3", "Epoch 1/3");
    }

    @Test
    void trainingIsReproducibleWithASeedAndLossGoesDown() throws Exception {
        Path a = tmp.resolve("a.h5"), b = tmp.resolve("b.h5"), h = tmp.resolve("h.json");
        assertThat(run(train(a, "--seed", "7", "--epochs", "8", "--history", h.toString())).code()).isZero();
        assertThat(run(train(b, "--seed", "7", "--epochs", "8")).code()).isZero();
        assertThat(sameWeights(weights(JKeras.load(a)), weights(JKeras.load(b)))).isTrue();
        JsonNode loss = new ObjectMapper().readTree(h.toFile()).get("loss");
        assertThat(loss.size()).isEqualTo(8);
        assertThat(loss.get(7).asDouble()).isLessThan(loss.get(0).asDouble());
    }

    @Test
    void kerasArchiveWithValidationSplitHistoryAndSvgPlot() throws Exception {
        Path out = tmp.resolve("m.keras"), hist = tmp.resolve("history.json"), svg = tmp.resolve("loss.svg");
        CliResult r = run(train(out, "--validation-split", "0.25", "--no-shuffle", "--optimizer", "rmsprop",
                "--history", hist.toString(), "--plot", svg.toString()));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(sameWeights(weights(JKeras.load(out)), weights(JKeras.load(MODEL)))).isFalse();

        JsonNode h = new ObjectMapper().readTree(hist.toFile());
        assertThat(h.fieldNames()).toIterable().containsExactly("loss", "val_loss");
        assertThat(h.get("loss").size()).isEqualTo(3);
        assertThat(h.get("val_loss").size()).isEqualTo(3);
        for (JsonNode v : h.get("val_loss")) assertThat(v.isNumber()).isTrue();

        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        Document d = f.newDocumentBuilder().parse(svg.toFile());
        var lines = d.getElementsByTagNameNS("http://www.w3.org/2000/svg", "polyline");
        assertThat(lines.getLength()).isEqualTo(2);
        for (int i = 0; i < 2; i++) {
            String pts = ((org.w3c.dom.Element) lines.item(i)).getAttribute("points").trim();
            assertThat(pts.split("\\s+")).hasSize(3);
        }
    }

    @Test
    void pngPlotDecodesWithTheCurveDrawn() throws Exception {
        Path png = tmp.resolve("loss.png");
        CliResult r = run(train(tmp.resolve("m.h5"), "--validation-x", vx.toString(), "--validation-y", vy.toString(),
                "--plot", png.toString()));
        assertThat(r.code()).as(r.err()).isZero();
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isEqualTo(io.jkeras.plot.LossPlot.DEFAULT_WIDTH);
        assertThat(img.getHeight()).isEqualTo(io.jkeras.plot.LossPlot.DEFAULT_HEIGHT);
        int blue = 0, orange = 0;
        for (int yy = 0; yy < img.getHeight(); yy++)
            for (int xx = 0; xx < img.getWidth(); xx++) {
                int c = img.getRGB(xx, yy) & 0xffffff;
                if (c == 0x1f77b4) blue++;
                if (c == 0xff7f0e) orange++;
            }
        assertThat(blue).as("loss curve pixels").isGreaterThan(100);
        assertThat(orange).as("val_loss curve pixels").isGreaterThan(50);
    }

    @Test
    void earlyStoppingRunsAtMostTheEpochsAndSaysHowMany() throws Exception {
        Path h = tmp.resolve("h.json");
        CliResult r = run(train(tmp.resolve("m.h5"), "--epochs", "6", "--early-stopping-patience", "1",
                "--restore-best-weights",
                "--validation-x", vx.toString(), "--validation-y", vy.toString(), "--history", h.toString()));
        assertThat(r.code()).as(r.err()).isZero();
        int ran = new ObjectMapper().readTree(h.toFile()).get("loss").size();
        assertThat(ran).isBetween(2, 6);
        assertThat(r.out()).contains("(" + ran + " epochs");
    }

    @Test
    void refusesToOverwriteWithoutForce() throws Exception {
        Path out = tmp.resolve("m.h5");
        Files.writeString(out, "precious");
        CliResult r = run(train(out));
        assertThat(r.code()).isEqualTo(Main.USER_ERROR);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).contains("exists", "--force");
        assertThat(r.out()).as("refused before training").doesNotContain("epoch");
        assertThat(Files.readString(out)).isEqualTo("precious");

        Path plot = tmp.resolve("p.svg");
        Files.writeString(plot, "keep");
        CliResult p = run(train(tmp.resolve("other.h5"), "--plot", plot.toString()));
        assertThat(p.code()).isEqualTo(Main.USER_ERROR);
        assertThat(Files.exists(tmp.resolve("other.h5"))).isFalse();

        CliResult forced = run(train(out, "--force", "--plot", plot.toString()));
        assertThat(forced.code()).as(forced.err()).isZero();
        assertThat(JKeras.load(out).weights()).isNotEmpty();
        assertThat(Files.readString(plot)).startsWith("<?xml");
    }

    static Stream<List<String>> badFlags() {
        return Stream.of(
                List.of("--loss", "hinge"),
                List.of("--optimizer", "lion"),
                List.of("--epochs", "0"),
                List.of("--batch-size", "-1"),
                List.of("--learning-rate", "0"),
                List.of("--validation-split", "1.5"),
                List.of("--momentum", "0.9"),                     // adam has no momentum
                List.of("--from-logits"),                          // mse
                List.of("--validation-x", "VX"),                   // without --validation-y
                List.of("--validation-split", "0.2", "--validation-x", "VX", "--validation-y", "VY"),
                List.of("--plot", "loss.jpg"),
                List.of("--restore-best-weights"),
                List.of("--x", "X"),                               // two inputs for a one-input model
                List.of("--y", "MISSING"));                        // two targets, one missing
    }

    @ParameterizedTest
    @MethodSource("badFlags")
    void badFlagsExitTwoWithOneLineAndWriteNothing(List<String> extra) {
        Path out = tmp.resolve("bad.h5");
        String[] args = train(out, extra.stream().map(s -> switch (s) {
            case "VX" -> vx.toString();
            case "VY" -> vy.toString();
            case "X" -> x.toString();
            case "MISSING" -> tmp.resolve("missing.npy").toString();
            default -> s;
        }).toArray(String[]::new));
        CliResult r = run(args);
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(Main.USER_ERROR);
        assertThat(r.errLines()).as(r.err()).hasSize(1);
        assertThat(r.err()).startsWith("jkeras: error: ").doesNotContain("Exception", "\tat ");
        assertThat(Files.exists(out)).isFalse();
    }

    @Test
    void badOutputNameAndTargetShapeAreOneLineErrors() throws Exception {
        CliResult name = run(train(tmp.resolve("m.txt")));
        assertThat(name.code()).isEqualTo(Main.USER_ERROR);
        assertThat(name.errLines()).hasSize(1);
        assertThat(name.err()).contains("m.txt", ".jkm", ".keras", ".h5");

        Path wrongY = tmp.resolve("wrong.npy");
        write(wrongY, new Tensor(new int[]{24, 3}, new float[24 * 3]));
        Path out = tmp.resolve("m.h5");
        CliResult shape = run("train", MODEL.toString(), "--x", x.toString(), "--y", wrongY.toString(), "--loss", "mse",
                "-o", out.toString());
        assertThat(shape.code()).as(shape.err()).isEqualTo(Main.USER_ERROR);
        assertThat(shape.errLines()).hasSize(1);
        assertThat(Files.exists(out)).isFalse();
    }

    @Test
    void unknownOptionAndMissingRequiredOptionAreUsageErrors() {
        CliResult unknown = run(train(tmp.resolve("m.h5"), "--epoch", "3"));
        assertThat(unknown.code()).isEqualTo(Main.USER_ERROR);
        assertThat(unknown.errLines().get(0)).startsWith("jkeras: ").contains("--epoch");
        assertThat(unknown.err()).doesNotContain("\tat ");
        CliResult missing = run("train", MODEL.toString(), "--x", x.toString(), "--y", y.toString(), "-o",
                tmp.resolve("m.h5").toString());
        assertThat(missing.code()).isEqualTo(Main.USER_ERROR);
        assertThat(missing.errLines().get(0)).contains("--loss");
    }

    // ------------------------------------------------------------------ the progress bar itself

    @Test
    void terminalBarShowsProgressLossAndEtaFromTheInjectedClock() {
        StringWriter sw = new StringWriter();
        AtomicLong now = new AtomicLong(0);
        ProgressBar bar = new ProgressBar(new PrintWriter(sw), true, now::get);
        bar.onEpochStart(1, 5, 20);
        for (int b = 0; b < 12; b++) {
            now.addAndGet(500_000_000L);                   // 0.5 s per batch
            bar.onBatchEnd(1, b, 20, 0.1234);
        }
        String s = sw.toString();
        String last = s.substring(s.lastIndexOf('\r') + 1);
        // 12 of 20 batches took 6 s: 8 more take 4 s
        assertThat(last.stripTrailing())
                .isEqualTo("Epoch 2/5  [" + "=".repeat(18) + ">" + " ".repeat(11) + "]  12/20  loss 0.1234  ETA 4s");
        assertThat(s).doesNotContain("\n");
        now.addAndGet(4_000_000_000L);
        bar.onEpochEnd(1, Map.of("loss", 0.1));
        String done = sw.toString();
        assertThat(done).endsWith(System.lineSeparator());
        assertThat(done.substring(done.lastIndexOf('\r') + 1).stripTrailing())
                .isEqualTo("Epoch 2/5  [" + "=".repeat(30) + "]  20/20  loss 0.1000  10s");
    }

    @Test
    void terminalBarRedrawsAtMostEveryFiftyMillisecondsButAlwaysTheLastBatch() {
        StringWriter sw = new StringWriter();
        AtomicLong now = new AtomicLong(0);
        ProgressBar bar = new ProgressBar(new PrintWriter(sw), true, now::get);
        bar.onEpochStart(0, 1, 1000);
        for (int b = 0; b < 1000; b++) {
            now.addAndGet(1_000_000L);                      // 1 ms per batch
            bar.onBatchEnd(0, b, 1000, 0.5);
        }
        long redraws = sw.toString().chars().filter(c -> c == '\r').count();
        assertThat(redraws).isBetween(20L, 30L);
        assertThat(sw.toString().stripTrailing()).endsWith("1000/1000  loss 0.5000  ETA 0s");
    }

    @Test
    void shorterLineBlanksTheRestOfTheLongerOne() {
        StringWriter sw = new StringWriter();
        AtomicLong now = new AtomicLong(0);
        ProgressBar bar = new ProgressBar(new PrintWriter(sw), true, now::get);
        bar.onEpochStart(0, 1, 2);
        now.addAndGet(700_000_000_000L);                    // ETA 11:40
        bar.onBatchEnd(0, 0, 2, 0.5);
        String first = sw.toString().substring(sw.toString().lastIndexOf('\r'));
        now.addAndGet(1_000_000L);
        bar.onBatchEnd(0, 1, 2, 0.5);
        String second = sw.toString().substring(sw.toString().lastIndexOf('\r'));
        assertThat(first).contains("ETA 11:40");
        assertThat(second.length()).isGreaterThanOrEqualTo(first.length());
    }

    @Test
    void plainModePrintsOneLinePerEpochOnly() {
        StringWriter sw = new StringWriter();
        AtomicLong now = new AtomicLong(0);
        ProgressBar bar = new ProgressBar(new PrintWriter(sw), false, now::get);
        bar.onEpochStart(1, 5, 20);
        for (int b = 0; b < 20; b++) {
            now.addAndGet(60_000_000L);
            bar.onBatchEnd(1, b, 20, 0.2);
        }
        bar.onEpochEnd(1, new java.util.LinkedHashMap<>(Map.of("loss", 0.1234)) {{ put("val_loss", 0.13); }});
        assertThat(sw.toString())
                .isEqualTo("epoch 2/5 loss 0.123400 val_loss 0.130000 time 1.2s" + System.lineSeparator());
    }

    @Test
    void anUnfinishedBarLineIsEndedSoAnErrorStartsOnItsOwnLine() {
        StringWriter sw = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(sw), true, () -> 0L);
        bar.onEpochStart(0, 2, 4);
        bar.onBatchEnd(0, 0, 4, 0.5);
        bar.finishLine();
        assertThat(sw.toString()).endsWith(System.lineSeparator());
        bar.finishLine();
        assertThat(sw.toString().split(System.lineSeparator(), -1)).hasSize(2);
    }

    @Test
    void durationsAsKerasPrintsThem() {
        assertThat(ProgressBar.duration(3.2)).isEqualTo("3s");
        assertThat(ProgressBar.duration(0.4)).isEqualTo("0.4s");
        assertThat(ProgressBar.duration(42)).isEqualTo("42s");
        assertThat(ProgressBar.duration(125)).isEqualTo("2:05");
        assertThat(ProgressBar.duration(3725)).isEqualTo("1:02:05");
        assertThat(ProgressBar.bar(0, 4)).isEqualTo("[>" + " ".repeat(29) + "]");
    }

    // ------------------------------------------------------------------ optimizer state: save and resume

    static final Path OPT_ADAM = FixtureCase.root().resolve("train/opt_adam");

    static String[] onOptAdam(Path model, Path out, String... extra) {
        List<String> a = new ArrayList<>(
                List.of("train", model.toString(), "--x", OPT_ADAM.resolve("x0.npy").toString(),
                "--y", OPT_ADAM.resolve("y0.npy").toString(), "--loss", "mse", "--batch-size", "8", "--no-shuffle",
                "--progress", "none", "-o", out.toString()));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    static String optimizerLine(CliResult r) {
        return r.out().lines().filter(l -> l.startsWith("optimizer: ")).findFirst()
                .orElseThrow(() -> new AssertionError(r.out()));
    }

    @Test
    void aKerasArchiveKeepsTheOptimizerStateAndTrainingResumesFromIt() throws Exception {
        Path start = OPT_ADAM.resolve("start.h5");
        Path straight = tmp.resolve("straight.keras"), two = tmp.resolve("two.keras"),
                three = tmp.resolve("three.keras");
        CliResult s = run(onOptAdam(start, straight, "--optimizer", "adam", "--learning-rate", "0.02", "--epochs",
                "3"));
        assertThat(s.code()).as(s.err()).isZero();
        CliResult a = run(onOptAdam(start, two, "--optimizer", "adam", "--learning-rate", "0.02", "--epochs", "2"));
        assertThat(a.code()).as(a.err()).isZero();
        // start.h5 was saved compiled, before fit: its Adam has made no update
        assertThat(optimizerLine(a)).isEqualTo("optimizer: fresh Adam (MODEL's optimizer has made no update yet)");
        assertThat(a.out()).contains("optimizer state saved: Adam at iterations 6");

        CliResult b = run(onOptAdam(two, three, "--epochs", "1")); // no --optimizer: MODEL's compile config
        assertThat(b.code()).as(b.err()).isZero();
        assertThat(optimizerLine(b))
                .isEqualTo("optimizer: resumed Adam from MODEL's state (iterations 6, MODEL's config)");
        assertThat(b.out()).contains("optimizer state saved: Adam at iterations 9");
        assertThat(sameWeights(weights(JKeras.load(three)), weights(JKeras.load(straight))))
                .as("2 epochs, saved, + 1 resumed epoch = 3 epochs straight, bit for bit").isTrue();

        CliResult same = run(
                onOptAdam(two, tmp.resolve("same.keras"), "--optimizer", "adam", "--learning-rate", "0.02"));
        assertThat(optimizerLine(same)).isEqualTo("optimizer: resumed Adam from MODEL's state (iterations 6)");
        assertThat(sameWeights(weights(JKeras.load(tmp.resolve("same.keras"))), weights(JKeras.load(straight))))
                .isTrue();

        CliResult other = run(onOptAdam(two, tmp.resolve("sgd.keras"), "--optimizer", "sgd"));
        assertThat(optimizerLine(other))
                .isEqualTo("optimizer: fresh SGD (MODEL's optimizer state is Adam's, not SGD's)");
        CliResult fresh = run(onOptAdam(two, tmp.resolve("fresh.keras"), "--fresh-optimizer"));
        assertThat(optimizerLine(fresh)).isEqualTo("optimizer: fresh Adam (MODEL's config; --fresh-optimizer)");
        assertThat(sameWeights(weights(JKeras.load(tmp.resolve("fresh.keras"))), weights(JKeras.load(three))))
                .isFalse();
        CliResult h5 = run(onOptAdam(two, tmp.resolve("m.h5")));
        assertThat(h5.code()).as(h5.err()).isZero();
        assertThat(h5.out()).contains("optimizer state not saved");
        CliResult flag = run(onOptAdam(two, tmp.resolve("bad.keras"), "--nesterov"));
        assertThat(flag.code()).isEqualTo(Main.USER_ERROR);
        assertThat(flag.err()).contains("--nesterov applies to sgd only, not Adam (MODEL's optimizer)");
    }

    /** Keras' own final.h5 (after its fit): the CLI resumes its RMSprop and matches Keras' continuation. */
    @Test
    void resumesKerasOwnTrainingLikeKeras() throws Exception {
        Path src = FixtureCase.root().resolve("train/opt_rmsprop_momentum");
        Path out = tmp.resolve("r.keras");
        CliResult r = run("train", src.resolve("final.h5").toString(), "--x", src.resolve("x0.npy").toString(), "--y",
                src.resolve("y0.npy").toString(), "--loss", "mse", "--batch-size", "8", "--no-shuffle", "--progress",
                        "none",
                "-o", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(optimizerLine(r))
                .isEqualTo("optimizer: resumed RMSprop from MODEL's state (iterations 9, MODEL's config)");
        List<float[]> got = weights(JKeras.load(out)),
                want = weights(JKeras.load(FixtureCase.root()
                        .resolve("train_resume/opt_rmsprop_momentum/resumed.keras")));
        assertThat(got).hasSameSizeAs(want);
        for (int i = 0; i < want.size(); i++) {
            for (int j = 0; j < want.get(i).length; j++) {
                assertThat((double) got.get(i)[j]).isCloseTo(want.get(i)[j], org.assertj.core.data.Offset.offset(1e-4));
            }
        }
    }
}

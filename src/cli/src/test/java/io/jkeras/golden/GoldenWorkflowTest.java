package io.jkeras.golden;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jkeras.JKeras;
import io.jkeras.cli.CliResult;
import io.jkeras.fixtures.FixtureCase;
import io.jkeras.util.Sha256;
import io.jkeras.tensor.Tensor;
import io.jkeras.npy.Npy;
import io.jkeras.util.AtomicFiles;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Golden-output regression testing from the command line: {@code verify} passes on the committed
 * golden cases (Keras' outputs in fixtures/keras3) and fails with its statistics when one expected
 * value is moved by 1e-3; {@code --report} writes a readable HTML page; {@code golden record} pins
 * jkeras' own outputs with provenance, atomically.
 */
class GoldenWorkflowTest {
    @TempDir
    Path tmp;

    static CliResult run(String... args) { return CliResult.run(args); }

    static Path fixture(String name) { return FixtureCase.root().resolve("keras3").resolve(name); }

    @TestFactory
    Stream<DynamicTest> verifyPassesOnEveryCommittedGoldenCase() {
        return FixtureCase.all("keras3").stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            CliResult r = run("verify", c.dir().resolve("model.h5").toString(), "--golden", c.dir().toString());
            assertThat(r.code()).as(r.out() + r.err()).isZero();
            assertThat(r.out()).contains("PASS: ");
        }));
    }

    /** Copies a case and moves expected value {@code flat} of y{@code file} by {@code delta}. */
    Path perturbed(String name, int file, int flat, float delta) throws Exception {
        Path src = fixture(name), dst = tmp.resolve(name);
        Files.createDirectories(dst);
        try (Stream<Path> s = Files.list(src)) {
            for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".npy") || p.getFileName().toString()
                    .equals("case.json")).toList()) {
                Files.copy(p, dst.resolve(p.getFileName()));
            }
        }
        Path y = dst.resolve("y" + file + ".npy");
        Tensor t = Npy.read(y).tensor();
        t.data()[flat] += delta;
        AtomicFiles.write(y, o -> Npy.write(o, t));
        return dst;
    }

    @Test
    void verifyFailsWithStatisticsWhenOneExpectedValueMovesBy1em3() throws Exception {
        // lstm_return_sequences: y0 is (3, 6, 5); flat index 67 = (batch 2, timestep 1, unit 2)
        Path g = perturbed("lstm_return_sequences", 0, 67, 1e-3f);
        CliResult r = run("verify", fixture("lstm_return_sequences").resolve("model.h5").toString(), "--golden",
                g.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("y0.npy (batch 0, output 0 'lstm'): max abs err 0.00100, max rel err ")
                .contains("worst at (batch 2, timestep 1, unit 2)")
                .contains("1 of 90 outside atol 1.0E-5 + rtol 0.0·|expected|  FAIL")
                .contains("FAIL: outputs differ from " + g);
        // a multi-output, multi-batch case: only the perturbed output fails
        Path s = perturbed("lstm_stateful", 2, 3, -1e-3f);
        CliResult rs = run("verify", fixture("lstm_stateful").resolve("model.h5").toString(), "--golden", s.toString());
        assertThat(rs.code()).isEqualTo(1);
        assertThat(rs.out().lines().filter(l -> l.endsWith("  ok")).count()).isEqualTo(2);
        assertThat(rs.out())
                .containsPattern("y2\\.npy \\(batch 2, output 0 'lstm'\\): max abs err 0\\.00100.*worst at \\(batch"
                + " 0, unit 3\\).*1 of 10 outside");
    }

    @Test
    void reportPlotsTheErrorOverTimestepsAndKeepsTheConsoleOutput() throws Exception {
        Path g = perturbed("lstm_return_sequences", 0, 67, 1e-3f);
        Path model = fixture("lstm_return_sequences").resolve("model.h5");
        CliResult plain = run("verify", model.toString(), "--golden", g.toString());
        Path html = Files.createDirectories(tmp.resolve("out")).resolve("report.html");
        CliResult r = run("verify", model.toString(), "--golden", g.toString(), "--report", html.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEqualTo(plain.out() + "report: " + html + System.lineSeparator());
        String page = Files.readString(html);
        assertThat(page).startsWith("<!DOCTYPE html>").contains("jkeras verify <span class=\"badge fail\">FAIL</span>")
                .contains("<svg").contains("aria-label=\"absolute error over timestep\"").contains("atol 1.00e-05")
                .contains("<title>timestep 1: max |err| 0.00100").contains("(2, 1, 2)").doesNotContain("<script");
        // 6 timesteps: one point each, the perturbed one marked out of tolerance
        assertThat(page.split("<circle cx=", -1)).hasSize(1 + 6 + 1); // 6 points + the legend's marker
        assertThat(page).containsPattern("r=\"4\" fill=\"#cf222e\"><title>timestep 1:");
        CliResult ok = run("verify", model.toString(), "--golden", fixture("lstm_return_sequences").toString(),
                "--report", html.toString(),
                "--force");
        assertThat(ok.code()).isZero();
        assertThat(Files.readString(html)).contains("badge pass\">PASS")
                .contains("aria-label=\"absolute error over timestep\"");
        // outputs without a time axis are plotted over the batch's samples
        CliResult dense = run("verify", fixture("stack_lstm_lstm_dense").resolve("model.h5").toString(), "--golden",
                fixture("stack_lstm_lstm_dense").toString(), "--report", html.toString(), "--force");
        assertThat(dense.code()).isZero();
        assertThat(Files.readString(html)).contains("aria-label=\"absolute error over sample (batch index)\"");
    }

    @Test
    void recordWritesACaseThatVerifiesWithProvenance() throws Exception {
        Path src = fixture("lstm_stateful");
        Path model = src.resolve("model.h5");
        Path dir = Files.createDirectories(tmp.resolve("cases")).resolve("pinned");
        CliResult r = run("golden", "record", model.toString(), "-i", src.resolve("x0.npy").toString(), "-i",
                src.resolve("x1.npy").toString(),
                "-i", src.resolve("x2.npy").toString(), "--dir", dir.toString(), "--with-model");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("recorded golden case " + dir
                + ": 3 input file(s), 3 output file(s), golden.json");
        for (String f : new String[]{"x0.npy", "x1.npy", "x2.npy", "y0.npy", "y1.npy", "y2.npy", "golden.json",
                "model.h5"}) {
            assertThat(dir.resolve(f)).exists();
        }
        assertThat(Files.mismatch(dir.resolve("x1.npy"), src.resolve("x1.npy"))).isEqualTo(-1L);
        JsonNode j = new ObjectMapper().readTree(dir.resolve("golden.json").toFile());
        assertThat(j.get("atol").asDouble()).isEqualTo(1e-5);
        assertThat(j.get("batches").asInt()).isEqualTo(3);
        assertThat(j.get("stateful").asBoolean()).isTrue();
        JsonNode p = j.get("provenance");
        assertThat(p.get("jkeras_version").asText()).isNotBlank();
        assertThat(p.get("model").get("sha256").asText()).isEqualTo(Sha256.of(model));
        assertThat(p.get("model").get("file").asText()).isEqualTo("model.h5");
        assertThat(Instant.parse(p.get("date").asText())).isBefore(Instant.now().plusSeconds(1));
        // jkeras' own outputs: the case verifies exactly, with the model stored in it
        CliResult v = run("verify", dir.resolve("model.h5").toString(), "--golden", dir.toString(), "--atol", "0");
        assertThat(v.code()).as(v.out()).isZero();
        assertThat(GoldenCase.open(dir).modelFile()).contains(dir.resolve("model.h5"));
        // and within Keras' tolerance of Keras' outputs
        for (int i = 0; i < 3; i++) {
            Tensor got = Npy.read(dir.resolve("y" + i + ".npy")).tensor(),
                    want = Npy.read(src.resolve("y" + i + ".npy")).tensor();
            assertThat(Comparison.of("y" + i, got, want, 1e-5, 0).passed()).isTrue();
        }
        // an existing case is kept unless --force; no temporary directory is left behind
        CliResult again = run("golden", "record", model.toString(), "-i", src.resolve("x0.npy").toString(), "--dir",
                dir.toString());
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.err()).contains("exists and is not empty; pass --force to replace it");
        CliResult forced = run("golden", "record", model.toString(), "-i", src.resolve("x0.npy").toString(), "--dir",
                dir.toString(), "--force",
                "--atol", "1e-6");
        assertThat(forced.code()).isZero();
        assertThat(dir.resolve("x1.npy")).doesNotExist();
        assertThat(new ObjectMapper().readTree(dir.resolve("golden.json").toFile()).get("atol").asDouble())
                .isEqualTo(1e-6);
        try (Stream<Path> s = Files.list(dir.getParent())) {
            assertThat(s.map(x -> x.getFileName().toString()).toList()).containsExactly("pinned");
        }
    }

    @Test
    void recordRefusesBadArgumentsWithoutWriting() {
        Path src = fixture("graph_two_in_two_out");
        Path dir = tmp.resolve("g");
        CliResult r = run("golden", "record", src.resolve("model.h5").toString(), "-i", src.resolve("x0.npy")
                .toString(), "--dir", dir.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("model has 2 input(s) but 1 input file(s) were given");
        assertThat(dir).doesNotExist();
    }

    @Test
    void aDirectoryWithOnlyX0AndY0IsACase() throws Exception {
        Path d = tmp.resolve("min");
        Files.createDirectories(d);
        Path src = fixture("gru_default");
        Files.copy(src.resolve("x0.npy"), d.resolve("x0.npy"));
        Files.copy(src.resolve("y0.npy"), d.resolve("y0.npy"));
        GoldenCase c = GoldenCase.open(d);
        assertThat(c.modelFile()).isEmpty();
        assertThat(GoldenRunner.run(JKeras.load(src.resolve("model.h5")), c, 1e-5, 0)).allMatch(Comparison::passed);
    }
}

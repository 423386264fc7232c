package io.jkeras.format;

import io.jkeras.util.Sha256;
import io.jkeras.JKeras;
import io.jkeras.cli.CliResult;
import io.jkeras.fixtures.FixtureCase;
import io.jkeras.model.Model;
import io.jkeras.tensor.Tensor;
import io.jkeras.npy.Npy;
import io.jkeras.util.AtomicFiles;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code jkeras convert IN OUT}: formats by extension, atomic, no overwrite without --force, embedded checks. */
class ConvertCliTest {
    @TempDir
    Path tmp;

    static CliResult run(String... args) { return CliResult.run(args); }

    static Path fixture(String name) { return FixtureCase.root().resolve("keras3").resolve(name); }

    @Test
    void convertsToNativeAtomicallyAndRefusesToOverwrite() throws Exception {
        Path in = fixture("stack_lstm_lstm_dense").resolve("model.h5");
        Path out = tmp.resolve("m.jkm");
        CliResult r = run("convert", in.toString(), out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("wrote " + out + " (").contains("native format " + Jkm.MAJOR + "." + Jkm.MINOR);
        Model m = JKeras.load(out);
        assertThat(m.metadata()).containsEntry("source_file", "model.h5").containsEntry("source_sha256", Sha256.of(in));
        byte[] before = Files.readAllBytes(out);
        CliResult again = run("convert", fixture("gru_default").resolve("model.h5").toString(), out.toString());
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.err())
                .isEqualTo("jkeras: error: OUT " + out + ": exists; pass --force to replace it"
                + System.lineSeparator());
        assertThat(Files.readAllBytes(out)).isEqualTo(before);
        CliResult forced = run("convert", fixture("gru_default").resolve("model.h5").toString(), out.toString(),
                "--force");
        assertThat(forced.code()).isZero();
        assertThat(JKeras.load(out).layers().get(0).typeName()).isEqualTo("GRU");
        try (Stream<Path> s = Files.list(tmp)) {
            // no temporary files left
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("m.jkm");
        }
    }

    @Test
    void nativeConvertsBackToH5AndKeras() {
        Path src = fixture("bidir_lstm_concat");
        Path jkm = tmp.resolve("b.jkm"), h5 = tmp.resolve("b.h5"), keras = tmp.resolve("b.keras");
        assertThat(run("convert", src.resolve("model.keras").toString(), jkm.toString()).code()).isZero();
        assertThat(run("convert", jkm.toString(), h5.toString()).code()).isZero();
        assertThat(run("convert", jkm.toString(), keras.toString()).code()).isZero();
        for (Path p : new Path[]{h5, keras}) {
            CliResult v = run("verify", p.toString(), "--golden", src.toString());
            assertThat(v.code()).as(p + ": " + v.out()).isZero();
        }
    }

    @Test
    void badArgumentsAreRefusedWithoutWriting() {
        Path in = fixture("lstm_default").resolve("model.h5");
        CliResult ext = run("convert", in.toString(), tmp.resolve("m.pb").toString());
        assertThat(ext.code()).isEqualTo(2);
        assertThat(ext.err()).contains("OUT must end in .jkm (native), .h5, .keras or .onnx");
        CliResult chk = run("convert", in.toString(), tmp.resolve("m.h5").toString(), "--embed-check");
        assertThat(chk.code()).isEqualTo(2);
        assertThat(chk.err()).contains("embedded checks are stored in native (.jkm) files only");
        CliResult missing = run("convert", tmp.resolve("none.h5").toString(), tmp.resolve("m.jkm").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(tmp.resolve("m.jkm")).doesNotExist();
        assertThat(tmp.resolve("m.h5")).doesNotExist();
    }

    @Test
    void embedCheckStoresJkerasOutputsForGivenInputs() throws Exception {
        Path src = fixture("graph_two_in_two_out");
        Path out = tmp.resolve("g.jkm");
        CliResult r = run("convert", src.resolve("model.h5").toString(), out.toString(), "--embed-check",
                "--check-input", src.resolve("x0.npy").toString(), "--check-input", src.resolve("x1.npy").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("1 embedded check(s)");
        var check = JkmFiles.header(Files.readAllBytes(out)).get("checks").get(0);
        assertThat(check.get("origin").asText()).startsWith("jkeras ");
        assertThat(check.get("batches").get(0).get("inputs")).hasSize(2);
        assertThat(check.get("batches").get(0).get("outputs")).hasSize(2);
        assertThat(Jkm.load(out).outputCount()).isEqualTo(2);
    }

    @Test
    void embedCheckGoldenStoresKerasOutputsAndRefusesAModelThatDoesNotMatch() throws Exception {
        Path src = fixture("lstm_stateful");
        Path out = tmp.resolve("s.jkm");
        CliResult r = run("convert", src.resolve("model.h5").toString(), out.toString(), "--embed-check-golden",
                src.toString());
        assertThat(r.code()).as(r.err()).isZero();
        var check = JkmFiles.header(Files.readAllBytes(out)).get("checks").get(0);
        assertThat(check.get("origin").asText()).isEqualTo("golden case lstm_stateful");
        assertThat(check.get("atol").asDouble()).isEqualTo(1e-5);
        assertThat(check.get("batches")).hasSize(3); // stateful: three consecutive batches, replayed in one session
        assertThat(Jkm.load(out).stateful()).isTrue();

        Path bad = tmp.resolve("bad");
        Files.createDirectories(bad);
        for (String f : new String[]{"x0.npy", "x1.npy", "x2.npy", "y0.npy", "y1.npy"}) Files.copy(src.resolve(f),
                bad.resolve(f));
        Tensor y2 = Npy.read(src.resolve("y2.npy")).tensor();
        y2.data()[0] += 1e-3f;
        AtomicFiles.write(bad.resolve("y2.npy"), o -> Npy.write(o, y2));
        Path out2 = tmp.resolve("s2.jkm");
        CliResult refused = run("convert", src.resolve("model.h5").toString(), out2.toString(), "--embed-check-golden",
                bad.toString());
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err())
                .contains("the model does not match this golden case, so it is not embedded: y2.npy: max abs err"
                + " 0.00100");
        assertThat(out2).doesNotExist();
    }

    /** Every fixture converts with a synthesized embedded check (token ids for Embedding inputs) and loads. */
    @TestFactory
    Stream<DynamicTest> everyFixtureConvertsWithAnEmbeddedCheck() {
        return FixtureCase.all("keras3").stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Path out = tmp.resolve(c.name() + ".jkm");
            CliResult r = run("convert", c.dir().resolve("model.h5").toString(), out.toString(), "--embed-check");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(Jkm.load(out).name()).isEqualTo(c.load().name());
        }));
    }
}

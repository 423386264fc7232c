package io.jkeras.cli;

import io.jkeras.JKeras;
import io.jkeras.fixtures.FixtureCase;
import io.jkeras.model.Model;
import io.jkeras.tensor.Tensor;
import io.jkeras.npy.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The CLI contract: output format, exit codes, multi-input/multi-batch predict. */
class CliTest {
    @TempDir
    Path tmp;

    static CliResult run(String... args) { return CliResult.run(args); }

    static Path fixture(String sub) { return FixtureCase.root().resolve(sub); }

    @Test
    void summaryEndsWithKerasTotal() throws Exception {
        var c = FixtureCase.all("keras3").stream().filter(f -> f.name().equals("stack_lstm_lstm_dense")).findFirst()
                .orElseThrow();
        CliResult r = run("summary", c.dir().resolve("model.h5").toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("lstm (LSTM)", "dense (Dense)", "Total params: " + c.json().path("total_params")
                .asLong());
    }

    @Test
    void weightsListsKerasNamesAndShapes() {
        CliResult r = run("weights", fixture("keras3/lstm_default/model.h5").toString());
        assertThat(r.code()).isZero();
        Model m = JKeras.load(fixture("keras3/lstm_default/model.h5"));
        for (Model.NamedWeight w : m.weights()) {
            assertThat(r.out()).containsPattern(java.util.regex.Pattern.quote(w.fullName()) + "\\s+"
                    + java.util.regex.Pattern.quote(w.weight().shapeString()));
        }
        assertThat(r.out()).contains("lstm/kernel", "lstm/recurrent_kernel", "lstm/bias");
    }

    @Test
    void predictWritesWhatTheLibraryComputes() throws Exception {
        Path model = fixture("keras3/lstm_return_state/model.h5");
        Path x = fixture("keras3/lstm_return_state/x0.npy");
        Model m = JKeras.load(model);
        Path[] outs = new Path[m.outputCount()];
        String[] args = new String[4 + 2 * outs.length];
        args[0] = "predict";
        args[1] = model.toString();
        args[2] = "-i";
        args[3] = x.toString();
        for (int o = 0; o < outs.length; o++) {
            outs[o] = tmp.resolve("y" + o + ".npy");
            args[4 + 2 * o] = "-o";
            args[5 + 2 * o] = outs[o].toString();
        }
        CliResult r = run(args);
        assertThat(r.code()).as(r.err()).isZero();
        Tensor[] want = m.predict(Npy.read(x).tensor());
        for (int o = 0; o < outs.length; o++) {
            Tensor got = Npy.read(outs[o]).tensor();
            assertThat(got.shape()).containsExactly(want[o].shape());
            assertThat(got.data()).containsExactly(want[o].data());
        }
    }

    @Test
    void predictCarriesStateAcrossBatchesOfAStatefulModel() throws Exception {
        var c = FixtureCase.all("keras3").stream().filter(f -> f.name().equals("lstm_stateful")).findFirst()
                .orElseThrow();
        int k = c.batches();
        String[] args = new String[2 + 4 * k];
        args[0] = "predict";
        args[1] = c.dir().resolve("model.h5").toString();
        for (int b = 0; b < k; b++) {
            args[2 + 2 * b] = "-i";
            args[3 + 2 * b] = c.dir().resolve("x" + b + ".npy").toString();
            args[2 + 2 * k + 2 * b] = "-o";
            args[3 + 2 * k + 2 * b] = tmp.resolve("out" + b + ".npy").toString();
        }
        CliResult r = run(args);
        assertThat(r.code()).as(r.err()).isZero();
        for (int b = 0; b < k; b++) {
            Tensor got = Npy.read(tmp.resolve("out" + b + ".npy")).tensor();
            Tensor want = c.y(b, 0);
            double max = 0;
            for (int i = 0; i < got.size(); i++) max = Math.max(max, Math.abs(got.data()[i] - want.data()[i]));
            assertThat(max).as("batch " + b + " against Keras").isLessThanOrEqualTo(c.atol());
        }
    }

    @Test
    void predictRejectsWrongFileCounts() {
        Path model = fixture("keras3/graph_two_in_two_out/model.h5");
        Path x = fixture("keras3/graph_two_in_two_out/x0.npy");
        CliResult r = run("predict", model.toString(), "-i", x.toString(), "-o", tmp.resolve("y.npy").toString());
        assertThat(r.code()).isEqualTo(Main.USER_ERROR);
        assertThat(r.err()).startsWith("jkeras: error: ").contains("2 input(s)").doesNotContain("\tat ");
    }

    @Test
    void predictRejectsWrongInputShapeWithOneLine() throws Exception {
        Path bad = tmp.resolve("bad.npy");
        try (var o = Files.newOutputStream(bad)) {
            Npy.write(o, Tensor.zeros(2, 3));
        }
        CliResult r = run("predict", fixture("keras3/lstm_default/model.h5").toString(), "-i", bad.toString(), "-o",
                tmp.resolve("y.npy").toString());
        assertThat(r.code()).isEqualTo(Main.USER_ERROR);
        assertThat(r.err().strip().lines().count()).isEqualTo(1);
        assertThat(r.err()).contains("bad.npy", "expects shape (None, ");
        assertThat(tmp.resolve("y.npy")).doesNotExist();
    }

    @Test
    void verifyPassesOnKerasOutputsAndFailsOnChangedOnes() throws Exception {
        Path dir = fixture("keras3/simple_rnn_default");
        CliResult ok = run("verify", dir.resolve("model.h5").toString(), "--golden", dir.toString());
        assertThat(ok.code()).as(ok.out() + ok.err()).isZero();
        assertThat(ok.out()).contains("max abs err", "PASS");

        Path g = tmp.resolve("golden");
        Files.createDirectories(g);
        Files.copy(dir.resolve("x0.npy"), g.resolve("x0.npy"));
        Tensor y = Npy.read(dir.resolve("y0.npy")).tensor();
        float[] d = y.data().clone();
        d[d.length - 1] += 0.5f;
        try (var o = Files.newOutputStream(g.resolve("y0.npy"))) {
            Npy.write(o, new Tensor(y.shape(), d));
        }
        CliResult bad = run("verify", dir.resolve("model.h5").toString(), "--golden", g.toString());
        assertThat(bad.code()).isEqualTo(Main.CHECK_FAILED);
        assertThat(bad.out())
                .contains("FAIL", "1 of " + d.length + " outside", "worst at (batch " + (y.shape()[0] - 1));
    }

    @Test
    void missingFileIsAOneLineError() {
        CliResult r = run("summary", tmp.resolve("nope.h5").toString());
        assertThat(r.code()).isEqualTo(Main.USER_ERROR);
        assertThat(r.err()).contains("nope.h5", "no such file").doesNotContain("Exception");
    }

    @Test
    void weightsOnlyFileLoadsWithConfig() {
        Path dir = fixture("zoo/dl4j_fullconfigs_lstm_th_keras2");
        CliResult r = run("summary", dir.resolve("weights.h5").toString(), "--config", dir.resolve("config.json")
                .toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("Total params: ");
        CliResult d = run("verify", dir.toString(), "--golden", dir.toString());
        assertThat(d.code()).as(d.out() + d.err()).isZero();
    }

    @Test
    void unknownCommandIsUsageError() {
        CliResult r = run("frobnicate");
        assertThat(r.code()).isEqualTo(Main.USER_ERROR);
    }
}

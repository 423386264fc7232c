package io.jkeras.cli;

import io.jkeras.JKeras;
import io.jkeras.exceptions.JKerasException;
import io.jkeras.fixtures.FixtureCase;
import io.jkeras.model.Model;
import io.jkeras.util.TerminalText;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Names from a model file (fixtures/bad/term, made by tools/make_term_fixtures.py: a layer and a
 * model named with a terminal title sequence, colours, newlines, a bidi override, C1 and DEL, and
 * an activation name clearing the screen) and strings from the command line reach the output
 * escaped: no raw control character, and no extra line.
 */
class TerminalSafetyTest {
    /** The visible form of the title sequence the hostile layer name starts with. */
    static final String TITLE_ESCAPED = "\\u001b]0;pwned\\u0007";

    @TempDir
    Path tmp;

    static Path term(String file) { return FixtureCase.root().resolve("bad/term").resolve(file); }

    static Path base(String file) { return FixtureCase.root().resolve("keras3/lstm_default").resolve(file); }

    @ParameterizedTest
    @ValueSource(strings = {"h5", "keras"})
    void summaryShowsHostileNamesEscapedOnTheirOwnLines(String ext) {
        CliResult hostile = CliResult.run("summary", term("hostile_names." + ext).toString());
        CliResult plain = CliResult.run("summary", base("model." + ext).toString());
        assertThat(hostile.code()).as(hostile.err()).isZero();
        assertThat(TerminalText.rawControls(hostile.out())).isEmpty();
        assertThat(hostile.out())
                .contains(TITLE_ESCAPED, "\\nsecond line\\rback\\u202eevil", "\\u2028sep\\u0085c1\\u007fdel (LSTM)",
                "Model: \"model\\u001b[2J\\u001b[Hcleared\\n\"");
        assertThat(hostile.out().lines().count()).isEqualTo(plain.out().lines().count());
    }

    @ParameterizedTest
    @ValueSource(strings = {"h5", "keras"})
    void weightsShowsHostileLayerNamesEscapedOneWeightPerLine(String ext) {
        CliResult hostile = CliResult.run("weights", term("hostile_names." + ext).toString());
        CliResult plain = CliResult.run("weights", base("model." + ext).toString());
        assertThat(hostile.code()).as(hostile.err()).isZero();
        assertThat(TerminalText.rawControls(hostile.out())).isEmpty();
        assertThat(hostile.out()).contains(TITLE_ESCAPED, "del/kernel", "del/recurrent_kernel", "del/bias");
        assertThat(hostile.out().lines().count()).isEqualTo(plain.out().lines().count());
    }

    @ParameterizedTest
    @ValueSource(strings = {"h5", "keras"})
    void anErrorNamingAHostileLayerAndActivationIsOneEscapedLine(String ext) {
        CliResult r = CliResult.run("summary", term("hostile_activation." + ext).toString());
        assertThat(r.code()).isEqualTo(Main.USER_ERROR);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines().toList()).hasSize(1);
        String line = r.err().lines().findFirst().orElseThrow();
        assertThat(TerminalText.rawControlsInLine(line)).isEmpty();
        assertThat(line).startsWith("jkeras: error: ")
                .contains(TITLE_ESCAPED, "activation 'tanh\\u001b[2J\\u001b[H\\nspoofed line\\u202e'");
    }

    @Test
    void theLibrarysMessageIsOneSafeLineWhileItsAccessorsKeepTheNameAsGiven() {
        JKerasException e = catchThrowableOfType(() -> JKeras.load(term("hostile_activation.keras")),
                JKerasException.class);
        assertThat(e).isNotNull();
        assertThat(TerminalText.rawControlsInLine(e.getMessage())).isEmpty();
        assertThat(e.getMessage()).contains(TITLE_ESCAPED);
        assertThat(e.layer()).startsWith("lstm\u001b]0;pwned\u0007").contains("\n");
    }

    @Test
    void modelSummaryEscapesNamesForLibraryUsersToo() {
        Model hostile = JKeras.load(term("hostile_names.h5"));
        Model plain = JKeras.load(base("model.h5"));
        assertThat(TerminalText.rawControls(hostile.summary())).isEmpty();
        assertThat(hostile.summary()).contains(TITLE_ESCAPED);
        assertThat(hostile.summary().lines().count()).isEqualTo(plain.summary().lines().count());
    }

    @Test
    void verifyAndItsHtmlReportShowTheHostileOutputNameEscaped() throws Exception {
        Path report = tmp.resolve("report.html");
        CliResult r = CliResult.run("verify", term("hostile_names.h5").toString(), "--golden", term("").toString(),
                "--report", report.toString());
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(TerminalText.rawControls(r.out())).isEmpty();
        assertThat(r.out()).contains(TITLE_ESCAPED);
        String html = Files.readString(report, StandardCharsets.UTF_8);
        assertThat(TerminalText.rawControls(html)).isEmpty();
        assertThat(html).contains(TITLE_ESCAPED).doesNotContain("\u001b");
    }

    @Test
    void controlCharactersInArgumentsAreEscapedInTheErrorLine() {
        CliResult missing = CliResult.run("summary", tmp.resolve("no\u001b[2Jsuch\nfile.h5").toString());
        assertThat(missing.code()).isEqualTo(Main.USER_ERROR);
        assertThat(missing.err().lines().toList()).hasSize(1);
        assertThat(TerminalText.rawControlsInLine(missing.err().strip())).isEmpty();
        assertThat(missing.err()).contains("no\\u001b[2Jsuch\\nfile.h5");

        CliResult option = CliResult.run("summary", base("model.h5").toString(), "--\u001b]0;x\u0007\n");
        assertThat(option.code()).isEqualTo(Main.USER_ERROR);
        assertThat(option.err().lines().toList()).hasSize(1);
        assertThat(TerminalText.rawControlsInLine(option.err().strip())).isEmpty();
        assertThat(option.err()).startsWith("jkeras: ")
                .contains("--\\u001b]0;x\\u0007\\n", "Try 'jkeras summary --help'.");
    }
}

package io.jkeras.text;

import io.jkeras.util.TerminalText;
import org.junit.jupiter.api.Test;

import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.InvalidPathException;

import static org.assertj.core.api.Assertions.assertThat;

class PrintableTest {
    /** Every character {@link Printable#escape} must replace, one of each kind. */
    static final String CONTROLS = "\u0000\u0007\b\t\n\u000b\f\r\u001b\u001f\u007f\u0080\u0085\u009b\u009f"
            + "\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069";

    @Test
    void escapeLeavesNoControlCharacterAndNoLineBreak() {
        String e = Printable.escape("a" + CONTROLS + "z");
        assertThat(e).startsWith("a").endsWith("z");
        assertThat(e.chars()).allMatch(c -> c >= 0x20 && c < 0x7f);
        assertThat(TerminalText.rawControls("a" + CONTROLS + "z")).hasSize(CONTROLS.length() - 3);
        assertThat(TerminalText.rawControlsInLine(e)).isEmpty();
        assertThat(e).doesNotContain("\n", "\r", "\t");
    }

    @Test
    void escapeShowsLineEndsAndTabAsInSourceCodeAndTheRestAsUnicodeEscapes() {
        assertThat(Printable.escape("a\nb\rc\td")).isEqualTo("a\\nb\\rc\\td");
        assertThat(Printable.escape("\u001b[2J")).isEqualTo("\\u001b[2J");
        assertThat(Printable.escape("\u202eevil\u2028")).isEqualTo("\\u202eevil\\u2028");
        assertThat(Printable.escape("\u007f\u0085")).isEqualTo("\\u007f\\u0085");
    }

    @Test
    void escapeKeepsPrintableTextIncludingNonAsciiAndBackslashes() {
        String s = "lstm_1 ≤ 0.5 · ünï 模型 \\u001b C:\\dir 😀";
        assertThat(Printable.escape(s)).isSameAs(s);
        assertThat(Printable.escape(Printable.escape("x\u001by"))).isEqualTo(Printable.escape("x\u001by"));
        assertThat(Printable.escape((String) null)).isEqualTo("null");
    }

    @Test
    void terminalWriterPassesLineEndsAndEscapesEverythingElse() throws Exception {
        StringWriter sink = new StringWriter();
        try (Writer w = Printable.terminal(sink)) {
            w.write("line 1\r\n\tline\u001b[31m 2\n");
            w.write('\u009b');
            w.write(new char[]{'a', '\u202e', 'b'}, 0, 3);
        }
        assertThat(sink.toString()).isEqualTo("line 1\r\n\tline\\u001b[31m 2\n\\u009ba\\u202eb");
        assertThat(TerminalText.rawControls(sink.toString())).isEmpty();
    }

    @Test
    void anUnencodablePathSaysToSetAUtf8LocaleWhenFileNamesAreNotUtf8() {
        InvalidPathException e = new InvalidPathException("/tmp/\ufffd\ufffdn\ufffd/model.h5",
                "Malformed input or input contains unmappable characters");
        String m = PathNames.unencodable(e, "ANSI_X3.4-1968");
        assertThat(m).contains("/tmp/\ufffd\ufffdn\ufffd/model.h5", "unmappable", "ANSI_X3.4-1968", "LANG", "LC_ALL",
                "UTF-8")
                .doesNotContain("\n");
        assertThat(PathNames.unencodable(e, "UTF-8")).contains("unmappable").doesNotContain("LC_ALL");
    }

    @Test
    void anInvalidPathIsShownEscaped() {
        InvalidPathException e = new InvalidPathException("a\u0000b\u001b[2J", "Nul character not allowed");
        assertThat(PathNames.unencodable(e, "UTF-8"))
                .isEqualTo("cannot use the path 'a\\u0000b\\u001b[2J': Nul character not allowed");
    }
}

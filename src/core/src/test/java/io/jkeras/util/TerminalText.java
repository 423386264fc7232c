package io.jkeras.util;

import java.util.ArrayList;
import java.util.List;

/**
 * For tests of terminal safety: the characters in a text that a terminal would act on instead of
 * showing (C0 controls other than newline, carriage return and tab; DEL; C1 controls; bidi
 * overrides, embeddings and isolates; line and paragraph separators). Written independently of
 * {@link io.jkeras.text.Printable}, from the Unicode categories, so that it checks it.
 */
public final class TerminalText {
    private TerminalText() {}

    /** Each raw control character of {@code s}, as {@code U+XXXX at N}; empty when there is none. */
    public static List<String> rawControls(String s) {
        List<String> found = new ArrayList<>();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control = Character.getType(c) == Character.CONTROL && c != '\n' && c != '\r' && c != '\t';
            boolean format = Character.getType(c) == Character.FORMAT
                    && Character.getDirectionality(c) >= Character.DIRECTIONALITY_LEFT_TO_RIGHT_EMBEDDING;
            boolean separator = Character.getType(c) == Character.LINE_SEPARATOR
                    || Character.getType(c) == Character.PARAGRAPH_SEPARATOR;
            if (control || format || separator) found.add(String.format("U+%04X at %d", (int) c, i));
        }
        return found;
    }

    /** {@link #rawControls} for one line: line ends and tabs count too. */
    public static List<String> rawControlsInLine(String s) {
        List<String> found = new ArrayList<>(rawControls(s));
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n' || c == '\r' || c == '\t') found.add(String.format("U+%04X at %d", (int) c, i));
        }
        return found;
    }
}

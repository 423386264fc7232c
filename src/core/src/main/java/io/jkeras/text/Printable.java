package io.jkeras.text;

import java.io.FilterWriter;
import java.io.IOException;
import java.io.Writer;

/**
 * Strings from a model file or a request, made safe to print: every control character becomes a
 * visible escape, so a crafted layer name can neither send a terminal sequence (set the title,
 * the colours, clear the screen) nor split a one-line message into several lines, nor reorder
 * what is shown around it. Escaped are C0 controls (newline and tab included), DEL, C1 controls,
 * the Unicode line and paragraph separators (U+2028, U+2029) and the bidirectional overrides,
 * embeddings and isolates (U+202A to U+202E, U+2066 to U+2069). {@code \n}, {@code \r} and
 * {@code \t} are shown as such; every other one as {@code \}{@code uXXXX} (as in JSON and Java
 * source). A backslash is left as it is, so escaping twice changes nothing more.
 */
public final class Printable {
    private Printable() {}

    /** True for the characters {@link #escape} replaces. */
    public static boolean isUnsafe(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029'
                || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
    }

    /** {@code s} with every unsafe character escaped; {@code "null"} for null (as string concatenation shows it). */
    public static String escape(CharSequence s) {
        if (s == null) return "null";
        int n = s.length(), i = 0;
        while (i < n && !isUnsafe(s.charAt(i))) i++;
        if (i == n) return s.toString();
        StringBuilder sb = new StringBuilder(n + 16).append(s, 0, i);
        for (; i < n; i++) append(sb, s.charAt(i));
        return sb.toString();
    }

    /** {@code o.toString()} escaped. */
    public static String escape(Object o) {
        return escape(o == null ? null : o.toString());
    }

    private static void append(StringBuilder sb, char c) {
        if (!isUnsafe(c)) sb.append(c);
        else if (c == '\n') sb.append("\\n");
        else if (c == '\r') sb.append("\\r");
        else if (c == '\t') sb.append("\\t");
        else sb.append(String.format("\\u%04x", (int) c));
    }

    /**
     * A writer for a terminal: passes line ends ({@code \n}, {@code \r}) and tabs through and
     * escapes every other unsafe character, whatever string reaches it. The last line of defence
     * of the command line; strings that must stay on one line are escaped with {@link #escape}
     * where they are printed.
     */
    public static Writer terminal(Writer out) {
        return new FilterWriter(out) {
            @Override
            public void write(int c) throws IOException {
                write(String.valueOf((char) c), 0, 1);
            }

            @Override
            public void write(char[] buf, int off, int len) throws IOException {
                write(new String(buf, off, len), 0, len);
            }

            @Override
            public void write(String str, int off, int len) throws IOException {
                StringBuilder sb = null;
                for (int i = off; i < off + len; i++) {
                    char c = str.charAt(i);
                    boolean pass = !isUnsafe(c) || c == '\n' || c == '\r' || c == '\t';
                    if (sb == null && !pass) sb = new StringBuilder(len + 16).append(str, off, i);
                    if (sb != null) {
                        if (pass) sb.append(c);
                        else Printable.append(sb, c);
                    }
                }
                if (sb == null) out.write(str, off, len);
                else out.write(sb.toString());
            }
        };
    }
}

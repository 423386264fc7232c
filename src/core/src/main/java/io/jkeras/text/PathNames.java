package io.jkeras.text;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;

/**
 * Why a file name could not be made into a path, said so that a user can fix it. The usual cause:
 * the JVM encodes file names in the charset of the locale ({@code sun.jnu.encoding} on JDK 17), and
 * with no locale set (LANG unset, as in many containers) that is ASCII, so a name with any other
 * character cannot be opened at all.
 */
public final class PathNames {
    private PathNames() {}

    /** The charset this JVM encodes file names in. */
    public static String fileNameEncoding() {
        String jnu = System.getProperty("sun.jnu.encoding");
        return jnu != null ? jnu : Charset.defaultCharset().name();
    }

    /** One printable line: which name, why it was refused and, when the locale is the cause, what to do. */
    public static String unencodable(InvalidPathException e) {
        return unencodable(e, fileNameEncoding());
    }

    /** {@link #unencodable(InvalidPathException)} for a JVM encoding file names as {@code encoding}. */
    public static String unencodable(InvalidPathException e, String encoding) {
        String reason = e.getReason() == null ? "not a valid path" : e.getReason();
        String s = "cannot use the path '" + Printable.escape(e.getInput()) + "': " + Printable.escape(reason);
        if (isUtf8(encoding)) return s;
        return s + "; this JVM encodes file names as " + Printable.escape(encoding)
                + " (from the locale): set LANG or LC_ALL to a UTF-8 locale (e.g. export LC_ALL=C.UTF-8) and run again";
    }

    private static boolean isUtf8(String encoding) {
        try {
            return Charset.forName(encoding).equals(StandardCharsets.UTF_8);
        } catch (RuntimeException e) {
            return false;
        }
    }
}

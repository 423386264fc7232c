package io.jkeras.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * What kind of file a path names, in words a message can use ("a directory", "a FIFO", "a
 * character device"), so that a FIFO or a device given as a file is refused by name instead of
 * being reported as missing, read forever or replaced.
 */
public enum FileKind {
    MISSING("no such file"),
    REGULAR("a regular file"),
    DIRECTORY("a directory"),
    FIFO("a FIFO (named pipe)"),
    CHARACTER_DEVICE("a character device"),
    BLOCK_DEVICE("a block device"),
    SOCKET("a socket"),
    OTHER("not a regular file");

    private final String words;

    FileKind(String words) { this.words = words; }

    /** "a directory", "a FIFO (named pipe)", …; "no such file" for {@link #MISSING}. */
    public String words() { return words; }

    /** The kind of what {@code p} names, following symbolic links (a dangling link is {@link #MISSING}). */
    public static FileKind of(Path p) {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(p, BasicFileAttributes.class);
        } catch (IOException | SecurityException e) {
            return MISSING;
        }
        if (a.isRegularFile()) return REGULAR;
        if (a.isDirectory()) return DIRECTORY;
        return special(p);
    }

    /**
     * Null when {@code p} names a regular file (through links); else why it cannot be read as
     * {@code what}: "no such file", or e.g. "is a FIFO (named pipe), not a .npy file (a symbolic link
     * to it)". The one check every reader of a named file makes before opening it, so that a FIFO or
     * a device is named and never read.
     */
    public static String problem(Path p, String what) {
        FileKind kind = of(p);
        if (kind == REGULAR) return null;
        if (kind == MISSING) return MISSING.words;
        return "is " + kind.words + ", not " + what + (Files.isSymbolicLink(p) ? " (a symbolic link to it)" : "");
    }

    /** A file that is neither regular nor a directory: its type from the POSIX mode where the platform has one. */
    private static FileKind special(Path p) {
        try {
            Object mode = Files.getAttribute(p, "unix:mode");
            if (mode instanceof Integer m) {
                return switch (m & 0xF000) {
                    case 0x1000 -> FIFO;
                    case 0x2000 -> CHARACTER_DEVICE;
                    case 0x6000 -> BLOCK_DEVICE;
                    case 0xC000 -> SOCKET;
                    default -> OTHER;
                };
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | SecurityException e) {
            // no unix view: say only that it is not a regular file
        }
        return Files.exists(p, LinkOption.NOFOLLOW_LINKS) ? OTHER : MISSING;
    }
}

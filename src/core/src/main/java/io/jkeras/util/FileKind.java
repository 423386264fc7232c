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

package io.jkeras.util;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes one file so that readers see the old content or the complete new content, never a part:
 * the data goes to a temporary file in the same directory, is forced to disk, and is renamed over
 * the target. On failure (or when the JVM is stopped meanwhile) the temporary file is removed and
 * the target is untouched. A new file gets the permissions the umask gives; a replaced file keeps
 * its own. This is the library's writer, which replaces an existing regular file as asked; the
 * command line declares its outputs with {@link OutputFiles}, which also refuses special files,
 * inputs and existing files without {@code --force}.
 */
public final class AtomicFiles {
    /** Writes the content to a stream. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private AtomicFiles() {}

    public static void write(Path target, Writer writer) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) Files.createDirectories(dir);
        FileKind kind = FileKind.of(abs);
        if (kind != FileKind.MISSING && kind != FileKind.REGULAR) {
            throw new IOException(target + " is " + kind.words() + "; only a regular file is replaced");
        }
        try (OutputFiles out = OutputFiles.create(true)) {
            out.add("", abs);
            out.write(abs, writer);
            out.commit();
        }
    }
}

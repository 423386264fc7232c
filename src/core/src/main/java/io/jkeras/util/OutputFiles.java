package io.jkeras.util;

import io.jkeras.exceptions.InputException;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * All the files one command writes, written all or none.
 *
 * <p>Every output is declared with {@link #add} before any work starts, and is refused there (an
 * {@link InputException}, exit 2 in the CLI) when it is given twice, is one of the command's
 * inputs, is not a regular file (a directory, FIFO, device or socket is never replaced), exists
 * without {@code force}, or its directory is missing or not writable. The content then goes to
 * temporary files beside the targets ({@link #write}, {@link #stage}); {@link #commit} moves them
 * into place only when every one was written, and {@link #close} removes whatever was not
 * committed, as does a shutdown hook when the JVM is stopped by a signal meanwhile.
 *
 * <p>A symbolic link given as an output is followed: the file it points to is replaced, in that
 * file's own directory, and the link stays; a link to nothing is refused.
 */
public final class OutputFiles implements AutoCloseable {
    /** One declared output: the name the user gave, where it is written, and its staged temporary. */
    private static final class Target {
        final String given;
        final Path dest;
        final boolean directory;
        Path staged;

        Target(String given, Path dest, boolean directory) {
            this.given = given;
            this.dest = dest;
            this.directory = directory;
        }
    }

    private final boolean force;
    private final List<Path> inputs = new ArrayList<>();
    private final Map<Path, Target> targets = new LinkedHashMap<>();
    private final Thread cleanup = new Thread(this::removeStaged, "jkeras-output-cleanup");
    private boolean hooked;
    private boolean committed;

    private OutputFiles(boolean force) { this.force = force; }

    /** A set of outputs; {@code force} allows replacing regular files that exist. */
    public static OutputFiles create(boolean force) { return new OutputFiles(force); }

    /**
     * Files and directories the command reads: no output may be one of them, or lie inside one given as a directory.
     */
    public OutputFiles inputs(Collection<Path> paths) {
        for (Path p : paths) if (p != null) inputs.add(p);
        return this;
    }

    /** Declares a file output; {@code flag} names it in errors (e.g. {@code -o}). Returns the path as given. */
    public Path add(String flag, Path target) { return declare(flag, target, false); }

    /** Declares a directory written whole (a golden case): replaced only when empty, or with {@code force}. */
    public Path addDirectory(String flag, Path target) { return declare(flag, target, true); }

    private Path declare(String flag, Path target, boolean directory) {
        String given = flag.isEmpty() ? target.toString() : flag + " " + target;
        Path dest = destination(given, target.toAbsolutePath().normalize());
        for (Target t : targets.values()) {
            if (t.dest.equals(dest)) throw refuse(given, "is given twice as an output (also as " + t.given + ")");
        }
        for (Path in : inputs) checkNotInput(given, dest, directory, in);
        FileKind kind = FileKind.of(dest);
        if (directory) {
            if (kind != FileKind.MISSING && kind != FileKind.DIRECTORY) {
                throw refuse(given, "is " + kind.words() + ", not a directory");
            }
            if (kind == FileKind.DIRECTORY && !force && !isEmpty(given, dest)) {
                throw refuse(given, "exists and is not empty; pass --force to replace it");
            }
        } else if (kind == FileKind.REGULAR) {
            if (!force) throw refuse(given, "exists; pass --force to replace it");
        } else if (kind != FileKind.MISSING) {
            throw refuse(given, "is " + kind.words() + "; jkeras writes only regular files and never replaces "
                    + kind.words());
        }
        Path parent = dest.getParent();
        if (parent == null || FileKind.of(parent) != FileKind.DIRECTORY) {
            throw refuse(given, "its directory " + parent + " does not exist");
        }
        if (!Files.isWritable(parent)) throw refuse(given, "its directory " + parent + " is not writable");
        targets.put(dest, new Target(given, dest, directory));
        return target;
    }

    /** Where a target is written: itself, or the file a symbolic link points to. */
    private static Path destination(String given, Path abs) {
        if (!Files.isSymbolicLink(abs)) {
            Path parent = abs.getParent();
            // a link among the parents: write in the directory it leads to, so that inputs compare by their real paths
            if (parent != null && Files.isDirectory(parent)) {
                try {
                    return parent.toRealPath().resolve(abs.getFileName());
                } catch (IOException e) {
                    return abs;
                }
            }
            return abs;
        }
        try {
            return abs.toRealPath();
        } catch (IOException e) {
            String to;
            try {
                to = String.valueOf(Files.readSymbolicLink(abs));
            } catch (IOException e2) {
                to = "?";
            }
            throw refuse(given, "is a symbolic link to " + to + ", which does not exist");
        }
    }

    private static void checkNotInput(String given, Path dest, boolean directory, Path input) {
        Path in;
        try {
            in = input.toRealPath();
        } catch (IOException e) {
            return; // an input that does not exist is refused by its reader
        }
        if (in.equals(dest) || sameFile(in, dest)) throw refuse(given, "is also an input of this command (" + input
                + "); write to another file");
        if (directory && in.startsWith(dest)) {
            throw refuse(given, "holds an input of this command (" + input + "); write the case to another directory");
        }
        if (Files.isDirectory(in) && dest.startsWith(in) && Files.exists(dest)) {
            throw refuse(given, "is a file of the input directory " + input + "; write to another file");
        }
    }

    /** True when both name one file (a hard link to an input is that input). */
    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isEmpty(String given, Path dir) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            return !ds.iterator().hasNext();
        } catch (IOException e) {
            throw refuse(given, "cannot be listed: " + e.getMessage());
        }
    }

    private static InputException refuse(String given, String why) {
        return new InputException(given + ": " + why);
    }

    private Target target(Path target) {
        Target t = targets.get(destination(String.valueOf(target), target.toAbsolutePath().normalize()));
        if (t == null) throw new IllegalStateException(target + " was not declared as an output");
        return t;
    }

    /**
     * The first characters of a file name (at most 24): the staged name says whose it is without
     * growing with the target's name, since a writer given the staged path may build its own
     * temporary name from it again, and a file name is at most 255 bytes on most file systems.
     */
    private static String head(String name) {
        int end = Math.min(name.length(), 24);
        if (end < name.length() && Character.isLowSurrogate(name.charAt(end))) end--;
        return name.substring(0, end);
    }

    /**
     * The extensions of a file name ({@code .keras}, {@code .weights.h5}: from its first dot after the
     * first character; only the last one when they are longer than 16 characters), so that a writer
     * that picks its format by extension picks the same for the staged file as for the target.
     */
    private static String extensions(String name) {
        int dot = name.indexOf('.', 1);
        if (dot < 0) return "";
        String ext = name.substring(dot);
        return ext.length() <= 16 ? ext : ext.substring(ext.lastIndexOf('.'));
    }

    /**
     * A fresh temporary path beside {@code target}, ending in the target's extensions (so a writer
     * that picks its format by extension picks the same), for a writer that takes a path. The file
     * does not exist yet; the writer creates it. It is moved over the target by {@link #commit}.
     */
    public Path stage(Path target) throws IOException {
        Target t = target(target);
        if (t.staged != null) throw new IllegalStateException(target + " was staged already");
        hook();
        Path dir = t.dest.getParent();
        for (int attempt = 0; ; attempt++) {
            String base = t.dest.getFileName().toString();
            String name = "." + head(base) + ".jkeras-"
                    + Long.toHexString(ThreadLocalRandom.current().nextLong())
                    + ".tmp" + (t.directory ? "" : extensions(base));
            Path p = dir.resolve(name);
            if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                if (t.directory) Files.createDirectory(p); // default permissions: the umask applies, as for mkdir
                t.staged = p;
                return p;
            }
            if (attempt > 100) throw new IOException("cannot find a free temporary name in " + dir);
        }
    }

    /** Writes a declared file output's content to its temporary file, forced to disk. */
    public void write(Path target, AtomicFiles.Writer writer) throws IOException {
        Path p = stage(target);
        // CREATE_NEW without attributes: the umask applies, as for any new file; never follows a link planted there
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
            writer.write(out);
            out.flush();
            ch.force(true);
        }
    }

    /**
     * Moves every staged output into place. Each move is atomic; when a later one fails, the
     * targets replaced before it are put back as they were (where the file system allows a hard
     * link to keep them meanwhile), and the error is thrown.
     */
    public void commit() throws IOException {
        for (Target t : targets.values()) {
            if (t.staged == null) throw new IllegalStateException(t.given + " was declared but not written");
        }
        List<Path[]> undo = new ArrayList<>(); // {target, kept old content or null}
        try {
            for (Target t : targets.values()) {
                if (t.directory) {
                    commitDirectory(t, undo);
                    continue;
                }
                if (Files.exists(t.dest)) {
                    copyPermissions(t.dest, t.staged);
                    Path keep = keep(t.dest);
                    move(t.staged, t.dest);
                    undo.add(new Path[]{t.dest, keep});
                } else {
                    move(t.staged, t.dest);
                    undo.add(new Path[]{t.dest, null});
                }
                fsyncDir(t.dest.getParent());
            }
            committed = true;
        } catch (IOException | RuntimeException e) {
            for (int i = undo.size() - 1; i >= 0; i--) {
                Path[] u = undo.get(i);
                try {
                    if (u[1] != null) move(u[1], u[0]);
                    else deleteTree(u[0]);
                } catch (IOException | RuntimeException ignored) {
                    // best effort: the error below says what failed
                }
            }
            throw e;
        } finally {
            for (Path[] u : undo) {
                if (committed && u[1] != null) deleteTree(u[1]);
            }
            unhook();
        }
    }

    private void commitDirectory(Target t, List<Path[]> undo) throws IOException {
        fsyncDir(t.staged);
        if (Files.exists(t.dest)) {
            Path old = t.dest.resolveSibling("." + t.dest.getFileName() + ".jkeras-old-"
                    + Long.toHexString(ThreadLocalRandom.current().nextLong()));
            move(t.dest, old);
            try {
                move(t.staged, t.dest);
            } catch (IOException e) {
                move(old, t.dest);
                throw e;
            }
            undo.add(new Path[]{t.dest, old});
        } else {
            move(t.staged, t.dest);
            undo.add(new Path[]{t.dest, null});
        }
        fsyncDir(t.dest.getParent());
    }

    /**
     * A hard link to the content a target holds now, to restore it if a later move fails; null where links are not
     * possible.
     */
    private Path keep(Path dest) {
        if (targets.size() == 1) return null; // one output: its move is atomic, nothing to restore
        Path k = dest.resolveSibling("." + dest.getFileName() + ".jkeras-old-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            Files.createLink(k, dest);
            return k;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }

    /** Gives a new file the permissions of the file it replaces, as an ordinary write would keep them. */
    private static void copyPermissions(Path from, Path to) {
        try {
            if (to.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.setPosixFilePermissions(to, Files.getPosixFilePermissions(from));
            }
        } catch (IOException | UnsupportedOperationException | SecurityException ignored) {
            // the umask's permissions stay
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static void fsyncDir(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not every platform can sync a directory; the files themselves were forced
        }
    }

    /** Removes every temporary file not committed (also the ones a writer made beside a staged path). */
    @Override
    public void close() {
        if (!committed) removeStaged();
        unhook();
    }

    private synchronized void removeStaged() {
        if (committed) return;
        for (Target t : targets.values()) {
            if (t.staged == null) continue;
            deleteTree(t.staged);
            // a writer given a staged path may write its own temporary beside it: ".<staged name>.<random>.tmp"
            String prefix = "." + t.staged.getFileName() + ".";
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(t.staged.getParent(),
                    q -> q.getFileName().toString().startsWith(prefix))) {
                for (Path q : ds) deleteTree(q);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    private void hook() {
        if (hooked) return;
        try {
            Runtime.getRuntime().addShutdownHook(cleanup);
            hooked = true;
        } catch (IllegalStateException ignored) {
            // the JVM is shutting down already
        }
    }

    private void unhook() {
        if (!hooked) return;
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException ignored) {
            // shutting down: the hook runs
        }
        hooked = false;
    }

    private static void deleteTree(Path p) {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        } catch (IOException | RuntimeException ignored) {
            // best effort
        }
    }
}

package io.jkeras.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** For tests that a command leaves a directory as it found it. */
public final class DirectorySnapshot {
    private DirectorySnapshot() {}

    /**
     * Every path under {@code dir} (relative; {@code dir} itself excluded) with what it is: a
     * regular file's SHA-256, a symbolic link's target (never followed), {@code directory}, or
     * {@code other} (fifos and devices are never opened).
     */
    public static Map<String, String> of(Path dir) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                if (p.equals(dir)) continue;
                String rel = dir.relativize(p).toString();
                if (Files.isSymbolicLink(p)) m.put(rel, "link " + Files.readSymbolicLink(p));
                else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) m.put(rel, "directory");
                else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) m.put(rel, "file "
                        + sha256(Files.readAllBytes(p)));
                else m.put(rel, "other");
            }
        }
        return m;
    }

    /** Deletes {@code dir} and everything under it (links themselves, not their targets). */
    public static void delete(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

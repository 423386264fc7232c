package io.jkeras.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the shared benchmark workloads (W1–W4: Keras files, inputs, expected outputs) are. */
final class Workloads {
    private Workloads() {}

    /** {@code -Djkeras.bench.artifacts=DIR}, else ../shared/bench/artifacts from the repository root. */
    static Path artifacts() {
        String p = System.getProperty("jkeras.bench.artifacts");
        Path dir = p != null ? Path.of(p) : Path.of("..", "shared", "bench", "artifacts");
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("benchmark workloads not found at " + dir.toAbsolutePath()
                    + " (set -Djkeras.bench.artifacts=DIR)");
        }
        return dir;
    }
}

package io.jkeras.bench;

import io.jkeras.kernels.RecurrentKernels;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the shared benchmark workloads (W1–W4: Keras files, inputs, expected outputs) are, and the kernel choice. */
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

    /**
     * Selects the recurrent kernel path before the kernels load (call first in a trial's setup):
     * {@code scalar} sets {@code -Djkeras.scalar=true}; {@code best} leaves the JVM's choice.
     */
    static void selectKernel(String kernel) {
        switch (kernel) {
            case "scalar" -> System.setProperty("jkeras.scalar", "true");
            case "best" -> System.clearProperty("jkeras.scalar");
            default -> throw new IllegalArgumentException("kernel is 'best' or 'scalar', got '" + kernel + "'");
        }
    }

    /** Fails the trial when the active kernel is not the one asked for; prints it to the fork's output. */
    static void checkKernel(String kernel) {
        String active = RecurrentKernels.best();
        System.out.println("# jkeras kernel: " + active + ", jkeras.threads=" + System.getProperty("jkeras.threads"));
        if (kernel.equals("scalar") != active.equals("scalar")) {
            throw new IllegalStateException("asked for the " + kernel + " kernel but " + active + " is active"
                    + (kernel.equals("best") ? " (does the JVM have --add-modules jdk.incubator.vector?)" : ""));
        }
    }
}

package io.jkeras.bench;

import io.jkeras.JKeras;
import io.jkeras.kernels.RecurrentKernels;
import io.jkeras.model.Model;
import io.jkeras.tensor.Tensor;
import io.jkeras.npy.Npy;

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

    /** A workload's model and its fixed input. */
    record Loaded(Model model, Tensor input) {}

    /**
     * Loads a workload's {@code .h5} on the kernel path asked for, runs it once on the fixed input
     * and fails the trial unless the output is within 1e-5 of Keras' expected one, so nothing wrong
     * is ever timed.
     */
    static Loaded loadChecked(String workload, String kernel) {
        selectKernel(kernel);
        Model model = JKeras.load(artifacts().resolve(workload + ".h5"));
        Tensor input = Npy.read(artifacts().resolve(workload + "_input.npy")).tensor();
        Tensor want = Npy.read(artifacts().resolve(workload + "_expected.npy")).tensor();
        Tensor got = model.predict(input)[0];
        double err = 0;
        for (int i = 0; i < got.size(); i++) err = Math.max(err, Math.abs(got.data()[i] - want.data()[i]));
        if (!(err <= 1e-5)) throw new IllegalStateException(workload + ": output differs from Keras' by " + err);
        checkKernel(kernel);
        return new Loaded(model, input);
    }
}

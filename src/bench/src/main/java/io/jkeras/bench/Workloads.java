package io.jkeras.bench;

import io.jkeras.JKeras;
import io.jkeras.kernels.Engine;
import io.jkeras.kernels.Kernels;
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
     * The engine a trial's model runs on: kernels {@code scalar} or {@code best} (which fails the trial
     * when the JVM has only the scalar ones), on {@code threads} threads (0: the engine's default,
     * {@code -Djkeras.threads} or the processors). Printed to the fork's output.
     */
    static Engine engine(String kernel, int threads) {
        Engine e = threads > 0 ? Engine.defaults().withThreads(threads) : Engine.defaults();
        e = switch (kernel) {
            case "scalar" -> e.withKernels(Kernels.scalar());
            case "best" -> {
                if (Kernels.best().isScalar()) {
                    throw new IllegalStateException("asked for the best kernels but only the scalar ones run"
                            + " (does the JVM have --add-modules jdk.incubator.vector?)");
                }
                yield e.withKernels(Kernels.best());
            }
            default -> throw new IllegalArgumentException("kernel is 'best' or 'scalar', got '" + kernel + "'");
        };
        System.out.println("# jkeras engine: " + e);
        return e;
    }

    /** A workload's model and its fixed input. */
    record Loaded(Model model, Tensor input) {}

    /**
     * Loads a workload's {@code .h5} on the kernel path asked for, runs it once on the fixed input
     * and fails the trial unless the output is within 1e-5 of Keras' expected one, so nothing wrong
     * is ever timed.
     */
    static Loaded loadChecked(String workload, String kernel, int threads) {
        Path dir = artifacts();
        return loadChecked(workload, dir.resolve(workload + ".h5"), dir.resolve(workload + "_input.npy"),
                dir.resolve(workload + "_expected.npy"), kernel, threads);
    }

    /** As {@link #loadChecked(String, String, int)}, for a model, input and Keras output given by path. */
    static Loaded loadChecked(String workload, Path modelFile, Path inputFile, Path expectedFile, String kernel,
                              int threads) {
        Model model = JKeras.load(modelFile).withEngine(engine(kernel, threads));
        Tensor input = Npy.read(inputFile).tensor();
        Tensor want = Npy.read(expectedFile).tensor();
        Tensor got = model.predict(input)[0];
        double err = 0;
        for (int i = 0; i < got.size(); i++) err = Math.max(err, Math.abs(got.data()[i] - want.data()[i]));
        if (!(err <= 1e-5)) throw new IllegalStateException(workload + ": output differs from Keras' by " + err);
        return new Loaded(model, input);
    }
}

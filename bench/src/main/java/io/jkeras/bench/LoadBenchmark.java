package io.jkeras.bench;

import io.jkeras.JKeras;
import io.jkeras.format.Jkm;
import io.jkeras.model.Model;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Time to load a model: the workload's Keras 3 {@code .h5} against the same model converted to
 * the native {@code .jkm} format (issue acceptance: native ≥ 10× faster; W2-sized: ≤ 20 ms native,
 * ≤ 200 ms from .h5).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class LoadBenchmark {
    @Param({"w1", "w2", "w3g"})
    public String workload;

    private Path h5;
    private Path jkm;

    @Setup(Level.Trial)
    public void convert() throws IOException {
        h5 = Workloads.artifacts().resolve(workload + ".h5");
        jkm = Files.createTempFile("jkeras-bench-" + workload, ".jkm");
        Jkm.save(JKeras.load(h5), jkm);
    }

    @TearDown(Level.Trial)
    public void clean() throws IOException {
        Files.deleteIfExists(jkm);
    }

    @Benchmark
    public Model fromH5() { return JKeras.load(h5); }

    @Benchmark
    public Model fromNative() { return JKeras.load(jkm); }
}

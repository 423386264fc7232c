package io.jkeras.bench;

import io.jkeras.model.Model;
import io.jkeras.tensor.Tensor;
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
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * W2: one prediction of a batch of 256 sequences (100 steps, 64 features) through two LSTM(256)
 * layers; throughput = 256 / time per call. Checks the output against Keras' once before timing.
 * {@code kernel} as in {@link InferenceBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class ThroughputBenchmark {
    @Param({"w2"})
    public String workload;

    @Param({"best"})
    public String kernel;

    /** Threads the model runs on ({@code Model.withThreads}); 0: the engine's default. */
    @Param({"0"})
    public int threads;

    private Model model;
    private Tensor input;

    @Setup(Level.Trial)
    public void load() {
        Workloads.Loaded w = Workloads.loadChecked(workload, kernel, threads);
        model = w.model();
        input = w.input();
    }

    @Benchmark
    public Tensor[] predictBatch() { return model.predict(input); }
}

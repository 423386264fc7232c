package io.jkeras.bench;

import io.jkeras.JKeras;
import io.jkeras.model.Model;
import io.jkeras.tensor.Tensor;
import io.jkeras.train.FitOptions;
import io.jkeras.train.FitResult;
import io.jkeras.train.Losses;
import io.jkeras.train.TrainGraph;
import io.jkeras.train.Trainer;
import io.jkeras.train.Adam;
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

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * W4: one training epoch of LSTM(64) → Dense(1) on {@code samples} N(0,1) sequences (50 steps, 32
 * features) with N(0,1) targets, batch 64, MSE, Adam(1e-3), shuffled — the shared workload's
 * protocol (its data come from numpy's generator with seed 4; these from java.util.Random, same
 * distribution). Each invocation is one epoch continuing the same training graph and optimizer.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class TrainBenchmark {
    @Param({"w4"})
    public String workload;

    @Param({"8192"})
    public int samples;

    @Param({"best"})
    public String kernel;

    /** Threads the model trains on ({@code Model.withThreads}); 0: the engine's default. */
    @Param({"0"})
    public int threads;

    private TrainGraph graph;
    private Tensor[] x, y;
    private FitOptions options;

    @Setup(Level.Trial)
    public void load() {
        Model model = JKeras.load(Workloads.artifacts().resolve(workload + ".keras"))
                .withEngine(Workloads.engine(kernel, threads));
        int[] in = model.input(0).shape();
        int[] out = model.outputShape(0);
        Random rng = new Random(4);
        x = new Tensor[]{gaussian(rng, samples, in)};
        y = new Tensor[]{gaussian(rng, samples, out)};
        graph = new TrainGraph(model);
        options = new FitOptions().loss(Losses.meanSquaredError()).optimizer(new Adam(1e-3)).batchSize(64).epochs(1)
                .shuffle(true);
    }

    private static Tensor gaussian(Random rng, int n, int[] shape) {
        int[] full = new int[shape.length + 1];
        full[0] = n;
        System.arraycopy(shape, 0, full, 1, shape.length);
        int size = 1;
        for (int d : full) size *= d;
        float[] v = new float[size];
        for (int i = 0; i < size; i++) v[i] = (float) rng.nextGaussian();
        return new Tensor(full, v);
    }

    @Benchmark
    public FitResult epoch() { return Trainer.fit(graph, x, y, options); }
}

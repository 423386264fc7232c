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

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Issue 14's workloads, each a model written by real Keras under {@code fixtures/bench/<workload>} with its
 * input and Keras' output: {@code convlstm2d} ({@code ConvLSTM2D(16, 3×3)} on {@code (10, 32, 32, 1)},
 * tools/gen_bench_convlstm.py; 2·30·30·64·(9·1 + 9·16)·10 = 176.3 MFLOP per sample), {@code cnn_lstm}
 * (Conv1D(64, 3) → MaxPooling1D(2) → LSTM(128) → Dense(1) on (100, 16)) and {@code lstm128} (its LSTM(128)
 * alone on (50, 64)), both tools/gen_bench_cnn_lstm.py. One prediction on a batch of {@code batch} N(0, 1)
 * samples of the stored input's shape. Checks the output on the stored input against Keras' within 1e-5 before
 * timing.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class Issue14Benchmark {
    @Param({"convlstm2d", "cnn_lstm", "lstm128"})
    public String workload;

    @Param({"1", "64"})
    public int batch;

    @Param({"best"})
    public String kernel;

    /** Threads the model runs on ({@code Model.withThreads}); 0: the engine's default. */
    @Param({"0"})
    public int threads;

    private Model model;
    private Tensor input;

    @Setup(Level.Trial)
    public void load() {
        Path dir = Path.of(System.getProperty("jkeras.bench.fixtures", "fixtures/bench")).resolve(workload);
        Workloads.Loaded w = Workloads.loadChecked(workload, dir.resolve("model.h5"), dir.resolve("input.npy"),
                dir.resolve("expected.npy"), kernel, threads);
        model = w.model();
        Tensor x = w.input();
        SplittableRandom r = new SplittableRandom(14);
        int[] shape = x.shape();
        shape[0] = batch;
        float[] d = new float[batch * (x.size() / x.dim(0))];
        for (int i = 0; i < d.length; i++) d[i] = (float) gaussian(r);
        input = new Tensor(shape, d);
    }

    private static double gaussian(SplittableRandom r) {
        double u = r.nextDouble(), v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }

    @Benchmark
    public Tensor[] predict() { return model.predict(input); }
}

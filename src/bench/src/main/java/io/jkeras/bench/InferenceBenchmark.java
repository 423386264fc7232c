package io.jkeras.bench;

import io.jkeras.model.Model;
import io.jkeras.model.Predictor;
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
 * One prediction on the workload's fixed input: latency for W1/W3s/W3g (batch 1). Checks the
 * output against Keras' once before timing. {@code kernel} picks the recurrent kernel path:
 * {@code best} (the Vector API kernels; the trial fails if the JVM cannot run them) or {@code scalar},
 * given to the model ({@code Model.withEngine}), as {@code threads} ({@code Model.withThreads}, 0: the
 * default). Steady-state allocation: run with {@code -prof gc}
 * ({@code gc.alloc.rate.norm}, bytes per call). {@code predictInto} is the same prediction through a
 * {@link Predictor} into an output tensor made once (JMH's one benchmark thread owns it).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class InferenceBenchmark {
    @Param({"w1", "w3s", "w3g"})
    public String workload;

    @Param({"best"})
    public String kernel;

    /** Threads the model runs on ({@code Model.withThreads}); 0: the engine's default. */
    @Param({"0"})
    public int threads;

    private Model model;
    private Tensor input;
    private Predictor predictor;
    private Tensor[] inputs;
    private Tensor[] outputs;

    @Setup(Level.Trial)
    public void load() {
        Workloads.Loaded w = Workloads.loadChecked(workload, kernel, threads);
        model = w.model();
        input = w.input();
        predictor = model.predictor();
        inputs = new Tensor[]{input};
        outputs = new Tensor[]{Tensor.zeros(model.predict(input)[0].shape())};
        predictor.predictInto(inputs, outputs);
        if (!java.util.Arrays.equals(outputs[0].data(), model.predict(input)[0].data())) {
            throw new IllegalStateException(workload + ": predictInto differs from predict");
        }
    }

    @Benchmark
    public Tensor[] predict() { return model.predict(input); }

    @Benchmark
    public Tensor[] predictInto() {
        predictor.predictInto(inputs, outputs);
        return outputs;
    }
}

package io.jkeras.bench;

import io.jkeras.JKeras;
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
 * Time to load a model: a workload's Keras 3 {@code .h5} and {@code .keras} files against the
 * same model converted to the native {@code .jkm} format (issue acceptance: native ≥ 10× faster
 * than {@code .h5}; a W2-sized model in ≤ 20 ms from native, ≤ 200 ms from {@code .h5}).
 *
 * <p>Two modes, both reported in the README:
 * <ul>
 * <li><b>cold</b>, what a service sees when it loads its model once at startup: the first load
 *     in a fresh JVM, class loading and initialisation of the readers included;
 *     {@code -bm ss -f 10 -wi 0 -i 1} (one single-shot load per fork, ten forks);</li>
 * <li><b>warm</b>, steady state after JIT compilation: the default {@code AverageTime}.</li>
 * </ul>
 *
 * <p>The {@code .jkm} file is written by a separate JVM ({@code jkeras convert}) before the
 * benchmark runs, so that the measured JVM has not loaded the Keras readers (HDF5, JSON mapping)
 * when it loads the native file: converting in the same JVM would warm the very classes whose
 * loading the cold mode measures. {@code tools/bench.sh} and {@code tools/perf.sh} convert the
 * workloads before JMH starts ({@code tools/bench_jkm.sh}) and name the directory with
 * {@code -Djkeras.bench.jkm=DIR}, so that a fork does nothing before the timed load but start, for
 * every format alike; without it, each fork converts in a child process during its setup.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class LoadBenchmark {
    @Param({"w1", "w2"})
    public String workload;

    @Param({"h5", "keras", "jkm"})
    public String format;

    private Path file;
    private Path converted;

    @Setup(Level.Trial)
    public void prepare() throws IOException, InterruptedException {
        Path h5 = Workloads.artifacts().resolve(workload + ".h5");
        if (!format.equals("jkm")) {
            file = Workloads.artifacts().resolve(workload + "." + format);
            return;
        }
        String pre = System.getProperty("jkeras.bench.jkm");
        if (pre != null) {
            file = Path.of(pre, workload + ".jkm");
            if (!Files.isRegularFile(file)) throw new IllegalStateException(file
                    + " not found: run tools/bench_jkm.sh (-Djkeras.bench.jkm=" + pre + ")");
            return;
        }
        converted = Files.createTempFile("jkeras-bench-" + workload, ".jkm");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "io.jkeras.cli.Main",
                "convert", "--force", h5.toString(), converted.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (p.waitFor() != 0) throw new IllegalStateException("jkeras convert " + h5 + " failed (exit " + p.exitValue()
                + ")");
        file = converted;
    }

    @TearDown(Level.Trial)
    public void clean() throws IOException {
        if (converted != null) Files.deleteIfExists(converted);
    }

    @Benchmark
    public Model load() { return JKeras.load(file); }
}

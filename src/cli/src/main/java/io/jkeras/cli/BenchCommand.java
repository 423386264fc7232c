package io.jkeras.cli;

import io.jkeras.exceptions.InputException;
import io.jkeras.model.Model;
import io.jkeras.model.SampleInputs;
import io.jkeras.model.WarmUp;
import io.jkeras.tensor.Tensor;
import io.jkeras.npy.Npy;
import io.jkeras.kernels.Engine;
import io.jkeras.kernels.Kernels;
import io.jkeras.kernels.Threads;
import io.jkeras.train.FitOptions;
import io.jkeras.train.Losses;
import io.jkeras.train.ProgressListener;
import io.jkeras.train.Trainer;
import io.jkeras.train.Adam;
import io.jkeras.text.Printable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;

/**
 * {@code jkeras bench MODEL --batch B [--threads N] [--seconds S] [--json]}: times predictions on
 * random inputs of the model's shape (or on {@code --input} files) after a warm-up and reports the
 * median and p90 latency of one call, the throughput and GFLOP/s ({@link FlopCounter}). With
 * {@code --train} it times epochs of {@code Trainer.fit} instead (MSE, Adam) and reports the median
 * epoch. {@code --json} prints one JSON object on one line, the form the peer benchmark kit records.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Time the model on random N(0,1) inputs of its shape: median and p90 latency per call,"
                + " throughput, GFLOP/s.",
                "With --train: time epochs of fit (MSE, Adam) on random data and report the median epoch.",
                "FLOPs count dense matrix products only (recurrent 2·G·H·(F+H) per step, Dense 2·F·units; training 3"
                        + " × forward)."})
public final class BenchCommand implements Runnable {
    @Mixin
    ModelArgs args = new ModelArgs();

    @Option(names = "--batch", paramLabel = "B",
            description = "Samples per call (default: the model's fixed batch size, else 1; with --train the"
                    + " mini-batch size, default 64).")
    Integer batch;

    @Option(names = "--timesteps", paramLabel = "T",
            description = "Time steps of the random input, for a model whose time dimension is unknown.")
    Integer timesteps;

    @Option(names = "--threads", paramLabel = "N",
            description = "Threads the model runs on (Model.withThreads). "
                    + "Default: the engine's default (-Djkeras.threads, else the processors).")
    Integer threads;

    @Option(names = "--callers", paramLabel = "C", defaultValue = "1",
            description = "Independent threads calling predict on the shared model at the same time (default 1);"
                    + " latency is per call, throughput = C·B / median.")
    int callers;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "5",
            description = "Time single calls for S seconds after the warm-up (default 5).")
    double seconds;

    @Option(names = "--warmup", paramLabel = "S", defaultValue = "2",
            description = "Warm-up seconds before timing (default 2; at least 2 calls).")
    double warmup;

    @Option(names = "--max-calls", paramLabel = "N", defaultValue = "5000",
            description = "Stop timing after N calls even before S seconds (default 5000).")
    int maxCalls;

    @Option(names = "--min-calls", paramLabel = "N", defaultValue = "5",
            description = "Time at least N calls even past S seconds (default 5).")
    int minCalls;

    @Option(names = "--input", paramLabel = "X.npy",
            description = "Time on this input instead of random data (one per model input; its batch wins).")
    List<Path> inputs = new ArrayList<>();

    @Option(names = "--expected", paramLabel = "Y.npy",
            description = "Report the largest absolute difference of the first output from this array (max_abs_diff).")
    Path expected;

    @Option(names = "--kernel", paramLabel = "K",
            description = "Kernels the model runs (Model.withEngine): 'best' (the Vector API ones when the JVM has"
                    + " jdk.incubator.vector) or 'scalar'. Default: as the JVM was started (-Djkeras.scalar).")
    String kernel;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
            description = "Seed of the random data (default 0).")
    long seed;

    @Option(names = "--train", description = "Time training epochs of fit (MSE loss, Adam) instead of predictions.")
    boolean train;

    @Option(names = "--samples", paramLabel = "N", defaultValue = "8192",
            description = "--train: samples per epoch (default 8192).")
    int samples;

    @Option(names = "--epochs", paramLabel = "E", defaultValue = "5",
            description = "--train: timed epochs after one warm-up epoch (default 5).")
    int epochs;

    @Option(names = "--learning-rate", paramLabel = "LR", defaultValue = "1e-3",
            description = "--train: Adam's learning rate (default 1e-3).")
    double learningRate;

    @Option(names = "--first", paramLabel = "N", defaultValue = "0",
            description = "Also time the first N calls of this fresh JVM (first_calls_ms), before the timed warm-up"
                    + " and after --model-warm-up: what a service's first requests wait.")
    int first;

    @Option(names = "--model-warm-up", paramLabel = "S", defaultValue = "0",
            description = "Call Model.warmUp with a budget of S seconds on the timed input first, as a service would"
                    + " at startup (default 0: not).")
    double modelWarmUp;

    @Option(names = "--json",
            description = "Print one JSON object on one line (median_ms, p90_ms, throughput_seq_per_s, gflop_per_s,"
                    + " ...; with --train median_s, ...).")
    boolean json;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        checkOptions();
        if ("best".equals(kernel) && Kernels.best().isScalar()) {
            throw new InputException("--kernel best was asked for but this JVM has only the scalar kernels"
                    + " (the Vector API kernels need --add-modules jdk.incubator.vector)");
        }
        Model loaded = args.load();
        Engine engine = loaded.engine();
        if (threads != null) engine = engine.withThreads(threads);
        if (kernel != null) engine = engine.withKernels("scalar".equals(kernel) ? Kernels.scalar() : Kernels.best());
        Model model = loaded.withEngine(engine);
        Map<String, Object> r = train ? trainBench(model) : inferBench(model);
        r.put("kernel", engine.kernels().toString());
        r.put("threads", engine.threads());
        r.put("java", System.getProperty("java.version"));
        r.put("model", args.model.toString());
        PrintWriter out = spec.commandLine().getOut();
        if (json) out.println(toJson(r));
        else printHuman(out, r);
        out.flush();
    }

    /** The largest --callers: each caller is a thread of its own. */
    static final int MAX_CALLERS = 4096;
    /** The largest --threads. */
    static final int MAX_THREADS = Threads.MAX;
    /** The largest --batch and --timesteps of the random input. */
    static final int MAX_DIM = 1 << 20;
    /** The longest --seconds, --warmup, --model-warm-up: a day. */
    static final double MAX_SECONDS = 86_400;

    void checkOptions() {
        new OptionRanges(spec).ints("--batch", batch, 1, MAX_DIM).ints("--timesteps", timesteps, 1, MAX_DIM)
                .ints("--threads", threads, 1, MAX_THREADS).ints("--callers", callers, 1, MAX_CALLERS)
                .between("--seconds", seconds, 0, MAX_SECONDS, false).between("--warmup", warmup, 0, MAX_SECONDS, false)
                .between("--model-warm-up", modelWarmUp, 0, MAX_SECONDS, false)
                .ints("--max-calls", maxCalls, 1, 10_000_000).ints("--min-calls", minCalls, 1, 10_000_000)
                .ints("--first", first, 0, 100_000).ints("--samples", samples, 1, 1 << 24)
                .ints("--epochs", epochs, 1, 100_000)
                .positive("--learning-rate", learningRate);
        if (train && (first > 0 || modelWarmUp > 0)) throw usage("--first and --model-warm-up are for inference");
        if (kernel != null && !kernel.equals("best") && !kernel.equals("scalar")) throw usage(
                "--kernel is 'best' or 'scalar', got '" + kernel + "'");
        if (train) {
            if (!inputs.isEmpty() || expected != null) throw usage(
                    "--input and --expected are for inference; --train uses random data");
            if (callers != 1) throw usage("--callers is for inference");
        }
    }

    private ParameterException usage(String msg) {
        return new ParameterException(spec.commandLine(), msg);
    }

    // ------------------------------------------------------------------------------ inference

    private Map<String, Object> inferBench(Model model) {
        Tensor[] x = inputs.isEmpty() ? randomInputs(model, resolveBatch(model, 1), seed) : readInputs(model);
        int b = x[0].dim(0);
        int[][] shapes = new int[x.length][];
        for (int i = 0; i < x.length; i++) shapes[i] = Arrays.copyOfRange(x[i].shape(), 1, x[i].shape().length);
        long flopsPerSample = FlopCounter.forwardPerSample(model, shapes);
        WarmUp warm = modelWarmUp > 0 ? model.warmUp(Duration.ofNanos((long) (modelWarmUp * 1e9)), x) : null;
        List<Double> firstCalls = new ArrayList<>();
        for (int i = 0; i < first; i++) {
            long t0 = System.nanoTime();
            Tensor[] y = model.predict(x);
            firstCalls.add((System.nanoTime() - t0) / 1e6);
            sink(y);
        }
        Tensor[] y0 = model.predict(x);
        Double diff = expected == null ? null : maxAbsDiff(y0[0], Npy.read(expected).tensor());

        long[][] perCaller = new long[callers][];
        if (callers == 1) {
            perCaller[0] = timeCalls(model, x, null);
        } else {
            runCallers(model, x, perCaller);
        }
        int n = 0;
        for (long[] p : perCaller) n += p.length;
        long[] all = new long[n];
        int k = 0;
        for (long[] p : perCaller) {
            System.arraycopy(p, 0, all, k, p.length);
            k += p.length;
        }
        Stats s = Stats.of(all);
        double flopsPerCall = (double) flopsPerSample * b;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("median_ms", s.median * 1e3);
        r.put("p90_ms", s.p90 * 1e3);
        r.put("min_ms", s.min * 1e3);
        r.put("max_ms", s.max * 1e3);
        r.put("n", n);
        r.put("throughput_seq_per_s", callers * b / s.median);
        r.put("gflop_per_s", flopsPerCall / s.median / 1e9);
        r.put("flops_per_call", (long) flopsPerCall);
        r.put("batch", b);
        r.put("input_shapes", Arrays.stream(x).map(t -> Tensor.shapeString(t.shape())).toList());
        r.put("callers", callers);
        if (diff != null) r.put("max_abs_diff", diff);
        if (warm != null) {
            r.put("model_warm_up_calls", warm.calls());
            r.put("model_warm_up_s", warm.elapsed().toNanos() / 1e9);
        }
        if (first > 0) r.put("first_calls_ms", firstCalls);
        r.put("variant", "cli-" + kernelFamily(model));
        return r;
    }

    /** Makes the caller threads; a test replaces it to make thread creation fail. */
    java.util.concurrent.ThreadFactory callerThreads = r -> new Thread(r);

    /**
     * Times {@code callers} threads calling predict at once. The threads are daemons, and any
     * failure (a caller's error, or a thread that cannot be created: the JVM's native thread limit)
     * breaks both barriers, so every thread started ends and the command returns, with the first
     * failure.
     */
    private void runCallers(Model model, Tensor[] x, long[][] perCaller) {
        CyclicBarrier start = new CyclicBarrier(callers), measure = new CyclicBarrier(callers);
        List<Thread> started = new ArrayList<>();
        java.util.concurrent.atomic.AtomicReference<RuntimeException> failure
                = new java.util.concurrent.atomic.AtomicReference<>();
        Runnable abort = () -> {
            start.reset();
            measure.reset();
        };
        for (int c = 0; c < callers && failure.get() == null; c++) {
            int id = c;
            Thread t;
            try {
                t = callerThreads.newThread(() -> {
                    try {
                        start.await();
                        perCaller[id] = timeCalls(model, x, measure);
                    } catch (RuntimeException e) {
                        failure.compareAndSet(null, e);
                        abort.run();
                    } catch (java.util.concurrent.BrokenBarrierException e) {
                        failure.compareAndSet(null, new IllegalStateException("another caller failed", e));
                    } catch (Exception e) {
                        failure.compareAndSet(null, new IllegalStateException(e));
                        abort.run();
                    }
                });
                t.setName("jkeras-bench-" + c);
                t.setDaemon(true);
                t.start();
            } catch (OutOfMemoryError | RuntimeException e) { // "unable to create native thread" is an OutOfMemoryError
                failure.compareAndSet(null, new InputException("--callers " + callers + ": could start only " + c
                        + " caller threads (" + e + "); use fewer callers"));
                abort.run();
                break;
            }
            started.add(t);
        }
        for (Thread t : started) {
            try {
                // a thread may reach a barrier after an abort reset it: abort again until every thread has ended
                while (t.isAlive()) {
                    t.join(100);
                    if (failure.get() != null) abort.run();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                abort.run();
                throw new IllegalStateException("interrupted", e);
            }
        }
        if (failure.get() != null) throw failure.get();
    }

    /**
     * Warms up (at least 2 calls and {@code warmup} seconds), waits on {@code barrier} if given,
     * then times single calls for {@code seconds} (at least minCalls, at most maxCalls); seconds per call.
     */
    private long[] timeCalls(Model model, Tensor[] x, CyclicBarrier barrier) {
        long warmEnd = System.nanoTime() + (long) (warmup * 1e9);
        int w = 0;
        while (w < 2 || System.nanoTime() < warmEnd) {
            sink(model.predict(x));
            w++;
        }
        if (barrier != null) {
            try {
                barrier.await();
            } catch (java.util.concurrent.BrokenBarrierException e) {
                throw new IllegalStateException("another caller failed", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        long[] t = new long[Math.min(maxCalls, 1024)];
        int n = 0;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (n < maxCalls && (n < minCalls || System.nanoTime() < end)) {
            long t0 = System.nanoTime();
            Tensor[] y = model.predict(x);
            long t1 = System.nanoTime();
            sink(y);
            if (n == t.length) t = Arrays.copyOf(t, Math.min(maxCalls, 2 * t.length));
            t[n++] = t1 - t0;
        }
        return Arrays.copyOf(t, n);
    }

    private static volatile float blackhole;

    private static void sink(Tensor[] y) {
        float[] d = y[0].data();
        if (d.length > 0) blackhole = d[0];
    }

    private Tensor[] readInputs(Model model) {
        if (inputs.size() != model.inputCount()) {
            throw new InputException("model has " + model.inputCount() + " input(s) but " + inputs.size()
                    + " --input file(s) were given");
        }
        Tensor[] x = new Tensor[inputs.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = Npy.read(inputs.get(i)).tensor();
            if (x[i].shape().length == 0) throw new InputException(inputs.get(i) + ": a scalar is not a batch");
            if (batch != null && x[i].dim(0) != batch) {
                throw new InputException(inputs.get(i) + " holds a batch of " + x[i].dim(0) + " but --batch " + batch
                        + " was given");
            }
        }
        return x;
    }

    static double maxAbsDiff(Tensor got, Tensor want) {
        if (got.size() != want.size()) {
            throw new InputException("--expected has shape " + Tensor.shapeString(want.shape())
                    + " but the output has shape " + Tensor.shapeString(got.shape()));
        }
        double m = 0;
        float[] a = got.data(), b = want.data();
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs((double) a[i] - b[i]);
            if (!(d <= m)) m = d; // NaN wins
        }
        return m;
    }

    /** The batch: --batch, else the model's fixed batch size, else {@code dflt}; refuses a clash with a fixed size. */
    int resolveBatch(Model model, int dflt) {
        int fixed = 0;
        for (int i = 0; i < model.inputCount(); i++) fixed = Math.max(fixed, model.input(i).batchSize());
        if (fixed > 0 && batch != null && batch != fixed) {
            throw new InputException("model '" + model.name() + "' has a fixed batch size of " + fixed + "; --batch "
                    + batch + " does not fit");
        }
        return batch != null ? batch : fixed > 0 ? fixed : dflt;
    }

    /** Shape (without batch) of input i with an unknown time dimension replaced by --timesteps. */
    int[] concreteShape(int[] s, String what) {
        int[] c = s.clone();
        for (int d = 0; d < c.length; d++) {
            if (c[d] >= 0) {
                if (d == 0 && timesteps != null && c.length >= 2 && c[0] != timesteps) {
                    throw new InputException(what + " has a fixed time dimension of " + c[0] + "; --timesteps "
                            + timesteps + " does not fit");
                }
                continue;
            }
            if (d != 0) throw new InputException(what + " has an unknown dimension other than time "
                    + Tensor.shapeString(s) + "; give --input");
            if (timesteps == null) throw new InputException(what + " has an unknown time dimension "
                    + Tensor.shapeString(s) + "; give --timesteps T");
            c[d] = timesteps;
        }
        return c;
    }

    /**
     * {@link SampleInputs#random} of the model's input shapes, after checking them against
     * --timesteps ({@link #concreteShape}, whose messages name the option).
     */
    Tensor[] randomInputs(Model model, int b, long seed) {
        for (int i = 0; i < model.inputCount(); i++) concreteShape(model.input(i).shape(), "input '" + model.input(i)
                .name() + "'");
        return SampleInputs.random(model, b, timesteps == null ? -1 : timesteps, seed);
    }

    private static String kernelFamily(Model model) {
        return model.engine().kernels().isScalar() ? "scalar" : "vector";
    }

    // ------------------------------------------------------------------------------ training

    private Map<String, Object> trainBench(Model model) {
        int b = resolveBatch(model, 64);
        Tensor[] x = randomInputs(model, samples, seed);
        Tensor[] y = new Tensor[model.outputCount()];
        Random rng = new Random(seed + 1);
        for (int o = 0; o < y.length; o++) {
            int[] s = concreteShape(model.outputShape(o), "output '" + model.outputName(o) + "'");
            int[] full = new int[s.length + 1];
            full[0] = samples;
            System.arraycopy(s, 0, full, 1, s.length);
            long size = 1;
            for (int d : full) size *= d;
            float[] d = new float[Math.toIntExact(size)];
            for (int k = 0; k < d.length; k++) d[k] = (float) rng.nextGaussian();
            y[o] = new Tensor(full, d);
        }
        int[][] shapes = new int[x.length][];
        for (int i = 0; i < x.length; i++) shapes[i] = Arrays.copyOfRange(x[i].shape(), 1, x[i].shape().length);
        long flopsPerEpoch = FlopCounter.TRAINING_FACTOR * FlopCounter.forwardPerSample(model, shapes) * (long) samples;

        EpochTimer timer = new EpochTimer();
        FitOptions fo = new FitOptions().loss(Losses.meanSquaredError()).optimizer(new Adam(learningRate))
                .batchSize(b).epochs(1 + epochs).shuffle(true).seed(seed).listener(timer);
        Trainer.fit(model, x, y, fo);
        long[] timed = Arrays.copyOfRange(timer.nanos.stream().mapToLong(Long::longValue).toArray(), 1,
                timer.nanos.size());
        Stats s = Stats.of(timed);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("median_s", s.median);
        r.put("p90_s", s.p90);
        r.put("min_s", s.min);
        r.put("max_s", s.max);
        r.put("n", timed.length);
        r.put("warmup_epoch_s", timer.nanos.get(0) / 1e9);
        r.put("samples_per_s", samples / s.median);
        r.put("gflop_per_s", flopsPerEpoch / s.median / 1e9);
        r.put("flops_per_epoch", flopsPerEpoch);
        r.put("batch", b);
        r.put("samples", samples);
        r.put("loss_first", timer.losses.get(0));
        r.put("loss_last", timer.losses.get(timer.losses.size() - 1));
        r.put("variant", "cli-train-" + kernelFamily(model));
        return r;
    }

    private static final class EpochTimer implements ProgressListener {
        final List<Long> nanos = new ArrayList<>();
        final List<Double> losses = new ArrayList<>();
        private long t0;

        @Override
        public void onEpochStart(int epoch, int epochs, int batches) { t0 = System.nanoTime(); }

        @Override
        public void onEpochEnd(int epoch, Map<String, Double> metrics) {
            nanos.add(System.nanoTime() - t0);
            losses.add(metrics.get("loss"));
        }
    }

    // ------------------------------------------------------------------------------ statistics and output

    /** Median (mean of the middle two for an even count), p90 (nearest rank), min and max, in seconds. */
    record Stats(double median, double p90, double min, double max) {
        static Stats of(long[] nanos) {
            if (nanos.length == 0) throw new IllegalStateException("nothing was timed");
            long[] s = nanos.clone();
            Arrays.sort(s);
            int n = s.length;
            double med = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
            int rank = (int) Math.ceil(0.9 * n) - 1;
            return new Stats(med / 1e9, s[Math.max(0, rank)] / 1e9, s[0] / 1e9, s[n - 1] / 1e9);
        }
    }

    static String toJson(Map<String, Object> r) {
        return new String(io.jkeras.util.Json.ofPlain(r).toBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }

    private void printHuman(PrintWriter out, Map<String, Object> r) {
        out.println("model      " + Printable.escape(r.get("model")));
        out.println("kernel     " + r.get("kernel") + ", engine threads "
                + (r.get("threads") == null ? "default" : r.get("threads"))
                + ", Java " + r.get("java"));
        if (train) {
            out.printf(Locale.ROOT,
                    "training   %d samples, batch %s, MSE, Adam(%s); 1 warm-up epoch (%.3f s), %s timed%n",
                    samples, r.get("batch"), learningRate, (double) r.get("warmup_epoch_s"), r.get("n"));
            out.printf(Locale.ROOT, "epoch      median %.3f s   p90 %.3f s   min %.3f s   max %.3f s%n",
                    r.get("median_s"), r.get("p90_s"), r.get("min_s"), r.get("max_s"));
            out.printf(Locale.ROOT, "throughput %.0f samples/s%n", r.get("samples_per_s"));
            out.printf(Locale.ROOT, "compute    %.2f GFLOP/s (%.4g GFLOP per epoch, 3 x forward)%n",
                    r.get("gflop_per_s"),
                    ((Long) r.get("flops_per_epoch")) / 1e9);
            out.printf(Locale.ROOT, "loss       %.6g -> %.6g%n", r.get("loss_first"), r.get("loss_last"));
            return;
        }
        out.println("input      " + String.join(", ", castList(r.get("input_shapes"))) + " (batch " + r.get("batch")
                + (callers > 1 ? ", " + callers + " callers" : "") + ")");
        out.printf(Locale.ROOT, "latency    median %s   p90 %s   min %s   max %s   (%s calls)%n",
                ms(r.get("median_ms")), ms(r.get("p90_ms")),
                ms(r.get("min_ms")), ms(r.get("max_ms")), r.get("n"));
        if (r.containsKey("model_warm_up_calls")) {
            out.printf(Locale.ROOT, "warm-up    Model.warmUp: %s calls in %.3f s%n", r.get("model_warm_up_calls"),
                    r.get("model_warm_up_s"));
        }
        if (r.containsKey("first_calls_ms")) {
            StringBuilder sb = new StringBuilder();
            for (Object v : (List<?>) r.get("first_calls_ms")) sb.append(sb.length() == 0 ? "" : " ").append(ms(v));
            out.println("first calls " + sb);
        }
        out.printf(Locale.ROOT, "throughput %.1f sequences/s%n", r.get("throughput_seq_per_s"));
        out.printf(Locale.ROOT, "compute    %.2f GFLOP/s (%.4g MFLOP per call)%n", r.get("gflop_per_s"),
                ((Long) r.get("flops_per_call")) / 1e6);
        if (r.containsKey("max_abs_diff")) out.printf(Locale.ROOT, "max |y - expected| %.3g%n", r.get("max_abs_diff"));
    }

    @SuppressWarnings("unchecked")
    private static List<String> castList(Object o) { return (List<String>) o; }

    private static String ms(Object v) {
        double m = (double) v;
        return m >= 1 ? String.format(Locale.ROOT, "%.3f ms", m) : String.format(Locale.ROOT, "%.1f us", m * 1e3);
    }
}

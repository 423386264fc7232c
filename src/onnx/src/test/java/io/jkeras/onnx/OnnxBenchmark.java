package io.jkeras.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.jkeras.JKeras;
import io.jkeras.fixtures.KerasFixturesTest;
import io.jkeras.npy.Npy;
import io.jkeras.tensor.Tensor;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Not a test: the shared benchmark workloads exported by jkeras against the kit's PyTorch-exported
 * ONNX files ({@code ../shared/bench/artifacts/<w>_torch.onnx}), both in ONNX Runtime in this one
 * process, the same session options (all graph optimizations, the given intra-op thread count), the
 * same input ({@code <w>_input.npy}). Each round times one model then the other for the given
 * seconds; the median per-call time of each and their ratio are printed, with the exported
 * model's max |difference| from Keras' {@code <w>_expected.npy}. Run by tools/onnx_bench.sh.
 *
 * <p>Arguments: artifacts directory, threads, seconds per round, rounds, workloads...
 */
public final class OnnxBenchmark {
    private OnnxBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int threads = Integer.parseInt(args[1]);
        double seconds = Double.parseDouble(args[2]);
        int rounds = Integer.parseInt(args[3]);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        System.out.println("onnxruntime " + env.getVersion() + ", intra-op threads " + threads);
        for (int a = 4; a < args.length; a++) {
            String w = args[a];
            Tensor x = Npy.read(dir.resolve(w + "_input.npy")).tensor();
            Tensor want = Npy.read(dir.resolve(w + "_expected.npy")).tensor();
            byte[] ours = OnnxExporter.toBytes(JKeras.load(dir.resolve(w + ".h5")));
            byte[] torch = Files.readAllBytes(dir.resolve(w + "_torch.onnx"));
            try (OrtSession a1 = session(env, ours, threads); OrtSession b1 = session(env, torch, threads)) {
                Tensor got = run(env, a1, x);
                double diff = KerasFixturesTest.maxAbsDiff(got, want);
                double[] ta = new double[rounds], tb = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    ta[r] = time(env, a1, x, seconds);
                    tb[r] = time(env, b1, x, seconds);
                }
                double ma = median(ta), mb = median(tb);
                System.out.printf("%s jkeras-onnx %.4f ms, torch-onnx %.4f ms, ratio torch/jkeras %.2f, "
                        + "max|jkeras-onnx - keras| %.2e%n", w, ma * 1e3, mb * 1e3, mb / ma, diff);
            }
        }
    }

    private static OrtSession session(OrtEnvironment env, byte[] model, int threads) throws Exception {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        o.setIntraOpNumThreads(threads);
        o.setInterOpNumThreads(1);
        return env.createSession(model, o);
    }

    private static Tensor run(OrtEnvironment env, OrtSession s, Tensor x) throws Exception {
        long[] shape = Arrays.stream(x.shape()).asLongStream().toArray();
        try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.data()), shape);
             OrtSession.Result r = s.run(Map.of(s.getInputNames().iterator().next(), t))) {
            OnnxTensor y = (OnnxTensor) r.get(0);
            FloatBuffer fb = y.getFloatBuffer();
            float[] v = new float[fb.remaining()];
            fb.get(v);
            return new Tensor(Arrays.stream(y.getInfo().getShape()).mapToInt(l -> (int) l).toArray(), v);
        }
    }

    /** Seconds per call, the median of the calls made in {@code seconds} (after a short warm-up). */
    private static double time(OrtEnvironment env, OrtSession s, Tensor x, double seconds) throws Exception {
        long[] shape = Arrays.stream(x.shape()).asLongStream().toArray();
        String in = s.getInputNames().iterator().next();
        try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.data()), shape)) {
            Map<String, OnnxTensor> feed = Map.of(in, t);
            for (int i = 0; i < 3; i++) s.run(feed).close();
            double[] calls = new double[100_000];
            int n = 0;
            long end = System.nanoTime() + (long) (seconds * 1e9);
            while (n < calls.length && (n < 3 || System.nanoTime() < end)) {
                long t0 = System.nanoTime();
                s.run(feed).close();
                calls[n++] = (System.nanoTime() - t0) / 1e9;
            }
            return median(Arrays.copyOf(calls, n));
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}

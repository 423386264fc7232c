import io.jkeras.JKeras;
import io.jkeras.model.Model;
import io.jkeras.model.SampleInputs;
import io.jkeras.tensor.Tensor;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * CPU time per prediction, for comparing builds on a shared, loaded machine where wall times mean little:
 * the CPU time of the calling thread and of the engine's pool threads ({@code jkeras-*}) summed, per call,
 * median over blocks of calls after a warm-up. Run from the repository root with the CLI jar:
 * <pre>
 * java --add-modules jdk.incubator.vector [-XX:UseAVX=2] -cp src/cli/target/jkeras-cli.jar \
 *     tools/cpubench/CpuBench.java MODEL.h5 BATCH WARM_SECONDS BLOCKS CALLS_PER_BLOCK
 * </pre>
 * Prints one line: median and fastest block, wall and CPU, in µs per call.
 */
public class CpuBench {
    public static void main(String[] a) {
        Model m = JKeras.load(Path.of(a[0]));
        int batch = Integer.parseInt(a[1]);
        double warm = Double.parseDouble(a[2]);
        int blocks = Integer.parseInt(a[3]), per = Integer.parseInt(a[4]);
        Tensor[] x = SampleInputs.random(m, batch, -1, 0);
        long end = System.nanoTime() + (long) (warm * 1e9);
        while (System.nanoTime() < end) m.predict(x);
        ThreadMXBean tb = ManagementFactory.getThreadMXBean();
        double[] wall = new double[blocks], cpu = new double[blocks];
        for (int i = 0; i < blocks; i++) {
            long c0 = cpu(tb), t0 = System.nanoTime();
            for (int j = 0; j < per; j++) m.predict(x);
            long t1 = System.nanoTime(), c1 = cpu(tb);
            wall[i] = (t1 - t0) / 1e3 / per;
            cpu[i] = (c1 - c0) / 1e3 / per;
        }
        System.out.printf("wall_us %.1f cpu_us %.1f (min wall %.1f min cpu %.1f)%n", median(wall), median(cpu),
                Arrays.stream(wall).min().getAsDouble(), Arrays.stream(cpu).min().getAsDouble());
    }

    /** CPU nanoseconds so far of the calling thread and the jkeras pool threads. */
    private static long cpu(ThreadMXBean tb) {
        long s = tb.getCurrentThreadCpuTime();
        for (ThreadInfo t : tb.dumpAllThreads(false, false)) {
            if (t.getThreadName().startsWith("jkeras")) s += Math.max(0, tb.getThreadCpuTime(t.getThreadId()));
        }
        return s;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}

import io.jkeras.kernels.Gemm;
import jdk.incubator.vector.FloatVector;

import java.util.Random;

/**
 * What the vector width the JIT uses gives jkeras' matrix product on this CPU, on one thread: {@link Gemm#multiply}
 * of W2's recurrent product (batch 256 × 256 units × 4·256 gates, B packed as the LSTM packs its recurrent
 * kernel), best time and GFLOP/s. Run it once per setting and compare the rows:
 * <pre>
 * java --add-modules jdk.incubator.vector [-XX:UseAVX=2|1] -cp src/cli/target/jkeras-cli.jar \
 *     tools/cpubench/GemmPeak.java [SECONDS]
 * </pre>
 * A workload bound by the product runs, relative to another setting, at best as this product does.
 */
public class GemmPeak {
    private static final jdk.incubator.vector.VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        int m = 256, k = 256, n = 1024;
        float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
        Random r = new Random(1);
        for (int i = 0; i < a.length; i++) a[i] = r.nextFloat() - 0.5f;
        for (int i = 0; i < b.length; i++) b[i] = r.nextFloat() - 0.5f;
        Gemm.PackedB pb = Gemm.pack(k, n, b, 0, n);
        long best = Long.MAX_VALUE, end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            Gemm.multiply(m, n, k, a, 0, k, pb, c, 0, n, false, 1);
            best = Math.min(best, System.nanoTime() - t0);
        }
        double gemm = 2.0 * m * n * k / best;
        System.out.printf("vector %d bits (%s): product %dx%dx%d on one thread, best %.1f us, %.1f GFLOP/s%n",
                S.vectorBitSize(), System.getProperty("java.version"), m, k, n, best / 1e3, gemm);
    }
}

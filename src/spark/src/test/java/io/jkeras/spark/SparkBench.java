package io.jkeras.spark;

import io.jkeras.model.Model;
import io.jkeras.tensor.Tensor;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.Iterator;
import java.util.SplittableRandom;

/**
 * The Spark benchmark (a main, not a test; tools/spark-bench.sh runs it beside {@code ./jkeras bench}): N random
 * N(0,1) sequences of T × F generated inside Spark, scored by {@link JKerasModel} in local[P] with one model thread
 * per task, written to the no-op sink. It times generation alone, then generation and scoring, then the same model
 * called in this JVM without Spark (as many callers as partitions, one model thread each, on a quarter as many
 * sequences), three rounds each after a warm-up round, and prints one JSON line with the medians and the throughputs.
 *
 * <pre>SparkBench MODEL N T F BATCH MASTER</pre>
 */
public final class SparkBench {
    private SparkBench() {}

    public static void main(String[] args) {
        String model = args[0];
        long n = Long.parseLong(args[1]);
        int t = Integer.parseInt(args[2]), f = Integer.parseInt(args[3]), batch = Integer.parseInt(args[4]);
        String master = args[5];
        SparkSession spark = SparkSession.builder().master(master).appName("jkeras-spark-bench")
                .config("spark.ui.enabled", "false").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        int partitions = spark.sparkContext().defaultParallelism();
        StructType schema = new StructType().add("id", DataTypes.LongType, false).add("x", SparkTests.floats(2));
        Dataset<Row> x = spark.range(0, n, 1, partitions).mapPartitions(generator(t, f), Encoders.row(schema));
        JKerasModel scorer = new JKerasModel().setModelPath(model).setBatchSize(batch);
        double[] gen = new double[3], all = new double[3], alone = new double[3];
        Model m = scorer.broadcast(spark).value().model();
        long aloneN = Math.max(n / 4, 2L * batch);
        time(x);
        time(scorer.transform(x));
        inProcess(m, aloneN, t, f, batch, partitions);
        for (int r = 0; r < 3; r++) {
            gen[r] = time(x);
            all[r] = time(scorer.transform(x));
            alone[r] = inProcess(m, aloneN, t, f, batch, partitions);
        }
        java.util.Arrays.sort(gen);
        java.util.Arrays.sort(all);
        java.util.Arrays.sort(alone);
        System.out.printf(java.util.Locale.ROOT, "{\"sequences\": %d, \"timesteps\": %d, \"features\": %d, "
                + "\"batch\": %d, \"master\": \"%s\", \"partitions\": %d, \"generate_s\": %.3f, "
                + "\"generate_and_score_s\": %.3f, \"end_to_end_seq_per_s\": %.1f, \"scoring_seq_per_s\": %.1f, "
                + "\"in_process_seq_per_s\": %.1f}%n",
                n, t, f, batch, master, partitions, gen[1], all[1], n / all[1], n / (all[1] - gen[1]),
                aloneN / alone[1]);
        spark.stop();
    }

    /**
     * The same model in this JVM without Spark, interleaved with the Spark rounds so that both see the same machine:
     * {@code callers} threads, each calling predict with one model thread on batches of random sequences, n in all.
     * Seconds.
     */
    private static double inProcess(Model model, long n, int t, int f, int batch, int callers) {
        Model one = model.withThreads(1);
        long calls = (n + batch - 1) / batch;
        java.util.concurrent.atomic.AtomicLong left = new java.util.concurrent.atomic.AtomicLong(calls);
        Thread[] threads = new Thread[callers];
        long t0 = System.nanoTime();
        for (int c = 0; c < callers; c++) {
            SplittableRandom r = new SplittableRandom(c);
            float[] data = new float[batch * t * f];
            for (int i = 0; i < data.length; i++) data[i] = (float) gaussian(r);
            Tensor in = new Tensor(new int[]{batch, t, f}, data);
            threads[c] = new Thread(() -> {
                while (left.getAndDecrement() > 0) one.predict(in);
            });
            threads[c].start();
        }
        for (Thread th : threads) {
            try {
                th.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return (System.nanoTime() - t0) / 1e9 * n / (calls * batch);
    }

    /** Seconds to run the frame into the no-op sink. */
    private static double time(Dataset<Row> df) {
        long t0 = System.nanoTime();
        df.write().format("noop").mode("overwrite").save();
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Rows (id, x) with x a T × F sequence of N(0,1) floats drawn from a generator seeded by the id. */
    static MapPartitionsFunction<Long, Row> generator(int t, int f) {
        return ids -> new Iterator<>() {
            @Override public boolean hasNext() { return ids.hasNext(); }

            @Override public Row next() {
                long id = ids.next();
                SplittableRandom r = new SplittableRandom(id);
                float[][] x = new float[t][f];
                for (float[] step : x) for (int j = 0; j < f; j++) step[j] = (float) gaussian(r);
                return RowFactory.create(id, x);
            }
        };
    }

    private static double gaussian(SplittableRandom r) {
        // Box-Muller; SplittableRandom has no nextGaussian on Java 17
        double u = 1.0 - r.nextDouble(), v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}

package io.jkeras.spark;

import io.jkeras.exceptions.JKerasException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The batch job behind {@code tools/spark-score.sh} and {@code spark-submit}: reads a Parquet file (or folder),
 * scores column {@code x} ({@code array<array<float>>}, one sequence per row) with a model, and writes every input
 * column unchanged plus {@code y} ({@code array<float>}, the output flattened in C order), or {@code y0, y1, …}
 * for a model with several outputs.
 *
 * <pre>
 * ScoreJob --model M --input IN.parquet --output OUT.parquet [--input-col x] [--output-col y] [--master local[2]]
 *          [--batch-size 256] [--threads-per-task 1] [--bad-rows fail|null] [--pad-masked]
 * </pre>
 *
 * Without {@code --master} the session takes its master from {@code spark-submit}. Exit codes as the jkeras
 * command line's: 0 done, 2 a usage or input error (one line on stderr), 3 anything else.
 */
public final class ScoreJob {
    private ScoreJob() {}

    public static void main(String[] args) {
        PrintWriter err = new PrintWriter(System.err, true);
        int code = run(args, err, true);
        if (code != 0) System.exit(code);
    }

    /**
     * Runs the job; with {@code stop} the session is stopped at the end (a test passes false to keep its own).
     *
     * @return the exit code
     */
    public static int run(String[] args, PrintWriter err, boolean stop) {
        Map<String, String> opts;
        try {
            opts = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("spark-score: error: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        SparkSession.Builder b = SparkSession.builder().appName("jkeras-score");
        if (opts.containsKey("master")) b = b.master(opts.get("master"));
        SparkSession spark = b.getOrCreate();
        try {
            Dataset<Row> in = spark.read().parquet(opts.get("input"));
            JKerasModel m = new JKerasModel().setModelPath(opts.get("model"))
                    .setInputCol(opts.getOrDefault("input-col", "x"))
                    .setOutputCol(opts.getOrDefault("output-col", "y"))
                    .setBatchSize(Integer.parseInt(opts.getOrDefault("batch-size", "256")))
                    .setThreadsPerTask(Integer.parseInt(opts.getOrDefault("threads-per-task", "1")))
                    .setBadRows(BadRowPolicy.valueOf(opts.getOrDefault("bad-rows", "fail").toUpperCase(
                            java.util.Locale.ROOT)))
                    .setPadMasked(opts.containsKey("pad-masked"))
                    .setFlatOutputs(true);
            m.transform(in).write().mode("errorifexists").parquet(opts.get("output"));
            return 0;
        } catch (JKerasException e) {
            err.println("spark-score: error: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            // Scala throws the checked AnalysisException (a missing file or column) without declaring it
            if (e instanceof org.apache.spark.sql.AnalysisException) {
                err.println("spark-score: error: " + e.getMessage().lines().findFirst().orElse(""));
                return 2;
            }
            JKerasException cause = jkerasCause(e);
            if (cause != null) {
                err.println("spark-score: error: " + cause.getMessage());
                return 2;
            }
            e.printStackTrace(err);
            return 3;
        } finally {
            if (stop) spark.stop();
        }
    }

    /** A jkeras error a Spark task threw, as the driver sees it: in the cause chain, or named in the message. */
    private static JKerasException jkerasCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) if (c instanceof JKerasException j) return j;
        return null;
    }

    static final String USAGE = "usage: spark-score --model M --input IN.parquet --output OUT.parquet "
            + "[--input-col x] [--output-col y] [--master local[2]] [--batch-size 256] [--threads-per-task 1] "
            + "[--bad-rows fail|null] [--pad-masked]";

    private static final java.util.Set<String> VALUED = java.util.Set.of("model", "input", "output", "input-col",
            "output-col", "master", "batch-size", "threads-per-task", "bad-rows");

    static Map<String, String> parse(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) throw new IllegalArgumentException("unexpected argument '" + a + "'");
            String k = a.substring(2);
            if (k.equals("pad-masked")) {
                o.put(k, "true");
            } else if (VALUED.contains(k)) {
                if (i + 1 >= args.length) throw new IllegalArgumentException("option --" + k + " needs a value");
                o.put(k, args[++i]);
            } else {
                throw new IllegalArgumentException("unknown option --" + k);
            }
        }
        for (String k : new String[]{"model", "input", "output"}) {
            if (!o.containsKey(k)) throw new IllegalArgumentException("missing --" + k);
        }
        for (String k : new String[]{"batch-size", "threads-per-task"}) {
            if (o.containsKey(k) && !o.get(k).matches("[1-9][0-9]{0,6}")) {
                throw new IllegalArgumentException("--" + k + " takes a positive integer, got '" + o.get(k) + "'");
            }
        }
        if (o.containsKey("bad-rows") && !o.get("bad-rows").matches("fail|null")) {
            throw new IllegalArgumentException("--bad-rows takes fail or null, got '" + o.get("bad-rows") + "'");
        }
        return o;
    }
}

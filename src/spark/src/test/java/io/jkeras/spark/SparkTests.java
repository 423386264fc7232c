package io.jkeras.spark;

import io.jkeras.model.Model;
import io.jkeras.tensor.Tensor;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The test JVM's one SparkSession (local[2], no UI, two shuffle partitions: the tests' frames are small), made at
 * first use and shared by every test class, and helpers that turn batches into DataFrames and back.
 */
final class SparkTests {
    private static SparkSession spark;

    private SparkTests() {}

    static synchronized SparkSession spark() {
        if (spark == null) {
            spark = SparkSession.builder().master("local[2]").appName("jkeras-spark-tests")
                    .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
                    .config("spark.driver.host", "127.0.0.1").config("spark.ui.showConsoleProgress", "false")
                    .getOrCreate();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> spark.stop()));
        }
        return spark;
    }

    /** array<float> nested {@code depth} times. */
    static DataType floats(int depth) {
        DataType t = DataTypes.createArrayType(DataTypes.FloatType, true);
        for (int k = 1; k < depth; k++) t = DataTypes.createArrayType(t, true);
        return t;
    }

    /** Sample k of a batch tensor as nested arrays (the innermost a float[]), or ids as int[] when {@code ids}. */
    static Object sample(Tensor t, int k, boolean ids) {
        Object o = PartitionScorer.slice(t, k, t.rank() <= 2);
        if (!ids) return o;
        float[] f = (float[]) o;
        int[] i = new int[f.length];
        for (int j = 0; j < f.length; j++) i[j] = (int) f[j];
        return i;
    }

    /**
     * A frame of the batches' rows: column {@code id} (the row's index), then one column per input named
     * {@code cols[i]}, typed by the tensor's rank (ids as array<int> where {@code ids[i]}), partitioned as asked.
     */
    static Dataset<Row> frame(Tensor[] x, String[] cols, boolean[] ids, int partitions) {
        StructType schema = new StructType().add("id", DataTypes.IntegerType, false);
        for (int i = 0; i < x.length; i++) {
            schema = schema.add(cols[i], ids[i] ? DataTypes.createArrayType(DataTypes.IntegerType, true)
                    : floats(x[i].rank() - 1));
        }
        List<Row> rows = new ArrayList<>();
        for (int k = 0; k < x[0].dim(0); k++) {
            Object[] v = new Object[x.length + 1];
            v[0] = k;
            for (int i = 0; i < x.length; i++) v[i + 1] = sample(x[i], k, ids[i]);
            rows.add(RowFactory.create(v));
        }
        return frame(rows, schema, partitions);
    }

    /** The rows as a frame of {@code partitions} partitions, cut in order (no shuffle). */
    static Dataset<Row> frame(List<Row> rows, StructType schema, int partitions) {
        return spark().createDataFrame(new org.apache.spark.api.java.JavaSparkContext(spark().sparkContext())
                .parallelize(rows, partitions), schema);
    }

    /** The frame's rows in the order of their {@code id} column, sorted here rather than by a Spark shuffle. */
    static List<Row> byId(Dataset<Row> df) {
        List<Row> rows = new ArrayList<>(df.collectAsList());
        rows.sort(java.util.Comparator.comparingInt(r -> r.<Integer>getAs("id")));
        return rows;
    }

    /** The first column of each input of a model: whether it takes ids. */
    static boolean[] ids(Model m) {
        boolean[] b = new boolean[m.inputCount()];
        for (int i = 0; i < b.length; i++) b[i] = m.inputs().get(i).dtype() == io.jkeras.model.DType.INT32;
        return b;
    }

    /** Column {@code col} of the rows (ordered by id) flattened in C order, one float[] per row. */
    static List<float[]> flat(List<Row> rows, String col) {
        List<float[]> out = new ArrayList<>();
        for (Row r : rows) out.add(r.isNullAt(r.fieldIndex(col)) ? null : flatten(r.get(r.fieldIndex(col))));
        return out;
    }

    static float[] flatten(Object v) {
        List<Float> l = new ArrayList<>();
        flattenInto(v, l);
        float[] f = new float[l.size()];
        for (int i = 0; i < f.length; i++) f[i] = l.get(i);
        return f;
    }

    private static void flattenInto(Object v, List<Float> out) {
        if (v instanceof Number n) {
            out.add(n.floatValue());
        } else if (v instanceof scala.collection.Iterable<?> s) {
            scala.jdk.javaapi.CollectionConverters.asJava(s).forEach(e -> flattenInto(e, out));
        } else if (v instanceof Iterable<?> s) {
            s.forEach(e -> flattenInto(e, out));
        } else if (v instanceof float[] f) {
            for (float x : f) out.add(x);
        } else if (v instanceof Object[] o) {
            for (Object e : o) flattenInto(e, out);
        } else {
            throw new AssertionError("unexpected cell " + v.getClass());
        }
    }

    /** Row k of a batch output tensor, flat. */
    static float[] row(Tensor t, int k) {
        int per = t.size() / t.dim(0);
        return Arrays.copyOfRange(t.data(), k * per, (k + 1) * per);
    }
}

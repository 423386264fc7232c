package io.jkeras.spark;

import io.jkeras.exceptions.InputException;
import io.jkeras.model.LoadOptions;
import io.jkeras.model.Model;
import io.jkeras.tensor.Tensor;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.types.DataTypes;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The SQL form: {@code jkeras_predict(model_name, x)} returns the output of the model registered under
 * {@code model_name} for one sequence {@code x} (the forms of {@link JKerasModel}'s input columns), as an
 * {@code array<float>} in C order; null for a null {@code x}.
 *
 * <pre>{@code
 * JKerasUdf.register(spark, "churn", "hdfs:///models/churn.keras");
 * spark.sql("SELECT id, jkeras_predict('churn', x) AS y FROM events");
 * }</pre>
 *
 * <p>A UDF is called once per row, so each call runs a batch of one: for bulk scoring {@link JKerasModel} (batches
 * in {@code mapPartitions}) is faster. The models travel as with the Transformer: bytes broadcast once, loaded once
 * per executor JVM by content hash, one thread per call. Single-input, single-output models only.
 */
public final class JKerasUdf {
    /** The SQL name of the function. */
    public static final String FUNCTION = "jkeras_predict";
    private static final Map<SparkSession, Map<String, Broadcast<ModelBytes>>> MODELS = new java.util.WeakHashMap<>();

    private JKerasUdf() {}

    /**
     * Registers (or replaces) the model under {@code name} and (re)registers {@code jkeras_predict} in the
     * session, knowing every model registered so far.
     */
    public static synchronized void register(SparkSession spark, String name, String path) {
        ModelBytes bytes = ModelBytes.read(path, spark.sparkContext().hadoopConfiguration(),
                LoadOptions.DEFAULT.maxStreamBytes());
        Model m = bytes.model();
        if (m.inputCount() != 1 || m.outputCount() != 1) {
            throw new InputException(path, null, null, FUNCTION + " takes single-input, single-output models; this "
                    + "one has " + m.inputCount() + " inputs and " + m.outputCount() + " outputs (use JKerasModel)");
        }
        Map<String, Broadcast<ModelBytes>> models = MODELS.computeIfAbsent(spark, s -> new TreeMap<>());
        models.put(name, JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(bytes));
        spark.udf().register(FUNCTION, predictor(new HashMap<>(models)),
                DataTypes.createArrayType(DataTypes.FloatType, false));
    }

    /** The function body: it captures the name → broadcast map only. */
    static UDF2<String, Object, float[]> predictor(Map<String, Broadcast<ModelBytes>> models) {
        return (name, x) -> {
            Broadcast<ModelBytes> b = models.get(name);
            if (b == null) {
                throw new InputException(FUNCTION + ": no model named '" + name + "'; registered: " + models.keySet());
            }
            if (x == null) return null;
            Model model = b.value().model().withThreads(1);
            int[] dims = PartitionScorer.sampleDims(model)[0];
            Sequences.Sample s;
            try {
                s = Sequences.read(x, dims, false);
            } catch (Sequences.BadRow e) {
                throw new InputException(FUNCTION + "('" + name + "', x): x " + e.detail());
            }
            int[] shape = new int[s.shape().length + 1];
            shape[0] = 1;
            System.arraycopy(s.shape(), 0, shape, 1, s.shape().length);
            return model.predict(new Tensor(shape, s.values()))[0].data().clone();
        };
    }
}

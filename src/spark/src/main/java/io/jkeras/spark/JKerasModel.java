package io.jkeras.spark;

import io.jkeras.exceptions.InputException;
import io.jkeras.model.LoadOptions;
import io.jkeras.model.Model;
import io.jkeras.model.TensorSpec;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.Arrays;
import java.util.List;

/**
 * A Spark ML {@link Transformer} that scores a jkeras model (a {@code .jkm}, {@code .keras} or {@code .h5} file) over
 * a DataFrame, in a {@link org.apache.spark.ml.Pipeline} or alone:
 *
 * <pre>{@code
 * JKerasModel m = new JKerasModel().setModelPath("hdfs:///models/churn.keras").setInputCol("x").setOutputCol("y");
 * Dataset<Row> scored = m.transform(df);
 * }</pre>
 *
 * <p>The driver reads the file once and broadcasts its bytes; each executor JVM loads the model once (cached by
 * the bytes' SHA-256, {@link ModelBytes}) and its tasks share it. Rows are scored in batches of {@code batchSize}
 * inside {@code mapPartitions}, each task's model on {@code threadsPerTask} threads (default 1, so the task slots of
 * an executor do not oversubscribe its cores).
 *
 * <p>Columns: input i of the model (in its order) is read from {@code inputCols[i]} (or {@code inputCol} for a
 * single-input model) as nested arrays ({@code array<array<float>>}: timesteps × features), or a flat
 * {@code array<float>} in C order with the input's shape (one unknown axis inferred), or integer ids
 * ({@code array<int>}, {@code array<bigint>}) for an Embedding. Output j goes to {@code outputCols[j]} as nested
 * float arrays as deep as its rank ({@code return_sequences}: {@code array<array<float>>}), or flat in C order with
 * {@code flatOutputs}. A model with a variable time axis scores rows of different lengths (grouped by length); with
 * {@code padMasked}, shorter sequences are padded to the batch's longest (or the input's fixed length) with the value
 * the model's Masking or {@code Embedding(mask_zero=True)} masks, so padding leaves the outputs as Keras computes
 * them. Bad rows (null, ragged, wrong counts) fail the job naming row and column, or with
 * {@code badRows = "null"} get null outputs and a message in {@code errorCol}.
 *
 * <p>Saved and loaded with its pipeline ({@link DefaultParamsWritable}, {@link #read()}): the parameters, the model
 * path among them, which must still hold the model where the pipeline is loaded.
 */
public final class JKerasModel extends Transformer implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final Param<String> modelPath;
    private final Param<String> inputCol;
    private final StringArrayParam inputCols;
    private final Param<String> outputCol;
    private final StringArrayParam outputCols;
    private final IntParam batchSize;
    private final Param<String> badRows;
    private final Param<String> errorCol;
    private final IntParam threadsPerTask;
    private final BooleanParam padMasked;
    private final BooleanParam flatOutputs;

    /** The broadcast of the current model path's bytes, made once per instance and path (driver side). */
    private transient volatile Broadcast<ModelBytes> broadcast;
    private transient volatile String broadcastPath;

    public JKerasModel() { this(Identifiable$.MODULE$.randomUID("jkeras")); }

    /** With a given uid: {@link DefaultParamsReader} restores a saved instance through this constructor. */
    public JKerasModel(String uid) {
        this.uid = uid;
        modelPath = new Param<>(this, "modelPath", "the model file (.jkm, .keras or .h5), any Hadoop file system");
        inputCol = new Param<>(this, "inputCol", "the input column of a single-input model");
        inputCols = new StringArrayParam(this, "inputCols", "the input columns, one per model input, in its order");
        outputCol = new Param<>(this, "outputCol", "the output column of a single-output model");
        outputCols = new StringArrayParam(this, "outputCols", "the output columns, one per model output");
        batchSize = new IntParam(this, "batchSize", "rows per model call", ParamValidators.inRange(1, 1 << 20));
        badRows = new Param<>(this, "badRows", "what a bad row does: fail (the job) or null (outputs, with an error)",
                ParamValidators.inArray(new String[]{"fail", "null"}));
        errorCol = new Param<>(this, "errorCol", "the column for a bad row's error under badRows=null");
        threadsPerTask = new IntParam(this, "threadsPerTask", "threads each task's model computes on",
                ParamValidators.inRange(1, 1024));
        padMasked = new BooleanParam(this, "padMasked",
                "pad shorter sequences with the value the model's Masking or Embedding(mask_zero) masks");
        flatOutputs = new BooleanParam(this, "flatOutputs", "write each output flat (C order) as array<float>");
        setDefault(inputCol, "x");
        setDefault(outputCol, "y");
        setDefault(batchSize, 256);
        setDefault(badRows, "fail");
        setDefault(errorCol, "jkeras_error");
        setDefault(threadsPerTask, 1);
        setDefault(padMasked, false);
        setDefault(flatOutputs, false);
    }

    @Override public String uid() { return uid; }

    public Param<String> modelPath() { return modelPath; }
    public Param<String> inputCol() { return inputCol; }
    public StringArrayParam inputCols() { return inputCols; }
    public Param<String> outputCol() { return outputCol; }
    public StringArrayParam outputCols() { return outputCols; }
    public IntParam batchSize() { return batchSize; }
    public Param<String> badRows() { return badRows; }
    public Param<String> errorCol() { return errorCol; }
    public IntParam threadsPerTask() { return threadsPerTask; }
    public BooleanParam padMasked() { return padMasked; }
    public BooleanParam flatOutputs() { return flatOutputs; }

    public JKerasModel setModelPath(String v) { return put(modelPath, v); }
    public JKerasModel setInputCol(String v) { return put(inputCol, v); }
    public JKerasModel setInputCols(String... v) { return put(inputCols, v); }
    public JKerasModel setOutputCol(String v) { return put(outputCol, v); }
    public JKerasModel setOutputCols(String... v) { return put(outputCols, v); }
    public JKerasModel setBatchSize(int v) { return put(batchSize, v); }
    public JKerasModel setBadRows(BadRowPolicy v) { return put(badRows, v.name().toLowerCase(java.util.Locale.ROOT)); }
    public JKerasModel setErrorCol(String v) { return put(errorCol, v); }
    public JKerasModel setThreadsPerTask(int v) { return put(threadsPerTask, v); }
    public JKerasModel setPadMasked(boolean v) { return put(padMasked, v); }
    public JKerasModel setFlatOutputs(boolean v) { return put(flatOutputs, v); }

    private <T> JKerasModel put(Param<T> p, T v) {
        set(p, v);
        return this;
    }

    /** Reads saved instances: {@code JKerasModel.load(path)}, and {@code Pipeline.load} through it. */
    public static MLReader<JKerasModel> read() { return new DefaultParamsReader<>(); }

    public static JKerasModel load(String path) { return read().load(path); }

    @Override
    public JKerasModel copy(ParamMap extra) { return (JKerasModel) defaultCopy(extra); }

    @Override
    public StructType transformSchema(StructType schema) { return outputSchema(schema, model(null)); }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        SparkSession spark = dataset.sparkSession();
        Broadcast<ModelBytes> b = broadcast(spark);
        Model model = b.value().model();
        StructType in = dataset.schema();
        StructType out = outputSchema(in, model);
        ScoringPlan plan = plan(in, model);
        return dataset.toDF().mapPartitions(scorer(b, plan), Encoders.row(out));
    }

    /** The partition function: it captures the broadcast and the plan only, never this Transformer. */
    static MapPartitionsFunction<Row, Row> scorer(Broadcast<ModelBytes> b, ScoringPlan plan) {
        return rows -> new PartitionScorer(rows, b.value().model(), plan, TaskContext.getPartitionId());
    }

    /** The model file's bytes, broadcast once per path. */
    Broadcast<ModelBytes> broadcast(SparkSession spark) {
        String path = path();
        Broadcast<ModelBytes> b = broadcast;
        if (b != null && path.equals(broadcastPath)) return b;
        synchronized (this) {
            if (broadcast != null && path.equals(broadcastPath)) return broadcast;
            ModelBytes bytes = ModelBytes.read(path, spark.sparkContext().hadoopConfiguration(),
                    LoadOptions.DEFAULT.maxStreamBytes());
            b = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(bytes);
            broadcastPath = path;
            broadcast = b;
            return b;
        }
    }

    private String path() {
        if (!isDefined(modelPath)) throw new InputException("JKerasModel needs a model: setModelPath(path) is not set");
        return $(modelPath);
    }

    /** The model for schema checks: the broadcast one on the driver once there is one, else read locally. */
    private Model model(SparkSession spark) {
        SparkSession s = spark != null ? spark : SparkSession.active();
        return broadcast(s).value().model();
    }

    String[] inputColumns(Model model) {
        String[] cols = isSet(inputCols) ? $(inputCols) : new String[]{$(inputCol)};
        if (cols.length != model.inputCount()) {
            throw new InputException(null, null, null, "model '" + path() + "' has " + model.inputCount()
                    + " inputs " + names(model.inputs()) + "; " + cols.length + " input column(s) "
                    + Arrays.toString(cols) + " were given (setInputCols, one per input in order)");
        }
        return cols;
    }

    String[] outputColumns(Model model) {
        String[] cols;
        if (isSet(outputCols)) {
            cols = $(outputCols);
        } else if (model.outputCount() == 1) {
            cols = new String[]{$(outputCol)};
        } else {
            cols = new String[model.outputCount()];
            for (int j = 0; j < cols.length; j++) cols[j] = $(outputCol) + j;
        }
        if (cols.length != model.outputCount()) {
            throw new InputException(null, null, null, "model '" + path() + "' has " + model.outputCount()
                    + " outputs " + names(model.outputs()) + "; " + cols.length + " output column(s) "
                    + Arrays.toString(cols) + " were given (setOutputCols, one per output in order)");
        }
        return cols;
    }

    private static String names(List<TensorSpec> specs) {
        return specs.stream().map(s -> s.name() + Sequences.shapeOf(s.shape())).toList().toString();
    }

    private StructType outputSchema(StructType in, Model model) {
        String[] ins = inputColumns(model);
        for (String c : ins) {
            if (!Arrays.asList(in.fieldNames()).contains(c)) {
                throw new InputException("input column '" + c + "' is not in the DataFrame; its columns are "
                        + Arrays.toString(in.fieldNames()));
            }
        }
        String[] outs = outputColumns(model);
        List<String> added = new java.util.ArrayList<>(Arrays.asList(outs));
        boolean nullPolicy = policy() == BadRowPolicy.NULL;
        if (nullPolicy) added.add($(errorCol));
        for (String c : added) {
            if (Arrays.asList(in.fieldNames()).contains(c) || added.indexOf(c) != added.lastIndexOf(c)) {
                throw new InputException("output column '" + c + "' already exists or is named twice");
            }
        }
        StructType s = in;
        for (int j = 0; j < outs.length; j++) {
            s = s.add(new StructField(outs[j], PartitionScorer.outputType(model.outputs().get(j), flag(flatOutputs)),
                    true, org.apache.spark.sql.types.Metadata.empty()));
        }
        if (nullPolicy) s = s.add($(errorCol), DataTypes.StringType, true);
        return s;
    }

    private boolean flag(BooleanParam p) { return (Boolean) $(p); }

    private int num(IntParam p) { return (Integer) $(p); }

    private BadRowPolicy policy() { return BadRowPolicy.valueOf($(badRows).toUpperCase(java.util.Locale.ROOT)); }

    private ScoringPlan plan(StructType in, Model model) {
        String[] cols = inputColumns(model);
        int[] index = new int[cols.length];
        for (int i = 0; i < cols.length; i++) index[i] = in.fieldIndex(cols[i]);
        if (flag(padMasked)) {
            for (int i = 0; i < cols.length; i++) {
                if (PartitionScorer.maskPadValue(model, i) == null) {
                    throw new InputException("padMasked: model '" + path() + "' has no Masking or "
                            + "Embedding(mask_zero=True) reading input '" + model.inputs().get(i).name()
                            + "', so padding its sequences would change the outputs");
                }
            }
        }
        return new ScoringPlan(cols, index, num(batchSize), policy(), num(threadsPerTask), flag(padMasked),
                flag(flatOutputs));
    }
}

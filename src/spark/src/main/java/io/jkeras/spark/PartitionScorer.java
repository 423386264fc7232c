package io.jkeras.spark;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.JKerasException;
import io.jkeras.layers.Embedding;
import io.jkeras.layers.Masking;
import io.jkeras.model.Model;
import io.jkeras.model.Node;
import io.jkeras.model.TensorSpec;
import io.jkeras.tensor.Tensor;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Scores one partition: reads up to {@code batchSize} rows, decodes their input columns ({@link Sequences}), runs
 * the model once per batch (once per group of equal shapes, when a variable time axis varies between rows) and
 * hands the rows back with the outputs appended (and the error column, under {@link BadRowPolicy#NULL}). Rows keep
 * their order. Lazy: a batch is scored when the consumer reaches it, so a partition never sits in memory whole.
 */
final class PartitionScorer implements Iterator<Row> {
    private final Iterator<Row> rows;
    private final Model model;
    private final ScoringPlan plan;
    private final int partition;
    private final int[][] dims;
    private final Float[] pad;
    private final ArrayDeque<Row> ready = new ArrayDeque<>();
    private long rowIndex;

    PartitionScorer(Iterator<Row> rows, Model model, ScoringPlan plan, int partition) {
        this.rows = rows;
        this.model = model.withThreads(plan.threads());
        this.plan = plan;
        this.partition = partition;
        this.dims = sampleDims(model);
        this.pad = new Float[dims.length];
        if (plan.padMasked()) for (int i = 0; i < dims.length; i++) pad[i] = maskPadValue(model, i);
    }

    @Override
    public boolean hasNext() {
        if (ready.isEmpty() && rows.hasNext()) scoreNextBatch();
        return !ready.isEmpty();
    }

    @Override
    public Row next() {
        if (!hasNext()) throw new NoSuchElementException();
        return ready.poll();
    }

    /** Each input's shape without the batch axis; -1 where not fixed. */
    static int[][] sampleDims(Model model) {
        List<TensorSpec> in = model.inputs();
        int[][] d = new int[in.size()][];
        for (int i = 0; i < d.length; i++) {
            int[] s = in.get(i).shape();
            d[i] = Arrays.copyOfRange(s, 1, s.length);
        }
        return d;
    }

    /**
     * The value that masks a padded timestep of input i: the {@code mask_value} of a Masking layer, or 0 for an
     * Embedding with {@code mask_zero=True}, reading the input directly (keras/src/layers/core/masking.py,
     * embedding.py {@code compute_mask}); null when nothing masks the input, so padding would change the outputs.
     */
    static Float maskPadValue(Model model, int input) {
        int id = model.inputNodeIds().get(input);
        for (Node n : model.nodes()) {
            boolean reads = false;
            for (Node.Ref r : n.inputs()) reads |= r.node() == id;
            if (!reads) continue;
            if (n.layer() instanceof Masking m) return m.maskValue();
            if (n.layer() instanceof Embedding e && e.maskZero()) return 0f;
        }
        return null;
    }

    private void scoreNextBatch() {
        List<Row> batch = new ArrayList<>(Math.min(plan.batchSize(), 4096));
        List<Sequences.Sample[]> samples = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        while (batch.size() < plan.batchSize() && rows.hasNext()) {
            Row r = rows.next();
            long index = rowIndex++;
            Sequences.Sample[] s = new Sequences.Sample[dims.length];
            String error = null;
            for (int i = 0; i < dims.length && error == null; i++) {
                try {
                    s[i] = Sequences.read(r.get(plan.inputIndex(i)), dims[i], pad[i] != null);
                } catch (Sequences.BadRow e) {
                    error = where(i, index) + e.detail();
                }
            }
            if (error != null && plan.policy() == BadRowPolicy.FAIL) throw new InputException(error);
            batch.add(r);
            samples.add(error == null ? s : null);
            errors.add(error);
        }
        Object[][] outputs = new Object[batch.size()][];
        score(samples, outputs, errors);
        for (int k = 0; k < batch.size(); k++) ready.add(withOutputs(batch.get(k), outputs[k], errors.get(k)));
    }

    private String where(int input, long index) {
        return "column '" + plan.inputCol(input) + "' of row " + index + " in partition " + partition + " ";
    }

    /** Pads where asked, groups the good rows by their shapes and runs each group as one batch. */
    private void score(List<Sequences.Sample[]> samples, Object[][] outputs, List<String> errors) {
        int[] target = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            if (pad[i] == null) continue;
            target[i] = dims[i][0];
            if (target[i] < 0) for (Sequences.Sample[] s : samples) if (s != null) target[i] = Math.max(target[i],
                    s[i].shape()[0]);
        }
        Map<String, List<Integer>> groups = new LinkedHashMap<>();
        for (int k = 0; k < samples.size(); k++) {
            Sequences.Sample[] s = samples.get(k);
            if (s == null) continue;
            StringBuilder key = new StringBuilder();
            for (int i = 0; i < dims.length; i++) {
                if (pad[i] != null && s[i].shape()[0] < target[i]) s[i] = padded(s[i], target[i], pad[i]);
                key.append(Arrays.toString(s[i].shape()));
            }
            groups.computeIfAbsent(key.toString(), x -> new ArrayList<>()).add(k);
        }
        for (List<Integer> g : groups.values()) scoreGroup(g, samples, outputs, errors);
    }

    private void scoreGroup(List<Integer> group, List<Sequences.Sample[]> samples, Object[][] outputs,
            List<String> errors) {
        Tensor[] in = new Tensor[dims.length];
        for (int i = 0; i < dims.length; i++) {
            int[] one = samples.get(group.get(0))[i].shape();
            int per = 1;
            for (int d : one) per = Math.multiplyExact(per, d);
            float[] data = new float[Math.multiplyExact(per, group.size())];
            for (int k = 0; k < group.size(); k++) {
                System.arraycopy(samples.get(group.get(k))[i].values(), 0, data, k * per, per);
            }
            int[] shape = new int[one.length + 1];
            shape[0] = group.size();
            System.arraycopy(one, 0, shape, 1, one.length);
            in[i] = new Tensor(shape, data);
        }
        Tensor[] out;
        try {
            out = model.predict(in);
        } catch (JKerasException e) {
            if (plan.policy() == BadRowPolicy.FAIL || group.size() == 1) {
                String rowsNamed = group.size() == 1 ? "row " + rowIndexOf(group.get(0), samples.size())
                        : "rows " + rowIndexOf(group.get(0), samples.size()) + "…"
                        + rowIndexOf(group.get(group.size() - 1), samples.size());
                String msg = "model '" + model.name() + "' on " + rowsNamed + " in partition " + partition + ": "
                        + e.getMessage();
                if (plan.policy() == BadRowPolicy.FAIL) throw new InputException(null, null, null, msg, e);
                errors.set(group.get(0), msg);
                return;
            }
            // find the rows the model refuses (a NaN, an id out of the vocabulary): one at a time
            for (Integer k : group) scoreGroup(List.of(k), samples, outputs, errors);
            return;
        }
        for (int k = 0; k < group.size(); k++) {
            Object[] o = new Object[out.length];
            for (int j = 0; j < out.length; j++) o[j] = slice(out[j], k, plan.flatOutputs());
            outputs[group.get(k)] = o;
        }
    }

    /** The partition-wide index of the k-th row of the current batch of n rows. */
    private long rowIndexOf(int k, int n) { return rowIndex - n + k; }

    private static Sequences.Sample padded(Sequences.Sample s, int t, float value) {
        int[] shape = s.shape().clone();
        int per = s.values().length / Math.max(shape[0], 1);
        if (shape[0] == 0) for (int k = 1; k < shape.length; k++) per *= Math.max(shape[k], 0);
        float[] v = Arrays.copyOf(s.values(), t * per);
        Arrays.fill(v, s.values().length, v.length, value);
        shape[0] = t;
        return new Sequences.Sample(v, shape);
    }

    /** Row k of a batch output: flat (C order) or nested as deep as its rank, innermost a float[]. */
    static Object slice(Tensor t, int k, boolean flat) {
        int[] shape = t.shape();
        int per = t.size() / shape[0];
        float[] v = Arrays.copyOfRange(t.data(), k * per, (k + 1) * per);
        if (flat || shape.length <= 2) return v;
        return nest(v, 0, Arrays.copyOfRange(shape, 1, shape.length), 0);
    }

    private static Object nest(float[] v, int from, int[] shape, int axis) {
        if (axis == shape.length - 1) return Arrays.copyOfRange(v, from, from + shape[axis]);
        int inner = 1;
        for (int k = axis + 1; k < shape.length; k++) inner *= shape[k];
        Object[] o = new Object[shape[axis]];
        for (int j = 0; j < o.length; j++) o[j] = nest(v, from + j * inner, shape, axis + 1);
        return o;
    }

    /** The Spark type of output j: nested arrays of floats as deep as its rank (at least one), or flat. */
    static DataType outputType(TensorSpec spec, boolean flat) {
        DataType t = DataTypes.createArrayType(DataTypes.FloatType, false);
        if (!flat) for (int k = 2; k < spec.rank(); k++) t = DataTypes.createArrayType(t, false);
        return t;
    }

    private Row withOutputs(Row r, Object[] outputs, String error) {
        int n = r.size();
        int outs = model.outputCount();
        Object[] v = new Object[n + outs + (plan.policy() == BadRowPolicy.NULL ? 1 : 0)];
        for (int c = 0; c < n; c++) v[c] = r.get(c);
        if (outputs != null) System.arraycopy(outputs, 0, v, n, outs);
        if (plan.policy() == BadRowPolicy.NULL) v[n + outs] = error;
        return RowFactory.create(v);
    }
}

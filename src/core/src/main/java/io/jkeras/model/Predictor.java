package io.jkeras.model;

import io.jkeras.exceptions.InputException;
import io.jkeras.tensor.Tensor;

import java.util.List;
import java.util.function.Supplier;

/**
 * A caller's reusable runner of one model ({@link Model#predictor()}): {@link #predictInto} writes a
 * prediction into output tensors the caller owns. Its values are those of {@link Model#predict}, bit for
 * bit (the same layers, kernels and batch; recurrent layers start from zero state).
 *
 * <p>The first call for given input shapes runs the model as {@code predict} does and <em>plans</em>:
 * it keeps one output buffer per layer call. Later calls with the same shapes reuse them: each layer writes
 * into its buffer ({@link io.jkeras.layers.Layer#forwardInto}) and takes its work space from the thread's
 * {@link io.jkeras.kernels.Workspace}, so a model of Dense and recurrent layers allocates nothing per call
 * (W1, an LSTM(128) and a Dense: see docs/performance.md, "Allocation per call"). New input shapes make a
 * new plan. A layer call that reads or gives a timestep mask (Masking, an Embedding with mask_zero, the
 * layers after them) still runs {@code forward} as {@code predict} does, allocating its outputs.
 *
 * <p>Not thread-safe: one predictor per thread (or caller at a time). It holds its plan's buffers, about
 * the size of every layer output of one call.
 */
public final class Predictor {
    private final Model model;
    private final List<Node> nodes;
    /** This call's outputs, per node. */
    private final Tensor[][] values;
    /** The input array handed to each node's layer, reused. */
    private final Tensor[][] ins;
    /** Whether each node is a model input. */
    private final boolean[] isInput;
    /** Runs the graph under the model's engine; made once, so binding allocates nothing. */
    private final Supplier<Void> body = this::runBound;

    /** The plan: each node's output buffers (null: the node runs forward), or null before the first call. */
    private Tensor[][] planned;
    /** The input shapes (batch first) and whether each carried a mask, that the plan is for. */
    private int[][] planShapes;
    private boolean[] planMasks;
    /** The plan's output shapes, per model output (batch first). */
    private int[][] outShapes;

    /** This call's inputs, while it runs. */
    private Tensor[] callInputs;
    /** Whether this call makes the plan. */
    private boolean planning;

    /** The flat form's last input wrapper, reused while the array and batch stay the same. */
    private float[] flatData;
    private int flatBatch;
    private Tensor[] flatInput;

    Predictor(Model model) {
        this.model = model;
        this.nodes = model.nodes();
        int n = nodes.size();
        this.values = new Tensor[n][];
        this.ins = new Tensor[n][];
        this.isInput = new boolean[n];
        for (int id : model.inputNodeIds()) {
            isInput[id] = true;
            values[id] = new Tensor[1];
        }
        for (int i = 0; i < n; i++) if (!isInput[i]) ins[i] = new Tensor[nodes.get(i).inputs().size()];
    }

    /** The model (view) this predictor runs. */
    public Model model() { return model; }

    /**
     * Runs the model on {@code inputs} (checked as {@link Model#predict} checks them) and writes its outputs
     * into {@code outputs}: one tensor per model output, of the shape {@code predict} returns for these inputs
     * (batch first), whose data is overwritten. After the first call for these input shapes, nothing is
     * allocated (see the class comment).
     *
     * @throws InputException for inputs {@code predict} refuses, and for outputs of another count or shape,
     *                        naming the output, the shape expected and the shape given
     */
    public void predictInto(Tensor[] inputs, Tensor[] outputs) {
        if (outputs.length != model.outputCount()) {
            throw new InputException("model '" + model.name() + "' has " + model.outputCount() + " output(s), got "
                    + outputs.length + " output tensor(s)");
        }
        run(inputs);
        for (int i = 0; i < outputs.length; i++) {
            if (!outputs[i].hasShape(outShapes[i])) {
                throw new InputException(null, model.outputName(i), null, "output " + i + " of model '" + model.name()
                        + "' has shape " + Tensor.shapeString(outShapes[i]) + " for these inputs, got an output tensor"
                        + " of shape " + Tensor.shapeString(outputs[i].shape()));
            }
        }
        for (int i = 0; i < outputs.length; i++) {
            Tensor y = output(i);
            System.arraycopy(y.data(), 0, outputs[i].data(), 0, y.size());
        }
    }

    /**
     * The flat form for a single-input, single-output model, as {@link Model#predictFlat}: {@code x} holds
     * {@code batch} samples of the input's shape (row-major; an unknown time dimension is inferred from the
     * length) and {@code out} receives the output's values (row-major), exactly as many as it has. Allocates
     * nothing after the first call while {@code x} is the same array and {@code batch} the same.
     *
     * @throws InputException for a model with several inputs or outputs, inputs {@code predict} refuses,
     *                        and an {@code out} of another length than the output's
     */
    public void predictInto(float[] x, int batch, float[] out) {
        if (model.outputCount() != 1) throw new InputException("predictInto(float[], int, float[]) needs a"
                + " single-output model; this one has " + model.outputCount() + " outputs");
        if (flatInput == null || x != flatData || batch != flatBatch) {
            int[] shape = model.flatInputShape(x.length, batch, "predictInto(float[], int, float[])");
            flatInput = new Tensor[]{new Tensor(shape, x)};
            flatData = x;
            flatBatch = batch;
        }
        run(flatInput);
        Tensor y = output(0);
        if (out.length != y.size()) {
            throw new InputException(null, model.outputName(0), null, "output 0 of model '" + model.name()
                    + "' has shape " + Tensor.shapeString(outShapes[0]) + " for these inputs, " + y.size()
                    + " values; got an output array of " + out.length);
        }
        System.arraycopy(y.data(), 0, out, 0, y.size());
    }

    /** The i-th model output of the last call. */
    private Tensor output(int i) {
        Node.Ref r = model.outputRefs().get(i);
        return values[r.node()][r.index()];
    }

    private void run(Tensor[] inputs) {
        model.checkInputs(inputs, false);
        callInputs = inputs;
        try {
            model.engine().bind(body);
        } finally {
            callInputs = null;
        }
    }

    /** Whether the plan was made for inputs of these shapes (and masks). */
    private boolean planFits(Tensor[] inputs) {
        if (planned == null) return false;
        for (int i = 0; i < inputs.length; i++) {
            if (!inputs[i].hasShape(planShapes[i]) || (inputs[i].mask() != null) != planMasks[i]) return false;
        }
        return true;
    }

    private Void runBound() {
        Tensor[] inputs = callInputs;
        planning = !planFits(inputs);
        if (planning) planned = null; // a call that fails while planning leaves no plan behind
        List<Integer> inputNodes = model.inputNodeIds();
        for (int i = 0; i < inputs.length; i++) values[inputNodes.get(i)][0] = inputs[i];
        for (int id = 0; id < values.length; id++) {
            if (!isInput[id]) runNode(nodes.get(id));
        }
        if (planning) plan(inputs);
        if (model.isChecked()) {
            for (int i = 0; i < model.outputCount(); i++) model.checkOutput(i, output(i));
        }
        return null;
    }

    /** One layer call: into its planned buffers, or as {@link Model#predict} runs it. */
    private void runNode(Node n) {
        int id = n.id();
        Tensor[] in = ins[id];
        boolean masked = false;
        for (int j = 0; j < in.length; j++) {
            Node.Ref r = n.inputs().get(j);
            in[j] = values[r.node()][r.index()];
            masked |= in[j].mask() != null;
        }
        Tensor[] out = planning ? null : planned[id];
        if (out != null && !masked) {
            n.layer().forwardInto(in, null, out);
            values[id] = out;
            return;
        }
        if (n.mask() != null && in.length > 0) {
            in[0] = in[0].withMask(Model.toMask(values[n.mask().node()][n.mask().index()], in[0], n));
        }
        model.checkOutputSize(n, in);
        values[id] = n.layer().forward(in, null);
    }

    /**
     * After a call that ran every layer's forward: one buffer per output of every layer call that reads and
     * gives no mask (of the shapes this call gave), and the shapes the plan is for.
     */
    private void plan(Tensor[] inputs) {
        Tensor[][] p = new Tensor[values.length][];
        for (Node n : nodes) {
            int id = n.id();
            if (isInput[id] || n.mask() != null) continue;
            boolean masked = false;
            for (Tensor t : ins[id]) masked |= t.mask() != null;
            for (Tensor t : values[id]) masked |= t.mask() != null;
            if (masked) continue;
            p[id] = new Tensor[values[id].length];
            for (int k = 0; k < p[id].length; k++) p[id][k] = Tensor.zeros(values[id][k].shape());
        }
        int[][] shapes = new int[inputs.length][];
        boolean[] masks = new boolean[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            shapes[i] = inputs[i].shape();
            masks[i] = inputs[i].mask() != null;
        }
        int[][] outs = new int[model.outputCount()][];
        for (int i = 0; i < outs.length; i++) outs[i] = output(i).shape();
        planShapes = shapes;
        planMasks = masks;
        outShapes = outs;
        planned = p;
    }

    /** Whether the plan holds a buffer for node {@code id}'s outputs (tests). */
    boolean plannedBuffer(int id) { return planned != null && planned[id] != null; }

    /** Node {@code id}'s planned output {@code k} (tests), or null. */
    Tensor plannedOutput(int id, int k) { return plannedBuffer(id) ? planned[id][k] : null; }
}

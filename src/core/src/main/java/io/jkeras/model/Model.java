package io.jkeras.model;

import io.jkeras.tensor.Tensor;
import io.jkeras.exceptions.InputException;
import io.jkeras.kernels.Engine;
import io.jkeras.layers.InputLayer;
import io.jkeras.layers.Layer;
import io.jkeras.layers.Shapes;
import io.jkeras.layers.Weight;
import io.jkeras.text.Printable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A loaded model: an immutable graph of layer calls in topological order. Safe to share between
 * threads; {@link #predict} starts every recurrent layer from zero state. A stateful model keeps its
 * state in a {@link Session} per caller.
 */
public final class Model {
    private final String name;
    private final List<Node> nodes;
    private final List<Integer> inputNodes;
    private final List<Node.Ref> outputs;
    private final List<Layer> layers;
    private final Map<String, String> metadata;
    private final Map<String, io.jkeras.layers.TrainingConfig> training;
    /** What predict does with NaN/Inf inputs; a view's setting ({@link #withInputPolicy}). */
    private final InputPolicy inputPolicy;
    /** Whether predict verifies that every output is finite ({@link #checked}). */
    private final boolean checkOutputs;
    /** The most elements (batch included) of a layer output when the model runs ({@link #withMaxTensorElements}). */
    private final long maxTensorElements;
    /** The threads and kernels this view runs on ({@link #withEngine}); null: {@link Engine#current()} when it runs. */
    private final Engine engine;
    /** {@link #fingerprint()}, computed at first use, shared by the views of one graph. */
    private final java.util.concurrent.atomic.AtomicReference<String> fingerprint;

    /** The default of {@link #withMaxTensorElements}: 2^28 elements, 1 GiB of float32 for one layer output. */
    public static final long DEFAULT_MAX_TENSOR_ELEMENTS = 1L << 28;

    /**
     * @param nodes      in topological order; node i has id i
     * @param inputNodes ids of the {@link InputLayer} nodes, in the model's input order
     * @param outputs    the model's outputs, in order
     * @param layers     the distinct layers in the order a summary lists them
     * @param metadata   provenance of the model (source file, writer version), shown by tools
     */
    public Model(String name, List<Node> nodes, List<Integer> inputNodes, List<Node.Ref> outputs,
                 List<Layer> layers, Map<String, String> metadata) {
        this(name, nodes, inputNodes, outputs, layers, metadata, Map.of());
    }

    /**
     * @param training what each layer (by name) does only while training; layers not in the map
     *                 train with {@link io.jkeras.layers.TrainingConfig#DEFAULT}
     */
    public Model(String name, List<Node> nodes, List<Integer> inputNodes, List<Node.Ref> outputs,
                 List<Layer> layers, Map<String, String> metadata, Map<String,
                         io.jkeras.layers.TrainingConfig> training) {
        this.name = name;
        this.nodes = List.copyOf(nodes);
        this.inputNodes = List.copyOf(inputNodes);
        this.outputs = List.copyOf(outputs);
        this.layers = List.copyOf(layers);
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        this.training = Map.copyOf(training);
        this.inputPolicy = InputPolicy.REJECT;
        this.checkOutputs = false;
        this.maxTensorElements = DEFAULT_MAX_TENSOR_ELEMENTS;
        this.engine = null;
        this.fingerprint = new java.util.concurrent.atomic.AtomicReference<>();
        for (int i = 0; i < this.nodes.size(); i++) {
            if (this.nodes.get(i).id() != i) throw new IllegalArgumentException("node " + i + " has id "
                    + this.nodes.get(i).id());
        }
        for (int id : this.inputNodes) {
            if (!(this.nodes.get(id).layer() instanceof InputLayer)) throw new IllegalArgumentException("node " + id
                    + " is not an input");
        }
        for (Node n : this.nodes) {
            if (n.layer() instanceof InputLayer && !this.inputNodes.contains(n.id())) {
                throw new IllegalArgumentException("node " + n.id() + " (" + n.layer().name()
                        + ") is an input layer but not a model input");
            }
        }
    }

    /** A view of {@code m} with other numeric checks: shares the graph and weights, copies nothing. */
    private Model(Model m, InputPolicy inputPolicy, boolean checkOutputs, long maxTensorElements) {
        this(m, inputPolicy, checkOutputs, maxTensorElements, m.engine);
    }

    private Model(Model m, InputPolicy inputPolicy, boolean checkOutputs, long maxTensorElements, Engine engine) {
        this.name = m.name;
        this.nodes = m.nodes;
        this.inputNodes = m.inputNodes;
        this.outputs = m.outputs;
        this.layers = m.layers;
        this.metadata = m.metadata;
        this.training = m.training;
        this.inputPolicy = java.util.Objects.requireNonNull(inputPolicy, "inputPolicy");
        this.checkOutputs = checkOutputs;
        if (maxTensorElements <= 0) {
            throw new IllegalArgumentException("maxTensorElements must be positive, got " + maxTensorElements);
        }
        this.maxTensorElements = maxTensorElements;
        this.engine = engine;
        this.fingerprint = m.fingerprint;
    }

    /**
     * This model with another policy for NaN/Inf inputs: {@link InputPolicy#REJECT} (the default)
     * or {@link InputPolicy#PASS_THROUGH} (as Keras). A view: the graph and weights are shared,
     * this model is unchanged; sessions made from the view follow its policy.
     */
    public Model withInputPolicy(InputPolicy policy) {
        return policy == inputPolicy ? this : new Model(this, policy, checkOutputs, maxTensorElements);
    }

    /** The policy for NaN/Inf inputs of this model (view). */
    public InputPolicy inputPolicy() { return inputPolicy; }

    /**
     * This model in checked mode: every prediction (and every {@link Session} made from the view)
     * also verifies that each output is finite, and throws a {@link io.jkeras.exceptions.NumericException}
     * naming the output, the value and its position otherwise. A view, as {@link #withInputPolicy}.
     */
    public Model checked() {
        return checkOutputs ? this : new Model(this, inputPolicy, true, maxTensorElements);
    }

    /**
     * This model with another limit on the elements (batch included) of any one layer output while it
     * runs: before each layer runs, the shape it will produce for the batch is computed and refused
     * with an {@link InputException} naming the layer when it holds more (default
     * {@link #DEFAULT_MAX_TENSOR_ELEMENTS}). A view, as {@link #withInputPolicy}.
     */
    public Model withMaxTensorElements(long elements) {
        return elements == maxTensorElements ? this : new Model(this, inputPolicy, checkOutputs, elements);
    }

    /** The limit set by {@link #withMaxTensorElements}. */
    public long maxTensorElements() { return maxTensorElements; }

    /** Whether this model (view) verifies its outputs ({@link #checked()}). */
    public boolean isChecked() { return checkOutputs; }

    public String name() { return name; }

    public List<Node> nodes() { return nodes; }

    public List<Layer> layers() { return layers; }

    public Map<String, String> metadata() { return metadata; }

    /** What layer {@code name} does only while training. */
    public io.jkeras.layers.TrainingConfig trainingConfig(String layerName) {
        return training.getOrDefault(layerName, io.jkeras.layers.TrainingConfig.DEFAULT);
    }

    /**
     * This model on another engine: its threads and kernels ({@link Engine}, e.g.
     * {@code Engine.defaults().withKernels(Kernels.scalar())}). Every prediction, every {@link Session}
     * made from the view and training it run their products and recurrent steps on that engine. A view,
     * as {@link #withInputPolicy}: the graph and weights are shared, nothing is copied.
     */
    public Model withEngine(Engine e) {
        java.util.Objects.requireNonNull(e, "engine");
        return e.equals(engine) ? this : new Model(this, inputPolicy, checkOutputs, maxTensorElements, e);
    }

    /**
     * This model on {@code n} threads (1: on the calling thread only), whatever {@code jkeras.threads}
     * says: {@code withEngine(engine().withThreads(n))}. Views with the same count share one bounded pool
     * of daemon threads, made at first use. E.g. N task slots in one JVM each take {@code cores / N}.
     *
     * @throws IllegalArgumentException when {@code n} is not in [1, {@link io.jkeras.kernels.Threads#MAX}]
     */
    public Model withThreads(int n) { return withEngine(engine().withThreads(n)); }

    /** The engine this model (view) runs on: its own ({@link #withEngine}), else {@link Engine#current()}. */
    public Engine engine() { return engine != null ? engine : Engine.current(); }

    /** Every layer's training configuration, by layer name. */
    public Map<String, io.jkeras.layers.TrainingConfig> trainingConfigs() { return training; }

    /**
     * The same graph with some layers replaced (matched by identity), e.g. by copies holding trained
     * weights; every call of a replaced layer uses the replacement.
     */
    public Model withLayers(Map<Layer, Layer> replacements) {
        List<Node> ns = new ArrayList<>();
        for (Node n : nodes) {
            Layer l = replacements.getOrDefault(n.layer(), n.layer());
            ns.add(new Node(n.id(), l, n.inputs(), n.outputShapes(), n.mask()));
        }
        List<Layer> ls = new ArrayList<>();
        for (Layer l : layers) ls.add(replacements.getOrDefault(l, l));
        Model m = new Model(name, ns, inputNodes, outputs, ls, metadata, training);
        boolean plain = inputPolicy == InputPolicy.REJECT && !checkOutputs
                && maxTensorElements == DEFAULT_MAX_TENSOR_ELEMENTS && engine == null;
        return plain ? m : new Model(m, inputPolicy, checkOutputs, maxTensorElements, engine);
    }

    /** Ids of the model's input nodes, in input order. */
    public List<Integer> inputNodeIds() { return inputNodes; }

    /** The model's outputs, in order. */
    public List<Node.Ref> outputRefs() { return outputs; }

    public int inputCount() { return inputNodes.size(); }

    public int outputCount() { return outputs.size(); }

    /** The i-th input layer (its name, shape without batch and fixed batch size if any). */
    public InputLayer input(int i) { return (InputLayer) nodes.get(inputNodes.get(i)).layer(); }

    /** Shape of the i-th output without batch; -1 for unknown dimensions. */
    public int[] outputShape(int i) {
        Node.Ref r = outputs.get(i);
        return nodes.get(r.node()).outputShapes()[r.index()].clone();
    }

    /** Name of the layer that produces the i-th output. */
    public String outputName(int i) { return nodes.get(outputs.get(i).node()).layer().name(); }

    /**
     * The model's inputs in order: the input layer's name, its shape with the batch first (-1 where
     * not fixed) and {@link DType#INT32} for an input declared integer or feeding an Embedding
     * directly. An immutable list of immutable specs; each call makes new ones.
     */
    public List<TensorSpec> inputs() {
        List<TensorSpec> l = new ArrayList<>(inputNodes.size());
        for (int i = 0; i < inputNodes.size(); i++) {
            InputLayer in = input(i);
            boolean integer = in.integer() || feedsEmbedding(inputNodes.get(i));
            DType dtype = integer ? DType.INT32 : DType.FLOAT32;
            l.add(new TensorSpec(in.name(), withBatch(inputBatch(in), in.shape()), dtype));
        }
        return List.copyOf(l);
    }

    /**
     * The model's outputs in order: the name of the layer producing each ({@link #outputName}), its
     * shape with the batch first (the inputs' fixed batch size when they all declare the same one,
     * else -1) and {@link DType#FLOAT32}. An immutable list of immutable specs.
     */
    public List<TensorSpec> outputs() {
        int batch = -1;
        for (int i = 0; i < inputNodes.size(); i++) {
            int b = inputBatch(input(i));
            if (i > 0 && b != batch) {
                batch = -1;
                break;
            }
            batch = b;
        }
        List<TensorSpec> l = new ArrayList<>(outputs.size());
        for (int i = 0; i < outputs.size(); i++) {
            l.add(new TensorSpec(outputName(i), withBatch(batch, outputShape(i)), DType.FLOAT32));
        }
        return List.copyOf(l);
    }

    private static int inputBatch(InputLayer in) { return in.batchSize() > 0 ? in.batchSize() : -1; }

    private static int[] withBatch(int batch, int[] shape) {
        int[] s = new int[shape.length + 1];
        s[0] = batch;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }

    private boolean feedsEmbedding(int inputNode) {
        for (Node n : nodes) {
            if (!(n.layer() instanceof io.jkeras.layers.Embedding)) continue;
            for (Node.Ref r : n.inputs()) if (r.node() == inputNode) return true;
        }
        return false;
    }

    public boolean stateful() {
        for (int i = 0; i < nodes.size(); i++) if (nodes.get(i).layer().stateful()) return true;
        return false;
    }

    public long paramCount() {
        long n = 0;
        for (Layer l : layers) n += l.paramCount();
        return n;
    }

    /** The part of {@link #paramCount()} Keras counts as non-trainable (e.g. BatchNormalization statistics). */
    public long nonTrainableParamCount() {
        long n = 0;
        for (Layer l : layers) n += l.nonTrainableParamCount();
        return n;
    }

    /** Runs the model on one batch; recurrent layers start from zero state. */
    public Tensor[] predict(Tensor... inputs) {
        return run(inputs, null);
    }

    /** Single-input, single-output convenience: (batch, timesteps, features) in. */
    public Tensor predict(float[][][] x) {
        return single(predict(Tensor.of(x)));
    }

    /** Single-input, single-output convenience for a (batch, features) input. */
    public Tensor predict(float[][] x) {
        return single(predict(Tensor.of(x)));
    }

    /**
     * Flat-buffer form for a single-input, single-output model: {@code x} holds {@code batch}
     * samples of the input's shape (row-major; an unknown time dimension is inferred from the
     * length), and the output's values are returned row-major.
     */
    public float[] predictFlat(float[] x, int batch) {
        Tensor[] out = predict(new Tensor(flatInputShape(x.length, batch, "predictFlat"), x));
        if (out.length != 1) throw new InputException("predictFlat needs a single-output model; this one has "
                + out.length + " outputs");
        return out[0].data();
    }

    /**
     * The shape (batch first) of {@code length} values holding {@code batch} samples of the single input
     * (an unknown time dimension inferred from the length), for the flat-buffer forms ({@code method}).
     */
    int[] flatInputShape(int length, int batch, String method) {
        if (inputCount() != 1) throw new InputException(method + " needs a single-input model; this one has "
                + inputCount() + " inputs");
        int[] s = input(0).shape();
        int known = 1, unknown = -1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] < 0) {
                if (unknown >= 0) throw new InputException(method + " cannot infer two unknown dimensions of input "
                        + Tensor.shapeString(s) + "; use predict(Tensor)");
                unknown = i;
            } else known *= s[i];
        }
        if (batch <= 0 || length % batch != 0) throw new InputException("input of " + length
                + " values does not divide into " + batch + " samples");
        int per = length / batch;
        if (unknown >= 0) {
            if (known == 0 || per % known != 0) throw new InputException("input of " + per
                    + " values per sample does not fit shape " + Tensor.shapeString(s));
            s[unknown] = per / known;
        } else if (per != known) {
            throw new InputException("input '" + input(0).name() + "' expects " + known + " values per sample "
                    + Tensor.shapeString(s) + ", got " + per);
        }
        int[] full = new int[s.length + 1];
        full[0] = batch;
        System.arraycopy(s, 0, full, 1, s.length);
        return full;
    }

    private Tensor single(Tensor[] out) {
        if (out.length != 1) throw new InputException("model '" + name + "' has " + out.length
                + " outputs; use predict(Tensor...)");
        return out[0];
    }

    /**
     * A new {@link Predictor} of this model (view): {@link Predictor#predictInto} writes predictions into
     * caller-owned outputs and, from the second call with the same input shapes, allocates nothing.
     * Not thread-safe: one per thread or caller.
     */
    public Predictor predictor() { return new Predictor(this); }

    /** A new stateful session with zero state. Each caller keeps its own. */
    public Session newSession() { return new Session(this); }

    /**
     * A session resuming {@code state} ({@link Session#snapshot}), taken from this model or from a model with
     * the same graph and weights (its {@link #fingerprint()}).
     *
     * @throws io.jkeras.exceptions.StateException when the state belongs to another model
     */
    public Session newSession(State state) { return new Session(this, state); }

    /**
     * A digest (SHA-256, hex) of what the model computes: its graph (layer types, names, connections, options
     * as the native format encodes them) and its weights, bit for bit. The model's name and views
     * ({@link #withEngine}, …) do not change it. Computed once, at first use.
     */
    public String fingerprint() {
        String f = fingerprint.get();
        if (f == null) {
            f = Fingerprint.of(nodes);
            fingerprint.compareAndSet(null, f);
        }
        return f;
    }

    /**
     * Makes predictions on random inputs of the model's shapes ({@link SampleInputs#random}: the
     * model's fixed batch size, else 1; 16 timesteps where the time dimension is unknown) for
     * {@code budget} (at least one), so that the JIT compiles the kernels before a service's first
     * real request (see {@link WarmUp}; a second or two is typical). The model is unchanged:
     * predictions after are the same, bit for bit, as before.
     */
    public WarmUp warmUp(Duration budget) {
        int batch = 0;
        for (int i = 0; i < inputCount(); i++) batch = Math.max(batch, input(i).batchSize());
        return warmUp(budget, SampleInputs.random(this, batch > 0 ? batch : 1, 16, 0));
    }

    /** As {@link #warmUp(Duration)}, on given inputs: a typical request, of the batch size a service uses. */
    public WarmUp warmUp(Duration budget, Tensor... inputs) { return WarmUp.run(this, inputs, budget); }

    Tensor[] run(Tensor[] inputs, Map<Integer, float[][]> states) { return run(inputs, states, false); }

    /**
     * Runs the graph; {@code states} (null: none) holds the carried state of the stateful layers, and with
     * {@code stream} of every recurrent layer ({@link Session#steps}).
     */
    Tensor[] run(Tensor[] inputs, Map<Integer, float[][]> states, boolean stream) {
        return engine == null ? runGraph(inputs, states, stream)
                : engine.bind(() -> runGraph(inputs, states, stream));
    }

    private Tensor[] runGraph(Tensor[] inputs, Map<Integer, float[][]> states, boolean stream) {
        checkInputs(inputs, stream);
        Tensor[][] values = new Tensor[nodes.size()][];
        for (int i = 0; i < inputs.length; i++) values[inputNodes.get(i)] = new Tensor[]{inputs[i]};
        for (Node n : nodes) {
            if (values[n.id()] != null) continue;
            if (n.layer() instanceof InputLayer) {
                throw new IllegalStateException("input node " + n.layer().name() + " is not a model input");
            }
            Tensor[] in = new Tensor[n.inputs().size()];
            for (int j = 0; j < in.length; j++) {
                Node.Ref r = n.inputs().get(j);
                in[j] = values[r.node()][r.index()];
            }
            if (n.mask() != null && in.length > 0) {
                in[0] = in[0].withMask(toMask(values[n.mask().node()][n.mask().index()], in[0], n));
            }
            checkOutputSize(n, in);
            float[][] st = null;
            boolean recurrent = n.layer() instanceof io.jkeras.layers.Recurrent;
            // streaming: every recurrent layer carries its state, a causal attention its key/value cache
            boolean carry = n.layer().stateful() || (stream && (recurrent || StreamPlan.carried(n.layer()) > 0));
            if (carry && states != null) {
                st = states.computeIfAbsent(n.id(), k -> new float[StreamPlan.carried(n.layer())][]);
            }
            float[] prevOutput = stream && recurrent && st != null && st.length > 0 && st[0] != null
                    && in[0].mask() != null ? st[0].clone() : null;
            values[n.id()] = n.layer().forward(in, st);
            if (prevOutput != null) {
                StreamPlan.repeatOutputOverMaskedStart((io.jkeras.layers.Recurrent) n.layer(), in[0].mask(),
                        prevOutput, values[n.id()][0]);
            }
        }
        Tensor[] out = new Tensor[outputs.size()];
        for (int i = 0; i < out.length; i++) out[i] = values[outputs.get(i).node()][outputs.get(i).index()];
        if (checkOutputs) {
            for (int i = 0; i < out.length; i++) checkOutput(i, out[i]);
        }
        return out;
    }

    /**
     * Refuses a layer output over {@link #maxTensorElements} before the layer allocates it. The
     * shapes known at load time are multiplied by the batch; where one has a dimension known only
     * now (timesteps), the layer computes its output shapes from the actual inputs. When it cannot
     * (inputs it refuses), the layer's own forward reports them.
     */
    void checkOutputSize(Node n, Tensor[] in) {
        if (in.length == 0) return;
        int batch = in[0].dim(0);
        boolean known = true;
        for (int[] s : n.outputShapes()) for (int d : s) known &= d >= 0;
        int[][] shapes = n.outputShapes();
        if (!known) {
            int[][] inner = new int[in.length][];
            for (int i = 0; i < in.length; i++) {
                int[] s = in[i].shape();
                inner[i] = java.util.Arrays.copyOfRange(s, Math.min(1, s.length), s.length);
            }
            try {
                shapes = n.layer().outputShapes(inner);
            } catch (io.jkeras.exceptions.JKerasException e) {
                return;
            }
        }
        for (int[] s : shapes) {
            int[] full = new int[s.length + 1];
            full[0] = batch;
            System.arraycopy(s, 0, full, 1, s.length);
            Shapes.checkBatchLimit(n.layer().name(), full, maxTensorElements);
        }
    }

    /** An explicit mask tensor (batch, timesteps) of 0/1 values as flags for {@code x}. */
    static boolean[] toMask(Tensor m, Tensor x, Node n) {
        if (x.rank() < 2 || m.size() != x.dim(0) * x.dim(1)) {
            throw new InputException(null, n.layer().name(), null, "mask " + Tensor.shapeString(m.shape())
                    + " does not match the (batch, timesteps) of its input " + Tensor.shapeString(x.shape()));
        }
        boolean[] f = new boolean[m.size()];
        float[] d = m.data();
        for (int i = 0; i < f.length; i++) f[i] = d[i] != 0f;
        return f;
    }

    /**
     * Checks the inputs of one call as {@link #predict} does: their count, each one's shape and values
     * ({@link #inputPolicy()}) and their batch sizes; allocates nothing unless it refuses them.
     */
    void checkInputs(Tensor[] inputs, boolean stream) {
        if (inputs.length != inputNodes.size()) {
            throw new InputException("model '" + name + "' takes " + inputNodes.size() + " input(s), got "
                    + inputs.length);
        }
        for (int i = 0; i < inputs.length; i++) checkInput(i, inputs[i], stream);
        checkSameBatch(inputs);
    }

    /**
     * Every input of one call holds the same number of samples: nothing broadcasts a batch of 1
     * against another. Keras refuses such data in predict and fit ("Data cardinality is
     * ambiguous", keras/src/trainers/data_adapters/data_adapter_utils.py:103, Keras 3.15.1).
     */
    private void checkSameBatch(Tensor[] inputs) {
        for (Tensor t : inputs) {
            if (t.dim(0) == inputs[0].dim(0)) continue;
            StringBuilder sb = new StringBuilder("model '" + name + "': the inputs have different batch sizes: ");
            for (int i = 0; i < inputs.length; i++) {
                sb.append(i > 0 ? ", " : "").append("input ").append(i).append(" '").append(input(i).name())
                        .append("' has ")
                        .append(inputs[i].dim(0));
            }
            throw new InputException(sb.append("; every input of one call must hold the same number of samples")
                    .toString());
        }
    }

    /**
     * Checks a shape (batch first) for input {@code i} as {@link #predict} does, with the same
     * message, e.g. before the data of a {@code .npy} file whose header gives the shape is read.
     */
    public void checkInputShape(int i, int[] got) { checkInputShape(i, got, null, false); }

    /**
     * As {@link #checkInputShape(int, int[])} for the shape {@code got}, or when null for the shape of {@code x}
     * (read without a copy); {@code stream}: any number of timesteps (a chunk of a stream).
     */
    private void checkInputShape(int i, int[] got, Tensor x, boolean stream) {
        if (i < 0 || i >= inputCount()) {
            throw new InputException("model '" + name + "' takes " + inputCount() + " input(s); there is no input "
                    + i);
        }
        InputLayer in = input(i);
        int rank = got != null ? got.length : x.rank();
        boolean ok = rank == in.rank() + 1;
        for (int d = 0; ok && d < in.rank(); d++) {
            int want = in.dim(d), have = got != null ? got[d + 1] : x.dim(d + 1);
            ok = want < 0 || want == have || (stream && d == 0);
        }
        int batch = !ok ? -1 : got != null ? got[0] : x.dim(0);
        if (ok && in.batchSize() > 0 && stateful() && batch != in.batchSize()) {
            throw new InputException(null, in.name(), null, "stateful model expects batch size " + in.batchSize()
                    + ", got " + batch);
        }
        if (!ok) {
            if (got == null) got = x.shape();
            int[] s = in.shape();
            int[] full = new int[s.length + 1];
            full[0] = -1;
            System.arraycopy(s, 0, full, 1, s.length);
            throw new InputException(null, in.name(), null, "input " + i + " expects shape " + Tensor.shapeString(full)
                    + ", got " + Tensor.shapeString(got));
        }
    }

    private void checkInput(int i, Tensor x, boolean stream) {
        checkInputShape(i, null, x, stream);
        if (inputPolicy == InputPolicy.PASS_THROUGH) return;
        float[] d = x.data();
        for (int j = 0; j < d.length; j++) {
            if (!Float.isFinite(d[j])) {
                InputLayer in = input(i);
                int[] got = x.shape();
                throw new InputException(null, in.name(), null, "input " + i + " holds " + d[j] + " at flat index " + j
                        + " = position " + position(got, j) + " of shape " + Tensor.shapeString(got)
                        + " (non-finite inputs are refused; Model.withInputPolicy(InputPolicy.PASS_THROUGH) passes"
                                + " them on as Keras does)");
            }
        }
    }

    void checkOutput(int i, Tensor y) {
        float[] d = y.data();
        for (int j = 0; j < d.length; j++) {
            if (!Float.isFinite(d[j])) {
                throw new io.jkeras.exceptions.NumericException(null, outputName(i), null, "output " + i + " holds "
                        + d[j] + " at flat index " + j
                        + " = position " + position(y.shape(), j) + " of shape " + Tensor.shapeString(y.shape())
                        + " (checked mode: every output must be finite)", null);
            }
        }
    }

    /** The index tuple of flat (row-major) index {@code flat} in {@code shape}: {@code (1, 2, 1)}. */
    static String position(int[] shape, int flat) {
        int[] idx = new int[shape.length];
        int r = flat;
        for (int k = shape.length - 1; k >= 0; k--) {
            if (shape[k] > 0) {
                idx[k] = r % shape[k];
                r /= shape[k];
            }
        }
        StringBuilder sb = new StringBuilder("(");
        for (int k = 0; k < idx.length; k++) sb.append(k > 0 ? ", " : "").append(idx[k]);
        return sb.append(idx.length == 1 ? ",)" : ")").toString();
    }

    /** The weights of every layer, with layer names, in summary order. */
    public List<NamedWeight> weights() {
        List<NamedWeight> out = new ArrayList<>();
        for (Layer l : layers) for (Weight w : l.weights()) out.add(new NamedWeight(l.name(), w));
        return out;
    }

    /** A weight together with the name of the layer that owns it ({@code lstm/kernel}). */
    public record NamedWeight(String layer, Weight weight) {
        public String fullName() { return layer + "/" + weight.name(); }
    }

    /**
     * Metadata key prefix naming a nested model that the loader inlined: {@code keras.nested.<name>} = its Keras
     * class. Its layers are named {@code <name>/<inner layer>}; the summary shows them as one row, as Keras does.
     */
    public static final String META_NESTED = "keras.nested.";

    /** One row of {@link #summary()}: a layer, or a nested model inlined by the loader with its layers' counts. */
    public record SummaryRow(String name, String type, String outputShape, long params) {}

    /** The rows of {@link #summary()}, in its order. */
    public List<SummaryRow> summaryRows() {
        Map<Layer, int[]> shapes = new IdentityHashMap<>();
        for (Node n : nodes) shapes.putIfAbsent(n.layer(), n.outputShapes()[0]);
        List<SummaryRow> rows = new ArrayList<>();
        Map<String, Integer> groupRow = new java.util.HashMap<>();
        for (Layer l : layers) {
            int[] s = shapes.get(l);
            String shape = s == null ? "?" : withBatch(s);
            int slash = l.name().indexOf('/');
            String group = slash > 0 ? l.name().substring(0, slash) : null;
            String groupType = group == null ? null : metadata.get(META_NESTED + group);
            if (groupType == null) {
                rows.add(new SummaryRow(l.name(), l.typeName(), shape, l.paramCount()));
                continue;
            }
            Integer at = groupRow.get(group);
            if (at == null) {
                groupRow.put(group, rows.size());
                rows.add(new SummaryRow(group, groupType, shape, l.paramCount()));
            } else {
                SummaryRow r = rows.get(at);
                rows.set(at, new SummaryRow(group, groupType, shape, r.params() + l.paramCount()));
            }
        }
        return rows;
    }

    /** A Keras-style summary table; per-layer and total parameter counts equal Keras'. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        String rule = "_".repeat(78) + "\n";
        sb.append("Model: \"").append(Printable.escape(name)).append("\"\n");
        sb.append(rule);
        sb.append(String.format("%-34s%-28s%16s%n", " Layer (type)", "Output Shape", "Param #"));
        sb.append("=".repeat(78)).append('\n');
        List<SummaryRow> rows = summaryRows();
        for (int i = 0; i < rows.size(); i++) {
            SummaryRow r = rows.get(i);
            String label = " " + Printable.escape(r.name()) + " (" + Printable.escape(r.type()) + ")";
            sb.append(String.format("%-34s%-28s%16d%n", label, r.outputShape(), r.params()));
            if (i < rows.size() - 1) sb.append('\n');
        }
        sb.append("=".repeat(78)).append('\n');
        long total = paramCount();
        long frozen = nonTrainableParamCount();
        sb.append("Total params: ").append(total).append('\n');
        sb.append("Trainable params: ").append(total - frozen).append('\n');
        sb.append("Non-trainable params: ").append(frozen).append('\n');
        sb.append(rule);
        return sb.toString();
    }

    private static String withBatch(int[] s) {
        int[] full = new int[s.length + 1];
        full[0] = -1;
        System.arraycopy(s, 0, full, 1, s.length);
        return Tensor.shapeString(full);
    }
}

package io.jkeras.layers;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.kernels.Activation;
import io.jkeras.kernels.CellKernels;
import io.jkeras.kernels.ConvolutionKernels;
import io.jkeras.kernels.Gemm;
import io.jkeras.kernels.RecurrentKernels;
import io.jkeras.kernels.WindowGeometry;
import io.jkeras.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Keras ConvLSTM1D/2D/3D (keras/src/layers/rnn/conv_lstm.py, ConvLSTMCell.call): an LSTM whose
 * products are convolutions. Per step, with gates i, f, c, o side by side in the last axis of the
 * kernels ({@code kernel (*k, C, 4F)}, {@code recurrent_kernel (*k, F, 4F)}, {@code bias (4F)}):
 * <pre>
 *   z = conv(x_t, kernel; strides, padding, dilation) + bias + conv(h, recurrent_kernel; stride 1, same)
 *   i = ra(z_i)  f = ra(z_f)  g = act(z_c)  o = ra(z_o)
 *   c = f·c + i·g
 *   h = o·act(c)
 * </pre>
 * The recurrent convolution always uses stride 1, padding {@code same} and no dilation, as Keras'
 * {@code recurrent_conv}.
 *
 * <p>It sits below {@link Recurrent} because Recurrent's contract is a sequence of flat rows with
 * flat states: a frame of {@code S_in} positions × C channels is a row of {@code inputSize = S_in·C}
 * floats and h, c are rows of {@code units = S_out·F} floats (channels_last), so the options, state
 * handling, masks, stateful sessions and {@link Bidirectional} work unchanged. This class reshapes
 * at its boundary ({@link #forward}: channels_first frames are transposed to channels_last and
 * back) and replaces the time loop ({@link #run}): the input convolution of every timestep of a block
 * of samples is one im2col + matrix product ({@link ConvolutionKernels#conv} with the packed kernel)
 * before the loop, and each step runs one recurrent convolution over the block's h (again im2col +
 * one matrix product over the packed recurrent kernel), then the gates position by position.
 */
public final class ConvLstm extends Recurrent {
    @Override public <R> R accept(Visitor<R> v) { return v.visit(this); }

    static final int GATES = 4;
    /**
     * Most floats of projected input kept at a time (1 MiB, so that a block's projection is still in cache when
     * its steps read it); more samples run in blocks, at least one sample per block.
     */
    private static final long PROJECTION_FLOATS = 1L << 18;

    private final int[] inShape;
    private final int channels;
    private final int filters;
    private final int[] kernelSize;
    private final int[] strides;
    private final int[] dilation;
    private final WindowGeometry.Padding padding;
    private final boolean channelsFirst;
    private final Activation activation;
    private final Activation recurrentActivation;
    private final WindowGeometry inputGeometry;
    private final WindowGeometry recurrentGeometry;
    private final float[] kernel;       // (*k, C, 4F)
    private final float[] recurrentKernel; // (*k, F, 4F)
    private final float[] bias;         // (4F) or null
    private volatile Gemm.PackedB[][] packed;

    /**
     * @param inShape   the input frame's spatial sizes (1 to 3 of them), known
     * @param kernel    {@code (*kernelSize, channels, 4·filters)}, gates i|f|c|o
     * @param recurrentKernel {@code (*kernelSize, filters, 4·filters)}
     * @param bias      {@code (4·filters)} or null (use_bias=False)
     */
    public ConvLstm(String name, int[] inShape, int channels, int filters, int[] kernelSize, int[] strides,
                    int[] dilation, WindowGeometry.Padding padding, boolean channelsFirst, Activation activation,
                    Activation recurrentActivation, float[] kernel, float[] recurrentKernel, float[] bias,
                    RecurrentOptions options) {
        this(name, checkedGeometry(name, inShape, channels, filters, kernelSize, strides, dilation, padding),
                kernelSize.clone(), strides.clone(), dilation.clone(), channels, filters, padding, channelsFirst,
                activation, recurrentActivation, kernel, recurrentKernel, bias, options);
    }

    private ConvLstm(String name, WindowGeometry g, int[] kernelSize, int[] strides, int[] dilation, int channels,
                     int filters, WindowGeometry.Padding padding,
                     boolean channelsFirst, Activation activation, Activation recurrentActivation, float[] kernel,
                     float[] recurrentKernel, float[] bias, RecurrentOptions options) {
        super(name, Shapes.multiply(name, "the state size", g.outputPositions(), filters),
                Shapes.multiply(name, "the input frame size", g.inputPositions(), channels), options);
        this.inShape = g.inputShape();
        this.channels = channels;
        this.filters = filters;
        this.kernelSize = kernelSize;
        this.strides = strides;
        this.dilation = dilation;
        this.padding = padding;
        this.channelsFirst = channelsFirst;
        this.activation = activation;
        this.recurrentActivation = recurrentActivation;
        this.inputGeometry = g;
        int r = inShape.length;
        int[] ones = new int[r];
        Arrays.fill(ones, 1);
        this.recurrentGeometry = WindowGeometry.of(g.outputShape(), kernelSize, ones, ones,
                WindowGeometry.Padding.SAME);
        int k = g.windowPositions();
        int gf = Shapes.multiply(name, "the gate columns", GATES, filters);
        checkShape(name, "kernel", kernel, k, channels, gf);
        checkShape(name, "recurrent_kernel", recurrentKernel, k, filters, gf);
        if (bias != null) checkShape(name, "bias", bias, gf);
        this.kernel = kernel.clone();
        this.recurrentKernel = recurrentKernel.clone();
        this.bias = bias == null ? null : bias.clone();
        for (Activation a : new Activation[]{activation, recurrentActivation}) {
            if (!a.elementwise()) {
                throw new UnsupportedModelException(null, name, null, "activation " + a.name().toLowerCase()
                        + " is not element-wise and cannot be a ConvLSTM activation");
            }
        }
    }

    private static WindowGeometry checkedGeometry(String name, int[] in, int channels, int filters, int[] k,
                                                  int[] s, int[] d, WindowGeometry.Padding padding) {
        int r = in.length;
        if (r < 1 || r > 3 || k.length != r || s.length != r || d.length != r) {
            throw new UnsupportedModelException(null, name, null, "needs 1 to 3 spatial dimensions with as many "
                    + "kernel sizes, strides and dilation rates; got input " + Arrays.toString(in) + ", kernel_size "
                    + Arrays.toString(k) + ", strides " + Arrays.toString(s) + ", dilation_rate " + Arrays.toString(d));
        }
        if (channels <= 0 || filters <= 0) {
            throw new UnsupportedModelException(null, name, null, "needs positive channels and filters, got "
                    + channels + " and " + filters);
        }
        for (int i = 0; i < r; i++) {
            if (in[i] <= 0 || k[i] <= 0 || s[i] <= 0 || d[i] <= 0) {
                throw new UnsupportedModelException(null, name, null, "needs known positive input sizes, kernel "
                        + "sizes, strides and dilation rates; got input " + Arrays.toString(in) + ", kernel_size "
                        + Arrays.toString(k) + ", strides " + Arrays.toString(s) + ", dilation_rate "
                        + Arrays.toString(d));
            }
        }
        if (padding == WindowGeometry.Padding.CAUSAL) {
            throw new UnsupportedModelException(null, name, null, "padding 'causal' is not a ConvLSTM padding; "
                    + "allowed: 'valid', 'same'");
        }
        WindowGeometry g = WindowGeometry.of(in, k, s, d, padding);
        if (g.outputPositions() == 0) {
            throw new UnsupportedModelException(null, name, null, "input " + Arrays.toString(in)
                    + " is smaller than the dilated kernel with padding 'valid': the output would be empty");
        }
        return g;
    }

    @Override public String typeName() { return "ConvLSTM" + inShape.length + "D"; }

    @Override public int stateCount() { return 2; }

    public int filters() { return filters; }

    public int channels() { return channels; }

    public boolean channelsFirst() { return channelsFirst; }

    public Activation activation() { return activation; }

    public Activation recurrentActivation() { return recurrentActivation; }

    /** The input frame's spatial sizes. */
    public int[] inputShape() { return inShape.clone(); }

    /** The state's (and output frame's) spatial sizes. */
    public int[] outputShape() { return inputGeometry.outputShape(); }

    /** The input convolution's geometry (the layer's strides, padding and dilation). */
    public WindowGeometry inputGeometry() { return inputGeometry; }

    /** The recurrent convolution's geometry (stride 1, same, no dilation, over the state). */
    public WindowGeometry recurrentGeometry() { return recurrentGeometry; }

    // ---------------------------------------------------------------- shapes

    /** An input frame's shape (without batch and time) in the layer's data format. */
    public int[] inputFrame() { return frame(inShape, channels); }

    /** The state's shape (without batch) in the layer's data format. */
    public int[] stateFrame() { return frame(outputShape(), filters); }

    /** A frame's shape (without batch and time) of {@code c} channels over {@code spatial}, in the data format. */
    private int[] frame(int[] spatial, int c) {
        int[] f = new int[spatial.length + 1];
        System.arraycopy(spatial, 0, f, channelsFirst ? 1 : 0, spatial.length);
        f[channelsFirst ? 0 : spatial.length] = c;
        return f;
    }

    private static int[] prepend(int d, int[] s) {
        int[] o = new int[s.length + 1];
        o[0] = d;
        System.arraycopy(s, 0, o, 1, s.length);
        return o;
    }

    @Override
    public int[][] outputShapes(int[][] in) {
        Shapes.expectInputs(name, in, 1, 1 + stateCount());
        int[] frameIn = frame(inShape, channels);
        Shapes.expectRank(name, in[0], frameIn.length + 1);
        for (int i = 0; i < frameIn.length; i++) {
            int d = in[0][i + 1];
            if (d >= 0 && d != frameIn[i]) {
                throw new UnsupportedModelException(null, name, null, "expects input (None, timesteps, "
                        + Shapes.inner(frameIn) + "), got (None, " + Shapes.inner(in[0]) + ")");
            }
        }
        int[] state = frame(outputShape(), filters);
        for (int i = 1; i < in.length; i++) {
            if (!Arrays.equals(in[i], state)) {
                throw new UnsupportedModelException(null, name, null, "initial state " + (i - 1)
                        + " must have shape (None, " + Shapes.inner(state) + "), got (None, " + Shapes.inner(in[i])
                        + ")");
            }
        }
        int n = 1 + (returnState ? stateCount() : 0);
        int[][] out = new int[n][];
        out[0] = returnSequences ? prepend(in[0][0], state) : state;
        for (int i = 1; i < n; i++) out[i] = state.clone();
        return out;
    }

    // ---------------------------------------------------------------- forward

    /**
     * Takes {@code (batch, timesteps, *frame)} (and optional initial states {@code (batch, *state frame)}),
     * flattens every frame to a channels_last row and runs {@link Recurrent}'s loop; the outputs get their
     * frame shapes back.
     */
    /** {@link #forward} and a copy (this layer's own forward, not {@link Recurrent}'s in-place one). */
    @Override
    public void forwardInto(Tensor[] inputs, float[][] state, Tensor[] out) {
        Shapes.copyOutputs(name, forward(inputs, state), out);
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, float[][] state) {
        Tensor x = inputs[0];
        int[] frameIn = frame(inShape, channels);
        if (x.rank() != frameIn.length + 2 || !Arrays.equals(Arrays.copyOfRange(x.shape(), 2, x.rank()), frameIn)) {
            throw new InputException(null, name, null, "expects input (batch, timesteps, " + Shapes.inner(frameIn)
                    + "), got " + Tensor.shapeString(x.shape()));
        }
        int batch = x.dim(0), steps = x.dim(1);
        int inPos = inputGeometry.inputPositions(), outPos = inputGeometry.outputPositions();
        Tensor[] flat = new Tensor[inputs.length];
        float[] xd = channelsFirst ? ConvWindow.transpose(x.data(), batch * steps, channels, inPos) : x.data();
        flat[0] = new Tensor(new int[]{batch, steps, inputSize}, xd, x.mask());
        int[] stateFrame = frame(outputShape(), filters);
        for (int i = 1; i < inputs.length; i++) {
            Tensor s = inputs[i];
            if (s.rank() != stateFrame.length + 1 || s.dim(0) != batch
                    || !Arrays.equals(Arrays.copyOfRange(s.shape(), 1, s.rank()), stateFrame)) {
                throw new InputException(null, name, null, "initial state " + (i - 1) + " must be (" + batch + ", "
                        + Shapes.inner(stateFrame) + "), got " + Tensor.shapeString(s.shape()));
            }
            float[] sd = channelsFirst ? ConvWindow.transpose(s.data(), batch, filters, outPos) : s.data();
            flat[i] = new Tensor(new int[]{batch, units}, sd);
        }
        Tensor[] y = super.forward(flat, state);
        Tensor[] out = new Tensor[y.length];
        if (returnSequences) {
            float[] d = channelsFirst ? ConvWindow.transpose(y[0].data(), batch * steps, outPos, filters) : y[0].data();
            out[0] = new Tensor(prepend(batch, prepend(steps, stateFrame)), d, y[0].mask());
        } else {
            out[0] = stateTensor(y[0], batch, stateFrame);
        }
        for (int i = 1; i < y.length; i++) out[i] = stateTensor(y[i], batch, stateFrame);
        return out;
    }

    private Tensor stateTensor(Tensor flat, int batch, int[] stateFrame) {
        float[] d = channelsFirst
                ? ConvWindow.transpose(flat.data(), batch, inputGeometry.outputPositions(), filters) : flat.data();
        return new Tensor(prepend(batch, stateFrame), d);
    }

    private Gemm.PackedB[][] packed() {
        Gemm.PackedB[][] p = packed;
        if (p == null) {
            p = new Gemm.PackedB[][]{
                ConvolutionKernels.pack(inputGeometry.windowPositions(), channels, GATES * filters, 1, kernel, 0),
                ConvolutionKernels.pack(recurrentGeometry.windowPositions(), filters, GATES * filters, 1,
                        recurrentKernel, 0)};
            packed = p;
        }
        return p;
    }

    /**
     * The time loop (see the class comment), in blocks of samples whose projected input fits
     * {@link #PROJECTION_FLOATS}; masks and go_backwards as {@link Recurrent#run}.
     */
    @Override
    protected void run(float[] x, int batch, int steps, float[][] states, float[] seq, boolean[] mask, float[] last,
                       CellKernels kernels) {
        final int width = projectionWidth();
        final int h = units;
        int block = (int) Math.max(1, Math.min(batch, PROJECTION_FLOATS / ((long) steps * width)));
        Gemm.PackedB[][] p = packed();
        float[] xp = new float[block * steps * width];
        float[] z = new float[block * width];
        float[] work = new float[Math.max(
                ConvolutionKernels.workSize(inputGeometry, block * steps, channels, 1),
                ConvolutionKernels.workSize(recurrentGeometry, block, filters, 1))];
        float[] scratch = new float[h];
        for (int b0 = 0; b0 < batch; b0 += block) {
            int m = Math.min(block, batch - b0);
            ConvolutionKernels.conv(inputGeometry, m * steps, channels, GATES * filters, 1, x, b0 * steps * inputSize,
                    p[0], bias, 0, xp, 0, work);
            for (int s = 0; s < steps; s++) {
                int t = goBackwards ? steps - 1 - s : s;
                ConvolutionKernels.conv(recurrentGeometry, m, filters, GATES * filters, 1, states[0], b0 * h, p[1],
                        null, 0, z, 0, work);
                for (int i = 0; i < m; i++) {
                    int b = b0 + i, so = b * h;
                    if (mask == null || mask[b * steps + t]) {
                        Gemm.axpy(width, 1f, xp, (i * steps + t) * width, z, i * width);
                        cell(z, i * width, states, so, scratch);
                        System.arraycopy(states[0], so, last, so, h);
                    } else if (zeroOutputForMask) {
                        Arrays.fill(last, so, so + h, 0f);
                    }
                    if (seq != null) System.arraycopy(last, so, seq, (b * steps + s) * h, h);
                }
            }
        }
    }

    /**
     * The gates of one sample at every position from {@code z} (S_out rows of 4F: i|f|c|o), updating
     * h ({@code states[0]}) and c ({@code states[1]}) at {@code so} in place.
     */
    private void cell(float[] z, int zOff, float[][] states, int so, float[] scratch) {
        final int f = filters;
        float[] hs = states[0], cs = states[1];
        int positions = inputGeometry.outputPositions();
        for (int q = 0; q < positions; q++) {
            int zo = zOff + q * GATES * f;
            recurrentActivation.apply(z, zo, 2 * f);
            activation.apply(z, zo + 2 * f, f);
            recurrentActivation.apply(z, zo + 3 * f, f);
            int co = so + q * f;
            for (int u = 0; u < f; u++) {
                float c = z[zo + f + u] * cs[co + u] + z[zo + u] * z[zo + 2 * f + u];
                cs[co + u] = c;
                scratch[co - so + u] = c;
            }
        }
        activation.apply(scratch, 0, units);
        for (int q = 0; q < positions; q++) {
            int zo = zOff + q * GATES * f, co = q * f;
            for (int u = 0; u < f; u++) hs[so + co + u] = z[zo + 3 * f + u] * scratch[co + u];
        }
    }

    @Override protected int projectionWidth() { return GATES * units; }

    @Override protected int gates() { return GATES; }

    /** The input convolution of {@code rows} frames: {@code rows × S_out × 4F}. */
    @Override
    protected float[] project(float[] x, int rows) {
        float[] xp = new float[rows * projectionWidth()];
        ConvolutionKernels.conv(inputGeometry, rows, channels, GATES * filters, 1, x, 0, packed()[0], bias, 0, xp, 0,
                new float[ConvolutionKernels.workSize(inputGeometry, rows, channels, 1)]);
        return xp;
    }

    @Override
    protected void step(RecurrentKernels.Product p, float[] xp, int xpOff, float[][] states, int so, float[] z,
                        float[] scratch) {
        ConvolutionKernels.conv(recurrentGeometry, 1, filters, GATES * filters, 1, states[0], so, packed()[1], null,
                0, z, 0, new float[ConvolutionKernels.workSize(recurrentGeometry, 1, filters, 1)]);
        Gemm.axpy(projectionWidth(), 1f, xp, xpOff, z, 0);
        cell(z, 0, states, so, scratch);
    }

    // ---------------------------------------------------------------- weights and format

    private int[] kernelShape(int rows) {
        int r = kernelSize.length;
        int[] s = Arrays.copyOf(kernelSize, r + 2);
        s[r] = rows;
        s[r + 1] = GATES * filters;
        return s;
    }

    public boolean useBias() { return bias != null; }

    /** Keras' layout: kernel, recurrent_kernel, bias (when used). */
    @Override
    public List<Weight> weights() {
        List<Weight> w = new ArrayList<>();
        w.add(new Weight("kernel", kernelShape(channels), kernel.clone()));
        w.add(new Weight("recurrent_kernel", kernelShape(filters), recurrentKernel.clone()));
        if (bias != null) w.add(new Weight("bias", new int[]{GATES * filters}, bias.clone()));
        return w;
    }

    @Override
    public void encode(LayerEncoder e) {
        encodeOptions(e);
        e.put("input_shape", inShape);
        e.put("channels", channels);
        e.put("filters", filters);
        e.put("kernel_size", kernelSize);
        e.put("strides", strides);
        e.put("dilation_rate", dilation);
        e.put("padding", padding.name());
        e.put("channels_first", channelsFirst);
        e.activation("activation", activation);
        e.activation("recurrent_activation", recurrentActivation);
        e.put("gates", "i|f|c|o");
        e.weights(weights());
    }

    static Layer decode(LayerDecoder d) {
        int[] in = d.ints("input_shape"), k = d.ints("kernel_size"), s = d.ints("strides"),
                dl = d.ints("dilation_rate");
        int ch = d.integer("channels"), f = d.integer("filters");
        WindowGeometry g = checkedGeometry(d.name(), in, ch, f, k, s, dl,
                d.enumValue("padding", WindowGeometry.Padding.values()));
        int gf = Shapes.multiply(d.name(), "the gate columns", GATES, f);
        Weight kw = d.weight("kernel", k.length + 2), rw = d.weight("recurrent_kernel", k.length + 2);
        Weight bw = d.optionalWeight("bias");
        int[] ks = Arrays.copyOf(k, k.length + 2);
        ks[k.length] = ch;
        ks[k.length + 1] = gf;
        d.expectShape(kw, ks);
        ks[k.length] = f;
        d.expectShape(rw, ks);
        if (bw != null) d.expectShape(bw, gf);
        d.expectNoOtherWeights("kernel", "recurrent_kernel", "bias");
        if (d.integer("units") != g.outputPositions() * f || d.integer("input_size") != g.inputPositions() * ch) {
            throw d.error("units and input_size do not match the input shape, kernel and filters");
        }
        return new ConvLstm(d.name(), g, k, s, dl, ch, f, d.enumValue("padding", WindowGeometry.Padding.values()),
                d.bool("channels_first"), d.activation("activation"), d.activation("recurrent_activation"),
                kw.values(), rw.values(), bw == null ? null : bw.values(), decodeOptions(d));
    }

    /**
     * Per timestep both convolutions as matrix products: {@code 2·S_out·4F·(K·C + K·F)} (K the window
     * positions).
     */
    @Override
    public long flops(int[][] in, int[][] out) {
        long steps = in[0].length >= 1 && in[0][0] > 0 ? in[0][0] : 1;
        long k = inputGeometry.windowPositions();
        return steps * 2L * inputGeometry.outputPositions() * GATES * filters * (k * channels + k * filters);
    }

    @Override
    public ConvLstm withWeights(List<float[]> v) {
        return new ConvLstm(name, inputGeometry, kernelSize, strides, dilation, channels, filters, padding,
                channelsFirst, activation, recurrentActivation, v.get(0), v.get(1), v.size() > 2 ? v.get(2) : null,
                options());
    }

    @Override
    public ConvLstm withName(String newName) {
        return new ConvLstm(newName, inputGeometry, kernelSize, strides, dilation, channels, filters, padding,
                channelsFirst, activation, recurrentActivation, kernel, recurrentKernel, bias, options());
    }

    /** Not run by the fused training path: ConvLSTM trains on its own form. */
    @Override public FusedCell fusedCell() { return null; }
}

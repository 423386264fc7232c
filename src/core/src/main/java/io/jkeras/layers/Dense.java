package io.jkeras.layers;

import io.jkeras.exceptions.InputException;
import io.jkeras.kernels.Activation;
import io.jkeras.kernels.Gemm;
import io.jkeras.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/** {@code y = act(x·W + b)} over the last axis; any leading axes are batch-like. */
public final class Dense implements Layer {
    @Override public <R> R accept(Visitor<R> v) { return v.visit(this); }

    private final String name;
    private final int inputSize;
    private final int units;
    private final Activation activation;
    private final float[] kernel; // (inputSize, units)
    private final float[] bias;   // (units) or null

    public Dense(String name, int inputSize, int units, Activation activation, float[] kernel, float[] bias) {
        this.name = name;
        this.inputSize = inputSize;
        this.units = units;
        this.activation = activation;
        Recurrent.checkShape(name, "kernel", kernel, inputSize, units);
        if (bias != null) Recurrent.checkShape(name, "bias", bias, units);
        this.kernel = kernel.clone();
        this.bias = bias == null ? null : bias.clone();
    }

    @Override public String name() { return name; }

    @Override public String typeName() { return "Dense"; }

    public int units() { return units; }

    public Activation activation() { return activation; }

    @Override
    public int[][] outputShapes(int[][] in) {
        Shapes.expectInputs(name, in, 1, 1);
        if (in[0].length < 1) throw new io.jkeras.exceptions.UnsupportedModelException(null, name, null,
                "expects input of rank at least 2, got a scalar per sample");
        Shapes.expectLastDim(name, in[0], inputSize);
        if (activation.outputWidth(units) != units && units % 2 != 0) {
            throw new io.jkeras.exceptions.UnsupportedModelException(null, name, null, "activation " + activation
                    + " needs an even number of units, got " + units);
        }
        int[] out = in[0].clone();
        out[out.length - 1] = activation.outputWidth(units);
        return new int[][]{out};
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, float[][] state) {
        Tensor x = inputs[0];
        if (x.rank() < 2 || x.dim(-1) != inputSize) {
            throw new InputException(null, name, null, "expects last input dimension " + inputSize + ", got "
                    + Tensor.shapeString(x.shape()));
        }
        int rows = x.size() / inputSize;
        float[] y = new float[rows * units];
        if (bias != null) for (int r = 0; r < rows; r++) System.arraycopy(bias, 0, y, r * units, units);
        Gemm.multiply(rows, units, inputSize, x.data(), 0, inputSize, kernel, 0, units, y, 0, units, true);
        if (activation != Activation.LINEAR) for (int r = 0; r < rows; r++) activation.apply(y, r * units, units);
        int[] shape = x.shape();
        int width = activation.outputWidth(units);
        shape[shape.length - 1] = width;
        return new Tensor[]{new Tensor(shape, width == units ? y : ActivationLayer.compact(y, rows, units, width),
                x.mask())};
    }

    /** {@link #forward} into {@code out[0]}: the same product and activation, nothing allocated. */
    @Override
    public void forwardInto(Tensor[] inputs, float[][] state, Tensor[] out) {
        Tensor x = inputs[0];
        boolean fits = activation.outputWidth(units) == units && out.length == 1 && x.rank() >= 2
                && x.dim(-1) == inputSize && out[0].rank() == x.rank() && out[0].dim(-1) == units;
        for (int d = 0; fits && d < x.rank() - 1; d++) fits = out[0].dim(d) == x.dim(d);
        if (!fits) {
            Shapes.copyOutputs(name, forward(inputs, state), out);
            return;
        }
        int rows = x.size() / inputSize;
        float[] y = out[0].data();
        if (bias != null) for (int r = 0; r < rows; r++) System.arraycopy(bias, 0, y, r * units, units);
        else java.util.Arrays.fill(y, 0, rows * units, 0f);
        Gemm.multiply(rows, units, inputSize, x.data(), 0, inputSize, kernel, 0, units, y, 0, units, true);
        if (activation != Activation.LINEAR) for (int r = 0; r < rows; r++) activation.apply(y, r * units, units);
    }

    @Override
    public List<Weight> weights() {
        List<Weight> w = new ArrayList<>();
        w.add(new Weight("kernel", new int[]{inputSize, units}, kernel.clone()));
        if (bias != null) w.add(new Weight("bias", new int[]{units}, bias.clone()));
        return w;
    }

    @Override
    public void encode(LayerEncoder e) {
        e.put("units", units);
        e.activation("activation", activation);
        e.weights(weights());
    }

    static Layer decode(LayerDecoder d) {
        Weight k = d.weight("kernel", 2);
        int units = d.integer("units");
        d.expectShape(k, k.shape()[0], units);
        Weight b = d.optionalWeight("bias");
        if (b != null) d.expectShape(b, units);
        d.expectNoOtherWeights("kernel", "bias");
        return new Dense(d.name(), k.shape()[0], units, d.activation("activation"), k.values(),
                b == null ? null : b.values());
    }

    /** {@code 2·F_in·units} per position. */
    @Override
    public long flops(int[][] in, int[][] out) {
        int[] s = in[0];
        long positions = 1;
        for (int i = 0; i < s.length - 1; i++) positions *= s[i];
        return positions * 2L * s[s.length - 1] * units;
    }

    @Override public int vocabulary() { return 0; }

    @Override
    public Layer withWeights(List<float[]> values) {
        return new Dense(name, inputSize, units, activation, values.get(0), values.size() > 1 ? values.get(1) : null);
    }
}

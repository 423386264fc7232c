package io.jkeras.layers;

import io.jkeras.kernels.RecurrentKernels;
import io.jkeras.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * A Keras 2 CuDNNLSTM or CuDNNGRU: computes with the equivalent engine layer (an {@link Lstm} or a
 * {@link Gru} with reset_after, built from the converted weights), while reporting the layer as
 * Keras does: its class name and its weights in the CuDNN layout as stored (LSTM bias 8·units, GRU
 * bias 6·units), so parameter counts and weight listings equal Keras'.
 */
public final class CudnnRecurrent extends Recurrent {
    @Override public <R> R accept(Visitor<R> v) { return v.visit(this); }

    private final String typeName;
    private final Recurrent inner;
    private final List<Weight> stored;

    /**
     * @param typeName Keras' class name, e.g. {@code CuDNNLSTM}
     * @param inner    the engine layer that computes, with the same name, units, input size and options
     * @param stored   the weights as the file holds them, in order
     */
    public CudnnRecurrent(String typeName, Recurrent inner, List<Weight> stored) {
        super(inner.name(), inner.units(), inner.inputSize(), inner.options());
        this.typeName = typeName;
        this.inner = inner;
        List<Weight> copy = new ArrayList<>();
        for (Weight w : stored) copy.add(new Weight(w.name(), w.shape().clone(), w.values().clone()));
        this.stored = List.copyOf(copy);
    }

    /** The engine layer doing the computation. */
    public Recurrent inner() { return inner; }

    @Override public String typeName() { return typeName; }

    @Override public int stateCount() { return inner.stateCount(); }

    @Override
    public List<Weight> weights() {
        List<Weight> out = new ArrayList<>();
        for (Weight w : stored) out.add(new Weight(w.name(), w.shape().clone(), w.values().clone()));
        return out;
    }

    @Override public int[][] outputShapes(int[][] in) { return inner.outputShapes(in); }

    @Override public Tensor[] forward(Tensor[] inputs, float[][] state) { return inner.forward(inputs, state); }

    @Override
    public void forwardInto(Tensor[] inputs, float[][] state, Tensor[] out) { inner.forwardInto(inputs, state, out); }

    @Override
    public void encode(LayerEncoder e) {
        e.put("type_name", typeName);
        e.layer("engine", inner);
        e.weights(weights()); // as the file stored them (CuDNN layout), for listing and saving
    }

    /** The layer {@link #encode} wrote. */
    static Layer decode(LayerDecoder d) {
        Layer inner = d.layer("engine");
        if (!(inner instanceof Recurrent r) || inner instanceof CudnnRecurrent) {
            throw d.error("'engine' must be a SimpleRnn, Lstm or Gru layer, got " + inner.getClass().getSimpleName());
        }
        if (!r.name().equals(d.name())) throw d.error("'engine' layer is named '" + r.name() + "', expected '"
                + d.name() + "'");
        return new CudnnRecurrent(d.string("type_name"), r, d.weights("kernel", "recurrent_kernel", "bias"));
    }

    @Override public long flops(int[][] in, int[][] out) { return inner.flops(in, out); }

    @Override public Recurrent withWeights(List<float[]> values) { throw Reinitialization.refused(this); }

    @Override
    public Recurrent withName(String newName) { return new CudnnRecurrent(typeName, inner.withName(newName), stored); }

    /** Trains on the tape. */
    @Override public FusedCell fusedCell() { return null; }

    @Override protected int projectionWidth() { return inner.projectionWidth(); }

    @Override protected float[] project(float[] x, int rows) { return inner.project(x, rows); }

    @Override
    protected void step(RecurrentKernels.Product p, float[] xp, int xpOff, float[][] states, int so, float[] z,
                        float[] scratch) {
        inner.step(p, xp, xpOff, states, so, z, scratch);
    }
}

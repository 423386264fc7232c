package io.jkeras.cli;

import io.jkeras.exceptions.InputException;
import io.jkeras.layers.ActivationLayer;
import io.jkeras.layers.BatchNormalization;
import io.jkeras.layers.Bidirectional;
import io.jkeras.layers.Concatenate;
import io.jkeras.layers.Conv1D;
import io.jkeras.layers.CudnnRecurrent;
import io.jkeras.layers.Dense;
import io.jkeras.layers.ElementwiseOp;
import io.jkeras.layers.Embedding;
import io.jkeras.layers.Flatten;
import io.jkeras.layers.Gru;
import io.jkeras.layers.Identity;
import io.jkeras.layers.InputLayer;
import io.jkeras.layers.Layer;
import io.jkeras.layers.Lstm;
import io.jkeras.layers.Masking;
import io.jkeras.layers.Merge;
import io.jkeras.layers.Permute;
import io.jkeras.layers.Recurrent;
import io.jkeras.layers.RepeatVector;
import io.jkeras.layers.Reshape;
import io.jkeras.layers.ShapeOp;
import io.jkeras.layers.SimpleRnn;
import io.jkeras.layers.Softmax;
import io.jkeras.layers.TimeDistributed;
import io.jkeras.model.Model;
import io.jkeras.model.Node;

/**
 * Floating-point operations of a model's forward pass, counted as the shared benchmark workloads
 * count them: dense matrix products only (bias adds, activations and gate products are left out,
 * about 1 %). A recurrent layer costs {@code 2·G·H·(F_in + H)} per time step per sample with
 * G = 4 for LSTM, 3 for GRU, 1 for SimpleRNN; a Dense layer {@code 2·F_in·units} per position;
 * Bidirectional counts both directions; TimeDistributed its inner layer once per step; Conv1D
 * {@code 2·kernel·(channels/groups)} per output value. Training counts as 3 × forward
 * ({@link #TRAINING_FACTOR}). Other layers count 0.
 */
public final class FlopCounter {
    /** Forward + backward (two products per forward product) in the workloads' convention. */
    public static final int TRAINING_FACTOR = 3;

    private FlopCounter() {}

    /**
     * Forward FLOPs for one sample of the given input shapes (without batch; every dimension
     * known). Shapes are propagated through the graph, so a layer after a Conv1D with strides sees
     * the shortened sequence.
     */
    public static long forwardPerSample(Model m, int[][] inputShapes) {
        if (inputShapes.length != m.inputCount()) {
            throw new InputException("model takes " + m.inputCount() + " input(s), got " + inputShapes.length
                    + " shape(s)");
        }
        int[][][] shapes = new int[m.nodes().size()][][];
        for (int i = 0; i < m.inputCount(); i++) {
            shapes[m.inputNodeIds().get(i)] = new int[][]{inputShapes[i].clone()};
        }
        long total = 0;
        for (Node n : m.nodes()) {
            if (n.layer() instanceof InputLayer) continue;
            int[][] in = new int[n.inputs().size()][];
            for (int k = 0; k < in.length; k++) {
                Node.Ref r = n.inputs().get(k);
                in[k] = shapes[r.node()][r.index()];
            }
            int[][] out = n.layer().outputShapes(in);
            shapes[n.id()] = out;
            total += layer(n.layer(), in, out);
        }
        return total;
    }

    /** Forward FLOPs of one sample for a model whose input shapes are all known. */
    public static long forwardPerSample(Model m) {
        int[][] s = new int[m.inputCount()][];
        for (int i = 0; i < s.length; i++) {
            s[i] = m.input(i).shape();
            for (int d : s[i]) {
                if (d < 0) throw new InputException("input '" + m.input(i).name() + "' has an unknown dimension "
                        + io.jkeras.tensor.Tensor.shapeString(s[i]) + "; give the shape");
            }
        }
        return forwardPerSample(m, s);
    }

    /** FLOPs of one call of {@code l} on one sample with inputs {@code in} and outputs {@code out}. */
    static long layer(Layer l, int[][] in, int[][] out) { return l.accept(new Counter(in, out)); }

    /** Each layer class's count for one call on one sample. */
    private static final class Counter implements Layer.Visitor<Long> {
        private final int[][] in, out;

        Counter(int[][] in, int[][] out) {
            this.in = in;
            this.out = out;
        }

        private long recurrent(Recurrent r, int gates) {
            long steps = in[0].length >= 2 ? in[0][0] : 1;
            return steps * 2 * gates * r.units() * ((long) r.inputSize() + r.units());
        }

        @Override public Long visit(Lstm l) { return recurrent(l, 4); }

        @Override public Long visit(Gru l) { return recurrent(l, 3); }

        @Override public Long visit(SimpleRnn l) { return recurrent(l, 1); }

        @Override public Long visit(CudnnRecurrent l) { return l.inner().accept(this); }

        @Override
        public Long visit(Bidirectional b) { return layer(b.forwardLayer(), in, out)
                + layer(b.backwardLayer(), in, out); }

        @Override
        public Long visit(Dense d) {
            int[] s = in[0];
            long positions = 1;
            for (int i = 0; i < s.length - 1; i++) positions *= s[i];
            return positions * 2L * s[s.length - 1] * d.units();
        }

        @Override
        public Long visit(TimeDistributed td) {
            int[] s = in[0];
            int[] inner = java.util.Arrays.copyOfRange(s, 1, s.length);
            int[][] innerOut = td.inner().outputShapes(new int[][]{inner});
            return (long) s[0] * layer(td.inner(), new int[][]{inner}, innerOut);
        }

        @Override
        public Long visit(Conv1D c) {
            long values = 1;
            for (int d : out[0]) values *= d;
            return values * 2L * c.kernelSize() * (c.channels() / c.groups());
        }

        // no dense products
        @Override public Long visit(InputLayer l) { return 0L; }

        @Override public Long visit(Embedding l) { return 0L; }

        @Override public Long visit(Masking l) { return 0L; }

        @Override public Long visit(Flatten l) { return 0L; }

        @Override public Long visit(Identity l) { return 0L; }

        @Override public Long visit(ActivationLayer l) { return 0L; }

        @Override public Long visit(RepeatVector l) { return 0L; }

        @Override public Long visit(BatchNormalization l) { return 0L; }

        @Override public Long visit(Reshape l) { return 0L; }

        @Override public Long visit(Permute l) { return 0L; }

        @Override public Long visit(Softmax l) { return 0L; }

        @Override public Long visit(Concatenate l) { return 0L; }

        @Override public Long visit(Merge l) { return 0L; }

        @Override public Long visit(ElementwiseOp l) { return 0L; }

        @Override public Long visit(ShapeOp l) { return 0L; }
    }
}

package io.jkeras.cli;

import io.jkeras.exceptions.InputException;
import io.jkeras.layers.InputLayer;
import io.jkeras.layers.Layer;
import io.jkeras.model.Model;
import io.jkeras.model.Node;

/**
 * Floating-point operations of a model's forward pass, counted as the shared benchmark workloads
 * count them: dense matrix products only (bias adds, activations and gate products are left out,
 * about 1 %). This walks the graph, propagating shapes; each layer counts its own
 * ({@link Layer#flops}): a recurrent layer {@code 2·G·H·(F_in + H)} per time step per sample with
 * G = 4 for LSTM, 3 for GRU, 1 for SimpleRNN; a Dense layer {@code 2·F_in·units} per position;
 * Bidirectional both directions; TimeDistributed its inner layer once per step; Conv1D
 * {@code 2·kernel·(channels/groups)} per output value; other layers 0. Training counts as 3 ×
 * forward ({@link #TRAINING_FACTOR}).
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
            total += n.layer().flops(in, out);
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
}

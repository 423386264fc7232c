package io.jkeras.model;

import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.layers.ActivationLayer;
import io.jkeras.layers.BatchNormalization;
import io.jkeras.layers.Concatenate;
import io.jkeras.layers.Dense;
import io.jkeras.layers.ElementwiseOp;
import io.jkeras.layers.Embedding;
import io.jkeras.layers.Identity;
import io.jkeras.layers.InputLayer;
import io.jkeras.layers.Layer;
import io.jkeras.layers.LayerNormalization;
import io.jkeras.layers.Masking;
import io.jkeras.layers.Merge;
import io.jkeras.layers.Recurrent;
import io.jkeras.layers.ShapeOp;
import io.jkeras.layers.Softmax;
import io.jkeras.layers.TimeDistributed;
import io.jkeras.layers.UnitNormalization;
import io.jkeras.tensor.Tensor;

/**
 * Whether a model can be fed one timestep at a time ({@link Session#step}) and, for each output, whether it has
 * the stream's time axis (axis 1). A tensor is <em>timed</em> when its axis 1 is the input's time axis, each
 * position computed from that timestep and, through a recurrent layer's carried state, the earlier ones; it is
 * <em>static</em> when it has no time axis but depends on the timesteps seen so far (the last output or final
 * state of a recurrent layer that does not return sequences). A layer is refused, by name, when its output at a
 * step would need later timesteps: one that mixes timesteps (Bidirectional, Flatten, Reshape, Permute,
 * RepeatVector, a convolution, pooling, global pooling or resizing applied to the sequence itself rather than
 * through TimeDistributed, attention without {@code use_causal_mask} or returning its scores, Dot,
 * GroupNormalization, a Softmax or layer/unit normalization over the
 * time axis, a concatenation along it, a custom layer whose computation is unknown), a recurrent layer running
 * backwards, or one that reads a whole sequence computed from static values (a layer
 * after a non-sequence recurrent layer that makes a new sequence of it). Layers not known to be per-timestep are
 * refused, so a new layer class streams only once it is listed here. ConvLSTM is a recurrent layer: it carries
 * its h and c from one step to the next as LSTM does. A causal Attention, AdditiveAttention or
 * MultiHeadAttention carries the keys and values seen so far (its key/value cache, {@link #carried}) and attends
 * each new query to them and to the chunk's own.
 */
final class StreamPlan {
    /** Per node, per output: whether it has the time axis. */
    private final boolean[][] timed;

    private StreamPlan(boolean[][] timed) { this.timed = timed; }

    boolean timedOutput(Node.Ref r) { return timed[r.node()][r.index()]; }

    static StreamPlan of(Model m) {
        boolean[][] timed = new boolean[m.nodes().size()][];
        int[][][] shapes = new int[m.nodes().size()][][];
        for (Node n : m.nodes()) {
            Layer l = n.layer();
            shapes[n.id()] = n.outputShapes();
            int outs = n.outputShapes().length;
            timed[n.id()] = new boolean[outs];
            if (l instanceof InputLayer) {
                if (((InputLayer) l).shape().length < 1) refuse(l, "has no time axis to stream over");
                java.util.Arrays.fill(timed[n.id()], true);
                continue;
            }
            int nTimed = 0;
            int[] first = null;
            for (Node.Ref r : n.inputs()) {
                if (timed[r.node()][r.index()]) {
                    nTimed++;
                    if (first == null) first = shapes[r.node()][r.index()];
                }
            }
            if (nTimed == 0) {   // computed from static values only
                if (l instanceof Recurrent) refuse(l, "runs over a sequence made from the output of a layer that"
                        + " has seen the whole stream (a recurrent layer without return_sequences)");
                continue;
            }
            if (nTimed < n.inputs().size()) refuse(l, "combines timesteps with values made from the whole stream");
            if (n.mask() != null && !timed[n.mask().node()][n.mask().index()]) {
                refuse(l, "takes a mask without a time axis");
            }
            java.util.Arrays.fill(timed[n.id()], perTimestep(l, first, n, shapes));
            if (l instanceof Recurrent) {
                for (int i = 1; i < outs; i++) timed[n.id()][i] = false;
            }
        }
        return new StreamPlan(timed);
    }

    /**
     * Checks that {@code l}, on timed inputs whose first is {@code in} (without batch), computes each timestep
     * from that timestep alone (a recurrent layer: from it and its state), and says whether its first output
     * keeps the time axis.
     */
    private static boolean perTimestep(Layer l, int[] in, Node n, int[][][] shapes) {
        int rank = in.length + 1;   // with the batch axis; the time axis is 1
        if (l instanceof Recurrent) {
            Recurrent r = (Recurrent) l;
            if (r.options().goBackwards()) refuse(l, "runs backwards (go_backwards): its first output needs the"
                    + " last timestep");
            if (n.inputs().size() > 1) refuse(l, "takes an initial state from another layer");
            return r.options().returnSequences();
        }
        if (l instanceof TimeDistributed || l instanceof Identity || l instanceof Merge
                || l instanceof ElementwiseOp || l instanceof Embedding) {
            return true;
        }
        if (l instanceof Dense || l instanceof ActivationLayer || l instanceof Masking) {
            if (rank < 3) refuse(l, "works over the last axis, which is the time axis here");
            return true;
        }
        if (l instanceof LayerNormalization) {
            // Keras' LayerNormalization/RMSNormalization: statistics over `axis` only (keras/src/layers/
            // normalization/layer_normalization.py), so per timestep unless axis 1 is among them
            for (int a : ((LayerNormalization) l).axes()) if (a == 1) refuse(l, "normalizes over the time axis");
            return true;
        }
        if (l instanceof UnitNormalization) {
            // Keras' UnitNormalization: the L2 norm over `axis` (keras/src/layers/normalization/unit_normalization.py)
            for (int a : ((UnitNormalization) l).axes()) if (a == 1) refuse(l, "normalizes over the time axis");
            return true;
        }
        if (l instanceof Softmax) {
            for (int a : ((Softmax) l).axes()) if (norm(a, rank) <= 1) refuse(l, "normalizes over the time axis");
            return true;
        }
        if (l instanceof BatchNormalization) {
            for (int a : ((BatchNormalization) l).axes()) {
                if (a == 1) refuse(l, "holds statistics per timestep (axis 1)");
            }
            return true;
        }
        if (l instanceof ShapeOp) {
            int[] axes = ((ShapeOp) l).axes();
            ShapeOp.Op op = ((ShapeOp) l).op();
            boolean elementwise = op != ShapeOp.Op.ANY && op != ShapeOp.Op.ALL && op != ShapeOp.Op.EXPAND_DIMS
                    && op != ShapeOp.Op.SQUEEZE;
            if (elementwise) return true;
            int r = op == ShapeOp.Op.EXPAND_DIMS ? rank + 1 : rank;
            if (axes == null) refuse(l, "works over every axis, the time axis included");
            for (int a : axes) if (norm(a, r) <= 1) refuse(l, "works over the time axis");
            return true;
        }
        if (l instanceof Concatenate) {
            // along the time axis the output has more timesteps than one input: try it with one timestep each
            int[][] ins = new int[n.inputs().size()][];
            for (int i = 0; i < ins.length; i++) {
                Node.Ref r = n.inputs().get(i);
                ins[i] = shapes[r.node()][r.index()].clone();
                ins[i][0] = 1;
            }
            if (l.outputShapes(ins)[0][0] != 1) refuse(l, "concatenates along the time axis");
            return true;
        }
        if (l instanceof io.jkeras.layers.Bidirectional) refuse(l, "also runs backwards from the last timestep");
        if (l instanceof io.jkeras.layers.Attention || l instanceof io.jkeras.layers.MultiHeadAttention) {
            String why = cacheRefusal(l);
            if (why != null) refuse(l, why);
            return true;
        }
        if (l instanceof io.jkeras.layers.CustomLayer) {
            refuse(l, "is a custom layer, which is not known to compute each timestep from that timestep alone");
        }
        refuse(l, "mixes timesteps: its output at one step needs the others");
        return false;
    }

    /**
     * A chunk's masked first steps output the previous output, as in one pass over the whole sequence: Keras'
     * rnn loop outputs, at a masked step, the output of the step before ({@code keras/src/backend/tensorflow/
     * rnn.py}, {@code tf.where(mask, output, prev_output)}, Keras 3.15.1), which is the layer's h (its state
     * 0) carried from the previous chunk, where the layer's own loop, starting the chunk, has zeros. With
     * {@code zero_output_for_mask} masked steps output zeros anyway.
     */
    static void repeatOutputOverMaskedStart(Recurrent r, boolean[] mask, float[] prevH, Tensor out) {
        if (r.options().zeroOutputForMask()) return;
        int batch = out.dim(0);
        int units = prevH.length / batch;   // one row's h: units, or a ConvLSTM's whole frame
        int steps = mask.length / batch;
        float[] y = out.data();
        boolean sequence = r.options().returnSequences();
        for (int b = 0; b < batch; b++) {
            int s = 0;   // streaming layers run forwards: step s is timestep s
            while (s < steps && !mask[b * steps + s]) {
                if (sequence) System.arraycopy(prevH, b * units, y, (b * steps + s) * units, units);
                s++;
            }
            // the last output: the previous one when the whole chunk is masked for this row
            if (!sequence && s == steps) System.arraycopy(prevH, b * units, y, b * units, units);
        }
    }

    /**
     * How many arrays of state {@code l} carries through a stream: a recurrent layer's (or a stateful one's)
     * {@link Layer#stateCount()}, or a causal attention layer's key/value cache (keys, values, counts), else 0.
     */
    static int carried(Layer l) {
        if (l.stateCount() > 0) return l.stateCount();
        return (l instanceof io.jkeras.layers.Attention || l instanceof io.jkeras.layers.MultiHeadAttention)
                && cacheRefusal(l) == null ? 3 : 0;
    }

    /**
     * Null when the attention layer {@code l} can stream with a key/value cache (each query attends to the keys
     * up to its own step: {@code use_causal_mask}, rank-3 inputs, no attention_mask input, no returned scores),
     * else why not.
     */
    private static String cacheRefusal(Layer l) {
        boolean causal, scores, other = false;
        if (l instanceof io.jkeras.layers.Attention) {
            causal = ((io.jkeras.layers.Attention) l).causal();
            scores = ((io.jkeras.layers.Attention) l).returnScores();
        } else {
            io.jkeras.layers.MultiHeadAttention m = (io.jkeras.layers.MultiHeadAttention) l;
            causal = m.causal();
            scores = m.returnScores();
            other = m.rank() != 3 || m.hasAttentionMask();
        }
        if (!causal) return "attends over the timesteps of its inputs without use_causal_mask: its output at one"
                + " step reads the later steps";
        if (scores) return "returns its attention scores, whose row at one step spans the whole sequence";
        if (other) return "takes an attention_mask or attends over more than one axis";
        return null;
    }

    private static int norm(int axis, int rank) { return axis < 0 ? axis + rank : axis; }

    private static void refuse(Layer l, String why) {
        throw new UnsupportedModelException(null, l.name(), null, l.typeName() + " " + why
                + ", so the model cannot be fed one timestep at a time (Session.step); use predict on whole"
                + " sequences");
    }
}

package io.jkeras.layers;

import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs a forward and a backward recurrent layer over the same input and merges their outputs
 * (concat, sum, ave, mul, or none: two outputs). With return_sequences the backward output is
 * flipped back into input order before merging. Outputs: the merged output (two with merge mode
 * none), then with return_state the forward states followed by the backward states. Initial
 * states, when given as extra inputs, are split the same way. As in Keras, both inner layers
 * output zeros at masked steps when they return sequences.
 */
public final class Bidirectional implements Layer {
    @Override public <R> R accept(Visitor<R> v) { return v.visit(this); }

    /** How the two directions are combined. */
    public enum Merge { CONCAT, SUM, AVE, MUL, NONE }

    private final String name;
    private final Recurrent forward;
    private final Recurrent backward;
    private final Merge merge;

    public Bidirectional(String name, Recurrent forward, Recurrent backward, Merge merge) {
        this.name = name;
        this.forward = forward;
        this.backward = backward;
        this.merge = merge;
        RecurrentOptions f = forward.options(), b = backward.options();
        if (f.goBackwards() == b.goBackwards()) {
            throw new UnsupportedModelException(null, name, null,
                    "forward and backward layers must differ in go_backwards");
        }
        if (f.returnSequences() != b.returnSequences() || f.returnState() != b.returnState()
                || f.stateful() != b.stateful()) {
            throw new UnsupportedModelException(null, name, null,
                    "forward and backward layers must agree on return_sequences, return_state and stateful");
        }
        if (forward.units() != backward.units() && merge != Merge.CONCAT && merge != Merge.NONE) {
            throw new UnsupportedModelException(null, name, null, "merge mode " + merge.name().toLowerCase()
                    + " needs equal units, got " + forward.units() + " and " + backward.units());
        }
    }

    public Recurrent forwardLayer() { return forward; }

    public Recurrent backwardLayer() { return backward; }

    public Merge merge() { return merge; }

    @Override public String name() { return name; }

    @Override public String typeName() { return "Bidirectional"; }

    @Override public boolean stateful() { return forward.stateful(); }

    @Override public int stateCount() { return forward.stateCount() + backward.stateCount(); }

    @Override
    public int[][] outputShapes(int[][] in) {
        int fs = forward.stateCount(), bs = backward.stateCount();
        if (in.length != 1 && in.length != 1 + fs + bs) {
            throw new UnsupportedModelException(null, name, null, "takes 1 input or 1 + " + (fs + bs)
                    + " (with initial states), got " + in.length);
        }
        int[][] fo = forward.outputShapes(slice(in, 0, fs));
        int[][] bo = backward.outputShapes(slice(in, fs, bs));
        List<int[]> out = new ArrayList<>();
        if (merge == Merge.NONE) {
            out.add(fo[0]);
            out.add(bo[0]);
        } else {
            int[] m = fo[0].clone();
            if (merge == Merge.CONCAT) {
                int last = m.length - 1;
                m[last] = Shapes.add(name, "the concatenated features", fo[0][last], bo[0][last]);
            }
            out.add(m);
        }
        for (int i = 1; i < fo.length; i++) out.add(fo[i]);
        for (int i = 1; i < bo.length; i++) out.add(bo[i]);
        return out.toArray(new int[0][]);
    }

    private static <T> T[] slice(T[] in, int from, int n) {
        T[] out = java.util.Arrays.copyOf(in, in.length == 1 ? 1 : 1 + n);
        if (in.length > 1) System.arraycopy(in, 1 + from, out, 1, n);
        return out;
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, float[][] state) {
        int fs = forward.stateCount(), bs = backward.stateCount();
        float[][] fState = null, bState = null;
        if (state != null) {
            fState = java.util.Arrays.copyOfRange(state, 0, fs);
            bState = java.util.Arrays.copyOfRange(state, fs, fs + bs);
        }
        Tensor[] y = forward.forward(slice(inputs, 0, fs), fState);
        Tensor[] yRev = backward.forward(slice(inputs, fs, bs), bState);
        if (state != null) {
            System.arraycopy(fState, 0, state, 0, fs);
            System.arraycopy(bState, 0, state, fs, bs);
        }
        Tensor a = y[0];
        Tensor b = yRev[0];
        boolean seq = forward.options().returnSequences();
        if (seq) b = flipTime(b);
        List<Tensor> out = new ArrayList<>();
        boolean[] mask = seq ? inputs[0].mask() : null;
        if (merge == Merge.NONE) {
            out.add(a.withMask(mask));
            out.add(b.withMask(mask));
        } else {
            out.add(merged(a, b, mask));
        }
        for (int i = 1; i < y.length; i++) out.add(y[i]);
        for (int i = 1; i < yRev.length; i++) out.add(yRev[i]);
        return out.toArray(new Tensor[0]);
    }

    private Tensor merged(Tensor a, Tensor b, boolean[] mask) {
        float[] x = a.data(), z = b.data();
        int[] shape = a.shape();
        if (merge == Merge.CONCAT) {
            int la = a.dim(-1), lb = b.dim(-1);
            int rows = la == 0 ? 0 : x.length / la;
            float[] o = new float[rows * (la + lb)];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(x, r * la, o, r * (la + lb), la);
                System.arraycopy(z, r * lb, o, r * (la + lb) + la, lb);
            }
            shape[shape.length - 1] = la + lb;
            return new Tensor(shape, o, mask);
        }
        float[] o = new float[x.length];
        for (int i = 0; i < o.length; i++) {
            o[i] = switch (merge) {
                case SUM -> x[i] + z[i];
                case AVE -> (x[i] + z[i]) / 2f;
                case MUL -> x[i] * z[i];
                default -> throw new IllegalStateException();
            };
        }
        return new Tensor(shape, o, mask);
    }

    private static Tensor flipTime(Tensor t) {
        int b = t.dim(0), steps = t.dim(1);
        int f = b * steps == 0 ? 0 : t.size() / (b * steps);
        float[] d = t.data();
        float[] o = new float[d.length];
        for (int i = 0; i < b; i++)
            for (int s = 0; s < steps; s++)
                System.arraycopy(d, (i * steps + s) * f, o, (i * steps + steps - 1 - s) * f, f);
        return new Tensor(t.shape(), o);
    }

    @Override public long nonTrainableParamCount() { return forward.nonTrainableParamCount()
            + backward.nonTrainableParamCount(); }

    /** Forward weights then backward weights, each prefixed with its layer's name. */
    @Override
    public List<Weight> weights() {
        List<Weight> w = new ArrayList<>();
        for (Weight x : forward.weights()) w.add(new Weight(forward.name() + "/" + x.name(), x.shape(), x.values()));
        for (Weight x : backward.weights()) w.add(new Weight(backward.name() + "/" + x.name(), x.shape(), x.values()));
        return w;
    }

    @Override
    public void encode(LayerEncoder e) {
        e.put("merge", merge.name());
        e.layer("forward", forward);
        e.layer("backward", backward);
    }

    static Layer decode(LayerDecoder d) {
        d.expectNoOtherWeights();
        return new Bidirectional(d.name(), d.recurrent("forward"), d.recurrent("backward"),
                d.enumValue("merge", Merge.values()));
    }

    /** Both directions'. */
    @Override public long flops(int[][] in, int[][] out) { return forward.flops(in, out) + backward.flops(in, out); }

    @Override public int vocabulary() { return 0; }

    /** {@code values}: the forward layer's weights, then the backward layer's. */
    @Override
    public Layer withWeights(List<float[]> values) {
        int nf = forward.weights().size();
        if (nf > values.size() || backward.weights().size() != values.size() - nf) {
            throw new IllegalArgumentException(name + " has " + (nf + backward.weights().size()) + " weights, got "
                    + values.size());
        }
        return new Bidirectional(name, forward.withWeights(values.subList(0, nf)),
                backward.withWeights(values.subList(nf, values.size())), merge);
    }
}

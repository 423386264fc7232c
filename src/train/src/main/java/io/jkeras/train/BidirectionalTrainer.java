package io.jkeras.train;

import io.jkeras.layers.Bidirectional;
import io.jkeras.layers.Layer;
import io.jkeras.layers.Recurrent;
import io.jkeras.layers.TrainingConfig;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Bidirectional in training form, as Keras 3's Bidirectional.call (keras/src/layers/rnn/bidirectional.py):
 * the forward and backward layers' training forms over the same input (initial states split in
 * half, forward first), the backward output flipped in time when returning sequences, then merged
 * (concat, sum, ave = (y + y_rev)/2, mul, or none: two outputs), followed with return_state by
 * the forward states then the backward states. zero_output_for_mask is the inner layers' option,
 * which the loader sets as Keras does (forced to return_sequences, bidirectional.py:137-143). The
 * merged output carries the input mask when returning sequences.
 *
 * <p>Parameters are named as {@link Bidirectional#weights()} names the weights under the
 * Bidirectional layer: layer {@code bidirectional/forward_lstm}, weight {@code kernel}, so
 * {@link Param#fullName()} is the model's full weight name. The layer's {@link TrainingConfig}
 * keys regularizers and constraints by {@code forward_lstm/kernel}; each inner form gets them
 * under their short names (and the layer's dropout rates).
 */
final class BidirectionalTrainer implements TrainableLayer {
    private final Bidirectional layer;
    private final TrainableLayer fwd, bwd;
    private final int fs, bs;

    BidirectionalTrainer(Layer l, TrainingConfig config) {
        this.layer = (Bidirectional) l;
        Recurrent f = layer.forwardLayer(), b = layer.backwardLayer();
        this.fwd = TrainableLayers.of(renamed(f, layer.name() + "/" + f.name()), inner(config, f.name()));
        this.bwd = TrainableLayers.of(renamed(b, layer.name() + "/" + b.name()), inner(config, b.name()));
        this.fs = f.stateCount();
        this.bs = b.stateCount();
    }

    @Override public Layer layer() { return layer; }

    @Override
    public List<Param> params() {
        List<Param> p = new ArrayList<>(fwd.params());
        p.addAll(bwd.params());
        return p;
    }

    @Override
    public Var[] forward(Tape t, Var[] in, TrainContext ctx, double[][] state) {
        Var x = in[0];
        Var[] fin = in.length == 1 ? new Var[]{x} : part(in, 0, fs);
        Var[] bin = in.length == 1 ? new Var[]{x} : part(in, fs, bs);
        double[][] fState = state == null ? null : Arrays.copyOfRange(state, 0, fs);
        double[][] bState = state == null ? null : Arrays.copyOfRange(state, fs, fs + bs);
        Var[] y = fwd.forward(t, fin, ctx, fState);
        Var[] yRev = bwd.forward(t, bin, ctx, bState);
        if (state != null) {
            System.arraycopy(fState, 0, state, 0, fs);
            System.arraycopy(bState, 0, state, fs, bs);
        }
        boolean seq = layer.forwardLayer().options().returnSequences();
        Var a = y[0], b = seq ? Ops.reverseTime(t, yRev[0]) : yRev[0];
        boolean[] mask = seq ? x.mask() : null;
        List<Var> out = new ArrayList<>();
        switch (layer.merge()) {
            case NONE -> { out.add(a.withMask(t, mask)); out.add(b.withMask(t, mask)); }
            case CONCAT -> out.add(Ops.concatLast(t, List.of(a, b)).withMask(t, mask));
            case SUM -> out.add(Ops.add(t, a, b).withMask(t, mask));
            case AVE -> out.add(Ops.scale(t, Ops.add(t, a, b), 0.5).withMask(t, mask));
            case MUL -> out.add(Ops.mul(t, a, b).withMask(t, mask));
        }
        out.addAll(Arrays.asList(y).subList(1, y.length));
        out.addAll(Arrays.asList(yRev).subList(1, yRev.length));
        return out.toArray(new Var[0]);
    }

    private static Var[] part(Var[] in, int from, int n) {
        Var[] r = new Var[1 + n];
        r[0] = in[0];
        System.arraycopy(in, 1 + from, r, 1, n);
        return r;
    }

    @Override
    public Layer rebuild() {
        return new Bidirectional(layer.name(), renamed((Recurrent) fwd.rebuild(), layer.forwardLayer().name()),
                renamed((Recurrent) bwd.rebuild(), layer.backwardLayer().name()), layer.merge());
    }

    /** The inner layer's config: the wrapper's rates, its weights' entries under their short names. */
    static TrainingConfig inner(TrainingConfig c, String innerName) {
        return new TrainingConfig(c.trainable(), c.dropout(), c.recurrentDropout(), strip(c.regularizers(), innerName),
                c.activityRegularizer(), strip(c.constraints(), innerName), strip(c.initializers(), innerName));
    }

    private static <V> Map<String, V> strip(Map<String, V> m, String innerName) {
        Map<String, V> r = new HashMap<>();
        String prefix = innerName + "/";
        for (Map.Entry<String, V> e : m.entrySet()) if (e.getKey().startsWith(prefix)) r.put(e.getKey()
                .substring(prefix.length()), e.getValue());
        for (Map.Entry<String, V> e : m.entrySet()) if (!e.getKey().contains("/")) r.putIfAbsent(e.getKey(),
                e.getValue());
        return r;
    }

    /** The same recurrent layer (weights copied bit for bit) under another name. */
    static Recurrent renamed(Recurrent r, String name) {
        if (r.name().equals(name)) return r;
        return r.withName(name);
    }
}

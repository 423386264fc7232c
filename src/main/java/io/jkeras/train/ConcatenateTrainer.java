package io.jkeras.train;

import io.jkeras.InputException;
import io.jkeras.UnsupportedModelException;
import io.jkeras.layers.Concatenate;
import io.jkeras.layers.Layer;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.model.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * Concatenate in training form: {@link Ops#concat} along the axis, gradients split back. Masks as
 * the engine layer combines them ((batch, timesteps, features) inputs; an unmasked input counts as
 * all true): along the timestep axis concatenated, along the feature axis OR (Keras 3) or AND
 * (Keras 1/2).
 */
final class ConcatenateTrainer implements TrainableLayer {
    private final Concatenate layer;

    ConcatenateTrainer(Layer l, TrainingConfig c) { this.layer = (Concatenate) l; }

    @Override public Layer layer() { return layer; }

    @Override public List<Param> params() { return List.of(); }

    @Override
    public Var[] forward(Tape t, Var[] in, TrainContext ctx, double[][] state) {
        int[] s0 = in[0].shape();
        int rank = s0.length;
        int a = layer.axis() < 0 ? layer.axis() + rank : layer.axis();
        if (a <= 0 || a >= rank) {
            throw new InputException(null, layer.name(), null, "axis " + layer.axis() + " is out of range for inputs of rank " + rank + " (with batch)");
        }
        for (Var v : in) {
            int[] s = v.shape();
            boolean ok = s.length == rank;
            for (int d = 0; ok && d < rank; d++) ok = d == a || s[d] == s0[d];
            if (!ok) throw new InputException(null, layer.name(), null, "inputs must match except on axis " + layer.axis() + "; got "
                    + Tensor.shapeString(s0) + " and " + Tensor.shapeString(s));
        }
        Var y = Ops.concat(t, Arrays.asList(in), a);
        return new Var[]{y.withMask(t, mask(in, a, y.shape()))};
    }

    private boolean[] mask(Var[] in, int a, int[] os) {
        boolean any = false;
        for (Var v : in) any |= v.mask() != null;
        if (!any) return null;
        if (os.length != 3) {
            throw new UnsupportedModelException(null, layer.name(), null, "received a timestep mask with inputs of rank " + os.length
                    + "; masks are supported on (batch, timesteps, features) inputs only");
        }
        int b = os[0];
        if (a == 1) {
            boolean[] m = new boolean[b * os[1]];
            for (int i = 0; i < b; i++) {
                int p = i * os[1];
                for (Var v : in) {
                    int ti = v.dim(1);
                    if (v.mask() == null) Arrays.fill(m, p, p + ti, true);
                    else System.arraycopy(v.mask(), i * ti, m, p, ti);
                    p += ti;
                }
            }
            return m;
        }
        int n = b * os[1];
        boolean[] m = new boolean[n];
        boolean all = layer.maskRule() == Concatenate.MaskRule.KERAS2_ALL;
        Arrays.fill(m, all);
        for (Var v : in) {
            boolean[] mi = v.mask();
            for (int i = 0; i < n; i++) {
                boolean x = mi == null || mi[i];
                m[i] = all ? m[i] && x : m[i] || x;
            }
        }
        return m;
    }

    @Override public Layer rebuild() { return layer; }
}

package io.jkeras.train;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.layers.Layer;
import io.jkeras.layers.Softmax;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.tensor.Tensor;

import java.util.List;

/**
 * The Softmax layer in training form, over one or several axes (Keras 3 Softmax.call,
 * keras/src/layers/activations/softmax.py): with a mask, masked logits are replaced by −1e9 before
 * the softmax ({@code where(mask, x, -1e9)}: no gradient to them) and masked outputs are set to 0
 * ({@code where(mask, y, 0)}); the mask passes on. Masks are accepted where the engine layer
 * accepts them (Keras 3 files, (batch, timesteps) inputs).
 */
final class SoftmaxTrainer implements TrainableLayer {
    private final Softmax layer;

    SoftmaxTrainer(Layer l, TrainingConfig c) { this.layer = (Softmax) l; }

    @Override public Layer layer() { return layer; }

    @Override public List<Param> params() { return List.of(); }

    @Override
    public Var[] forward(Tape t, Var[] in, TrainContext ctx, double[][] state) {
        Var x = in[0];
        int[] s = x.shape();
        int r = s.length;
        boolean[] red = new boolean[r];
        for (int a : layer.axes()) {
            int ax = a < 0 ? a + r : a;
            if (ax < 0 || ax >= r) throw new InputException(null, layer.name(), null, "axis " + a
                    + " is out of range for an input of rank " + r + " (with batch)");
            red[ax] = true;
        }
        boolean[] mask = x.mask();
        if (mask != null) {
            if (!layer.keras3Masking()) {
                throw new UnsupportedModelException(null, layer.name(), null,
                        "received a timestep mask; how a Keras 1/2 Softmax layer uses a mask"
                        + " differs between releases, so masked input is supported only for files written by Keras 3");
            }
            if (r != 2) {
                throw new UnsupportedModelException(null, layer.name(), null,
                        "received a (batch, timesteps) mask with input " + Tensor.shapeString(s)
                        + "; Keras broadcasts the mask against the trailing axes, which is only meaningful for"
                                + " (batch, timesteps) input");
            }
        }
        int[] stride = new int[r];
        if (r > 0) stride[r - 1] = 1;
        for (int i = r - 2; i >= 0; i--) stride[i] = stride[i + 1] * s[i + 1];
        int[] offs = Softmax.offsets(s, stride, red, true), bases = Softmax.offsets(s, stride, red, false);
        double[] xv = x.value();
        double[] p = new double[xv.length]; // softmax before the output mask
        double[] y = new double[xv.length];
        int gs = offs.length;
        if (gs > 0 && xv.length > 0) {
            double[] v = new double[gs];
            for (int base : bases) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < gs; j++) {
                    int i = base + offs[j];
                    v[j] = mask != null && !mask[i] ? -1e9 : xv[i];
                    max = Math.max(max, v[j]);
                }
                double sum = 0;
                for (int j = 0; j < gs; j++) { v[j] = Math.exp(v[j] - max); sum += v[j]; }
                for (int j = 0; j < gs; j++) {
                    int i = base + offs[j];
                    p[i] = v[j] / sum;
                    y[i] = mask != null && !mask[i] ? 0 : p[i];
                }
            }
        }
        Var out = Ops.result(t, s, y, x.needsGrad(), mask);
        if (out.needsGrad()) t.record(() -> {
            double[] g = out.grad;
            if (g == null) return;
            double[] gx = x.gradBuffer();
            for (int base : bases) {
                double dot = 0;
                for (int off : offs) {
                    int i = base + off;
                    if (mask == null || mask[i]) dot += g[i] * p[i];
                }
                for (int off : offs) {
                    int i = base + off;
                    if (mask == null || mask[i]) gx[i] += p[i] * (g[i] - dot);
                }
            }
        });
        return new Var[]{out};
    }

    @Override public Layer rebuild() { return layer; }
}

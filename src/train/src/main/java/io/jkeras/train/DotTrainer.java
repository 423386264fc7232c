package io.jkeras.train;

import io.jkeras.layers.Dot;
import io.jkeras.layers.Layer;

import java.util.Arrays;
import java.util.List;

/**
 * The Dot layer in training form, in double on the tape: optional L2 normalisation of each input along its dot
 * axis ({@link NormalizationTrainers#unitNorm}), then the batchwise contraction, whose gradient with respect to
 * each input is the contraction of the output gradient with the other input. No output mask.
 */
final class DotTrainer implements TrainableLayer {
    private final Dot layer;

    DotTrainer(Dot layer) { this.layer = layer; }

    @Override public Layer layer() { return layer; }

    @Override public List<Param> params() { return List.of(); }

    @Override
    public Var[] forward(Tape t, Var[] in, TrainContext ctx, double[][] state) {
        int[] s0 = in[0].shape(), s1 = in[1].shape();
        layer.outputShapes(new int[][]{Arrays.copyOfRange(s0, 1, s0.length), Arrays.copyOfRange(s1, 1, s1.length)});
        int a0 = layer.axis(0, s0.length), a1 = layer.axis(1, s1.length);
        int[] v0 = Dot.view(s0, a0), v1 = Dot.view(s1, a1);
        Var x = in[0], y = in[1];
        if (layer.normalize()) {
            x = NormalizationTrainers.unitNorm(t, x, s0[0] * v0[0], v0[1], v0[2]);
            y = NormalizationTrainers.unitNorm(t, y, s1[0] * v1[0], v1[1], v1[2]);
        }
        int batch = s0[0], n = v0[1], p0 = v0[0] * v0[2], p1 = v1[0] * v1[2];
        double[] xv = x.value(), yv = y.value(), out = new double[batch * p0 * p1];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < p0; i++) {
                for (int j = 0; j < p1; j++) {
                    double sum = 0;
                    for (int k = 0; k < n; k++) sum += xv[at(b, i, k, v0)] * yv[at(b, j, k, v1)];
                    out[(b * p0 + i) * p1 + j] = sum;
                }
            }
        }
        int[] shape = layer.outputShapes(new int[][]{Arrays.copyOfRange(s0, 1, s0.length),
            Arrays.copyOfRange(s1, 1, s1.length)})[0];
        int[] full = new int[shape.length + 1];
        full[0] = batch;
        System.arraycopy(shape, 0, full, 1, shape.length);
        Var fx = x, fy = y;
        Var o = Ops.result(t, full, out, fx.needsGrad() || fy.needsGrad(), null);
        if (o.needsGrad()) t.record(() -> {
            double[] g = o.grad;
            if (g == null) return;
            double[] dx = fx.needsGrad() ? fx.gradBuffer() : null, dy = fy.needsGrad() ? fy.gradBuffer() : null;
            for (int b = 0; b < batch; b++) {
                for (int i = 0; i < p0; i++) {
                    for (int j = 0; j < p1; j++) {
                        double gg = g[(b * p0 + i) * p1 + j];
                        for (int k = 0; k < n; k++) {
                            int xi = at(b, i, k, v0), yi = at(b, j, k, v1);
                            if (dx != null) dx[xi] += gg * yv[yi];
                            if (dy != null) dy[yi] += gg * xv[xi];
                        }
                    }
                }
            }
        });
        return new Var[]{o};
    }

    /** Element of sample b, other-axes position i, dot index k, for a sample view {@code (pre, n, post)}. */
    private static int at(int b, int i, int k, int[] v) {
        int n = v[1], post = v[2];
        return ((b * v[0] + i / post) * n + k) * post + i % post;
    }

    @Override public Layer rebuild() { return layer; }
}

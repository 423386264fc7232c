package io.jkeras.train.forms;

import io.jkeras.layers.Layer;
import io.jkeras.layers.Weight;
import io.jkeras.tensor.Tensor;
import io.jkeras.train.GradCheck;
import io.jkeras.train.Ops;
import io.jkeras.train.Param;
import io.jkeras.train.Tape;
import io.jkeras.train.TrainContext;
import io.jkeras.train.TrainableLayer;
import io.jkeras.train.Var;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The checks every training form passes: gradients against finite differences (double, 1e-6),
 * the forward pass with training off equal to the engine layer's (float) within 1e-5 with the
 * same output masks, and rebuild() holding the parameters bit for bit.
 */
final class FormChecks {
    private FormChecks() {}

    static final double GRAD_TOL = 1e-6;
    static final double FORWARD_TOL = 1e-5;

    /** An input: its values (exact floats), whether it is a gradient leaf, and its mask. */
    static final class In {
        final Var var;
        final boolean[] mask;

        In(Var var, boolean[] mask) {
            this.var = var;
            this.mask = mask;
        }

        Var on(Tape t) { return mask == null ? var : var.withMask(t, mask); }

        Tensor tensor() { return new Tensor(var.shape(), toFloat(var.value()), mask); }
    }

    static In leaf(Random r, boolean[] mask,
            int... shape) { return new In(Var.leaf(shape, rndF(r, size(shape), 1.0)), mask); }

    static In constant(double[] v, boolean[] mask, int... shape) { return new In(Var.constant(shape, v), mask); }

    static int size(int[] s) {
        int n = 1;
        for (int d : s) n *= d;
        return n;
    }

    /** Uniform in (-scale, scale), rounded to float so engine and form see the same values. */
    static double[] rndF(Random r, int n, double scale) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        return d;
    }

    static float[] rnd(Random r, int n, double scale) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        return f;
    }

    static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    /** A mask over (batch, steps) with the given (flat) positions false. */
    static boolean[] mask(int batch, int steps, int... off) {
        boolean[] m = new boolean[batch * steps];
        java.util.Arrays.fill(m, true);
        for (int i : off) m[i] = false;
        return m;
    }

    /** A loss weighing every output element differently. */
    static Var weightedSum(Tape t, Var[] outs) {
        Var total = null;
        for (Var o : outs) {
            Random r = new Random(o.size() * 31L + 7);
            double[] w = new double[o.size()];
            for (int i = 0; i < w.length; i++) w[i] = r.nextDouble() * 2 - 1;
            Var s = Ops.sum(t, Ops.mulConstant(t, o, w));
            total = total == null ? s : Ops.add(t, total, s);
        }
        return total;
    }

    static TrainContext inference() { return new TrainContext(false, null); }

    /** A training context whose dropout masks are the same on every call. */
    static Supplier<TrainContext> training(long seed) { return () -> new TrainContext(true, new SplittableRandom(seed));
            }

    static Var[] run(TrainableLayer form, Tape t, List<In> in, TrainContext ctx) {
        Var[] xs = new Var[in.size()];
        for (int i = 0; i < xs.length; i++) xs[i] = in.get(i).on(t);
        return form.forward(t, xs, ctx, null);
    }

    /** Gradient check over the leaf inputs and the trainable parameters. */
    static double grad(TrainableLayer form, List<In> in, Supplier<TrainContext> ctx) {
        List<Var> leaves = new ArrayList<>();
        for (In i : in) if (i.var.needsGrad()) leaves.add(i.var);
        for (Param p : form.params()) if (p.var().needsGrad()) leaves.add(p.var());
        double worst = GradCheck.check(leaves, t -> weightedSum(t, run(form, t, in, ctx.get())), GRAD_TOL);
        assertThat(worst).isLessThanOrEqualTo(GRAD_TOL);
        return worst;
    }

    static double grad(TrainableLayer form, List<In> in) { return grad(form, in, FormChecks::inference); }

    /** The training form's forward (training off) equals the engine layer's within 1e-5, masks included. */
    static void matchesEngine(TrainableLayer form, List<In> in) { matches(form.layer(), form, in); }

    static void matches(Layer engine, TrainableLayer form, List<In> in) {
        Tensor[] ts = new Tensor[in.size()];
        for (int i = 0; i < ts.length; i++) ts[i] = in.get(i).tensor();
        Tensor[] e = engine.forward(ts, null);
        Var[] v = run(form, new Tape(), in, inference());
        assertThat(v.length).as("output count").isEqualTo(e.length);
        for (int i = 0; i < e.length; i++) {
            assertThat(v[i].shape()).as("shape of output %d", i).isEqualTo(e[i].shape());
            assertThat(v[i].mask()).as("mask of output %d", i).isEqualTo(e[i].mask());
            for (int k = 0; k < e[i].size(); k++) {
                assertThat(v[i].value()[k]).as("output %d element %d", i, k)
                        .isCloseTo(e[i].data()[k], org.assertj.core.data.Offset.offset(FORWARD_TOL));
            }
        }
    }

    /**
     * Moves every parameter (as an optimizer would, then rounds to float32), rebuilds, and checks
     * the rebuilt layer's weights equal the parameters bit for bit, in order, with the same names
     * and shapes as the original layer's.
     */
    static Layer rebuildExact(TrainableLayer form) {
        Random r = new Random(99);
        List<Param> ps = form.params();
        for (Param p : ps) {
            double[] v = p.var().value();
            for (int i = 0; i < v.length; i++) v[i] += (r.nextDouble() - 0.5) * 0.01;
            p.roundToFloat();
        }
        Layer rebuilt = form.rebuild();
        List<Weight> before = form.layer().weights(), after = rebuilt.weights();
        assertThat(after).hasSameSizeAs(ps);
        assertThat(after).hasSameSizeAs(before);
        assertThat(rebuilt.name()).isEqualTo(form.layer().name());
        assertThat(rebuilt.getClass()).isEqualTo(form.layer().getClass());
        for (int i = 0; i < ps.size(); i++) {
            assertThat(after.get(i).name()).isEqualTo(before.get(i).name());
            assertThat(after.get(i).shape()).isEqualTo(before.get(i).shape());
            assertThat(after.get(i).shape()).isEqualTo(ps.get(i).shape());
            float[] want = ps.get(i).toFloats(), got = after.get(i).values();
            assertThat(got).hasSameSizeAs(want);
            for (int k = 0; k < want.length; k++) {
                assertThat(Float.floatToRawIntBits(got[k])).as("%s element %d", after.get(i).name(), k)
                        .isEqualTo(Float.floatToRawIntBits(want[k]));
            }
        }
        return rebuilt;
    }
}

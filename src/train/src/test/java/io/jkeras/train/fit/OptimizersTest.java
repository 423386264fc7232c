package io.jkeras.train.fit;

import io.jkeras.exceptions.InputException;
import io.jkeras.train.GradientClipping;
import io.jkeras.train.LearningRateSchedule;
import io.jkeras.train.LearningRateSchedules;
import io.jkeras.train.Param;
import io.jkeras.train.Tape;
import io.jkeras.train.Var;
import io.jkeras.train.KerasOptimizer;
import io.jkeras.train.OptimizerState;
import io.jkeras.train.Optimizers;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Keras 3 update rules, each against the formula of keras/src/optimizers/*.py written out here in
 * plain double arithmetic (the implementation rounds to float32 as Keras does, hence 1e-6).
 */
class OptimizersTest {
    static final double[] W0 = {0.5, -0.3, 0.8};
    static final double[][] GRADS = {{0.1, -0.2, 0.3}, {-0.05, 0.4, 0.1}, {0.2, 0.2, -0.3}, {0.0, -0.1, 0.05}};

    /** Runs the optimizer over GRADS on one param; returns the weights after each step. */
    static double[][] run(KerasOptimizer opt) {
        float[] w = new float[W0.length];
        for (int i = 0; i < w.length; i++) w[i] = (float) W0[i];
        Param p = new Param("dense", "kernel", new int[]{3}, w, true, null, null);
        double[][] out = new double[GRADS.length][];
        for (int s = 0; s < GRADS.length; s++) {
            setGrad(p, GRADS[s]);
            opt.step(List.of(p));
            out[s] = p.var().value().clone();
        }
        return out;
    }

    /** Gives the param a gradient by backpropagating Σ g·w. */
    static void setGrad(Param p, double[] g) {
        p.zeroGrad();
        Tape t = new Tape();
        Var loss = io.jkeras.train.Ops.sum(t, io.jkeras.train.Ops.mulConstant(t, p.var(), g));
        t.backward(loss);
    }

    static void assertMatches(double[][] got, double[][] want) {
        for (int s = 0; s < want.length; s++)
            for (int i = 0; i < want[s].length; i++)
                assertThat(got[s][i]).as("step %d element %d", s, i).isCloseTo(want[s][i], within(1e-6));
    }

    static double[][] reference(Stepper st) {
        double[] w = W0.clone();
        double[][] out = new double[GRADS.length][];
        for (int s = 0; s < GRADS.length; s++) {
            for (int i = 0; i < w.length; i++) w[i] = st.update(s, i, w[i], GRADS[s][i]);
            out[s] = w.clone();
        }
        return out;
    }

    interface Stepper { double update(int step, int i, double w, double g); }

    @Test
    void sgdPlainMomentumNesterov() {
        assertMatches(run(Optimizers.fromConfig(
                ConfigJson.parse("{\"class_name\":\"SGD\",\"config\":{\"learning_rate\":0.1}}"))),
                reference((s, i, w, g) -> w - 0.1 * g));
        double[] m = new double[3];
        assertMatches(run(Optimizers.fromConfig(
                ConfigJson.parse("{\"class_name\":\"SGD\",\"config\":{\"learning_rate\":0.1,\"momentum\":0.9}}"))),
                reference((s, i, w, g) -> { m[i] = 0.9 * m[i] - 0.1 * g; return w + m[i]; }));
        double[] mn = new double[3];
        assertMatches(run(Optimizers.fromConfig(
                ConfigJson.parse("{\"class_name\":\"SGD\",\"config\":{\"learning_rate\":0.1,\"momentum\":0.9,\"neste"
                        + "rov\":true}}"))),
                reference((s, i, w, g) -> { mn[i] = 0.9 * mn[i] - 0.1 * g; return w + 0.9 * mn[i] - 0.1 * g; }));
    }

    @Test
    void adamAndAmsgrad() {
        for (boolean ams : new boolean[]{false, true}) {
            double[] m = new double[3], v = new double[3], vh = new double[3];
            double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-7;
            double[][] want = reference((s, i, w, g) -> {
                double t = s + 1;
                double alpha = lr * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
                m[i] += (g - m[i]) * (1 - b1);
                v[i] += (g * g - v[i]) * (1 - b2);
                double vv = v[i];
                if (ams) { vh[i] = Math.max(vh[i], v[i]); vv = vh[i]; }
                return w - m[i] * alpha / (Math.sqrt(vv) + eps);
            });
            assertMatches(run(Optimizers.fromConfig(
                    ConfigJson.parse("{\"class_name\":\"Adam\",\"config\":{\"learning_rate\":0.01,\"amsgrad\":" + ams
                            + "}}"))), want);
        }
    }

    @Test
    void adamWDecaysBeforeTheAdamStep() {
        double[] m = new double[3], v = new double[3];
        double lr = 0.01, wd = 0.1;
        double[][] want = reference((s, i, w, g) -> {
            w = w - w * wd * lr;
            double t = s + 1;
            double alpha = lr * Math.sqrt(1 - Math.pow(0.999, t)) / (1 - Math.pow(0.9, t));
            m[i] += (g - m[i]) * 0.1;
            v[i] += (g * g - v[i]) * 0.001;
            return w - m[i] * alpha / (Math.sqrt(v[i]) + 1e-7);
        });
        assertMatches(run(Optimizers.fromConfig(
                ConfigJson.parse("{\"class_name\":\"AdamW\","
                        + "\"config\":{\"learning_rate\":0.01,\"weight_decay\":0.1}}"))), want);
        assertThat(Optimizers.byName("adamw").name()).isEqualTo("AdamW");
    }

    @Test
    void rmspropVariants() {
        for (boolean centered : new boolean[]{false, true}) {
            for (double mom : new double[]{0.0, 0.5}) {
                double[] v = new double[3], a = new double[3], mm = new double[3];
                double lr = 0.01, rho = 0.9, eps = 1e-7;
                double[][] want = reference((s, i, w, g) -> {
                    v[i] = rho * v[i] + (1 - rho) * g * g;
                    double den;
                    if (centered) { a[i] = rho * a[i] + (1 - rho) * g; den = v[i] - a[i] * a[i] + eps; } else den
                            = v[i] + eps;
                    double inc = lr * g / Math.sqrt(den);
                    if (mom > 0) { mm[i] = mom * mm[i] + inc; return w - mm[i]; }
                    return w - inc;
                });
                assertMatches(run(Optimizers.fromConfig(
                        ConfigJson.parse("{\"class_name\":\"RMSprop\",\"config\":{\"learning_rate\":0.01,\"momentum\":"
                                + mom
                        + ",\"centered\":" + centered + "}}"))), want);
            }
        }
    }

    @Test
    void adagrad() {
        double[] acc = {0.1, 0.1, 0.1};
        double[][] want = reference((s, i, w, g)
                -> { acc[i] += g * g; return w - 0.05 * g / Math.sqrt(acc[i] + 1e-7); });
        assertMatches(run(Optimizers.fromConfig(
                ConfigJson.parse("{\"class_name\":\"Adagrad\",\"config\":{\"learning_rate\":0.05}}"))), want);
    }

    @Test
    void clipping() {
        double[] g = {3, 4};
        GradientClipping.apply(List.of(g), 1.0, null, null);
        assertThat(g).containsExactly(new double[]{0.6, 0.8}, within(1e-12));
        double[] a = {3, 0}, b = {0, 4};
        GradientClipping.apply(List.of(a, b), null, 2.5, null);
        assertThat(a[0]).isCloseTo(1.5, within(1e-12));
        assertThat(b[1]).isCloseTo(2.0, within(1e-12));
        double[] c = {-3, 0.2, 7};
        GradientClipping.apply(List.of(c), null, null, 0.5);
        assertThat(c).containsExactly(new double[]{-0.5, 0.2, 0.5}, within(1e-7));
        double[] z = {0, 0};
        GradientClipping.apply(List.of(z), 1.0, null, null);
        assertThat(z).containsExactly(0, 0);
        assertThatThrownBy(()
                -> Optimizers.fromConfig(
                        ConfigJson.parse("{\"class_name\":\"SGD\",\"config\":{\"clipnorm\":1,\"clipvalue\":1}}")))
                .isInstanceOf(InputException.class);
        // clipnorm applies before the update: SGD lr 1 on gradient (3,4) clipped to norm 1
        KerasOptimizer sgd = Optimizers.fromConfig(
                ConfigJson.parse("{\"class_name\":\"SGD\",\"config\":{\"learning_rate\":1.0,\"clipnorm\":1.0}}"));
        Param p = new Param("d", "kernel", new int[]{2}, new float[]{0, 0}, true, null, null);
        setGrad(p, new double[]{3, 4});
        sgd.step(List.of(p));
        assertThat(p.var().value()).containsExactly(new double[]{-0.6, -0.8}, within(1e-7));
    }

    @Test
    void schedules() {
        LearningRateSchedule e = LearningRateSchedules.exponentialDecay(0.1, 10, 0.5, false);
        assertThat(e.at(0)).isCloseTo(0.1, within(1e-8));
        assertThat(e.at(5)).isCloseTo(0.1 * Math.pow(0.5, 0.5), within(1e-8));
        LearningRateSchedule st = LearningRateSchedules.exponentialDecay(0.1, 10, 0.5, true);
        assertThat(st.at(19)).isCloseTo(0.05, within(1e-8));
        assertThat(st.at(20)).isCloseTo(0.025, within(1e-8));
        LearningRateSchedule c = LearningRateSchedules.cosineDecay(0.1, 100, 0.1, null, 0);
        assertThat(c.at(50)).isCloseTo(0.1 * (0.9 * 0.5 * (1 + Math.cos(Math.PI * 0.5)) + 0.1), within(1e-8));
        assertThat(c.at(500)).isCloseTo(0.01, within(1e-8));
        LearningRateSchedule w = LearningRateSchedules.cosineDecay(0.0, 100, 0.0, 0.2, 10);
        assertThat(w.at(5)).isCloseTo(0.1, within(1e-8));
        assertThat(w.at(10)).isCloseTo(0.2, within(1e-8));
        assertThat(w.at(60)).isCloseTo(0.1, within(1e-7));
        // the schedule is read at `iterations` before the update: step 0 uses lr(0)
        KerasOptimizer sgd = Optimizers.fromConfig(
                ConfigJson.parse("{\"class_name\":\"SGD\",\"config\":{\"learning_rate\":{\"class_name\":\"Exponentia"
                        + "lDecay\","
                + "\"config\":{\"initial_learning_rate\":1.0,\"decay_steps\":1,\"decay_rate\":0.5,\"staircase\":true"
                        + "}}}}"));
        Param p = new Param("d", "kernel", new int[]{1}, new float[]{0}, true, null, null);
        for (int s = 0; s < 3; s++) { setGrad(p, new double[]{1}); sgd.step(List.of(p)); }
        assertThat(p.var().value()[0]).isCloseTo(-(1 + 0.5 + 0.25), within(1e-7));
        assertThat(sgd.iterations()).isEqualTo(3);
    }

    @Test
    void stateExportImportResumesExactly() {
        KerasOptimizer a = Optimizers.fromConfig(
                ConfigJson.parse("{\"class_name\":\"Adam\",\"config\":{\"learning_rate\":0.01,\"amsgrad\":true}}"));
        Param p = new Param("lstm", "kernel", new int[]{3}, new float[]{0.5f, -0.3f, 0.8f}, true, null, null);
        for (int s = 0; s < 2; s++) { setGrad(p, GRADS[s]); a.step(List.of(p)); }
        OptimizerState st = a.exportState();
        assertThat(st.iterations()).isEqualTo(2);
        assertThat(st.slots())
                .containsOnlyKeys("lstm/kernel/momentum", "lstm/kernel/velocity", "lstm/kernel/velocity_hat");
        Param q = new Param("lstm", "kernel", new int[]{3}, p.toFloats(), true, null, null);
        KerasOptimizer b = Optimizers.fromConfig(
                ConfigJson.parse("{\"class_name\":\"Adam\",\"config\":{\"learning_rate\":0.01,\"amsgrad\":true}}"));
        b.importState(st);
        for (int s = 2; s < 4; s++) {
            setGrad(p, GRADS[s]); a.step(List.of(p));
            setGrad(q, GRADS[s]); b.step(List.of(q));
        }
        assertThat(q.var().value()).containsExactly(p.var().value());
        assertThatThrownBy(() -> Optimizers.byName("sgd").importState(st)).isInstanceOf(InputException.class);
    }

    @Test
    void frozenOrGradientlessParamsAreSkipped() {
        KerasOptimizer sgd = Optimizers.fromConfig(
                ConfigJson.parse("{\"class_name\":\"SGD\",\"config\":{\"learning_rate\":1.0,\"weight_decay\":0.5}}"));
        Param frozen = new Param("d", "kernel", new int[]{1}, new float[]{1}, false, null, null);
        Param noGrad = new Param("d", "bias", new int[]{1}, new float[]{1}, true, null, null);
        sgd.step(List.of(frozen, noGrad));
        assertThat(frozen.var().value()[0]).isEqualTo(1.0);
        assertThat(noGrad.var().value()[0]).isEqualTo(1.0);
        assertThat(sgd.iterations()).isEqualTo(1);
    }
}

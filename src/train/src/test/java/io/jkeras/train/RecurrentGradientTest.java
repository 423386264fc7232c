package io.jkeras.train;

import io.jkeras.kernels.Activation;
import io.jkeras.layers.Dense;
import io.jkeras.layers.Lstm;
import io.jkeras.layers.RecurrentOptions;
import io.jkeras.layers.SimpleRnn;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Gradients of the recurrent and dense training forms against finite differences (double). */
class RecurrentGradientTest {
    static Stream<Arguments> options() {
        List<Arguments> a = new ArrayList<>();
        for (boolean seq : new boolean[]{false, true})
            for (boolean back : new boolean[]{false, true})
                for (boolean state : new boolean[]{false, true})
                    for (boolean masked : new boolean[]{false, true})
                        a.add(Arguments.of(seq, back, state, masked));
        return a.stream();
    }

    static float[] rnd(Random r, int n, double scale) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        return f;
    }

    static double[] rndD(Random r, int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = r.nextDouble() * 2 - 1;
        return d;
    }

    /** A loss that weighs every output element differently, so every gradient path is exercised. */
    static Var weightedSum(Tape t, Var[] outs, Random r) {
        Var total = null;
        for (Var o : outs) {
            double[] w = rndD(new Random(o.size() * 31L + 7), o.size());
            Var s = Ops.sum(t, Ops.mulConstant(t, o, w));
            total = total == null ? s : Ops.add(t, total, s);
        }
        return total;
    }

    @ParameterizedTest(name = "LSTM seq={0} backwards={1} returnState={2} masked={3}")
    @MethodSource("options")
    void lstm(boolean seq, boolean back, boolean returnState, boolean masked) {
        Random r = new Random(42);
        int units = 3, f = 2, batch = 2, steps = 4;
        Lstm l = new Lstm("lstm", units, f, Activation.TANH, Activation.SIGMOID, rnd(r, f * 4 * units, 0.5),
                rnd(r, units * 4 * units, 0.5), rnd(r, 4 * units, 0.5),
                        new RecurrentOptions(seq, returnState, back, false));
        check(new LstmTrainer(l, TrainingConfig.DEFAULT), batch, steps, f, masked, r);
    }

    @ParameterizedTest(name = "SimpleRNN seq={0} backwards={1} returnState={2} masked={3}")
    @MethodSource("options")
    void simpleRnn(boolean seq, boolean back, boolean returnState, boolean masked) {
        Random r = new Random(7);
        int units = 3, f = 2, batch = 2, steps = 4;
        SimpleRnn l = new SimpleRnn("rnn", units, f, Activation.TANH, rnd(r, f * units, 0.5),
                rnd(r, units * units, 0.5),
                rnd(r, units, 0.5), new RecurrentOptions(seq, returnState, back, false));
        check(new SimpleRnnTrainer(l, TrainingConfig.DEFAULT), batch, steps, f, masked, r);
    }

    /** Training-mode dropout: Keras 3's per-gate masks (recurrent_dropout set), fixed per sequence, differentiable. */
    @org.junit.jupiter.api.Test
    void lstmWithDropoutAndRecurrentDropoutInTraining() {
        Random r = new Random(11);
        int units = 3, f = 2, batch = 2, steps = 4;
        Lstm l = new Lstm("lstm", units, f, Activation.TANH, Activation.SIGMOID, rnd(r, f * 4 * units, 0.5),
                rnd(r, units * 4 * units, 0.5), rnd(r, 4 * units, 0.5),
                        new RecurrentOptions(true, false, false, false));
        TrainingConfig c = new TrainingConfig(true, 0.3, 0.4, java.util.Map.of(), null, java.util.Map.of());
        LstmTrainer form = new LstmTrainer(l, c);
        assertThat(form.dropoutGroups()).isEqualTo(4);
        Var x = Var.leaf(new int[]{batch, steps, f}, rndD(r, batch * steps * f));
        List<Var> leaves = new ArrayList<>(List.of(x));
        form.params().forEach(p -> leaves.add(p.var()));
        GradCheck.check(leaves, t -> weightedSum(t, form.forward(t, new Var[]{x},
                new TrainContext(true, new java.util.SplittableRandom(5)), null), r), 1e-6);
        Var[] train = form.forward(new Tape(), new Var[]{x}, new TrainContext(true, new java.util.SplittableRandom(5)),
                null);
        Var[] infer = form.forward(new Tape(), new Var[]{x}, new TrainContext(false, null), null);
        assertThat(train[0].value()).isNotEqualTo(infer[0].value());
    }

    @ParameterizedTest(name = "Dense {0}")
    @MethodSource("activations")
    void dense(Activation act) {
        Random r = new Random(3);
        Dense d = new Dense("dense", 4, 3, act, rnd(r, 12, 0.7), rnd(r, 3, 0.7));
        TrainableLayer form = TrainableLayers.of(d, TrainingConfig.DEFAULT);
        Var x = Var.leaf(new int[]{2, 5, 4}, rndD(r, 40));
        List<Var> leaves = new ArrayList<>(List.of(x));
        form.params().forEach(p -> leaves.add(p.var()));
        GradCheck.check(leaves, t
                -> weightedSum(t, form.forward(t, new Var[]{x}, new TrainContext(false, null), null), r), 1e-6);
    }

    static Stream<Activation> activations() {
        return Stream.of(Activation.LINEAR, Activation.TANH, Activation.SIGMOID, Activation.RELU, Activation.SOFTMAX);
    }

    private static void check(TrainableLayer form, int batch, int steps, int f, boolean masked, Random r) {
        boolean[] mask = null;
        if (masked) {
            mask = new boolean[batch * steps];
            java.util.Arrays.fill(mask, true);
            mask[1] = false;            // sample 0, step 1
            mask[batch * steps - 1] = false; // last step of the last sample
        }
        Var x = new Var(new int[]{batch, steps, f}, rndD(r, batch * steps * f), true, mask);
        List<Var> leaves = new ArrayList<>(List.of(x));
        form.params().forEach(p -> leaves.add(p.var()));
        double worst = GradCheck.check(leaves, t
                -> weightedSum(t, form.forward(t, new Var[]{x}, new TrainContext(false, null), null), r), 1e-6);
        assertThat(worst).isLessThanOrEqualTo(1e-6);
        // the training form's forward equals the engine's inference (float) within float rounding
        Tensor in = new Tensor(x.shape(), toFloat(x.value()), mask);
        Tensor[] engine = form.layer().forward(new Tensor[]{in}, null);
        Var[] train = form.forward(new Tape(), new Var[]{x}, new TrainContext(false, null), null);
        for (int i = 0; i < engine.length; i++) {
            for (int k = 0; k < engine[i].size(); k++) {
                assertThat((double) engine[i].data()[k])
                        .isCloseTo(train[i].value()[k], org.assertj.core.data.Offset.offset(1e-5));
            }
        }
    }

    static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }
}

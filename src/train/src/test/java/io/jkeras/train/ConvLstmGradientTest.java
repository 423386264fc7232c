package io.jkeras.train;

import io.jkeras.kernels.Activation;
import io.jkeras.kernels.WindowGeometry;
import io.jkeras.layers.ConvLstm;
import io.jkeras.layers.RecurrentOptions;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.tensor.Tensor;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static io.jkeras.train.RecurrentGradientTest.rnd;
import static io.jkeras.train.RecurrentGradientTest.rndD;
import static io.jkeras.train.RecurrentGradientTest.toFloat;
import static io.jkeras.train.RecurrentGradientTest.weightedSum;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * ConvLSTM's training form: gradients of every input and weight against finite differences (double),
 * and its forward pass against the engine layer's inference, for 1-, 2- and 3-D layers with every
 * option of the recurrent family, padding, strides, dilation and channels_first.
 */
class ConvLstmGradientTest {
    private static final WindowGeometry.Padding SAME = WindowGeometry.Padding.SAME;
    private static final WindowGeometry.Padding VALID = WindowGeometry.Padding.VALID;

    /** A small layer: input frame {@code in}, 2 channels, 2 filters. */
    static ConvLstm layer(int[] in, int[] k, int[] s, int[] d, WindowGeometry.Padding p, boolean cf, boolean bias,
                          RecurrentOptions o, long seed) {
        Random r = new Random(seed);
        int kk = 1;
        for (int x : k) kk *= x;
        int ch = 2, f = 2;
        return new ConvLstm("conv_lstm", in, ch, f, k, s, d, p, cf, Activation.TANH, Activation.SIGMOID,
                rnd(r, kk * ch * 4 * f, 0.6), rnd(r, kk * f * 4 * f, 0.6), bias ? rnd(r, 4 * f, 0.5) : null, o);
    }

    static Stream<Object[]> cases() {
        List<Object[]> a = new ArrayList<>();
        RecurrentOptions plain = new RecurrentOptions(false, false, false, false);
        a.add(new Object[]{"1D same", layer(new int[]{5}, new int[]{3}, new int[]{1}, new int[]{1}, SAME, false,
                true, plain, 1), false});
        a.add(new Object[]{"1D seq backwards state, masked", layer(new int[]{5}, new int[]{2}, new int[]{2},
                new int[]{1}, SAME, false, true, new RecurrentOptions(true, true, true, false), 2), true});
        a.add(new Object[]{"1D dilation cf no bias", layer(new int[]{6}, new int[]{2}, new int[]{1}, new int[]{2},
                VALID, true, false, new RecurrentOptions(true, false, false, false), 3), false});
        a.add(new Object[]{"2D valid strides, state", layer(new int[]{4, 3}, new int[]{2, 2}, new int[]{2, 1},
                new int[]{1, 1}, VALID, false, true, new RecurrentOptions(false, true, false, false), 4), true});
        a.add(new Object[]{"2D cf seq", layer(new int[]{3, 3}, new int[]{3, 2}, new int[]{1, 1}, new int[]{1, 1},
                SAME, true, true, new RecurrentOptions(true, true, false, false), 5), false});
        a.add(new Object[]{"3D same", layer(new int[]{2, 3, 2}, new int[]{2, 2, 2}, new int[]{1, 1, 1},
                new int[]{1, 1, 1}, SAME, false, true, new RecurrentOptions(true, false, true, false), 6), false});
        return a.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientsMatchFiniteDifferencesAndForwardMatchesInference(String label, ConvLstm l, boolean masked) {
        Random r = new Random(label.hashCode());
        TrainableLayer form = TrainableLayers.of(l, TrainingConfig.DEFAULT);
        int batch = 2, steps = 3;
        int[] frame = l.inputFrame();
        int[] shape = new int[frame.length + 2];
        shape[0] = batch;
        shape[1] = steps;
        System.arraycopy(frame, 0, shape, 2, frame.length);
        int n = batch * steps * l.inputSize();
        boolean[] mask = null;
        if (masked) {
            mask = new boolean[batch * steps];
            java.util.Arrays.fill(mask, true);
            mask[1] = false;
            mask[batch * steps - 1] = false;
        }
        Var x = new Var(shape, rndD(r, n), true, mask);
        List<Var> leaves = new ArrayList<>(List.of(x));
        form.params().forEach(p -> leaves.add(p.var()));
        double worst = GradCheck.check(leaves, t
                -> weightedSum(t, form.forward(t, new Var[]{x}, new TrainContext(false, null), null), r), 1e-6);
        assertThat(worst).isLessThanOrEqualTo(1e-6);
        Tensor[] engine = l.forward(new Tensor[]{new Tensor(shape, toFloat(x.value()), mask)}, null);
        Var[] train = form.forward(new Tape(), new Var[]{x}, new TrainContext(false, null), null);
        assertThat(train).hasSameSizeAs(engine);
        for (int i = 0; i < engine.length; i++) {
            assertThat(train[i].shape()).containsExactly(engine[i].shape());
            for (int k = 0; k < engine[i].size(); k++) {
                assertThat((double) engine[i].data()[k]).isCloseTo(train[i].value()[k], Offset.offset(1e-5));
            }
        }
    }

    @Test
    void rebuildHoldsTheTrainedWeights() {
        ConvLstm l = layer(new int[]{4}, new int[]{3}, new int[]{1}, new int[]{1}, SAME, false, true,
                new RecurrentOptions(false, false, false, false), 7);
        TrainableLayer form = TrainableLayers.of(l, TrainingConfig.DEFAULT);
        form.params().get(2).var().value()[0] += 0.25;
        ConvLstm back = (ConvLstm) form.rebuild();
        assertThat(back.weights().get(2).values()[0]).isEqualTo(l.weights().get(2).values()[0] + 0.25f);
        assertThat(back.weights().get(0).values()).containsExactly(l.weights().get(0).values());
    }

    static Stream<Object[]> dropoutCases() {
        return Stream.of(
                new Object[]{"1D seq", layer(new int[]{5}, new int[]{3}, new int[]{1}, new int[]{1}, SAME, false, true,
                        new RecurrentOptions(true, false, false, false), 8)},
                new Object[]{"2D cf strides", layer(new int[]{4, 3}, new int[]{2, 2}, new int[]{2, 1}, new int[]{1, 1},
                        VALID, true, true, new RecurrentOptions(false, false, false, false), 9)});
    }

    /**
     * Dropout and recurrent dropout while training (four masks each, one per gate, as Keras' ConvLSTMCell): the
     * gradient is that of the forward under the same masks (a seeded context draws the same masks on every call),
     * the masks change the output, and masks that keep everything (a rate of 1e-12) give the inference output,
     * which they only do if each gate's columns are taken from and put back into the right places.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dropoutCases")
    void trainsWithPerGateDropoutAndRecurrentDropout(String label, ConvLstm l) {
        int[] frame = l.inputFrame();
        int[] shape = new int[frame.length + 2];
        shape[0] = 2;
        shape[1] = 3;
        System.arraycopy(frame, 0, shape, 2, frame.length);
        Random r = new Random(label.hashCode());
        Var x = new Var(shape, rndD(r, 2 * 3 * l.inputSize()), true, null);
        TrainingConfig drop = new TrainingConfig(true, 0.3, 0.4, java.util.Map.of(), null, java.util.Map.of());
        TrainableLayer form = TrainableLayers.of(l, drop);
        List<Var> leaves = new ArrayList<>(List.of(x));
        form.params().forEach(p -> leaves.add(p.var()));
        GradCheck.check(leaves, t -> weightedSum(t, form.forward(t, new Var[]{x},
                new TrainContext(true, new java.util.SplittableRandom(5)), null), new Random(3)), 1e-6);

        double[] inference = form.forward(new Tape(), new Var[]{x}, new TrainContext(false, null), null)[0].value();
        double[] dropped = form.forward(new Tape(), new Var[]{x},
                new TrainContext(true, new java.util.SplittableRandom(5)), null)[0].value();
        assertThat(dropped).isNotEqualTo(inference);
        TrainingConfig keepAll = new TrainingConfig(true, 1e-12, 1e-12, java.util.Map.of(), null, java.util.Map.of());
        double[] kept = TrainableLayers.of(l, keepAll).forward(new Tape(), new Var[]{x},
                new TrainContext(true, new java.util.SplittableRandom(5)), null)[0].value();
        assertThat(kept).hasSameSizeAs(inference);
        for (int i = 0; i < kept.length; i++) assertThat(kept[i]).isCloseTo(inference[i], Offset.offset(1e-9));
    }
}

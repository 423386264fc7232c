package io.jkeras.train.forms;

import io.jkeras.kernels.Activation;
import io.jkeras.layers.Bidirectional;
import io.jkeras.layers.Gru;
import io.jkeras.layers.Lstm;
import io.jkeras.layers.Recurrent;
import io.jkeras.layers.RecurrentOptions;
import io.jkeras.layers.SimpleRnn;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.tensor.Tensor;
import io.jkeras.train.Param;
import io.jkeras.train.Tape;
import io.jkeras.train.TrainableLayer;
import io.jkeras.train.TrainableLayers;
import io.jkeras.train.Var;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static io.jkeras.train.forms.FormChecks.In;
import static org.assertj.core.api.Assertions.assertThat;

class BidirectionalTrainerTest {
    static final int F = 2, B = 2, T = 4;

    static Stream<Arguments> options() {
        List<Arguments> a = new ArrayList<>();
        for (String inner : new String[]{"lstm", "gru", "simple_rnn"})
            for (Bidirectional.Merge m : Bidirectional.Merge.values())
                for (boolean seq : new boolean[]{false, true})
                    for (boolean state : new boolean[]{false, true})
                        for (boolean masked : new boolean[]{false, true})
                            a.add(Arguments.of(inner, m, seq, state, masked));
        return a.stream();
    }

    static Recurrent inner(String kind, String name, int units, Random r, RecurrentOptions o) {
        return switch (kind) {
            case "lstm" -> new Lstm(name, units, F, Activation.TANH, Activation.SIGMOID,
                    FormChecks.rnd(r, F * 4 * units, 0.6),
                    FormChecks.rnd(r, units * 4 * units, 0.6), FormChecks.rnd(r, 4 * units, 0.6), o);
            case "gru" -> new Gru(name, units, F, Activation.TANH, Activation.SIGMOID, true,
                    FormChecks.rnd(r, F * 3 * units, 0.6),
                    FormChecks.rnd(r, units * 3 * units, 0.6), FormChecks.rnd(r, 6 * units, 0.6), o);
            default -> new SimpleRnn(name, units, F, Activation.TANH, FormChecks.rnd(r, F * units, 0.6),
                    FormChecks.rnd(r, units * units, 0.6), FormChecks.rnd(r, units, 0.6), o);
        };
    }

    /** As the loader builds it for Keras 3: zero_output_for_mask = return_sequences on both sides. */
    static Bidirectional bidi(String kind, Bidirectional.Merge m, boolean seq, boolean state, Random r,
            boolean stateful) {
        RecurrentOptions o = new RecurrentOptions(seq, state, false, stateful, seq);
        int bu = m == Bidirectional.Merge.CONCAT || m == Bidirectional.Merge.NONE ? 2 : 3;
        return new Bidirectional("bidirectional", inner(kind, "forward_" + kind, 3, r, o),
                inner(kind, "backward_" + kind, bu, r, o.withGoBackwards(true)), m);
    }

    @ParameterizedTest(name = "{0} merge={1} seq={2} returnState={3} masked={4}")
    @MethodSource("options")
    void gradientsAndEngine(String kind, Bidirectional.Merge m, boolean seq, boolean state, boolean masked) {
        Random r = new Random(21);
        Bidirectional l = bidi(kind, m, seq, state, r, false);
        TrainableLayer form = TrainableLayers.of(l, TrainingConfig.DEFAULT);
        List<In> in = List.of(FormChecks.leaf(r, masked ? FormChecks.mask(B, T, 0, 2, B * T - 1) : null, B, T, F));
        FormChecks.grad(form, in);
        FormChecks.matchesEngine(form, in);
        FormChecks.rebuildExact(form);
    }

    @Test
    void initialStatesSplitInHalves() {
        Random r = new Random(22);
        Bidirectional l = bidi("lstm", Bidirectional.Merge.CONCAT, true, true, r, false);
        TrainableLayer form = TrainableLayers.of(l, TrainingConfig.DEFAULT);
        List<In> in = List.of(FormChecks.leaf(r, FormChecks.mask(B, T, 3), B, T, F), FormChecks.leaf(r, null, B, 3),
                FormChecks.leaf(r, null, B, 3),
                FormChecks.leaf(r, null, B, 2), FormChecks.leaf(r, null, B, 2));
        FormChecks.grad(form, in);
        FormChecks.matchesEngine(form, in);
    }

    @Test
    void statefulCarriesBothDirections() {
        Random r = new Random(23);
        Bidirectional l = bidi("gru", Bidirectional.Merge.SUM, false, false, r, true);
        TrainableLayer form = TrainableLayers.of(l, TrainingConfig.DEFAULT);
        float[][] es = new float[2][];
        double[][] fs = new double[2][];
        for (int call = 0; call < 3; call++) {
            In x = FormChecks.leaf(r, null, B, T, F);
            Tensor e = l.forward(new Tensor[]{x.tensor()}, es)[0];
            Var v = form.forward(new Tape(), new Var[]{x.var}, FormChecks.inference(), fs)[0];
            for (int k = 0; k < e.size(); k++) assertThat(v.value()[k])
                    .isCloseTo(e.data()[k], org.assertj.core.data.Offset.offset(1e-5));
            for (int s = 0; s < 2; s++)
                for (int k = 0; k < es[s].length; k++) assertThat(fs[s][k])
                        .isCloseTo(es[s][k], org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    /** Parameters carry the model's full weight names; the layer config's entries reach the inner forms. */
    @Test
    void namesAndConfig() {
        Random r = new Random(24);
        Bidirectional l = bidi("lstm", Bidirectional.Merge.CONCAT, false, false, r, false);
        TrainingConfig.Regularizer reg = new TrainingConfig.Regularizer(0, 0.01);
        TrainingConfig c = new TrainingConfig(true, 0, 0, Map.of("forward_lstm/kernel", reg), null, Map.of());
        TrainableLayer form = TrainableLayers.of(l, c);
        List<String> names = form.params().stream().map(Param::fullName).toList();
        assertThat(names).containsExactly("bidirectional/forward_lstm/kernel",
                "bidirectional/forward_lstm/recurrent_kernel",
                "bidirectional/forward_lstm/bias", "bidirectional/backward_lstm/kernel",
                        "bidirectional/backward_lstm/recurrent_kernel",
                "bidirectional/backward_lstm/bias");
        assertThat(form.params().get(0).regularizer()).isEqualTo(reg);
        assertThat(form.params().get(3).regularizer()).isNull();
        List<String> engine = new ArrayList<>();
        for (var w : l.weights()) engine.add(l.name() + "/" + w.name());
        assertThat(names).isEqualTo(engine);
    }
}

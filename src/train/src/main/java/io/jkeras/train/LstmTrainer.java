package io.jkeras.train;

import io.jkeras.layers.Layer;
import io.jkeras.layers.Lstm;
import io.jkeras.layers.TrainingConfig;

import java.util.ArrayList;
import java.util.List;

/** LSTM in training form: gates i, f, c, o as Keras 3's LSTMCell computes them. */
final class LstmTrainer extends RecurrentTrainer {
    private final Lstm lstm;

    LstmTrainer(Lstm lstm, TrainingConfig config) {
        super(lstm, config);
        this.lstm = lstm;
    }

    @Override int stateCount() { return 2; }

    /** Keras 3's LSTM uses its per-gate implementation (four masks) whenever recurrent_dropout is set. */
    @Override int dropoutGroups() { return active(config.recurrentDropout()) ? 4 : 1; }

    @Override
    Var[] step(Tape t, Var xp, Var[] states, Var hDropped) {
        int u = units;
        Var rec;
        if (recurrentMasks == null) {
            rec = Ops.matmul(t, hDropped, recurrent.var());
        } else {
            List<Var> parts = new ArrayList<>();
            for (int g = 0; g < 4; g++) {
                parts.add(Ops.matmul(t, Ops.mulConstant(t, states[0], recurrentMasks[g]),
                        Ops.sliceLast(t, recurrent.var(), g * u, u)));
            }
            rec = Ops.concatLast(t, parts);
        }
        return cell(t, Ops.add(t, xp, rec), states[1], lstm, u);
    }

    /**
     * The LSTM cell from its pre-activations {@code z = x·W + b + h·U} (batch, 4u) and the previous
     * carry {@code c}: returns {h, c}.
     */
    static Var[] cell(Tape t, Var z, Var cPrev, Lstm lstm, int u) {
        Var i = Ops.activation(t, Ops.sliceLast(t, z, 0, u), lstm.recurrentActivation());
        Var f = Ops.activation(t, Ops.sliceLast(t, z, u, u), lstm.recurrentActivation());
        Var g = Ops.activation(t, Ops.sliceLast(t, z, 2 * u, u), lstm.activation());
        Var o = Ops.activation(t, Ops.sliceLast(t, z, 3 * u, u), lstm.recurrentActivation());
        Var c = Ops.add(t, Ops.mul(t, f, cPrev), Ops.mul(t, i, g));
        Var h = Ops.mul(t, o, Ops.activation(t, c, lstm.activation()));
        return new Var[]{h, c};
    }

    @Override
    public Layer rebuild() {
        return new Lstm(lstm.name(), units, lstm.inputSize(), lstm.activation(), lstm.recurrentActivation(),
                kernel.toFloats(), recurrent.toFloats(), bias == null ? null : bias.toFloats(), options);
    }
}

package io.jkeras.train;

import io.jkeras.layers.Layer;
import io.jkeras.layers.Lstm;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.layers.Weight;

import java.util.ArrayList;
import java.util.List;

/** LSTM in training form: gates i, f, c, o as Keras 3's LSTMCell computes them. */
final class LstmTrainer extends RecurrentTrainer {
    private final Lstm lstm;
    private final Param kernel, recurrent, bias;

    LstmTrainer(Lstm lstm, TrainingConfig config) {
        super(lstm, config);
        this.lstm = lstm;
        List<Weight> w = lstm.weights();
        this.kernel = TrainableLayers.param(lstm, w.get(0), config);
        this.recurrent = TrainableLayers.param(lstm, w.get(1), config);
        this.bias = w.size() > 2 ? TrainableLayers.param(lstm, w.get(2), config) : null;
    }

    @Override int stateCount() { return 2; }

    /** Keras 3's LSTM uses its per-gate implementation (four masks) whenever recurrent_dropout is set. */
    @Override int dropoutGroups() { return active(config.recurrentDropout()) ? 4 : 1; }

    @Override
    public List<Param> params() {
        List<Param> p = new ArrayList<>(List.of(kernel, recurrent));
        if (bias != null) p.add(bias);
        return p;
    }

    @Override
    Var project(Tape t, Var x) {
        Var z = Ops.matmul(t, x, kernel.var());
        return bias == null ? z : Ops.addBias(t, z, bias.var());
    }

    @Override
    Var[] step(Tape t, Var xp, Var[] states, Var hDropped) {
        int u = units;
        Var rec;
        if (recurrentMasks == null) {
            rec = Ops.matmul(t, hDropped, recurrent.var());
        } else {
            List<Var> parts = new ArrayList<>();
            for (int g = 0; g < 4; g++) {
                parts.add(Ops.matmul(t, Ops.mulConstant(t, states[0], recurrentMasks[g]), Ops.sliceLast(t, recurrent.var(), g * u, u)));
            }
            rec = Ops.concatLast(t, parts);
        }
        Var z = Ops.add(t, xp, rec);
        Var i = Ops.activation(t, Ops.sliceLast(t, z, 0, u), lstm.recurrentActivation());
        Var f = Ops.activation(t, Ops.sliceLast(t, z, u, u), lstm.recurrentActivation());
        Var g = Ops.activation(t, Ops.sliceLast(t, z, 2 * u, u), lstm.activation());
        Var o = Ops.activation(t, Ops.sliceLast(t, z, 3 * u, u), lstm.recurrentActivation());
        Var c = Ops.add(t, Ops.mul(t, f, states[1]), Ops.mul(t, i, g));
        Var h = Ops.mul(t, o, Ops.activation(t, c, lstm.activation()));
        return new Var[]{h, c};
    }

    @Override
    public Layer rebuild() {
        return new Lstm(lstm.name(), units, lstm.inputSize(), lstm.activation(), lstm.recurrentActivation(),
                kernel.toFloats(), recurrent.toFloats(), bias == null ? null : bias.toFloats(), options);
    }
}

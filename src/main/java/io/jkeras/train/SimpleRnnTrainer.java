package io.jkeras.train;

import io.jkeras.layers.Layer;
import io.jkeras.layers.SimpleRnn;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.layers.Weight;

import java.util.ArrayList;
import java.util.List;

/** SimpleRNN in training form: {@code h = act(x·W + b + h·U)}. */
final class SimpleRnnTrainer extends RecurrentTrainer {
    private final SimpleRnn rnn;
    private final Param kernel, recurrent, bias;

    SimpleRnnTrainer(SimpleRnn rnn, TrainingConfig config) {
        super(rnn, config);
        this.rnn = rnn;
        List<Weight> w = rnn.weights();
        this.kernel = TrainableLayers.param(rnn, w.get(0), config);
        this.recurrent = TrainableLayers.param(rnn, w.get(1), config);
        this.bias = w.size() > 2 ? TrainableLayers.param(rnn, w.get(2), config) : null;
    }

    @Override int stateCount() { return 1; }

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
        Var h = Ops.activation(t, Ops.add(t, xp, Ops.matmul(t, hDropped, recurrent.var())), rnn.activation());
        return new Var[]{h};
    }

    @Override
    public Layer rebuild() {
        return new SimpleRnn(rnn.name(), units, rnn.inputSize(), rnn.activation(),
                kernel.toFloats(), recurrent.toFloats(), bias == null ? null : bias.toFloats(), options);
    }
}

package io.jkeras.train;

import io.jkeras.layers.Layer;
import io.jkeras.layers.SimpleRnn;
import io.jkeras.layers.TrainingConfig;


/** SimpleRNN in training form: {@code h = act(x·W + b + h·U)}. */
final class SimpleRnnTrainer extends RecurrentTrainer {
    private final SimpleRnn rnn;

    SimpleRnnTrainer(SimpleRnn rnn, TrainingConfig config) {
        super(rnn, config);
        this.rnn = rnn;
    }

    @Override int stateCount() { return 1; }

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

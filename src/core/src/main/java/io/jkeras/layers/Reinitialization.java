package io.jkeras.layers;

import io.jkeras.exceptions.UnsupportedModelException;

/** The refusal of {@link Layer#withWeights} by the layer classes that cannot be rebuilt with new weights yet. */
final class Reinitialization {
    private Reinitialization() {}

    static UnsupportedModelException refused(Layer l) {
        return new UnsupportedModelException(null, l.name(), null, "layer type " + l.typeName()
                + " cannot be re-initialized yet"
                + " (Dense, Embedding, SimpleRNN, LSTM, GRU, TimeDistributed and Bidirectional can)");
    }
}

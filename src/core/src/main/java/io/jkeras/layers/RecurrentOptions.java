package io.jkeras.layers;

/**
 * The sequence-level options every recurrent layer has. {@code zeroOutputForMask}: a masked
 * timestep outputs zeros instead of repeating the previous output (Keras sets it inside
 * Bidirectional layers that return sequences).
 */
public record RecurrentOptions(boolean returnSequences, boolean returnState, boolean goBackwards, boolean stateful,
                               boolean zeroOutputForMask) {
    public static final RecurrentOptions DEFAULT = new RecurrentOptions(false, false, false, false, false);

    public RecurrentOptions(boolean returnSequences, boolean returnState, boolean goBackwards, boolean stateful) {
        this(returnSequences, returnState, goBackwards, stateful, false);
    }

    public RecurrentOptions withGoBackwards(boolean b) {
        return new RecurrentOptions(returnSequences, returnState, b, stateful, zeroOutputForMask);
    }

    public RecurrentOptions withZeroOutputForMask(boolean z) {
        return new RecurrentOptions(returnSequences, returnState, goBackwards, stateful, z);
    }

    public RecurrentOptions withReturnSequences(boolean r) {
        return new RecurrentOptions(r, returnState, goBackwards, stateful, zeroOutputForMask);
    }
}

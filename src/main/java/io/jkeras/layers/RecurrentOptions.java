package io.jkeras.layers;

/** The sequence-level options every recurrent layer has. */
public record RecurrentOptions(boolean returnSequences, boolean returnState, boolean goBackwards, boolean stateful) {
    public static final RecurrentOptions DEFAULT = new RecurrentOptions(false, false, false, false);
}

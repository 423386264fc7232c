package io.jkeras.onnx;

/**
 * One Keras tensor of the graph being exported: the ONNX value holding it (batch first, as in
 * Keras), the ONNX value of its Keras mask when it carries one (float 0/1 of shape (batch,
 * timesteps), 1 = keep; null without a mask), whether it holds integer ids (int32), and, for a
 * sequence a recurrent operator made, the same values time-major (timesteps, batch, features) as
 * the next recurrent operator reads them (null otherwise), so that stacked layers pass their
 * sequence on without two Transposes (the batch-first one is dropped when nothing else reads it).
 */
record OnnxValue(String name, String mask, boolean integer, String timeMajor) {
    OnnxValue(String name, String mask, boolean integer) { this(name, mask, integer, null); }

    static OnnxValue of(String name) { return new OnnxValue(name, null, false); }
}

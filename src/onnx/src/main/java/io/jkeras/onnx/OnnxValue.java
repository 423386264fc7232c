package io.jkeras.onnx;

/**
 * One Keras tensor of the graph being exported: the ONNX value holding it (batch first, as in
 * Keras), the ONNX value of its Keras mask when it carries one (float 0/1 of shape (batch,
 * timesteps), 1 = keep; null without a mask), and whether it holds integer ids (int32).
 */
record OnnxValue(String name, String mask, boolean integer) {
    static OnnxValue of(String name) { return new OnnxValue(name, null, false); }

    OnnxValue withMask(String m) { return new OnnxValue(name, m, integer); }
}

package io.jkeras.keras;

import java.util.List;

/**
 * A Keras model config reduced to a graph: layers in config order (Sequential models are turned
 * into the same form, with an explicit input layer) and the model's input and output tensors.
 */
public record ModelSpec(String name, boolean sequential, List<LayerSpec> layers,
                        List<LayerSpec.TensorRef> inputs, List<LayerSpec.TensorRef> outputs) {}

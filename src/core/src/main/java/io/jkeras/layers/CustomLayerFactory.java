package io.jkeras.layers;

import io.jkeras.tensor.Tensor;

import java.util.Set;

/**
 * The Java implementation of a custom Keras layer class (a Python {@code Layer} subclass saved with
 * {@code @keras.saving.register_keras_serializable}), supplied by the user: jkeras never runs the
 * Python code of a model file. A factory is found through {@link java.util.ServiceLoader} (list the
 * class in {@code META-INF/services/io.jkeras.layers.CustomLayerFactory}) or registered on the load
 * options ({@code LoadOptions.builder().customLayer(factory)}, which take precedence). At load,
 * {@link #create} is called once per layer of one of its {@link #kerasClasses()}, with the layer's
 * config and weights; the model then calls the returned {@link Computation} as it calls any layer.
 * See docs/architecture.md, "Custom layers".
 */
public interface CustomLayerFactory {
    /**
     * The Keras classes this factory implements: the registered name the file holds
     * ({@code "my_package>MyLayer"}, as {@code register_keras_serializable(package="my_package")} writes it),
     * or the bare class name ({@code "MyLayer"}), which matches that class in any package.
     */
    Set<String> kerasClasses();

    /**
     * The computation of one layer. Throw a {@link io.jkeras.exceptions.JKerasException} (e.g.
     * {@link io.jkeras.exceptions.UnsupportedModelException}) for a config or weights it cannot run.
     */
    Computation create(CustomLayerConfig config);

    /**
     * What the layer computes. It must be immutable and thread-safe (a model runs from many threads
     * at once); it must not modify its inputs.
     */
    interface Computation {
        /**
         * The output shapes (without the batch axis; -1 for a size known only at run time) for these input
         * shapes (same convention), as Keras' {@code compute_output_shape}; throw
         * {@link io.jkeras.exceptions.InputException} for shapes the layer does not take.
         */
        int[][] outputShapes(int[][] inputShapes);

        /** Runs the layer on a batch: each tensor has the batch as its first axis. */
        Tensor[] forward(Tensor[] inputs);
    }

    /**
     * A computation that also gives the gradient of its inputs, so that fine-tuning can train the layers before it.
     * Its own weights stay as loaded (they are constants of the computation). Without it a model still trains when
     * nothing before the custom layer needs a gradient (those layers frozen, {@code trainable=False}).
     */
    interface Differentiable extends Computation {
        /**
         * The gradient of the loss with respect to each input, given the inputs of a {@link #forward} call and the
         * gradient with respect to each of its outputs (same shapes as the outputs; an output the loss does not
         * reach has zeros). Returns one tensor per input, of the input's shape.
         */
        Tensor[] backward(Tensor[] inputs, Tensor[] outputGradients);
    }
}

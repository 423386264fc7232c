package io.jkeras.train.forms;

import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.layers.CustomLayer;
import io.jkeras.layers.CustomLayerConfig;
import io.jkeras.layers.CustomLayerFactory;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.tensor.Tensor;
import io.jkeras.train.Ops;
import io.jkeras.train.Tape;
import io.jkeras.train.TrainContext;
import io.jkeras.train.TrainableLayer;
import io.jkeras.train.TrainableLayers;
import io.jkeras.train.Var;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

/**
 * A custom layer while training: its Java forward joins the tape; with a {@link CustomLayerFactory.Differentiable}
 * computation the input gradients flow through it; without one, training through it is refused only when a layer
 * before it trains.
 */
class CustomLayerFormTest {
    /** {@code y = c · tanh(x)} elementwise (c = 0.5), its backward {@code g · c · (1 − tanh²x)}. */
    static final class ScaledTanh implements CustomLayerFactory {
        private final boolean differentiable;

        ScaledTanh(boolean differentiable) { this.differentiable = differentiable; }

        @Override public Set<String> kerasClasses() { return Set.of("ScaledTanh"); }

        @Override
        public Computation create(CustomLayerConfig config) {
            Computation forward = new Computation() {
                @Override public int[][] outputShapes(int[][] in) { return new int[][]{in[0].clone()}; }

                @Override
                public Tensor[] forward(Tensor[] in) {
                    float[] y = new float[in[0].size()];
                    for (int i = 0; i < y.length; i++) y[i] = 0.5f * (float) Math.tanh(in[0].data()[i]);
                    return new Tensor[]{new Tensor(in[0].shape(), y, in[0].mask())};
                }
            };
            if (!differentiable) return forward;
            return new Differentiable() {
                @Override public int[][] outputShapes(int[][] in) { return forward.outputShapes(in); }

                @Override public Tensor[] forward(Tensor[] in) { return forward.forward(in); }

                @Override
                public Tensor[] backward(Tensor[] in, Tensor[] g) {
                    float[] dx = new float[in[0].size()];
                    for (int i = 0; i < dx.length; i++) {
                        double th = Math.tanh(in[0].data()[i]);
                        dx[i] = (float) (g[0].data()[i] * 0.5 * (1 - th * th));
                    }
                    return new Tensor[]{new Tensor(in[0].shape(), dx)};
                }
            };
        }
    }

    private static CustomLayer layer(boolean differentiable) {
        return new CustomLayer(new CustomLayerConfig("ScaledTanh", "scaled_tanh", Map.of(), List.of()),
                new ScaledTanh(differentiable));
    }

    private static final double[] X = {-2, -0.5, 0, 0.25, 1, 3};

    @Test
    void aDifferentiableCustomLayerPassesTheGradientOfItsInputs() {
        TrainableLayer form = TrainableLayers.of(layer(true), TrainingConfig.DEFAULT);
        Var x = Var.leaf(new int[]{2, 3}, X.clone());
        Tape t = new Tape();
        Var y = form.forward(t, new Var[]{x}, new TrainContext(true, new java.util.SplittableRandom(1)), null)[0];
        // loss = Σ w·y with w = 1..6: dL/dx = w · 0.5 · (1 − tanh²x)
        double[] w = {1, 2, 3, 4, 5, 6};
        t.backward(Ops.sum(t, Ops.mulConstant(t, y, w)));
        for (int i = 0; i < X.length; i++) {
            double th = Math.tanh(X[i]);
            assertThat(y.value()[i]).isCloseTo(0.5 * th, offset(1e-7));
            assertThat(x.grad()[i]).isCloseTo(w[i] * 0.5 * (1 - th * th), offset(1e-6));
        }
    }

    @Test
    void withoutABackwardItRunsWhenNothingBeforeItTrainsAndIsRefusedOtherwise() {
        TrainableLayer form = TrainableLayers.of(layer(false), TrainingConfig.DEFAULT);
        TrainContext training = new TrainContext(true, new java.util.SplittableRandom(1));
        Var frozen = Var.constant(new int[]{2, 3}, X.clone());
        Var y = form.forward(new Tape(), new Var[]{frozen}, training, null)[0];
        assertThat(y.needsGrad()).isFalse();
        assertThat(y.value()[4]).isCloseTo(0.5 * Math.tanh(1), offset(1e-7));

        Var trained = Var.leaf(new int[]{2, 3}, X.clone());
        assertThatThrownBy(() -> form.forward(new Tape(), new Var[]{trained}, training, null))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("scaled_tanh")
                .hasMessageContaining("trainable=False").hasMessageContaining("Differentiable");
    }
}

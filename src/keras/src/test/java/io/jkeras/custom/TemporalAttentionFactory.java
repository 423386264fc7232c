package io.jkeras.custom;

import io.jkeras.exceptions.InputException;
import io.jkeras.layers.CustomLayerConfig;
import io.jkeras.layers.CustomLayerFactory;
import io.jkeras.tensor.Tensor;

import java.util.Set;

/**
 * The Java implementation of the custom Keras layer {@code jkeras_fixtures>TemporalAttention} of
 * fixtures/keras3/layers14/custom_* (its Python source is the fixture's custom_layer.py):
 * {@code e = tanh(x W + b) u} over time, {@code a = softmax(e)}, output {@code sum_t a_t x_t}.
 * Listed in META-INF/services/io.jkeras.layers.CustomLayerFactory of the test resources, the way a
 * user ships one.
 */
public final class TemporalAttentionFactory implements CustomLayerFactory {
    @Override public Set<String> kerasClasses() { return Set.of("jkeras_fixtures>TemporalAttention"); }

    @Override
    public Computation create(CustomLayerConfig config) {
        int units = config.integer("units", 4);
        float[] w = config.weight(0).values(), b = config.weight(1).values(), u = config.weight(2).values();
        int features = config.weight(0).shape()[0];
        if (config.weight(0).shape()[1] != units || b.length != units || u.length != units) {
            throw new InputException(null, config.layerName(), null, "weights do not match units=" + units);
        }
        return new Computation() {
            @Override
            public int[][] outputShapes(int[][] in) {
                if (in.length != 1 || in[0].length != 2 || in[0][1] != features) {
                    throw new InputException(null, config.layerName(), null,
                            "TemporalAttention takes one (time, " + features + ") input");
                }
                return new int[][]{{features}};
            }

            @Override
            public Tensor[] forward(Tensor[] inputs) {
                Tensor x = inputs[0];
                int batch = x.dim(0), steps = x.dim(1);
                float[] xd = x.data(), out = new float[batch * features];
                double[] e = new double[steps];
                for (int s = 0; s < batch; s++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int t = 0; t < steps; t++) {
                        int row = (s * steps + t) * features;
                        double score = 0;
                        for (int k = 0; k < units; k++) {
                            double z = b[k];
                            for (int f = 0; f < features; f++) z += xd[row + f] * w[f * units + k];
                            score += Math.tanh(z) * u[k];
                        }
                        e[t] = score;
                        max = Math.max(max, score);
                    }
                    double sum = 0;
                    for (int t = 0; t < steps; t++) sum += e[t] = Math.exp(e[t] - max);
                    for (int t = 0; t < steps; t++) {
                        int row = (s * steps + t) * features;
                        for (int f = 0; f < features; f++) out[s * features + f] += (float) (e[t] / sum * xd[row + f]);
                    }
                }
                return new Tensor[]{new Tensor(new int[]{batch, features}, out)};
            }
        };
    }
}

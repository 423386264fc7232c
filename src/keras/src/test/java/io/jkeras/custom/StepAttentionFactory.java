package io.jkeras.custom;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.ModelFormatException;
import io.jkeras.layers.CustomLayerConfig;
import io.jkeras.layers.CustomLayerFactory;
import io.jkeras.layers.Weight;
import io.jkeras.tensor.Tensor;

import java.util.Set;

/**
 * The Java implementation of the custom Python class {@code attention} of the keras-zoo file
 * electricity-forecasting/models/H_TDH_I_L3_N_model.h5 (tf.keras 2.8, a class not registered with Keras, so
 * the file names it by its bare class name). Its Python source: PedroOliveiraPT/Electricity-Forecasting,
 * AttentionBiLSTM.py lines 6-34 @ 0ded570e729b0f4b0be4e73cc5fbce24b7fa9f83. Weights {@code att_weight}
 * (features, 1) and {@code att_bias} (steps, 1); on x (batch, steps, features):
 * {@code e = tanh(x W + b)}, {@code a = softmax(e)} over the steps, output {@code x * a}
 * (config {@code return_sequences}, default true) or {@code sum_t a_t x_t}.
 * Not listed in META-INF/services: the tests register it on the load options
 * ({@code LoadOptions.builder().customLayer(new StepAttentionFactory())}), as a user does for one load.
 */
public final class StepAttentionFactory implements CustomLayerFactory {
    @Override public Set<String> kerasClasses() { return Set.of("attention"); }

    @Override
    public Computation create(CustomLayerConfig config) {
        boolean sequences = config.bool("return_sequences", true);
        Weight wt = config.weight(0), bt = config.weight(1);
        if (wt.shape().length != 2 || wt.shape()[1] != 1 || bt.shape().length != 2 || bt.shape()[1] != 1) {
            throw new ModelFormatException(null, config.layerName(), null, "attention takes weights att_weight"
                    + " (features, 1) and att_bias (steps, 1); found " + Tensor.shapeString(wt.shape()) + " and "
                    + Tensor.shapeString(bt.shape()));
        }
        float[] w = wt.values(), b = bt.values();
        int features = wt.shape()[0], steps = bt.shape()[0];
        return new Computation() {
            @Override
            public int[][] outputShapes(int[][] in) {
                if (in.length != 1 || in[0].length != 2 || in[0][1] != features
                        || (in[0][0] != steps && in[0][0] != -1)) {
                    throw new InputException(null, config.layerName(), null, "attention takes one (" + steps + ", "
                            + features + ") input (its att_bias has " + steps + " steps)");
                }
                return sequences ? new int[][]{{steps, features}} : new int[][]{{features}};
            }

            @Override
            public Tensor[] forward(Tensor[] inputs) {
                Tensor x = inputs[0];
                if (x.rank() != 3 || x.dim(1) != steps || x.dim(2) != features) {
                    throw new InputException(null, config.layerName(), null, "attention takes (batch, " + steps
                            + ", " + features + "); found " + Tensor.shapeString(x.shape()));
                }
                int batch = x.dim(0);
                float[] xd = x.data();
                float[] out = new float[sequences ? xd.length : batch * features];
                double[] a = new double[steps];
                for (int s = 0; s < batch; s++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int t = 0; t < steps; t++) {
                        int row = (s * steps + t) * features;
                        double z = b[t];
                        for (int f = 0; f < features; f++) z += xd[row + f] * w[f];
                        a[t] = Math.tanh(z);
                        max = Math.max(max, a[t]);
                    }
                    double sum = 0;
                    for (int t = 0; t < steps; t++) sum += a[t] = Math.exp(a[t] - max);
                    for (int t = 0; t < steps; t++) {
                        int row = (s * steps + t) * features;
                        double at = a[t] / sum;
                        for (int f = 0; f < features; f++) {
                            float v = (float) (xd[row + f] * at);
                            if (sequences) out[row + f] = v;
                            else out[s * features + f] += v;
                        }
                    }
                }
                int[] shape = sequences ? new int[]{batch, steps, features} : new int[]{batch, features};
                return new Tensor[]{new Tensor(shape, out)};
            }
        };
    }
}

package io.jkeras.train;

import io.jkeras.exceptions.InputException;
import io.jkeras.layers.Embedding;
import io.jkeras.layers.Layer;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.layers.Weight;
import io.jkeras.tensor.Tensor;

import java.util.List;

/**
 * Embedding in training form: rows of the table gathered for the integer ids (Keras 3
 * {@code ops.take(embeddings, inputs, axis=0)}, keras/src/layers/core/embedding.py), the gradient
 * scattered back into the rows used (TensorFlow's IndexedSlices, here dense). With mask_zero the
 * output carries the mask {@code id != 0} for (batch, timesteps) ids, as the engine layer does.
 * The ids themselves receive no gradient.
 */
final class EmbeddingTrainer implements TrainableLayer {
    private final Embedding layer;
    private final Param table;

    EmbeddingTrainer(Layer l, TrainingConfig c) {
        this.layer = (Embedding) l;
        Weight w = layer.weights().get(0);
        this.table = TrainableLayers.param(layer, w, c);
    }

    @Override public Layer layer() { return layer; }

    @Override public List<Param> params() { return List.of(table); }

    @Override
    public Var[] forward(Tape t, Var[] in, TrainContext ctx, double[][] state) {
        Var x = in[0];
        double[] ids = x.value();
        int rows = table.shape()[0];
        boolean[] mask = layer.maskZero() && x.rank() == 2 ? new boolean[ids.length] : null;
        for (int i = 0; i < ids.length; i++) {
            double v = ids[i];
            int id = (int) v;
            if (v != id || id < 0 || id >= rows) {
                throw new InputException(null, layer.name(), null, "id " + v + " at flat index " + i + " of input "
                        + Tensor.shapeString(x.shape()) + " is not an integer in [0, " + rows + ")");
            }
            if (mask != null) mask[i] = id != 0;
        }
        return new Var[]{Ops.gather(t, table.var(), ids, x.shape(), mask)};
    }

    @Override
    public Layer rebuild() {
        int[] s = table.shape();
        return new Embedding(layer.name(), s[0], s[1], layer.maskZero(), table.toFloats());
    }
}

package io.jkeras.model;

import io.jkeras.tensor.Tensor;
import io.jkeras.exceptions.InputException;
import io.jkeras.layers.Embedding;
import io.jkeras.layers.InputLayer;
import io.jkeras.layers.Layer;

import java.util.Random;

/**
 * Random inputs of a model's input shapes, for timing and warming up: N(0,1) floats, and for
 * integer inputs ids drawn uniformly below the smallest {@link Embedding} vocabulary of the model,
 * so that every id is valid (0 or 1 for a model without one).
 */
public final class SampleInputs {
    private SampleInputs() {}

    /**
     * One tensor per model input, of shape (batch, input shape) with an unknown time dimension (the
     * first one) set to {@code timesteps}.
     *
     * @throws InputException for a batch that is not positive, an unknown dimension other than time,
     *                        or an input too large for one array
     */
    public static Tensor[] random(Model model, int batch, int timesteps, long seed) {
        if (batch <= 0) throw new InputException("the batch of sample inputs must be positive, got " + batch);
        Random rng = new Random(seed);
        Tensor[] x = new Tensor[model.inputCount()];
        int vocab = smallestVocabulary(model);
        for (int i = 0; i < x.length; i++) {
            InputLayer in = model.input(i);
            int[] s = in.shape();
            int[] full = new int[s.length + 1];
            full[0] = batch;
            long size = batch;
            for (int d = 0; d < s.length; d++) {
                int v = s[d] >= 0 ? s[d] : d == 0 ? timesteps : -1;
                if (v < 0) throw new InputException(null, in.name(), null,
                        "input has an unknown dimension other than time " + Tensor.shapeString(s));
                full[d + 1] = v;
                size *= v;
            }
            if (size > Integer.MAX_VALUE - 8) throw new InputException(null, in.name(), null, "input of shape "
                    + Tensor.shapeString(full) + " is too large");
            float[] d = new float[(int) size];
            if (in.integer()) {
                for (int k = 0; k < d.length; k++) d[k] = rng.nextInt(vocab);
            } else {
                for (int k = 0; k < d.length; k++) d[k] = (float) rng.nextGaussian();
            }
            x[i] = new Tensor(full, d);
        }
        return x;
    }

    private static int smallestVocabulary(Model model) {
        int v = Integer.MAX_VALUE;
        for (Layer l : model.layers()) {
            int n = l.vocabulary();
            if (n > 0) v = Math.min(v, n);
        }
        return v == Integer.MAX_VALUE ? 2 : Math.max(1, v);
    }
}

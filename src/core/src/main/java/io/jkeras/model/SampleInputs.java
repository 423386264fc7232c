package io.jkeras.model;

import io.jkeras.tensor.Tensor;
import io.jkeras.exceptions.InputException;
import io.jkeras.layers.ActivationLayer;
import io.jkeras.layers.BatchNormalization;
import io.jkeras.layers.Bidirectional;
import io.jkeras.layers.Concatenate;
import io.jkeras.layers.Conv1D;
import io.jkeras.layers.CudnnRecurrent;
import io.jkeras.layers.Dense;
import io.jkeras.layers.ElementwiseOp;
import io.jkeras.layers.Embedding;
import io.jkeras.layers.Flatten;
import io.jkeras.layers.Gru;
import io.jkeras.layers.Identity;
import io.jkeras.layers.InputLayer;
import io.jkeras.layers.Layer;
import io.jkeras.layers.Lstm;
import io.jkeras.layers.Masking;
import io.jkeras.layers.Merge;
import io.jkeras.layers.Permute;
import io.jkeras.layers.RepeatVector;
import io.jkeras.layers.Reshape;
import io.jkeras.layers.ShapeOp;
import io.jkeras.layers.SimpleRnn;
import io.jkeras.layers.Softmax;
import io.jkeras.layers.TimeDistributed;

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
            Integer n = l.accept(Vocabulary.TOP_LEVEL);
            if (n != null) v = Math.min(v, n);
        }
        return v == Integer.MAX_VALUE ? 2 : Math.max(1, v);
    }

    /**
     * The number of token ids a layer takes ({@link Embedding#inputDim()}), or null for a layer that
     * does not take ids. {@link #TOP_LEVEL} does not look into a TimeDistributed layer's inner layer,
     * {@link #THROUGH_WRAPPERS} does.
     */
    public static final class Vocabulary implements Layer.Visitor<Integer> {
        public static final Vocabulary TOP_LEVEL = new Vocabulary(false), THROUGH_WRAPPERS = new Vocabulary(true);

        private final boolean throughWrappers;

        private Vocabulary(boolean throughWrappers) { this.throughWrappers = throughWrappers; }

        @Override public Integer visit(Embedding l) { return l.inputDim(); }

        @Override public Integer visit(TimeDistributed l) { return throughWrappers ? l.inner().accept(this) : null; }

        @Override public Integer visit(InputLayer l) { return null; }

        @Override public Integer visit(Dense l) { return null; }

        @Override public Integer visit(SimpleRnn l) { return null; }

        @Override public Integer visit(Lstm l) { return null; }

        @Override public Integer visit(Gru l) { return null; }

        @Override public Integer visit(CudnnRecurrent l) { return null; }

        @Override public Integer visit(Bidirectional l) { return null; }

        @Override public Integer visit(Masking l) { return null; }

        @Override public Integer visit(Flatten l) { return null; }

        @Override public Integer visit(Identity l) { return null; }

        @Override public Integer visit(ActivationLayer l) { return null; }

        @Override public Integer visit(RepeatVector l) { return null; }

        @Override public Integer visit(Conv1D l) { return null; }

        @Override public Integer visit(BatchNormalization l) { return null; }

        @Override public Integer visit(Reshape l) { return null; }

        @Override public Integer visit(Permute l) { return null; }

        @Override public Integer visit(Softmax l) { return null; }

        @Override public Integer visit(Concatenate l) { return null; }

        @Override public Integer visit(Merge l) { return null; }

        @Override public Integer visit(ElementwiseOp l) { return null; }

        @Override public Integer visit(ShapeOp l) { return null; }
    }
}

package io.jkeras.layers;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Keras BatchNormalization at inference: {@code y = (x − moving_mean) / sqrt(moving_variance + ε) ·
 * gamma + beta}, the statistics indexed by the input's coordinates on {@code axes}. Computed in
 * double ({@code (x − mean) · gamma / sqrt(var + ε) + beta}, ε rounded to float32 as TensorFlow
 * does) and rounded once, so the result is the exactly rounded value that TensorFlow's float32
 * {@code x · inv + (beta − mean · inv)} approximates. Without {@code scale} gamma is 1, without
 * {@code center} beta is 0 (and those weights are absent). Keras counts moving_mean and
 * moving_variance (and renorm's statistics, kept only for listing) as non-trainable. Supports
 * masking: the mask passes through.
 */
public final class BatchNormalization implements Layer {
    @Override public <R> R accept(Visitor<R> v) { return v.visit(this); }

    private final String name;
    private final int rank;        // input rank including batch
    private final int[] axes;      // sorted, in [1, rank)
    private final int[] paramShape;
    private final int size;        // product of the input's dimensions on axes
    private final double epsilon;
    private final float[] gamma;   // or null (scale=False)
    private final float[] beta;    // or null (center=False)
    private final float[] mean;
    private final float[] variance;
    private final List<Weight> extra; // further non-trainable weights (renorm), listed only
    private final double[] inv;   // gamma / sqrt(var + eps)
    private final double momentum; // training only

    /**
     * @param rank       the input's rank including the batch dimension
     * @param axes       normalised axes (1 .. rank−1), distinct
     * @param paramShape the Keras shape of each statistic, e.g. (C,) or (1, T, C) for several axes
     */
    public BatchNormalization(String name, int rank, int[] axes, int[] paramShape, double epsilon,
                              float[] gamma, float[] beta, float[] mean, float[] variance, List<Weight> extra) {
        this(name, rank, axes, paramShape, epsilon, 0.99, gamma, beta, mean, variance, extra);
    }

    /**
     * @param momentum the moving statistics' momentum (Keras' {@code momentum}, default 0.99), used
     *                 only when training
     */
    public BatchNormalization(String name, int rank, int[] axes, int[] paramShape, double epsilon, double momentum,
                              float[] gamma, float[] beta, float[] mean, float[] variance, List<Weight> extra) {
        this.momentum = momentum;
        this.name = name;
        this.rank = rank;
        int[] a = axes.clone();
        Arrays.sort(a);
        for (int i = 0; i < a.length; i++) {
            if (a[i] < 1 || a[i] >= rank || (i > 0 && a[i] == a[i - 1])) {
                throw new UnsupportedModelException(null, name, null, "axis " + Arrays.toString(axes)
                        + " is not a set of distinct non-batch axes of a rank-"
                        + rank + " input; allowed: 1.." + (rank - 1) + " or negative equivalents");
            }
        }
        if (a.length == 0) throw new UnsupportedModelException(null, name, null, "needs at least one axis");
        this.axes = a;
        this.paramShape = paramShape.clone();
        long n = 1;
        for (int d : paramShape) n *= d;
        this.size = (int) n;
        if (!(epsilon >= 0) || Double.isInfinite(epsilon)) {
            throw new UnsupportedModelException(null, name, null, "epsilon must be a finite non-negative number, got "
                    + epsilon);
        }
        this.epsilon = epsilon;
        Recurrent.checkShape(name, "moving_mean", mean, paramShape);
        Recurrent.checkShape(name, "moving_variance", variance, paramShape);
        if (gamma != null) Recurrent.checkShape(name, "gamma", gamma, paramShape);
        if (beta != null) Recurrent.checkShape(name, "beta", beta, paramShape);
        this.gamma = gamma == null ? null : gamma.clone();
        this.beta = beta == null ? null : beta.clone();
        this.mean = mean.clone();
        this.variance = variance.clone();
        List<Weight> ex = new ArrayList<>();
        for (Weight e : extra) ex.add(new Weight(e.name(), e.shape().clone(), e.values().clone()));
        this.extra = List.copyOf(ex);
        this.inv = new double[size];
        double eps = (float) epsilon;
        for (int i = 0; i < size; i++) inv[i] = (gamma != null ? gamma[i] : 1.0) / Math.sqrt(variance[i] + eps);
    }

    @Override public String name() { return name; }

    @Override public String typeName() { return "BatchNormalization"; }

    /** The input rank the layer was built for, counting the batch. */
    public int rank() { return rank; }

    /** The Keras shape of each statistic. */
    public int[] paramShape() { return paramShape.clone(); }

    /** The normalised axes (counting the batch as axis 0). */
    public int[] axes() { return axes.clone(); }

    public double epsilon() { return epsilon; }

    /** Keras' momentum of the moving statistics (training only). */
    public double momentum() { return momentum; }

    @Override
    public int[][] outputShapes(int[][] in) {
        Shapes.expectInputs(name, in, 1, 1);
        if (in[0].length + 1 != rank) {
            throw new UnsupportedModelException(null, name, null, "was built for inputs of rank " + rank
                    + " (with batch), got (None, "
                    + Shapes.inner(in[0]) + ")");
        }
        long n = 1;
        for (int ax : axes) {
            int d = in[0][ax - 1];
            if (d < 0) {
                throw new UnsupportedModelException(null, name, null, "axis " + ax + " of input (None, "
                        + Shapes.inner(in[0])
                        + ") must have a known size to hold the statistics");
            }
            n *= d;
        }
        if (n != size) {
            throw new UnsupportedModelException(null, name, null, "statistics of shape "
                    + Tensor.shapeString(paramShape)
                    + " do not fit axis " + Arrays.toString(axes) + " of input (None, " + Shapes.inner(in[0]) + ")");
        }
        return new int[][]{in[0].clone()};
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, float[][] state) {
        Tensor x = inputs[0];
        int[] s = x.shape();
        long n = 1;
        if (s.length == rank) for (int ax : axes) n *= s[ax];
        if (s.length != rank || n != size) {
            throw new InputException(null, name, null, "expects rank " + rank + " input with " + size
                    + " values on axis "
                    + Arrays.toString(axes) + ", got " + Tensor.shapeString(s));
        }
        float[] d = x.data();
        float[] y = new float[d.length];
        if (axes.length == 1 && axes[0] == rank - 1) {
            for (int off = 0; off < d.length; off += size)
                for (int c = 0; c < size; c++) y[off + c] = apply(d[off + c], c);
        } else {
            int[] stride = new int[rank];
            stride[rank - 1] = 1;
            for (int i = rank - 2; i >= 0; i--) stride[i] = stride[i + 1] * s[i + 1];
            for (int i = 0; i < d.length; i++) {
                int p = 0;
                for (int ax : axes) p = p * s[ax] + (i / stride[ax]) % s[ax];
                y[i] = apply(d[i], p);
            }
        }
        return new Tensor[]{new Tensor(s, y, x.mask())};
    }

    private float apply(float x, int p) {
        return (float) ((x - (double) mean[p]) * inv[p] + (beta != null ? beta[p] : 0.0));
    }

    @Override
    public List<Weight> weights() {
        List<Weight> w = new ArrayList<>();
        if (gamma != null) w.add(new Weight("gamma", paramShape.clone(), gamma.clone()));
        if (beta != null) w.add(new Weight("beta", paramShape.clone(), beta.clone()));
        w.add(new Weight("moving_mean", paramShape.clone(), mean.clone()));
        w.add(new Weight("moving_variance", paramShape.clone(), variance.clone()));
        for (Weight e : extra) w.add(new Weight(e.name(), e.shape().clone(), e.values().clone()));
        return w;
    }

    @Override
    public long nonTrainableParamCount() {
        long n = 2L * size;
        for (Weight e : extra) n += e.size();
        return n;
    }

    @Override
    public void encode(LayerEncoder e) {
        e.put("rank", rank);
        e.put("axes", axes);
        e.put("epsilon", epsilon);
        e.put("momentum", momentum);
        e.put("param_shape", paramShape);
        e.weights(weights());
    }

    static Layer decode(LayerDecoder d) {
        int[] ps = d.ints("param_shape");
        Weight gamma = d.optionalWeight("gamma"), beta = d.optionalWeight("beta");
        Weight mean = d.optionalWeight("moving_mean"), var = d.optionalWeight("moving_variance");
        // Keras 2 renormalisation statistics (renorm_mean, renorm_stddev, ...), listed only
        List<Weight> extra = d.weightsStartingWith("renorm_");
        if (mean == null || var == null) throw d.error("needs weights 'moving_mean' and 'moving_variance'");
        for (Weight w : new Weight[]{gamma, beta, mean, var}) if (w != null) d.expectShape(w, ps);
        return new BatchNormalization(d.name(), d.integer("rank"), d.ints("axes"), ps, d.doubleValue("epsilon"),
                d.doubleValue("momentum"), gamma == null ? null : gamma.values(), beta == null ? null : beta.values(),
                mean.values(), var.values(), extra);
    }

    @Override public long flops(int[][] in, int[][] out) { return 0; }

    @Override public int vocabulary() { return 0; }

    @Override public Layer withWeights(List<float[]> values) { throw Reinitialization.refused(this); }
}

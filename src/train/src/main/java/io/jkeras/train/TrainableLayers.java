package io.jkeras.train;

import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.layers.ActivationLayer;
import io.jkeras.layers.BatchNormalization;
import io.jkeras.layers.Bidirectional;
import io.jkeras.layers.Concatenate;
import io.jkeras.layers.Conv;
import io.jkeras.layers.CustomLayer;
import io.jkeras.layers.Conv1D;
import io.jkeras.layers.ConvTranspose;
import io.jkeras.layers.DepthwiseConv;
import io.jkeras.layers.ConvLstm;
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
import io.jkeras.layers.SeparableConv;
import io.jkeras.layers.ShapeOp;
import io.jkeras.layers.Pooling;
import io.jkeras.layers.GlobalPooling;
import io.jkeras.layers.SpatialResize;
import io.jkeras.layers.SimpleRnn;
import io.jkeras.layers.Softmax;
import io.jkeras.layers.TimeDistributed;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.layers.Weight;

import java.util.ArrayList;
import java.util.List;

/**
 * The training form of every engine layer class: a {@link Layer.Visitor}, so that a layer class
 * without one does not compile. A form may still refuse settings it cannot train with, naming the
 * layer (e.g. {@code DropoutTrainer} for GaussianNoise).
 */
public final class TrainableLayers {
    private TrainableLayers() {}

    public static TrainableLayer of(Layer layer, TrainingConfig config) { return layer.accept(new Forms(config)); }

    /** Each layer class to its training form, under one training config. */
    private static final class Forms implements Layer.Visitor<TrainableLayer> {
        private final TrainingConfig c;

        Forms(TrainingConfig c) { this.c = c; }

        @Override public TrainableLayer visit(InputLayer l) { return new PassThrough(l); }

        @Override public TrainableLayer visit(Identity l) { return new DropoutTrainer(l, c); }

        @Override public TrainableLayer visit(Dense l) { return new DenseTrainer(l, c); }

        @Override public TrainableLayer visit(Lstm l) { return new LstmTrainer(l, c); }

        @Override public TrainableLayer visit(SimpleRnn l) { return new SimpleRnnTrainer(l, c); }

        @Override public TrainableLayer visit(Flatten l) { return new Reshaper(l); }

        @Override public TrainableLayer visit(RepeatVector l) { return new RepeatVectorTrainer(l); }

        @Override public TrainableLayer visit(ActivationLayer l) { return new ActivationTrainer(l); }

        @Override public TrainableLayer visit(TimeDistributed l) { return new TimeDistributedTrainer(l, c); }

        // layer forms in their own files
        @Override public TrainableLayer visit(Gru l) { return new GruTrainer(l, c); }

        @Override public TrainableLayer visit(CudnnRecurrent l) { return new CudnnTrainer(l, c); }

        @Override public TrainableLayer visit(Bidirectional l) { return new BidirectionalTrainer(l, c); }

        @Override public TrainableLayer visit(Embedding l) { return new EmbeddingTrainer(l, c); }

        @Override public TrainableLayer visit(Masking l) { return new MaskingTrainer(l, c); }

        @Override public TrainableLayer visit(Conv1D l) { return new Conv1DTrainer(l, c); }

        @Override public TrainableLayer visit(BatchNormalization l) { return new BatchNormalizationTrainer(l, c); }

        @Override public TrainableLayer visit(Reshape l) { return new ReshapeTrainer(l, c); }

        @Override public TrainableLayer visit(Permute l) { return new PermuteTrainer(l, c); }

        @Override public TrainableLayer visit(Softmax l) { return new SoftmaxTrainer(l, c); }

        @Override public TrainableLayer visit(Concatenate l) { return new ConcatenateTrainer(l, c); }

        @Override public TrainableLayer visit(Merge l) { return new MergeTrainer(l, c); }

        @Override public TrainableLayer visit(ElementwiseOp l) { return new OpTrainer(l, c); }

        @Override public TrainableLayer visit(ShapeOp l) { return new OpTrainer(l, c); }

        @Override
        public TrainableLayer visit(io.jkeras.layers.LayerNormalization l) {
            return new NormalizationTrainers.LayerNormTrainer(l, c);
        }

        @Override
        public TrainableLayer visit(io.jkeras.layers.UnitNormalization l) {
            return new NormalizationTrainers.UnitNormTrainer(l);
        }

        @Override
        public TrainableLayer visit(io.jkeras.layers.GroupNormalization l) {
            return new NormalizationTrainers.GroupNormTrainer(l, c);
        }

        @Override
        public TrainableLayer visit(io.jkeras.layers.Attention l) { return new AttentionTrainer(l, c); }

        @Override
        public TrainableLayer visit(io.jkeras.layers.MultiHeadAttention l) {
            return new MultiHeadAttentionTrainer(l, c);
        }

        @Override
        public TrainableLayer visit(io.jkeras.layers.Dot l) { return new DotTrainer(l); }
        @Override public TrainableLayer visit(Conv l) { return new ConvTrainer(l, c); }

        @Override public TrainableLayer visit(DepthwiseConv l) { return new ConvTrainer(l, c); }

        @Override public TrainableLayer visit(SeparableConv l) { return new ConvTrainer(l, c); }

        @Override public TrainableLayer visit(ConvTranspose l) { return new ConvTrainer(l, c); }
        @Override public TrainableLayer visit(Pooling l) { return new SpatialTrainers.PoolingTrainer(l); }

        @Override public TrainableLayer visit(GlobalPooling l) { return new SpatialTrainers.GlobalPoolingTrainer(l); }

        @Override public TrainableLayer visit(SpatialResize l) { return new SpatialTrainers.SpatialResizeTrainer(l); }
        @Override public TrainableLayer visit(ConvLstm l) { return new ConvLstmTrainer(l, c); }
        @Override public TrainableLayer visit(CustomLayer l) { return new CustomLayerTrainer(l); }
    }

    static Param param(Layer l, Weight w, TrainingConfig c) {
        return new Param(l.name(), w.name(), w.shape(), w.values(), c.trainable(),
                c.regularizers().get(w.name()), c.constraints().get(w.name()));
    }

    /** Input layers: the value passes through. */
    static final class PassThrough implements TrainableLayer {
        private final Layer layer;

        PassThrough(Layer layer) { this.layer = layer; }

        @Override public Layer layer() { return layer; }

        @Override public List<Param> params() { return List.of(); }

        @Override public Var[] forward(Tape t, Var[] in, TrainContext ctx, double[][] state) { return new Var[]{in[0]};
                }

        @Override public Layer rebuild() { return layer; }
    }

    /** Dropout (and the other training-only layers mapped to Identity): inverted dropout while training. */
    static final class DropoutTrainer implements TrainableLayer {
        private final Identity layer;
        private final double rate;

        DropoutTrainer(Identity layer, TrainingConfig c) {
            this.layer = layer;
            this.rate = c.dropout();
        }

        @Override public Layer layer() { return layer; }

        @Override public List<Param> params() { return List.of(); }

        @Override
        public Var[] forward(Tape t, Var[] in, TrainContext ctx, double[][] state) {
            Var x = in[0];
            if (!ctx.training() || rate <= 0) return new Var[]{x};
            String type = layer.typeName();
            switch (type) {
                case "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D": {
                    // one draw per element of the noise shape, shared along its axes of size 1
                    int[] draw = drawShape(x.shape());
                    return new Var[]{Ops.mulConstant(t, x, broadcast(ctx.dropoutMask(size(draw), rate), draw,
                            x.shape()))};
                }
                case "AlphaDropout": {
                    // keras/src/layers/regularization/alpha_dropout.py: a·(x·kept + α'·(1 - kept)) + b
                    double alphaP = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946;
                    double a = Math.pow((1 - rate) * (1 + rate * alphaP * alphaP), -0.5), b = -a * alphaP * rate;
                    int[] draw = drawShape(x.shape());
                    double[] kept = broadcast(ctx.dropoutMask(size(draw), rate), draw, x.shape());
                    double[] m = new double[kept.length], c = new double[kept.length];
                    for (int i = 0; i < kept.length; i++) {
                        boolean k = kept[i] != 0;
                        m[i] = k ? a : 0;
                        c[i] = k ? b : a * alphaP + b;
                    }
                    return new Var[]{Ops.affineConstant(t, x, m, c)};
                }
                case "GaussianDropout": {
                    // multiplicative noise N(1, rate/(1-rate)), as Keras' GaussianDropout
                    double sd = Math.sqrt(rate / (1 - rate));
                    double[] m = new double[x.size()];
                    for (int i = 0; i < m.length; i++) m[i] = 1 + sd * ctx.gaussian();
                    return new Var[]{Ops.mulConstant(t, x, m)};
                }
                case "GaussianNoise": {
                    // additive noise N(0, stddev) (keras/src/layers/regularization/gaussian_noise.py)
                    double[] ones = {1}, c = new double[x.size()];
                    for (int i = 0; i < c.length; i++) c[i] = rate * ctx.gaussian();
                    return new Var[]{Ops.affineConstant(t, x, ones, c)};
                }
                default:
                    throw new io.jkeras.exceptions.UnsupportedModelException(null, layer.name(), null,
                            "training with a " + type + " layer is not supported; set its rate to 0 or remove it");
            }
        }

        /** The noise shape resolved against the input's shape (the input's shape without one). */
        private int[] drawShape(int[] x) {
            int[] n = layer.noiseShape();
            if (n == null) return x.clone();
            for (int i = 0; i < n.length; i++) if (n[i] == -1) n[i] = x[i];
            return n;
        }

        /** Values of shape {@code s}: at most the input's count, as every noise dimension is 1 or the input's. */
        private static int size(int[] s) {
            int n = 1;
            for (int d : s) n = Math.multiplyExact(n, d);
            return n;
        }

        /** {@code v} of shape {@code draw} repeated along the axes where {@code draw} is 1 up to {@code shape}. */
        static double[] broadcast(double[] v, int[] draw, int[] shape) {
            double[] out = new double[size(shape)];
            int[] idx = new int[shape.length];
            for (int i = 0; i < out.length; i++) {
                int j = 0;
                for (int a = 0; a < shape.length; a++) j = j * draw[a] + (draw[a] == 1 ? 0 : idx[a]);
                out[i] = v[j];
                for (int a = shape.length - 1; a >= 0 && ++idx[a] == shape[a]; a--) idx[a] = 0;
            }
            return out;
        }

        @Override public Layer rebuild() { return layer; }
    }

    /** {@code act(x·W + b)} over the last axis. */
    static final class DenseTrainer implements TrainableLayer {
        private final Dense layer;
        private final Param kernel, bias;

        DenseTrainer(Dense layer, TrainingConfig c) {
            this.layer = layer;
            List<Weight> w = layer.weights();
            this.kernel = param(layer, w.get(0), c);
            this.bias = w.size() > 1 ? param(layer, w.get(1), c) : null;
        }

        @Override public Layer layer() { return layer; }

        @Override
        public List<Param> params() {
            List<Param> p = new ArrayList<>(List.of(kernel));
            if (bias != null) p.add(bias);
            return p;
        }

        @Override
        public Var[] forward(Tape t, Var[] in, TrainContext ctx, double[][] state) {
            Var z = Ops.matmul(t, in[0], kernel.var());
            if (bias != null) z = Ops.addBias(t, z, bias.var());
            return new Var[]{Ops.activation(t, z, layer.activation())};
        }

        @Override
        public Layer rebuild() {
            return new Dense(layer.name(), kernel.shape()[0], layer.units(), layer.activation(), kernel.toFloats(),
                    bias == null ? null : bias.toFloats());
        }
    }

    /** Flatten: a reshape to (batch, everything else). */
    static final class Reshaper implements TrainableLayer {
        private final Layer layer;

        Reshaper(Layer layer) { this.layer = layer; }

        @Override public Layer layer() { return layer; }

        @Override public List<Param> params() { return List.of(); }

        @Override
        public Var[] forward(Tape t, Var[] in, TrainContext ctx, double[][] state) {
            int b = in[0].dim(0);
            return new Var[]{Ops.reshape(t, in[0], new int[]{b, b == 0 ? 0 : in[0].size() / b}, false)};
        }

        @Override public Layer rebuild() { return layer; }
    }

    static final class ActivationTrainer implements TrainableLayer {
        private final ActivationLayer layer;

        ActivationTrainer(ActivationLayer layer) { this.layer = layer; }

        @Override public Layer layer() { return layer; }

        @Override public List<Param> params() { return List.of(); }

        @Override
        public Var[] forward(Tape t, Var[] in, TrainContext ctx, double[][] state) {
            return new Var[]{Ops.activation(t, in[0], layer.activation())};
        }

        @Override public Layer rebuild() { return layer; }
    }

    static final class RepeatVectorTrainer implements TrainableLayer {
        private final RepeatVector layer;

        RepeatVectorTrainer(RepeatVector layer) { this.layer = layer; }

        @Override public Layer layer() { return layer; }

        @Override public List<Param> params() { return List.of(); }

        @Override
        public Var[] forward(Tape t, Var[] in, TrainContext ctx, double[][] state) {
            int n = layer.outputShapes(new int[][]{{in[0].dim(1)}})[0][0];
            List<Var> steps = new ArrayList<>();
            for (int i = 0; i < n; i++) steps.add(in[0]);
            return new Var[]{Ops.stackSteps(t, steps, null)};
        }

        @Override public Layer rebuild() { return layer; }
    }

    /** TimeDistributed: the inner layer on (batch·T, …), reshaped back; the mask passes on. */
    static final class TimeDistributedTrainer implements TrainableLayer {
        private final TimeDistributed layer;
        private final TrainableLayer inner;

        TimeDistributedTrainer(TimeDistributed layer, TrainingConfig c) {
            this.layer = layer;
            this.inner = of(layer.inner(), c);
        }

        @Override public Layer layer() { return layer; }

        @Override public List<Param> params() { return inner.params(); }

        @Override
        public Var[] forward(Tape t, Var[] in, TrainContext ctx, double[][] state) {
            Var x = in[0];
            int[] s = x.shape();
            int[] flat = new int[s.length - 1];
            flat[0] = s[0] * s[1];
            System.arraycopy(s, 2, flat, 1, s.length - 2);
            Var[] r = inner.forward(t, new Var[]{Ops.reshape(t, x, flat, false)}, ctx, null);
            Var[] out = new Var[r.length];
            for (int i = 0; i < r.length; i++) {
                int[] rs = r[i].shape();
                int[] os = new int[rs.length + 1];
                os[0] = s[0];
                os[1] = s[1];
                System.arraycopy(rs, 1, os, 2, rs.length - 1);
                out[i] = Ops.reshape(t, r[i], os, false).withMask(t, x.mask());
            }
            return out;
        }

        @Override public Layer rebuild() { return new TimeDistributed(layer.name(), inner.rebuild()); }
    }
}

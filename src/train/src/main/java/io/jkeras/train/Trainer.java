package io.jkeras.train;

import io.jkeras.exceptions.InputException;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.model.Model;
import io.jkeras.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Keras 3's {@code model.fit} for a loaded model (keras/src/backend/tensorflow/trainer.py:318
 * {@code fit}, :53 {@code train_step}), step for step:
 * <ul>
 * <li>samples are cut into batches of {@code batchSize} in order (the last one partial, as Keras'
 * array adapter does); with {@code validationSplit} the last fraction of the samples is held out
 * first (trainers/data_adapters/array_slicing.py:497, {@code floor(n·(1-split))} kept);</li>
 * <li>per batch: the forward pass in training mode, the loss (the compiled losses summed over
 * outputs, times {@code loss_weights}, plus the activity penalties of every layer call's outputs
 * divided by the batch size and the penalties of trainable weights — trainer.py:385,
 * layers/layer.py:1018), its gradients, one optimizer update, then the weight constraints of the
 * updated weights (base_optimizer.py:528);</li>
 * <li>the epoch's {@code loss} is the mean of the batch losses weighted by batch size, as Keras'
 * loss tracker ({@code Mean} with {@code sample_weight = batch size}, trainer.py:69) accumulates it
 * in float32; with several losses also each output's unweighted loss as {@code <output>_loss}
 * (compile_utils.py:836), a plain mean over the batches; {@code val_loss} (and {@code val_<output>_loss}) likewise over
 * the
 * validation batches, computed after the epoch with dropout off;</li>
 * <li>stateful layers carry their state from batch to batch, through validation and across
 * epochs: Keras' {@code fit} never resets it;</li>
 * <li>layers with {@code trainable=false} are not updated and their regularizers do not count.</li>
 * </ul>
 * A NaN or infinite loss, gradient or updated weight stops training with a
 * {@link TrainingException} naming epoch, step, layer and weight; its {@code lastGoodModel()} holds
 * the weights from before that step (the parameters of the graph are rolled back too).
 *
 * <p>For a Sequential recurrent model that {@link FusedRecurrentFit} accepts, each training batch's
 * loss and gradients come from its fused float32 step instead of the tape; everything after the
 * gradients (checks, optimizer, constraints, metrics) is the same; validation losses come from its
 * forward pass.
 */
public final class Trainer {
    private Trainer() {}

    public static FitResult fit(Model model, Tensor[] x, Tensor[] y, FitOptions o) {
        return fit(new TrainGraph(model), x, y, o);
    }

    /** Fits an existing training graph (its parameters and carried states continue from where they are). */
    public static FitResult fit(TrainGraph graph, Tensor[] x, Tensor[] y, FitOptions o) {
        // the products and time loops run on the model's threads and kernels
        return graph.model().engine().bind(() -> fitOnEngine(graph, x, y, o));
    }

    private static FitResult fitOnEngine(TrainGraph graph, Tensor[] x, Tensor[] y, FitOptions o) {
        Model model = graph.model();
        if (o.optimizer == null) throw new InputException("fit needs an optimizer");
        List<Loss> losses = losses(model, o);
        checkData(model, x, y, "x", "y");
        int n = x[0].dim(0);
        Tensor[] tx = x, ty = y, vx = o.validationX, vy = o.validationY;
        if (vx != null) checkData(model, vx, vy, "validation x", "validation y");
        else if (o.validationSplit > 0) {
            int splitAt = (int) Math.floor(n * (1.0 - o.validationSplit));
            if (splitAt == 0 || splitAt == n) {
                throw new InputException("validation_split " + o.validationSplit + " of " + n + " samples leaves "
                        + (splitAt == 0 ? "no training" : "no validation") + " samples");
            }
            tx = slice(x, 0, splitAt);
            ty = slice(y, 0, splitAt);
            vx = slice(x, splitAt, n);
            vy = slice(y, splitAt, n);
            n = splitAt;
        }
        if (model.stateful() && n % o.batchSize != 0) {
            throw new InputException("model '" + model.name() + "' is stateful: its " + n
                    + " training samples must be a multiple of the batch size "
                    + o.batchSize);
        }
        // a batch size above the sample count is one batch, as Keras' data adapters cut it; never n + bs - 1 (overflow)
        int bs = Math.min(o.batchSize, n);
        int batches = batchCount(n, bs);
        List<Param> params = graph.params();
        List<Param> trainable = graph.trainableParams();
        KerasOptimizer kopt = o.optimizer instanceof KerasOptimizer k ? k : null;
        long iteration = kopt != null ? kopt.iterations() : 0;
        SplittableRandom master = new SplittableRandom(o.seed);
        SplittableRandom shuffleRng = master.split(), dropoutRng = master.split();
        History history = new History();
        List<String> outputNames = outputNames(model, losses);
        FusedRecurrentFit fused = FusedRecurrentFit.select(graph, tx, losses, o.trainPath);
        if (o.earlyStopping != null) o.earlyStopping.onTrainBegin();
        int epochsRun = 0;
        for (int epoch = 0; epoch < o.epochs; epoch++) {
            for (ProgressListener l : o.listeners) l.onEpochStart(epoch, o.epochs, batches);
            int[] order = new int[n];
            for (int i = 0; i < n; i++) order[i] = i;
            if (o.shuffle) {
                for (int i = n - 1; i > 0; i--) {
                    int j = shuffleRng.nextInt(i + 1);
                    int t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                }
            }
            Metrics metrics = new Metrics();
            for (int b = 0; b < batches; b++) {
                int from = b * bs, to = from + Math.min(bs, n - from);
                int[] idx = java.util.Arrays.copyOfRange(order, from, to);
                Tensor[] xb = take(tx, idx), yb = take(ty, idx);
                Tape tape = new Tape();
                for (Param p : params) p.zeroGrad();
                BatchLoss bl = fused != null
                        ? fused.lossAndGradients(xb[0], yb[0], losses.get(0), o.lossWeights, trainable)
                        : lossOf(graph, tape, xb, yb, losses, o.lossWeights, new TrainContext(true, dropoutRng),
                                trainable);
                Var lossVar = bl.total();
                double lossValue = lossVar.value()[0];
                if (!Double.isFinite(lossValue)) {
                    throw new TrainingException(epoch, b, null, null, "the loss is " + lossValue
                            + "; weights are those from before this step", graph.toModel());
                }
                if (fused == null) tape.backward(lossVar);
                for (Param p : trainable) {
                    double[] g = p.var().grad();
                    if (g == null) continue;
                    for (double v : g) {
                        if (!Double.isFinite(v)) {
                            throw new TrainingException(epoch, b, p.layer(), p.name(), "a gradient is " + v + " (loss "
                                    + lossValue
                                    + "); weights are those from before this step", graph.toModel());
                        }
                    }
                }
                double[][] before = new double[trainable.size()][];
                for (int i = 0; i < before.length; i++) before[i] = trainable.get(i).var().value().clone();
                OptimizerState optBefore = kopt != null ? kopt.snapshot() : null;
                o.optimizer.step(trainable, iteration);
                for (Param p : trainable) if (p.var().grad() != null) Constraints.apply(p);
                for (int i = 0; i < before.length; i++) {
                    Param p = trainable.get(i);
                    for (double v : p.var().value()) {
                        if (!Double.isFinite(v)) {
                            for (int k = 0; k < before.length; k++) System.arraycopy(before[k], 0, trainable.get(k)
                                    .var().value(), 0, before[k].length);
                            if (kopt != null) kopt.importState(optBefore);
                            throw new TrainingException(epoch, b, p.layer(), p.name(), "the update made a weight " + v
                                    + "; weights are those from before this step", graph.toModel());
                        }
                    }
                }
                iteration++;
                metrics.add(bl, outputNames, idx.length);
                for (ProgressListener l : o.listeners) l.onBatchEnd(epoch, b, batches, metrics.result("loss"));
            }
            Map<String, Double> logs = metrics.results("");
            if (vx != null) logs.putAll(evaluate(graph, vx, vy, losses, o.lossWeights,
                    o.validationBatchSize != null ? o.validationBatchSize : o.batchSize, trainable, "val_",
                            o.trainPath));
            history.add(logs);
            epochsRun = epoch + 1;
            for (ProgressListener l : o.listeners) l.onEpochEnd(epoch, logs);
            if (o.earlyStopping != null && o.earlyStopping.onEpochEnd(epoch, logs, graph::weights)) break;
        }
        if (o.earlyStopping != null) {
            Map<String, float[]> best = o.earlyStopping.weightsToRestore();
            if (best != null) setWeights(params, best);
        }
        return new FitResult(graph.toModel(), history, kopt != null ? kopt.exportState() : null, graph, epochsRun);
    }

    /**
     * Keras' {@code evaluate} on data (as {@code val_loss} when {@code prefix} is "val_"): the
     * batch losses (regularization included) averaged weighted by batch size, in float32, and for
     * several outputs each output's unweighted loss as {@code <output>_loss}; dropout off;
     * stateful state carried.
     */
    public static Map<String,
            Double> evaluate(TrainGraph graph, Tensor[] x, Tensor[] y, List<Loss> losses, double[] lossWeights,
                                               int batchSize, List<Param> trainable, String prefix) {
        return graph.model().engine()
                .bind(() -> evaluate(graph, x, y, losses, lossWeights, batchSize, trainable, prefix,
                FusedRecurrentFit.defaultMode()));
    }

    private static Map<String, Double> evaluate(TrainGraph graph, Tensor[] x, Tensor[] y, List<Loss> losses,
                                                double[] lossWeights, int batchSize, List<Param> trainable,
                                                        String prefix,
                                                FusedRecurrentFit.Mode path) {
        int n = x[0].dim(0);
        Metrics m = new Metrics();
        List<String> names = outputNames(graph.model(), losses);
        TrainContext ctx = new TrainContext(false, null);
        FusedRecurrentFit fused = FusedRecurrentFit.select(graph, x, losses, path);
        for (int from = 0; from < n; from += Math.min(batchSize, n - from)) {
            int to = from + Math.min(batchSize, n - from);
            Tensor[] xb = slice(x, from, to), yb = slice(y, from, to);
            m.add(fused != null ? fused.loss(xb[0], yb[0], losses.get(0), lossWeights, trainable)
                    : lossOf(graph, new Tape(), xb, yb, losses, lossWeights, ctx, trainable), names, to - from);
        }
        return m.results(prefix);
    }

    /** A batch's total loss and each output's unweighted loss. */
    record BatchLoss(Var total, double[] outputs) {}

    /**
     * Keras' {@code Mean} metrics over an epoch: each value times its weight summed in float32,
     * divided by the summed weights. The loss is weighted by the batch size (trainer.py:69); the
     * per-output losses get {@code sample_weight = y_pred.shape[0]} (compile_utils.py:838), the
     * static batch size, which is None inside {@code fit}/{@code evaluate}: a plain mean over batches.
     */
    static final class Metrics {
        private final Map<String, float[]> sums = new LinkedHashMap<>();

        void add(String key, double value, int n) {
            float[] s = sums.computeIfAbsent(key, k -> new float[2]);
            s[0] = s[0] + (float) value * (float) n;
            s[1] = s[1] + (float) n;
        }

        void add(BatchLoss bl, List<String> outputNames, int n) {
            add("loss", bl.total().value()[0], n);
            if (outputNames != null) for (int i = 0; i < outputNames.size(); i++) {
                // weight 1 per batch: the metric's sample_weight is the static batch size, None inside fit
                if (outputNames.get(i) != null) add(outputNames.get(i) + "_loss", bl.outputs()[i], 1);
            }
        }

        double result(String key) {
            float[] s = sums.get(key);
            return s == null || s[1] == 0 ? 0 : (double) (s[0] / s[1]);
        }

        Map<String, Double> results(String prefix) {
            Map<String, Double> m = new LinkedHashMap<>();
            for (String k : sums.keySet()) m.put(prefix + k, result(k));
            return m;
        }
    }

    /** For models with more than one loss, the output names Keras reports per-output losses under; else null. */
    static List<String> outputNames(Model model, List<Loss> losses) {
        if (losses.stream().filter(java.util.Objects::nonNull).count() < 2) return null;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < losses.size(); i++) names.add(losses.get(i) == null ? null : model.outputName(i));
        return names;
    }

    static BatchLoss lossOf(TrainGraph graph, Tape t, Tensor[] xb, Tensor[] yb, List<Loss> losses, double[] weights,
                                    TrainContext ctx, List<Param> trainable) {
        Var[] in = new Var[xb.length];
        for (int i = 0; i < in.length; i++) in[i] = TrainGraph.constant(xb[i]);
        Model model = graph.model();
        List<Var> activity = new ArrayList<>();
        Var[] out = graph.forward(t, in, ctx, (node, outs) -> {
            TrainingConfig.Regularizer ar = model.trainingConfig(node.layer().name()).activityRegularizer();
            if (ar != null) for (Var v : outs) activity.add(Regularization.activityPenalty(t, v, ar));
        });
        Var total = null;
        double[] perOutput = new double[out.length];
        for (int i = 0; i < out.length; i++) {
            Loss loss = losses.get(i);
            if (loss == null) continue;
            Var li = loss.compute(t, TrainGraph.constant(yb[i]), out[i]);
            perOutput[i] = li.value()[0];
            if (weights != null) li = Ops.scale(t, li, (float) weights[i]);
            total = total == null ? li : Ops.add(t, total, li);
        }
        for (Var a : activity) total = Ops.add(t, total, a);
        Var reg = Regularization.weightPenalty(t, trainable);
        if (reg != null) total = Ops.add(t, total, reg);
        return new BatchLoss(total, perOutput);
    }

    private static List<Loss> losses(Model model, FitOptions o) {
        int outs = model.outputCount();
        List<Loss> ls = new ArrayList<>();
        if (o.losses != null) {
            if (o.losses.size() != outs) throw new InputException("model '" + model.name() + "' has " + outs
                    + " output(s), got " + o.losses.size() + " losses");
            ls.addAll(o.losses);
        } else if (o.loss != null) {
            for (int i = 0; i < outs; i++) ls.add(o.loss);
        } else {
            throw new InputException("fit needs a loss");
        }
        if (ls.stream().allMatch(java.util.Objects::isNull)) throw new InputException(
                "fit needs a loss for at least one output");
        if (o.lossWeights != null && o.lossWeights.length != outs) {
            throw new InputException("model '" + model.name() + "' has " + outs + " output(s), got "
                    + o.lossWeights.length + " loss weights");
        }
        return ls;
    }

    private static void checkData(Model model, Tensor[] x, Tensor[] y, String xn, String yn) {
        if (x == null || x.length != model.inputCount()) {
            throw new InputException("model '" + model.name() + "' takes " + model.inputCount() + " input(s), got "
                    + (x == null ? 0 : x.length) + " " + xn);
        }
        if (y == null || y.length != model.outputCount()) {
            throw new InputException("model '" + model.name() + "' has " + model.outputCount() + " output(s), got "
                    + (y == null ? 0 : y.length) + " " + yn);
        }
        for (int i = 0; i < x.length; i++) {
            io.jkeras.layers.InputLayer in = model.input(i);
            int[] s = in.shape(), got = x[i].shape();
            boolean ok = got.length == s.length + 1;
            for (int d = 0; ok && d < s.length; d++) ok = s[d] < 0 || s[d] == got[d + 1];
            if (!ok) {
                int[] full = new int[s.length + 1];
                full[0] = -1;
                System.arraycopy(s, 0, full, 1, s.length);
                throw new InputException(null, in.name(), null, xn + " " + i + " has shape " + Tensor.shapeString(got)
                        + " but input " + i + " expects " + Tensor.shapeString(full));
            }
        }
        int n = x[0].dim(0);
        if (n == 0) {
            throw new InputException(xn + " holds 0 samples (shape " + Tensor.shapeString(x[0].shape())
                    + "); fit needs at least one");
        }
        for (Tensor[] ts : new Tensor[][]{x, y}) {
            for (Tensor t : ts) {
                if (t.rank() == 0 || t.dim(0) != n) {
                    throw new InputException("all inputs and targets need the same number of samples: " + n
                            + " vs shape " + Tensor.shapeString(t.shape()));
                }
                for (float v : t.data()) {
                    if (!Float.isFinite(v)) throw new InputException(xn + "/" + yn + " hold NaN or infinite values");
                }
            }
        }
    }

    /** The number of batches of at most {@code bs} samples that {@code n} samples make, without overflow. */
    static int batchCount(int n, int bs) {
        return n / bs + (n % bs == 0 ? 0 : 1);
    }

    /** Samples {@code [from, to)} of each tensor. */
    static Tensor[] slice(Tensor[] ts, int from, int to) {
        int[] idx = new int[to - from];
        for (int i = 0; i < idx.length; i++) idx[i] = from + i;
        return take(ts, idx);
    }

    /** The samples at {@code idx} of each tensor (its mask too). */
    static Tensor[] take(Tensor[] ts, int[] idx) {
        Tensor[] out = new Tensor[ts.length];
        for (int k = 0; k < ts.length; k++) {
            Tensor t = ts[k];
            int n = t.dim(0);
            int per = n == 0 ? 0 : t.size() / n;
            float[] d = new float[idx.length * per];
            for (int i = 0; i < idx.length; i++) System.arraycopy(t.data(), idx[i] * per, d, i * per, per);
            int[] s = t.shape();
            s[0] = idx.length;
            boolean[] m = null;
            if (t.mask() != null) {
                int mp = t.mask().length / n;
                m = new boolean[idx.length * mp];
                for (int i = 0; i < idx.length; i++) System.arraycopy(t.mask(), idx[i] * mp, m, i * mp, mp);
            }
            out[k] = m == null ? new Tensor(s, d) : new Tensor(s, d, m);
        }
        return out;
    }

    private static void setWeights(List<Param> params, Map<String, float[]> w) {
        for (Param p : params) {
            float[] f = w.get(p.fullName());
            if (f == null) continue;
            double[] v = p.var().value();
            for (int i = 0; i < v.length; i++) v[i] = f[i];
        }
    }
}

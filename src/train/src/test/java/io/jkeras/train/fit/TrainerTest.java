package io.jkeras.train.fit;

import io.jkeras.exceptions.InputException;
import io.jkeras.train.TrainingException;
import io.jkeras.kernels.Activation;
import io.jkeras.layers.Dense;
import io.jkeras.layers.InputLayer;
import io.jkeras.layers.Layer;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.model.Model;
import io.jkeras.model.Node;
import io.jkeras.tensor.Tensor;
import io.jkeras.train.EarlyStopping;
import io.jkeras.train.FitOptions;
import io.jkeras.train.FitResult;
import io.jkeras.train.Losses;
import io.jkeras.train.ProgressListener;
import io.jkeras.train.Trainer;
import io.jkeras.train.Adam;
import io.jkeras.train.Sgd;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The fit loop on a linear model {@code y = x·W + b} (3 → 1), whose MSE gradients have a closed
 * form, so batching, loss aggregation, regularization, freezing, early stopping, validation and
 * the NaN guard are checked against a plain re-derivation here.
 */
class TrainerTest {
    static final int N = 10, F = 3;

    static Model linear(float[] k, float[] b, Map<String, TrainingConfig> tc) {
        InputLayer in = new InputLayer("input", new int[]{F}, -1, false);
        Dense d = new Dense("dense", F, 1, Activation.LINEAR, k, b);
        List<Node> nodes = List.of(new Node(0, in, List.of(), new int[][]{{F}}),
                new Node(1, d, List.of(new Node.Ref(0, 0)), new int[][]{{1}}));
        return new Model("m", nodes, List.of(0), List.of(new Node.Ref(1, 0)), List.<Layer>of(in, d), Map.of(), tc);
    }

    static final float[] K0 = {0.3f, -0.2f, 0.5f}, B0 = {0.1f};

    static Tensor[] data(long seed, boolean target) {
        Random r = new Random(seed);
        float[] x = new float[N * F], y = new float[N];
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        for (int i = 0; i < N; i++) y[i] = (float) (x[i * F] - 2 * x[i * F + 1] + 0.5 * x[i * F + 2] + 0.3);
        return target ? new Tensor[]{new Tensor(new int[]{N, 1}, y)} : new Tensor[]{new Tensor(new int[]{N, F}, x)};
    }

    /**
     * Plain SGD on the linear model with MSE (+ l2 on the kernel); returns per-epoch mean losses, updates w (kernel
     * then bias).
     */
    static List<Double> referenceSgd(double[] w, Tensor x, Tensor y, int from, int to, int bs, int epochs, double lr,
            double l2) {
        List<Double> hist = new ArrayList<>();
        for (int e = 0; e < epochs; e++) {
            double tot = 0;
            int cnt = 0;
            for (int s = from; s < to; s += bs) {
                int end = Math.min(to, s + bs), m = end - s;
                double loss = 0;
                double[] g = new double[F + 1];
                for (int i = s; i < end; i++) {
                    double p = w[F];
                    for (int j = 0; j < F; j++) p += x.data()[i * F + j] * w[j];
                    double d = p - y.data()[i];
                    loss += d * d / m;
                    for (int j = 0; j < F; j++) g[j] += 2 * d * x.data()[i * F + j] / m;
                    g[F] += 2 * d / m;
                }
                for (int j = 0; j < F; j++) {
                    loss += l2 * w[j] * w[j];
                    g[j] += 2 * l2 * w[j];
                }
                for (int j = 0; j <= F; j++) w[j] -= lr * g[j];
                tot += loss * m;
                cnt += m;
            }
            hist.add(tot / cnt);
        }
        return hist;
    }

    static double[] weightsOf(Model m) {
        float[] k = m.weights().get(0).weight().values(), b = m.weights().get(1).weight().values();
        return new double[]{k[0], k[1], k[2], b[0]};
    }

    @Test
    void batchesPartialLastBatchAndHistoryMatchPlainSgd() {
        Tensor[] x = data(1, false), y = data(1, true);
        List<Integer> batchesSeen = new ArrayList<>();
        FitResult r = Trainer.fit(linear(K0, B0, Map.of()), x, y, new FitOptions().loss(Losses.meanSquaredError())
                .optimizer(new Sgd(0.1)).batchSize(4).epochs(3).shuffle(false)
                .listener(new ProgressListener() {
                    @Override public void onEpochStart(int epoch, int epochs, int batches) { batchesSeen.add(batches); }
                }));
        double[] w = {K0[0], K0[1], K0[2], B0[0]};
        List<Double> want = referenceSgd(w, x[0], y[0], 0, N, 4, 3, 0.1, 0);
        assertThat(batchesSeen).containsExactly(3, 3, 3);
        assertThat(r.history().get("loss")).hasSize(3);
        for (int e = 0; e < 3; e++) assertThat(r.history().get("loss").get(e))
                .isCloseTo(want.get(e), within(1e-5 * want.get(e)));
        assertThat(weightsOf(r.model())).containsExactly(w, within(1e-5));
        assertThat(r.optimizerState().iterations()).isEqualTo(9);
    }

    @Test
    void batchSizeAboveTheSampleCountIsOneBatchAsInKeras() {
        Tensor[] x = data(1, false), y = data(1, true);
        List<Integer> batchesSeen = new ArrayList<>();
        FitResult r = Trainer.fit(linear(K0, B0, Map.of()), x, y, new FitOptions().loss(Losses.meanSquaredError())
                .optimizer(new Sgd(0.1)).batchSize(Integer.MAX_VALUE).epochs(2).shuffle(false)
                .validationData(data(3, false), data(3, true))
                .listener(new ProgressListener() {
                    @Override public void onEpochStart(int epoch, int epochs, int batches) { batchesSeen.add(batches); }
                }));
        double[] w = {K0[0], K0[1], K0[2], B0[0]};
        List<Double> want = referenceSgd(w, x[0], y[0], 0, N, N, 2, 0.1, 0);
        assertThat(batchesSeen).containsExactly(1, 1);
        for (int e = 0; e < 2; e++) assertThat(r.history().get("loss").get(e))
                .isCloseTo(want.get(e), within(1e-5 * want.get(e)));
        assertThat(r.history().get("val_loss")).hasSize(2).allMatch(Double::isFinite);
        assertThat(weightsOf(r.model())).containsExactly(w, within(1e-5));
    }

    @Test
    void fitOnZeroSamplesIsAnInputException() {
        Tensor[] x = {new Tensor(new int[]{0, F}, new float[0])}, y = {new Tensor(new int[]{0, 1}, new float[0])};
        FitOptions o = new FitOptions().loss(Losses.meanSquaredError()).optimizer(new Sgd(0.1));
        assertThatThrownBy(() -> Trainer.fit(linear(K0, B0, Map.of()), x, y, o))
                .isInstanceOf(InputException.class).hasMessageContaining("x holds 0 samples (shape (0, 3))");
        assertThatThrownBy(()
                -> Trainer.fit(linear(K0, B0, Map.of()), data(1, false), data(1, true), o.validationData(x, y)))
                .isInstanceOf(InputException.class).hasMessageContaining("validation x holds 0 samples");
    }

    @Test
    void l2RegularizationIsInTheLossAndGradient() {
        TrainingConfig tc = new TrainingConfig(true, 0, 0, Map.of("kernel", new TrainingConfig.Regularizer(0, 0.05)),
                null, Map.of());
        Tensor[] x = data(2, false), y = data(2, true);
        FitResult r = Trainer.fit(linear(K0, B0, Map.of("dense", tc)), x, y, new FitOptions()
                .loss(Losses.meanSquaredError())
                .optimizer(new Sgd(0.1)).batchSize(5).epochs(2).shuffle(false));
        double[] w = {K0[0], K0[1], K0[2], B0[0]};
        List<Double> want = referenceSgd(w, x[0], y[0], 0, N, 5, 2, 0.1, 0.05);
        for (int e = 0; e < 2; e++) assertThat(r.history().get("loss").get(e))
                .isCloseTo(want.get(e), within(1e-5 * want.get(e)));
        assertThat(weightsOf(r.model())).containsExactly(w, within(1e-5));
    }

    @Test
    void frozenLayerKeepsItsWeights() {
        TrainingConfig frozen = TrainingConfig.DEFAULT.withTrainable(false);
        FitResult r = Trainer.fit(linear(K0, B0, Map.of("dense", frozen)), data(3, false), data(3, true),
                new FitOptions().loss(Losses.meanSquaredError()).optimizer(new Adam(0.1)).batchSize(4).epochs(2));
        assertThat(weightsOf(r.model())).containsExactly(K0[0], K0[1], K0[2], B0[0]);
    }

    @Test
    void nonNegConstraintAppliedAfterEachUpdate() {
        TrainingConfig tc = new TrainingConfig(true, 0, 0, Map.of(), null,
                Map.of("kernel", new TrainingConfig.Constraint.NonNeg()));
        FitResult r = Trainer.fit(linear(K0, B0, Map.of("dense", tc)), data(4, false), data(4, true),
                new FitOptions().loss(Losses.meanSquaredError()).optimizer(new Sgd(0.5)).batchSize(2).epochs(3)
                        .shuffle(false));
        double[] w = weightsOf(r.model());
        assertThat(w[1]).isEqualTo(0.0); // the target's coefficient is -2: pushed negative, clipped to 0
        assertThat(w[0]).isGreaterThan(0);
    }

    @Test
    void validationSplitHoldsOutTheLastSamples() {
        Tensor[] x = data(5, false), y = data(5, true);
        List<Integer> batches = new ArrayList<>();
        FitResult r = Trainer.fit(linear(K0, B0, Map.of()), x, y, new FitOptions().loss(Losses.meanSquaredError())
                .optimizer(new Sgd(0.1)).batchSize(3).epochs(1).shuffle(false).validationSplit(0.25)
                .listener(new ProgressListener() {
                    @Override public void onEpochStart(int epoch, int epochs, int b) { batches.add(b); }
                }));
        // floor(10 · 0.75) = 7 training samples: 3 batches; samples 7..9 validate
        assertThat(batches).containsExactly(3);
        double[] w = {K0[0], K0[1], K0[2], B0[0]};
        referenceSgd(w, x[0], y[0], 0, 7, 3, 1, 0.1, 0);
        double val = 0;
        for (int i = 7; i < N; i++) {
            double p = w[3];
            for (int j = 0; j < F; j++) p += x[0].data()[i * F + j] * w[j];
            val += (p - y[0].data()[i]) * (p - y[0].data()[i]) / 3;
        }
        assertThat(r.history().get("val_loss").get(0)).isCloseTo(val, within(1e-5 * val));
    }

    @Test
    void earlyStoppingRestoresTheBestEpoch() {
        Tensor[] x = data(6, false), y = data(6, true);
        float[] neg = y[0].data().clone();
        for (int i = 0; i < neg.length; i++) neg[i] = -neg[i];
        Tensor[] vy = {new Tensor(new int[]{N, 1}, neg)};
        EarlyStopping es = new EarlyStopping("val_loss", 0, 1, true);
        FitResult r = Trainer.fit(linear(K0, B0, Map.of()), x, y, new FitOptions().loss(Losses.meanSquaredError())
                .optimizer(new Sgd(0.1)).batchSize(N).epochs(20).shuffle(false).validationData(x, vy)
                .earlyStopping(es));
        List<Double> vl = r.history().get("val_loss");
        assertThat(vl.get(1)).isGreaterThan(vl.get(0)); // fitting y makes -y worse from the start
        assertThat(r.epochsRun()).isEqualTo(2);
        assertThat(es.stoppedEpoch()).isEqualTo(1);
        FitResult one = Trainer.fit(linear(K0, B0, Map.of()), x, y, new FitOptions().loss(Losses.meanSquaredError())
                .optimizer(new Sgd(0.1)).batchSize(N).epochs(1).shuffle(false));
        assertThat(weightsOf(r.model())).containsExactly(weightsOf(one.model()));
    }

    @Test
    void nonFiniteUpdateStopsWithTheLastGoodWeights() {
        Tensor[] x = data(7, false), y = data(7, true);
        FitOptions o = new FitOptions().loss(Losses.meanSquaredError()).optimizer(new Sgd(1e39)).batchSize(N).epochs(1)
                .shuffle(false);
        assertThatThrownBy(() -> Trainer.fit(linear(K0, B0, Map.of()), x, y, o))
                .isInstanceOfSatisfying(TrainingException.class, e -> {
                    assertThat(e.epoch()).isZero();
                    assertThat(e.step()).isZero();
                    assertThat(e.layer()).isEqualTo("dense");
                    assertThat(e.getMessage()).contains("epoch 0, step 0");
                    assertThat(weightsOf(e.lastGoodModel())).containsExactly(K0[0], K0[1], K0[2], B0[0]);
                });
    }

    @Test
    void shuffleIsSeededAndChangesTheOrder() {
        Tensor[] x = data(8, false), y = data(8, true);
        FitOptions a = new FitOptions().loss(Losses.meanSquaredError()).optimizer(new Sgd(0.1)).batchSize(2).epochs(2)
                .seed(42);
        FitOptions b = new FitOptions().loss(Losses.meanSquaredError()).optimizer(new Sgd(0.1)).batchSize(2).epochs(2)
                .seed(42);
        double[] wa = weightsOf(Trainer.fit(linear(K0, B0, Map.of()), x, y, a).model());
        double[] wb = weightsOf(Trainer.fit(linear(K0, B0, Map.of()), x, y, b).model());
        double[] plain = weightsOf(
                Trainer.fit(linear(K0, B0, Map.of()), x, y, new FitOptions().loss(Losses.meanSquaredError())
                .optimizer(new Sgd(0.1)).batchSize(2).epochs(2).shuffle(false)).model());
        assertThat(wa).containsExactly(wb);
        assertThat(wa).isNotEqualTo(plain);
    }
}

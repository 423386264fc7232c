package io.jkeras.train;

import io.jkeras.kernels.Activation;
import io.jkeras.layers.Dense;
import io.jkeras.layers.Gru;
import io.jkeras.layers.InputLayer;
import io.jkeras.layers.Layer;
import io.jkeras.layers.Lstm;
import io.jkeras.layers.Recurrent;
import io.jkeras.layers.RecurrentOptions;
import io.jkeras.layers.SimpleRnn;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.kernels.Engine;
import io.jkeras.model.Model;
import io.jkeras.model.Node;
import io.jkeras.tensor.Tensor;
import io.jkeras.train.Adam;
import io.jkeras.train.Sgd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The fused float32 training step against the double-precision tape as oracle: the gradients of
 * one batch, and the weights after a few epochs of training, on small random models of odd sizes.
 *
 * <p>Tolerance: the fused path rounds every value to float32 (unit round-off 6e-8) where the tape
 * keeps double, and a gradient is a sum over batch·steps terms, each the product of a chain of at
 * most {@code steps} Jacobians built from dot products of length ≤ 4·17 + 5. The accumulated
 * relative error is bounded by a few hundred round-offs times the magnitude of the terms summed,
 * which is within a small factor of the gradient's largest element for these O(1) weights and
 * inputs: 2e-5 of the largest |gradient| of each weight (about 300 round-offs) leaves room for that
 * bound while still catching any wrong term (a wrong gate, bias half or step is off by O(1)).
 */
class FusedRecurrentFitTest {
    static final double GRAD_RTOL = 2e-5;

    static float[] rnd(Random r, int n, double scale) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        return f;
    }

    /** Input → {@code kind}(units) → Dense(outs): a random Sequential model (gru: reset_after=True, gru1: False). */
    static Model model(String kind, int units, int steps, int features, int outs, boolean useBias, boolean backwards,
                       Activation denseAct, Map<String, TrainingConfig> tc, long seed) {
        return stacked(new String[]{kind}, new int[]{units}, steps, features, outs, useBias, backwards, denseAct, tc,
                seed);
    }

    static Model stacked(String[] kinds, int[] units, int steps, int features, int outs, boolean useBias,
            boolean backwards,
                         Activation denseAct, Map<String, TrainingConfig> tc, long seed) {
        return stacked(kinds, units, steps, features, outs, useBias, backwards, denseAct, tc, seed, "dense", false);
    }

    /**
     * Input → {@code kinds[i]}(units[i]) … → Dense(outs), every recurrent layer but the last
     * returning sequences; layers named rnn, rnn1, rnn2, …; go_backwards on the first.
     */
    static Model stacked(String[] kinds, int[] units, int steps, int features, int outs, boolean useBias,
            boolean backwards,
                         Activation denseAct, Map<String, TrainingConfig> tc, long seed, String head,
                                 boolean stateful) {
        boolean seqHead = !head.equals("dense");
        Random r = new Random(seed);
        double s = 0.6;
        List<Node> nodes = new ArrayList<>();
        List<Layer> layers = new ArrayList<>();
        InputLayer in = new InputLayer("in", new int[]{steps, features}, -1, false);
        nodes.add(new Node(0, in, List.of(), new int[][]{{steps, features}}));
        layers.add(in);
        int f = features;
        for (int i = 0; i < kinds.length; i++) {
            boolean last = i == kinds.length - 1;
            RecurrentOptions o = new RecurrentOptions(!last || seqHead, false, backwards && i == 0, stateful);
            int u = units[i];
            String name = i == 0 ? "rnn" : "rnn" + i;
            Recurrent rnn = switch (kinds[i]) {
                case "lstm" -> new Lstm(name, u, f, Activation.TANH, Activation.SIGMOID, rnd(r, f * 4 * u, s),
                        rnd(r, u * 4 * u, s), useBias ? rnd(r, 4 * u, s) : null, o);
                case "gru" -> new Gru(name, u, f, Activation.TANH, Activation.SIGMOID, true, rnd(r, f * 3 * u, s),
                        rnd(r, u * 3 * u, s), useBias ? rnd(r, 6 * u, s) : null, o);
                case "gru1" -> new Gru(name, u, f, Activation.TANH, Activation.SIGMOID, false, rnd(r, f * 3 * u, s),
                        rnd(r, u * 3 * u, s), useBias ? rnd(r, 3 * u, s) : null, o);
                case "simple" -> new SimpleRnn(name, u, f, Activation.TANH, rnd(r, f * u, s),
                        rnd(r, u * u, s), useBias ? rnd(r, u, s) : null, o);
                default -> throw new IllegalArgumentException(kinds[i]);
            };
            nodes.add(new Node(i + 1, rnn, List.of(new Node.Ref(i, 0)),
                    new int[][]{last && !seqHead ? new int[]{u} : new int[]{steps, u}}));
            layers.add(rnn);
            f = u;
        }
        Dense d = new Dense("dense", f, outs, denseAct, rnd(r, f * outs, s), rnd(r, outs, s));
        Layer top = head.equals("td") ? new io.jkeras.layers.TimeDistributed("dense", d) : d;
        int id = kinds.length + 1;
        nodes.add(new Node(id, top, List.of(new Node.Ref(id - 1, 0)),
                new int[][]{seqHead ? new int[]{steps, outs} : new int[]{outs}}));
        layers.add(top);
        return new Model("m", nodes, List.of(0), List.of(new Node.Ref(id, 0)), layers, Map.of(), tc);
    }

    static Tensor tensor(Random r, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return new Tensor(shape, rnd(r, n, 1.0));
    }

    static Stream<Arguments> shapes() {
        List<Arguments> a = new ArrayList<>();
        for (String kind : new String[]{"lstm", "gru", "gru1", "simple"})
            for (int units : new int[]{1, 7, 17})
                for (int steps : new int[]{1, 5})
                    for (int batch : new int[]{1, 3})
                        a.add(Arguments.of(kind, units, steps, batch));
        return a.stream();
    }

    /**
     * The gradient oracle: the double-precision tape's gradients of one batch (loss, weight and activity
     * penalties included), by param full name.
     */
    static Map<String, double[]> oracleGradients(Model m, Tensor x, Tensor y, Loss loss, double[] lossWeights,
            double[] lossOut) {
        TrainGraph g = new TrainGraph(m);
        Tape t = new Tape();
        Trainer.BatchLoss bl = Trainer.lossOf(g, t, new Tensor[]{x}, new Tensor[]{y}, List.of(loss), lossWeights,
                new TrainContext(true, new SplittableRandom(0)), g.trainableParams());
        t.backward(bl.total());
        lossOut[0] = bl.total().value()[0];
        return grads(g);
    }

    static Map<String, double[]> fusedGradients(Model m, Tensor x, Tensor y, Loss loss, double[] lossWeights,
            double[] lossOut) {
        return fusedGradients(m, x, y, loss, lossWeights, lossOut, 0);
    }

    /** {@link #fusedGradients} with the batch split into {@code parts} parts (0: as the engine decides). */
    static Map<String, double[]> fusedGradients(Model m, Tensor x, Tensor y, Loss loss, double[] lossWeights,
            double[] lossOut,
                                                int parts) {
        TrainGraph g = new TrainGraph(m);
        FusedRecurrentFit f = FusedRecurrentFit.select(g, new Tensor[]{x}, List.of(loss));
        assertThat(f).as("the model qualifies for the fused path").isNotNull();
        if (parts > 0) {
            f.minPartRows = 1;
            assertThat(Engine.current().withThreads(parts).bind(() -> f.parts(x.dim(0)))).isEqualTo(parts);
            return Engine.current().withThreads(parts)
                    .bind(() -> fusedGradients(f, g, x, y, loss, lossWeights, lossOut));
        }
        return fusedGradients(f, g, x, y, loss, lossWeights, lossOut);
    }

    private static Map<String,
            double[]> fusedGradients(FusedRecurrentFit f, TrainGraph g, Tensor x, Tensor y, Loss loss,
                                                        double[] lossWeights, double[] lossOut) {
        for (int rep = 0; rep < 2; rep++) {  // twice: reused buffers must not leak state from the previous batch
            for (Param p : g.params()) p.zeroGrad();
            lossOut[0] = f.lossAndGradients(x, y, loss, lossWeights, g.trainableParams()).total().value()[0];
        }
        return grads(g);
    }

    static Map<String, double[]> grads(TrainGraph g) {
        Map<String, double[]> out = new HashMap<>();
        for (Param p : g.params()) out.put(p.fullName(), p.var().grad());
        return out;
    }

    static void assertClose(Map<String, double[]> want, Map<String, double[]> got, double rtol) {
        assertThat(got.keySet()).isEqualTo(want.keySet());
        assertThat(want.get("dense/kernel")).as("the tape gives a gradient").isNotNull()
                .matches(g -> java.util.Arrays.stream(g).anyMatch(v -> v != 0));
        for (String k : want.keySet()) {
            double[] a = want.get(k), b = got.get(k);
            if (a == null) {
                assertThat(b).as("%s has no gradient on the tape", k).isNull();
                continue;
            }
            assertThat(b).as("gradient of %s", k).isNotNull().hasSameSizeAs(a);
            double scale = 0;
            for (double v : a) scale = Math.max(scale, Math.abs(v));
            // (a zero gradient, e.g. the recurrent kernel's with one step, must be exactly zero on both paths)
            for (int i = 0; i < a.length; i++) {
                assertThat(Math.abs(b[i] - a[i])).as("%s[%d]: fused %s, tape %s", k, i, b[i], a[i])
                        .isLessThanOrEqualTo(rtol * scale);
            }
        }
    }

    @ParameterizedTest(name = "{0} units={1} steps={2} batch={3}")
    @MethodSource("shapes")
    void gradientsMatchTheTape(String kind, int units, int steps, int batch) {
        int features = 5, outs = 2;
        Random r = new Random(units * 1000L + steps * 10L + batch);
        Model m = model(kind, units, steps, features, outs, true, false, Activation.LINEAR, Map.of(), 7 + units);
        Tensor x = tensor(r, batch, steps, features), y = tensor(r, batch, outs);
        double[] lt = new double[1], lf = new double[1];
        Map<String, double[]> want = oracleGradients(m, x, y, Losses.meanSquaredError(), null, lt);
        Map<String, double[]> got = fusedGradients(m, x, y, Losses.meanSquaredError(), null, lf);
        assertThat(lf[0]).isCloseTo(lt[0], org.assertj.core.api.Assertions.within(1e-5 * Math.max(1, Math.abs(lt[0]))));
        assertClose(want, got, GRAD_RTOL);
    }

    static Stream<Arguments> variants() {
        return Stream.of("lstm", "gru", "gru1", "simple").map(Arguments::of);
    }

    /**
     * go_backwards, no bias, a sigmoid output with binary crossentropy (computed from the logits),
     * a loss weight, weight regularizers, and activity regularizers on the recurrent and Dense layers.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void optionsMatchTheTape(String kind) {
        TrainingConfig.Regularizer l2 = new TrainingConfig.Regularizer(0, 0.01);
        TrainingConfig rc = new TrainingConfig(true, 0, 0,
                Map.of("kernel", l2, "recurrent_kernel", new TrainingConfig.Regularizer(0.003, 0)),
                new TrainingConfig.Regularizer(0.01, 0.03), Map.of(), Map.of());
        TrainingConfig dc = new TrainingConfig(true, 0, 0, Map.of("kernel", l2),
                new TrainingConfig.Regularizer(0.02, 0.01), Map.of(), Map.of());
        for (boolean bias : new boolean[]{true, false}) {
            Random r = new Random(5);
            Model m = model(kind, 7, 5, 3, 3, bias, true, Activation.SIGMOID, Map.of("rnn", rc, "dense", dc), 11);
            Tensor x = tensor(r, 3, 5, 3);
            float[] yv = new float[9];
            for (int i = 0; i < yv.length; i++) yv[i] = r.nextBoolean() ? 1f : 0f;
            Tensor y = new Tensor(new int[]{3, 3}, yv);
            Loss loss = Losses.binaryCrossentropy(false, 0);
            double[] lt = new double[1], lf = new double[1];
            Map<String, double[]> want = oracleGradients(m, x, y, loss, new double[]{0.7}, lt);
            Map<String, double[]> got = fusedGradients(m, x, y, loss, new double[]{0.7}, lf);
            assertThat(lf[0]).isCloseTo(lt[0],
                    org.assertj.core.api.Assertions.within(1e-5 * Math.max(1, Math.abs(lt[0]))));
            assertClose(want, got, GRAD_RTOL);
        }
    }

    static Stream<Arguments> stacks() {
        return Stream.of(
                Arguments.of("lstm,lstm", "7,5", false, ""),
                Arguments.of("gru,simple,lstm", "3,17,1", true, ""),
                Arguments.of("simple,gru", "16,7", false, ""),
                Arguments.of("lstm,gru", "7,5", false, "rnn"),
                Arguments.of("lstm,lstm,lstm", "5,7,3", true, "rnn1"),
                Arguments.of("gru1,gru1", "7,17", true, ""));
    }

    /** Stacked layers (every one but the last returning sequences), some frozen. */
    @ParameterizedTest(name = "{0} units={1} backwards={2} frozen={3}")
    @MethodSource("stacks")
    void stackedLayersMatchTheTape(String kinds, String units, boolean backwards, String frozen) {
        int[] us = java.util.Arrays.stream(units.split(",")).mapToInt(Integer::parseInt).toArray();
        Map<String, TrainingConfig> tc = frozen.isEmpty() ? Map.of()
                : Map.of(frozen, TrainingConfig.DEFAULT.withTrainable(false));
        for (int steps : new int[]{1, 5}) {
            Random r = new Random(steps * 7L + us[0]);
            Model m = stacked(kinds.split(","), us, steps, 4, 2, true, backwards, Activation.LINEAR, tc, 23 + steps);
            Tensor x = tensor(r, 3, steps, 4), y = tensor(r, 3, 2);
            double[] lt = new double[1], lf = new double[1];
            Map<String, double[]> want = oracleGradients(m, x, y, Losses.meanSquaredError(), null, lt);
            Map<String, double[]> got = fusedGradients(m, x, y, Losses.meanSquaredError(), null, lf);
            assertThat(lf[0]).isCloseTo(lt[0],
                    org.assertj.core.api.Assertions.within(1e-5 * Math.max(1, Math.abs(lt[0]))));
            if (!frozen.isEmpty()) assertThat(want.get(frozen + "/kernel")).isNull();
            assertClose(want, got, GRAD_RTOL);
        }
    }

    static Stream<Arguments> splits() {
        List<Arguments> a = new ArrayList<>();
        for (String kind : new String[]{"lstm", "gru", "gru1", "simple"})
            for (String head : new String[]{"dense", "td"})
                for (boolean stateful : new boolean[]{false, true})
                    a.add(Arguments.of(kind, head, stateful));
        return a.stream();
    }

    /**
     * The time loops split the batch into parts that run on separate threads: the loss and every
     * gradient are bit-identical however the batch is split (so whatever the thread count), and
     * match the tape. Stateful layers run two batches (the second from carried states), compared
     * across splits only.
     */
    @ParameterizedTest(name = "{0} {1} stateful={2}")
    @MethodSource("splits")
    void splittingTheBatchChangesNothing(String kind, String head, boolean stateful) {
        int batch = 7, steps = 5;
        TrainingConfig act = new TrainingConfig(true, 0, 0, Map.of(), new TrainingConfig.Regularizer(0.02, 0.05),
                Map.of(), Map.of());
        Model m = stacked(new String[]{"lstm", kind}, new int[]{5, 17}, steps, 3, 2, true, !stateful, Activation.LINEAR,
                Map.of("rnn", act), 37, head, stateful);
        Random r = new Random(43);
        Tensor x = tensor(r, batch, steps, 3);
        Tensor y = head.equals("dense") ? tensor(r, batch, 2) : tensor(r, batch, steps, 2);
        Map<String, double[]> want = null;
        double[] lt = new double[1];
        if (!stateful) want = oracleGradients(m, x, y, Losses.meanSquaredError(), null, lt);
        Map<String, double[]> first = null;
        double firstLoss = 0;
        for (int parts : new int[]{1, 2, 3, 7}) {
            double[] lf = new double[1];
            Map<String, double[]> got = fusedGradients(m, x, y, Losses.meanSquaredError(), null, lf, parts);
            if (want != null) {
                assertThat(lf[0]).isCloseTo(lt[0],
                        org.assertj.core.api.Assertions.within(1e-5 * Math.max(1, Math.abs(lt[0]))));
                assertClose(want, got, GRAD_RTOL);
            }
            if (first == null) {
                first = got;
                firstLoss = lf[0];
                continue;
            }
            assertThat(lf[0]).as("loss with %d parts", parts).isEqualTo(firstLoss);
            assertThat(got.keySet()).isEqualTo(first.keySet());
            for (String k : first.keySet()) assertThat(got.get(k)).as("gradient of %s with %d parts", k, parts)
                    .isEqualTo(first.get(k));
        }
    }

    static Stream<Arguments> heads() {
        List<Arguments> a = new ArrayList<>();
        for (String kind : new String[]{"lstm", "gru", "gru1", "simple"})
            for (String head : new String[]{"dense3d", "td"})
                for (int steps : new int[]{1, 5})
                    for (int batch : new int[]{1, 3})
                        a.add(Arguments.of(kind, head, steps, batch));
        return a.stream();
    }

    /**
     * A Dense layer on every step's output (on the 3-D sequence, or in TimeDistributed), after one
     * or two recurrent layers: MSE with a linear output, and binary crossentropy on a sigmoid
     * output, whose logits the loss uses only when the Dense layer is not wrapped.
     */
    @ParameterizedTest(name = "{0} {1} steps={2} batch={3}")
    @MethodSource("heads")
    void sequenceHeadsMatchTheTape(String kind, String head, int steps, int batch) {
        for (boolean two : new boolean[]{false, true}) {
            for (boolean bce : new boolean[]{false, true}) {
                Random r = new Random(steps * 31L + batch + (two ? 7 : 0));
                String[] kinds = two ? new String[]{"lstm", kind} : new String[]{kind};
                int[] units = two ? new int[]{5, 7} : new int[]{7};
                // with two layers, activity regularizers on both (one on a whole sequence, one on the top layer's)
                TrainingConfig act = new TrainingConfig(true, 0, 0, Map.of(),
                        new TrainingConfig.Regularizer(0.02, 0.05), Map.of(), Map.of());
                Map<String, TrainingConfig> tc = two ? Map.of("rnn", act, "rnn1", act) : Map.of();
                Model m = stacked(kinds, units, steps, 3, 2, true, two, bce ? Activation.SIGMOID : Activation.LINEAR,
                        tc, 29, head, false);
                Tensor x = tensor(r, batch, steps, 3);
                float[] yv = new float[batch * steps * 2];
                for (int i = 0; i < yv.length; i++) yv[i] = bce ? (r.nextBoolean() ? 1f : 0f)
                        : (float) r.nextGaussian();
                Tensor y = new Tensor(new int[]{batch, steps, 2}, yv);
                Loss loss = bce ? Losses.binaryCrossentropy(false, 0) : Losses.meanSquaredError();
                double[] lt = new double[1], lf = new double[1];
                Map<String, double[]> want = oracleGradients(m, x, y, loss, null, lt);
                Map<String, double[]> got = fusedGradients(m, x, y, loss, null, lf);
                assertThat(lf[0]).isCloseTo(lt[0],
                        org.assertj.core.api.Assertions.within(1e-5 * Math.max(1, Math.abs(lt[0]))));
                assertClose(want, got, GRAD_RTOL);
            }
        }
    }

    /**
     * Stateful layers: one batch from nonzero carried states (the gradients, and the final states
     * carried on), and a few epochs of training on each path.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void statefulLayersMatchTheTape(String kind) {
        for (int steps : new int[]{1, 5}) {
            Random r = new Random(steps + 41);
            Model m = stacked(new String[]{"lstm", kind}, new int[]{5, 7}, steps, 3, 2, true, false, Activation.LINEAR,
                    Map.of(), 31, "dense", true);
            Tensor x = tensor(r, 3, steps, 3), y = tensor(r, 3, 2);
            TrainGraph gt = new TrainGraph(m), gf = new TrainGraph(m);
            for (Node n : m.nodes()) {
                if (!n.layer().stateful()) continue;
                double[][] a = gt.carried(n), b = gf.carried(n);
                int u = ((Recurrent) n.layer()).units();
                for (int i = 0; i < a.length; i++) {
                    a[i] = new double[3 * u];
                    for (int j = 0; j < a[i].length; j++) a[i][j] = (float) (r.nextDouble() * 2 - 1);
                    b[i] = a[i].clone();
                }
            }
            Tape t = new Tape();
            Trainer.BatchLoss bl = Trainer.lossOf(gt, t, new Tensor[]{x}, new Tensor[]{y},
                    List.of(Losses.meanSquaredError()), null,
                    new TrainContext(true, new SplittableRandom(0)), gt.trainableParams());
            t.backward(bl.total());
            FusedRecurrentFit f = FusedRecurrentFit.select(gf, new Tensor[]{x}, List.of(Losses.meanSquaredError()));
            assertThat(f).isNotNull();
            double lf = f.lossAndGradients(x, y, Losses.meanSquaredError(), null, gf.trainableParams()).total()
                    .value()[0];
            assertThat(lf).isCloseTo(bl.total().value()[0], org.assertj.core.api.Assertions.within(1e-5));
            assertClose(grads(gt), grads(gf), GRAD_RTOL);
            for (Node n : m.nodes()) {
                if (!n.layer().stateful()) continue;
                double[][] a = gt.carried(n), b = gf.carried(n);
                for (int i = 0; i < a.length; i++)
                    for (int j = 0; j < a[i].length; j++) assertThat(b[i][j]).as("carried state")
                            .isCloseTo(a[i][j], org.assertj.core.api.Assertions.within(1e-5));
            }
        }
        // training: the states carry from batch to batch and across epochs on both paths
        Random r = new Random(43);
        Tensor x = tensor(r, 12, 5, 3), y = tensor(r, 12, 2);
        List<List<Double>> losses = new ArrayList<>();
        List<Map<String, float[]>> weights = new ArrayList<>();
        for (FusedRecurrentFit.Mode mode
                : new FusedRecurrentFit.Mode[]{FusedRecurrentFit.Mode.TAPE, FusedRecurrentFit.Mode.FUSED}) {
            Model m = stacked(new String[]{kind}, new int[]{7}, 5, 3, 2, true, false, Activation.LINEAR, Map.of(), 37,
                    "dense", true);
            FitResult res = Trainer.fit(m, new Tensor[]{x}, new Tensor[]{y}, new FitOptions()
                    .loss(Losses.meanSquaredError())
                    .optimizer(new Sgd(0.1)).batchSize(3).epochs(3).shuffle(false).trainPath(mode));
            losses.add(res.history().get("loss"));
            Map<String, float[]> w = new HashMap<>();
            for (Model.NamedWeight nw : res.model().weights()) w.put(nw.fullName(), nw.weight().values());
            weights.add(w);
        }
        for (int e = 0; e < 3; e++) assertThat(losses.get(1).get(e))
                .isCloseTo(losses.get(0).get(e), org.assertj.core.api.Assertions.within(1e-5));
        for (String k : weights.get(0).keySet()) {
            float[] a = weights.get(0).get(k), b = weights.get(1).get(k);
            for (int i = 0; i < a.length; i++) assertThat((double) Math.abs(a[i] - b[i])).as("%s[%d]", k, i)
                    .isLessThanOrEqualTo(1e-5);
        }
    }

    /** A frozen recurrent layer gets no gradient on either path; the Dense layer still does. */
    @Test
    void frozenRecurrentLayer() {
        TrainingConfig frozen = TrainingConfig.DEFAULT.withTrainable(false);
        Random r = new Random(3);
        Model m = model("lstm", 7, 5, 3, 2, true, false, Activation.TANH, Map.of("rnn", frozen), 13);
        Tensor x = tensor(r, 3, 5, 3), y = tensor(r, 3, 2);
        double[] l = new double[1];
        Map<String, double[]> want = oracleGradients(m, x, y, Losses.meanAbsoluteError(), null, l);
        Map<String, double[]> got = fusedGradients(m, x, y, Losses.meanAbsoluteError(), null, l);
        assertThat(want.get("rnn/kernel")).isNull();
        assertClose(want, got, GRAD_RTOL);
    }

    /**
     * Several epochs of fit on each path give the same weights, losses and validation losses: SGD, whose update is
     * linear in the gradient (so the weights differ by lr·steps·gradient error), and Adam, whose
     * normalised update is compared at a looser bound (an element with a near-zero gradient moves
     * by up to lr either way).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void trainingMatchesTheTape(String kind) {
        Random r = new Random(17);
        int n = 23, steps = 5, features = 3;
        Tensor x = tensor(r, n, steps, features), y = tensor(r, n, 2);
        for (boolean adam : new boolean[]{false, true}) {
            Map<String, float[]> w0 = null, w1 = null;
            List<Double> h0 = null, h1 = null;
            for (FusedRecurrentFit.Mode mode
                    : new FusedRecurrentFit.Mode[]{FusedRecurrentFit.Mode.TAPE, FusedRecurrentFit.Mode.FUSED}) {
                Model m = model(kind, 7, steps, features, 2, true, false, Activation.LINEAR, Map.of(), 19);
                FitOptions o = new FitOptions().loss(Losses.meanSquaredError())
                        .optimizer(adam ? new Adam(1e-2) : new Sgd(0.1))
                        .batchSize(4).epochs(3).shuffle(true).seed(5).validationSplit(0.25).trainPath(mode);
                FitResult res = Trainer.fit(m, new Tensor[]{x}, new Tensor[]{y}, o);
                Map<String, float[]> w = new HashMap<>();
                for (Model.NamedWeight nw : res.model().weights()) w.put(nw.fullName(), nw.weight().values());
                List<Double> h = new ArrayList<>(res.history().get("loss"));
                h.addAll(res.history().get("val_loss"));
                assertThat(h).hasSize(6);
                if (w0 == null) { w0 = w; h0 = h; } else { w1 = w; h1 = h; }
            }
            double tol = adam ? 1e-3 : 1e-5;
            for (String k : w0.keySet()) {
                float[] a = w0.get(k), b = w1.get(k);
                for (int i = 0; i < a.length; i++) {
                    assertThat((double) Math.abs(a[i] - b[i])).as("%s %s[%d]", adam ? "Adam" : "SGD", k, i)
                            .isLessThanOrEqualTo(tol);
                }
            }
            for (int e = 0; e < h0.size(); e++) assertThat(h1.get(e))
                    .isCloseTo(h0.get(e), org.assertj.core.api.Assertions.within(1e-5));
        }
    }

    @Test
    void modelsThatDoNotQualifyFallBackOrAreRefused() {
        Loss mse = Losses.meanSquaredError();
        Random r = new Random(1);
        Tensor x = tensor(r, 2, 4, 3);
        Model ok = model("lstm", 3, 4, 3, 1, true, false, Activation.LINEAR, Map.of(), 1);
        assertThat(FusedRecurrentFit.whyNot(ok, new Tensor[]{x}, List.of(mse))).isNull();
        TrainingConfig drop = new TrainingConfig(true, 0.2, 0, Map.of(), null, Map.of(), Map.of());
        Model dropped = model("lstm", 3, 4, 3, 1, true, false, Activation.LINEAR, Map.of("rnn", drop), 1);
        assertThat(FusedRecurrentFit.whyNot(dropped, new Tensor[]{x}, List.of(mse))).contains("dropout");
        Tensor masked = new Tensor(new int[]{2, 4, 3}, x.data(), new boolean[8]);
        assertThat(FusedRecurrentFit.whyNot(ok, new Tensor[]{masked}, List.of(mse))).isNotNull();
        Model plain = model("gru", 3, 4, 3, 1, true, false, Activation.LINEAR, Map.of(), 1);
        Model states = plain.withLayers(
                Map.of(plain.layers().get(1), new Gru("rnn", 3, 3, Activation.TANH, Activation.SIGMOID, true,
                new float[27], new float[27], null, new RecurrentOptions(false, true, false, false))));
        assertThat(FusedRecurrentFit.whyNot(states, new Tensor[]{x}, List.of(mse))).contains("returns states");
        // under AUTO the tape runs; under FUSED the fit is refused
        Tensor y = tensor(r, 2, 1);
        FitOptions o = new FitOptions().loss(mse).optimizer(new Sgd(0.1)).batchSize(2);
        assertThat(Trainer.fit(dropped, new Tensor[]{x}, new Tensor[]{y}, o).history().get("loss")).hasSize(1);
        o.trainPath(FusedRecurrentFit.Mode.FUSED);
        assertThatThrownBy(() -> Trainer.fit(dropped, new Tensor[]{x}, new Tensor[]{y}, o))
                .hasMessageContaining("dropout");
    }
}

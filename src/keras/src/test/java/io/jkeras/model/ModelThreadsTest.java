package io.jkeras.model;

import io.jkeras.JKeras;
import io.jkeras.kernels.Engine;
import io.jkeras.kernels.Kernels;
import io.jkeras.kernels.Threads;
import io.jkeras.tensor.Tensor;
import io.jkeras.train.FitOptions;
import io.jkeras.train.Losses;
import io.jkeras.train.Sgd;
import io.jkeras.train.Trainer;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Threads and kernels per model ({@link Model#withThreads}, {@link Model#withEngine}): views that
 * share the graph and weights, whose products and recurrent steps run on their own engine.
 */
class ModelThreadsTest {
    static final Path FIXTURE = Path.of("fixtures/keras3/stack_lstm_lstm_dense/model.h5");
    /** Large enough that the recurrent layers split the batch across threads (2048 sequences of 8 steps). */
    static final int BATCH = 2048, STEPS = 8;

    private static Set<String> poolThreads(int count) {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.startsWith("jkeras-" + count + "-")).collect(Collectors.toSet());
    }

    @Test
    void oneTwoAndMoreThreadsGiveBitIdenticalOutputsAndShareTheWeights() {
        Model model = JKeras.load(FIXTURE);
        Tensor[] x = SampleInputs.random(model, BATCH, STEPS, 3);
        // a count no other model of this JVM uses, so its pool threads are this test's
        int more = Math.max(3, Threads.defaultCount() + 1);
        Model one = model.withThreads(1), two = model.withThreads(2), many = model.withThreads(more);
        assertThat(poolThreads(more)).isEmpty();
        float[] want = one.predict(x)[0].data();
        assertThat(two.predict(x)[0].data()).isEqualTo(want);
        assertThat(many.predict(x)[0].data()).isEqualTo(want);
        assertThat(model.predict(x)[0].data()).isEqualTo(want);
        assertThat(poolThreads(more)).as("the %d-thread model split its batch over its own pool", more).isNotEmpty();
        assertThat(poolThreads(1)).as("a 1-thread model starts no pool thread").isEmpty();

        assertThat(one.engine().threads()).isEqualTo(1);
        assertThat(two.engine().threads()).isEqualTo(2);
        assertThat(model.engine()).isSameAs(Engine.defaults());
        for (int i = 0; i < model.layers().size(); i++) {
            assertThat(two.layers().get(i)).as("layer %d is shared, not copied", i).isSameAs(one.layers().get(i))
                    .isSameAs(model.layers().get(i));
        }
        assertThat(model.withThreads(2).engine().pool()).as("one pool per count").isSameAs(two.engine().pool());
    }

    /** A ConvLSTM2D model's batch split over threads gives the one-thread outputs bit for bit. */
    @Test
    void aConvLstmBatchSplitOverThreadsGivesBitIdenticalOutputs() {
        Model model = JKeras.load(Path.of("fixtures/keras3/layers14/composite_convlstm2d_forecaster/model.keras"));
        Tensor[] x = SampleInputs.random(model, 48, 4, 5);
        float[] want = model.withThreads(1).predict(x)[0].data();
        assertThat(model.withThreads(2).predict(x)[0].data()).isEqualTo(want);
        assertThat(model.withThreads(5).predict(x)[0].data()).isEqualTo(want);
    }

    @Test
    void aModelCanRunTheScalarKernelsWhileAnotherRunsTheBestOnes() {
        Model model = JKeras.load(FIXTURE);
        Model scalar = model.withEngine(Engine.defaults().withKernels(Kernels.scalar()));
        Tensor[] x = SampleInputs.random(model, 5, STEPS, 4);
        float[] best = model.predict(x)[0].data(), portable = scalar.predict(x)[0].data();
        assertThat(scalar.engine().kernels().isScalar()).isTrue();
        assertThat(model.engine().kernels()).isSameAs(Kernels.best());
        assertThat(portable).hasSameSizeAs(best);
        for (int i = 0; i < best.length; i++) {
            assertThat(portable[i]).isCloseTo(best[i], org.assertj.core.data.Offset.offset(1e-5f));
        }
        // a session of the view and the other view settings keep the engine
        assertThat(scalar.newSession().predict(x)[0].data()).isEqualTo(portable);
        assertThat(scalar.checked().withInputPolicy(InputPolicy.PASS_THROUGH).engine()).isSameAs(scalar.engine());
        assertThat(scalar.withLayers(java.util.Map.of()).engine()).isSameAs(scalar.engine());
    }

    @Test
    void trainingOnOneOrTwoThreadsGivesTheSameWeights() {
        Model model = JKeras.load(FIXTURE);
        Tensor[] x = SampleInputs.random(model, 64, STEPS, 5);
        Tensor[] y = {new Tensor(new int[]{64, model.outputShape(0)[0]}, new float[64 * model.outputShape(0)[0]])};
        float[][] got = new float[2][];
        for (int t = 1; t <= 2; t++) {
            Model trained = Trainer.fit(model.withThreads(t), x, y, new FitOptions().loss(Losses.meanSquaredError())
                    .optimizer(new Sgd(0.1)).batchSize(64).epochs(1).shuffle(false)).model();
            assertThat(trained.engine().threads()).isEqualTo(t);
            got[t - 1] = trained.predict(x)[0].data();
        }
        assertThat(got[1]).isEqualTo(got[0]);
    }

    @Test
    void aThreadCountOutsideItsRangeIsRefused() {
        Model model = JKeras.load(FIXTURE);
        assertThatThrownBy(() -> model.withThreads(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got 0");
        assertThatThrownBy(() -> model.withThreads(Threads.MAX + 1)).isInstanceOf(IllegalArgumentException.class);
    }
}

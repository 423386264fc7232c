package io.jkeras.model;

import io.jkeras.JKeras;
import io.jkeras.exceptions.InputException;
import io.jkeras.fixtures.FixtureCase;
import io.jkeras.kernels.Engine;
import io.jkeras.kernels.Kernels;
import io.jkeras.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link Predictor#predictInto}: the values of {@link Model#predict} bit for bit, in caller-owned outputs,
 * from buffers planned at the first call for an input shape and reused while the shapes stay the same.
 */
class PredictorTest {
    private static final Path KERAS3 = Path.of("fixtures/keras3");

    /** The fixture case {@code name} below fixtures/keras3 (e.g. {@code layers14/nested_two_levels}). */
    private static FixtureCase fixture(String name) {
        int slash = name.lastIndexOf('/');
        String sub = slash < 0 ? "keras3" : "keras3/" + name.substring(0, slash);
        String leaf = name.substring(slash + 1);
        return FixtureCase.all(sub).stream().filter(c -> c.name().equals(leaf)).findFirst().orElseThrow();
    }

    private static Model load(Path dir) {
        return Files.exists(dir.resolve("model.keras")) ? JKeras.load(dir.resolve("model.keras"))
                : JKeras.load(dir.resolve("model.h5"));
    }

    /** The first sample of {@code x} (its mask too). */
    private static Tensor firstSample(Tensor x) {
        int[] s = x.shape();
        int per = x.size() / s[0];
        s[0] = 1;
        boolean[] m = x.mask() == null ? null : Arrays.copyOf(x.mask(), x.mask().length / x.dim(0));
        return new Tensor(s, Arrays.copyOf(x.data(), per), m);
    }

    private static Tensor[] buffersLike(Tensor[] ys) {
        Tensor[] out = new Tensor[ys.length];
        for (int i = 0; i < ys.length; i++) {
            out[i] = Tensor.zeros(ys[i].shape());
            Arrays.fill(out[i].data(), Float.NaN); // every value must be written
        }
        return out;
    }

    /** predictInto on {@code x}, checked bit for bit against predict; returns the outputs. */
    private static Tensor[] checkSame(String what, Model model, Predictor p, Tensor[] x) {
        Tensor[] want = model.predict(x);
        Tensor[] got = buffersLike(want);
        p.predictInto(x, got);
        for (int i = 0; i < want.length; i++) {
            assertThat(got[i].shape()).as("%s output %d", what, i).isEqualTo(want[i].shape());
            int[] gotBits = new int[got[i].size()], wantBits = new int[want[i].size()];
            for (int k = 0; k < gotBits.length; k++) {
                gotBits[k] = Float.floatToRawIntBits(got[i].data()[k]);
                wantBits[k] = Float.floatToRawIntBits(want[i].data()[k]);
            }
            assertThat(gotBits).as("%s output %d bit for bit", what, i).isEqualTo(wantBits);
        }
        return got;
    }

    /**
     * Real fixtures (LSTM, GRU, SimpleRNN, return_sequences, go_backwards, masks from Masking and Embedding,
     * two inputs and outputs, returned states, unknown timesteps, Bidirectional, dropout and activation
     * layers, nested models): the fixture's batch, its first sample, the full batch again and random
     * inputs of a third batch size (and 9 timesteps where time is unknown) re-plan and reuse the buffers;
     * every call equals predict bit for bit, on the best kernels and on the scalar ones.
     */
    @ParameterizedTest
    @ValueSource(strings = {"lstm_default", "gru_return_sequences", "simple_rnn_go_backwards_seq",
        "stack_lstm_lstm_dense", "gru_reset_after_false", "lstm_recact_relu", "masking_lstm_lstm",
        "embedding_mask_gru", "graph_two_in_two_out", "graph_return_state_outputs", "graph_variable_time",
        "stack_dropout_layers", "stack_activation_layers", "bidir_lstm_concat_seq", "layers14/nested_two_levels",
        "layers14/td_nested_two_levels"})
    void predictIntoEqualsPredictBitForBitAcrossBatchSizesAndTimesteps(String name) {
        FixtureCase c = fixture(name);
        Model best = load(c.dir());
        Model scalar = best.withEngine(Engine.defaults().withKernels(Kernels.scalar()));
        for (Model model : new Model[]{best, scalar}) {
            Tensor[] full = new Tensor[c.inputs()], one = new Tensor[c.inputs()];
            for (int i = 0; i < full.length; i++) {
                full[i] = c.x(0, i);
                one[i] = firstSample(full[i]);
            }
            Tensor[] other = SampleInputs.random(model, 3, 9, 7);
            Predictor p = model.predictor();
            checkSame(name + " full batch, planning", model, p, full);
            checkSame(name + " full batch, planned", model, p, full);
            checkSame(name + " one sample", model, p, one);
            checkSame(name + " full batch again", model, p, full);
            checkSame(name + " batch 3", model, p, other);
            checkSame(name + " batch 3, planned", model, p, other);
        }
    }

    @Test
    void predictIntoWritesTheFlatFormAsPredictFlat() {
        Model model = load(KERAS3.resolve("stack_lstm_lstm_dense"));
        Tensor x = SampleInputs.random(model, 2, 6, 3)[0];
        float[] want = model.predictFlat(x.data(), 2);
        float[] out = new float[want.length];
        Predictor p = model.predictor();
        p.predictInto(x.data(), 2, out);
        assertThat(out).isEqualTo(want);
        Arrays.fill(out, Float.NaN);
        p.predictInto(x.data(), 2, out);
        assertThat(out).isEqualTo(want);
        assertThatThrownBy(() -> p.predictInto(x.data(), 2, new float[want.length + 1]))
                .isInstanceOf(InputException.class)
                .hasMessageContaining("output 0").hasMessageContaining(want.length + " values")
                .hasMessageContaining("output array of " + (want.length + 1));
    }

    @Test
    void predictIntoRefusesAnOutputOfTheWrongShapeNamingItAndBothShapes() {
        FixtureCase c = fixture("graph_two_in_two_out");
        Model model = load(c.dir());
        Tensor[] x = {c.x(0, 0), c.x(0, 1)};
        Tensor[] want = model.predict(x);
        Predictor p = model.predictor();
        for (int call = 0; call < 2; call++) { // while planning, and with the plan made
            Tensor[] out = buffersLike(want);
            int[] wrong = want[1].shape();
            wrong[wrong.length - 1]++;
            out[1] = Tensor.zeros(wrong);
            assertThatThrownBy(() -> p.predictInto(x, out))
                    .isInstanceOf(InputException.class)
                    .hasMessageContaining("output 1").hasMessageContaining(model.outputName(1))
                    .hasMessageContaining(Tensor.shapeString(want[1].shape()))
                    .hasMessageContaining(Tensor.shapeString(wrong));
        }
        assertThatThrownBy(() -> p.predictInto(x, new Tensor[]{Tensor.zeros(want[0].shape())}))
                .isInstanceOf(InputException.class).hasMessageContaining("2 output(s), got 1");
        checkSame("after the refusals", model, p, x);
    }

    @Test
    void predictIntoRefusesInputsAsPredictDoes() {
        Model model = load(KERAS3.resolve("lstm_default"));
        Tensor x = SampleInputs.random(model, 1, 4, 1)[0];
        Tensor[] out = {Tensor.zeros(model.predict(x)[0].shape())};
        Predictor p = model.predictor();
        p.predictInto(new Tensor[]{x}, out);
        float[] bad = x.data().clone();
        bad[3] = Float.NaN;
        String msg = null;
        try {
            model.predict(new Tensor(x.shape(), bad));
        } catch (InputException e) {
            msg = e.getMessage();
        }
        assertThat(msg).isNotNull();
        assertThatThrownBy(() -> p.predictInto(new Tensor[]{new Tensor(x.shape(), bad)}, out))
                .isInstanceOf(InputException.class).hasMessage(msg);
        int[] s = x.shape();
        s[2]++;
        assertThatThrownBy(() -> p.predictInto(new Tensor[]{Tensor.zeros(s)}, out))
                .isInstanceOf(InputException.class).hasMessageContaining("expects shape");
    }

    @Test
    void aSecondCallWithTheSameShapesReusesThePlannedBuffers() {
        FixtureCase c = fixture("stack_lstm_lstm_dense");
        Model model = load(c.dir());
        Predictor p = model.predictor();
        Tensor[] x = {c.x(0, 0)};
        Tensor[] out = buffersLike(model.predict(x));
        p.predictInto(x, out);
        int last = model.outputRefs().get(0).node();
        Tensor planned = p.plannedOutput(last, 0);
        assertThat(planned).as("planned at the first call").isNotNull();
        p.predictInto(x, out);
        assertThat(p.plannedOutput(last, 0)).as("the same buffer").isSameAs(planned);
        p.predictInto(new Tensor[]{firstSample(x[0])}, new Tensor[]{Tensor.zeros(1, out[0].dim(1))});
        assertThat(p.plannedOutput(last, 0)).as("a new plan for batch 1").isNotSameAs(planned);
    }

    /**
     * After warm-up, predictInto on an LSTM-then-Dense model allocates (almost) nothing per call, measured by
     * the JVM's per-thread allocation counter (not time). The scalar kernels on one thread, so that the
     * figure does not depend on the JIT having compiled the Vector API yet.
     */
    @Test
    void predictIntoAllocatesAlmostNothingPerCallOnceWarm() {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(mx instanceof com.sun.management.ThreadMXBean, "no per-thread allocation counter");
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) mx;
        Assumptions.assumeTrue(bean.isThreadAllocatedMemorySupported() && bean.isThreadAllocatedMemoryEnabled(),
                "per-thread allocation counting is off");
        Model model = load(KERAS3.resolve("stack_lstm_lstm_dense"))
                .withEngine(Engine.defaults().withKernels(Kernels.scalar()).withThreads(1));
        Tensor[] x = SampleInputs.random(model, 1, 12, 5);
        Tensor[] out = buffersLike(model.predict(x));
        Predictor p = model.predictor();
        for (int i = 0; i < 2000; i++) p.predictInto(x, out);
        long thread = Thread.currentThread().getId();
        int calls = 500;
        long before = bean.getThreadAllocatedBytes(thread);
        for (int i = 0; i < calls; i++) p.predictInto(x, out);
        long perCall = (bean.getThreadAllocatedBytes(thread) - before) / calls;
        long predictBefore = bean.getThreadAllocatedBytes(thread);
        for (int i = 0; i < calls; i++) model.predict(x);
        long predictPerCall = (bean.getThreadAllocatedBytes(thread) - predictBefore) / calls;
        assertThat(perCall).as("bytes per predictInto call (predict: %d)", predictPerCall).isLessThan(256);
        assertThat(predictPerCall).as("predict allocates its outputs").isGreaterThan(perCall);
    }
}

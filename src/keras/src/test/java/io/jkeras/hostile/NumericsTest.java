package io.jkeras.hostile;

import io.jkeras.exceptions.InputException;
import io.jkeras.JKeras;
import io.jkeras.exceptions.NumericException;
import io.jkeras.model.LoadOptions;
import io.jkeras.model.InputPolicy;
import io.jkeras.model.Model;
import io.jkeras.model.Session;
import io.jkeras.tensor.Tensor;
import io.jkeras.npy.Npy;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Numerics at the boundary: NaN/Inf inputs are refused by default with where they are, or passed
 * through as Keras does ({@link Model#withInputPolicy}); a {@link Model#checked() checked} view
 * verifies that every output is finite. Views share the model and leave it unchanged.
 */
class NumericsTest {
    private static final Path K3 = Path.of("fixtures", "keras3");

    /** stack_lstm_lstm_dense: input (None, 7, 3), one Dense output; samples are computed independently. */
    private static Model seq() {
        return JKeras.load(K3.resolve("stack_lstm_lstm_dense/model.h5"));
    }

    private static Tensor input(int batch) {
        Tensor x = Tensor.zeros(batch, 7, 3);
        for (int i = 0; i < x.size(); i++) x.data()[i] = (float) Math.sin(i * 0.37);
        return x;
    }

    @Test
    void rejectByDefaultNamesInputIndexFlatIndexAndPosition() {
        Model m = seq();
        assertThat(m.inputPolicy()).isEqualTo(InputPolicy.REJECT);
        Tensor x = input(2);
        x.data()[28] = Float.NaN; // (1, 2, 1): 1*21 + 2*3 + 1
        InputException e = assertThrows(InputException.class, () -> m.predict(x));
        assertThat(e.layer()).isEqualTo("input_layer");
        assertThat(e.getMessage())
                .contains("input 0 holds NaN at flat index 28 = position (1, 2, 1) of shape (2, 7, 3)")
                .contains("InputPolicy.PASS_THROUGH");
        Tensor y = input(1);
        y.data()[20] = Float.POSITIVE_INFINITY;
        assertThat(assertThrows(InputException.class, () -> m.predict(y)).getMessage())
                .contains("holds Infinity at flat index 20 = position (0, 6, 2)");
        // the multi-input graph names the second input
        Model g = JKeras.load(K3.resolve("graph_two_in_two_out/model.h5"));
        Tensor a = Npy.read(K3.resolve("graph_two_in_two_out/x0.npy")).tensor();
        Tensor b = Npy.read(K3.resolve("graph_two_in_two_out/x1.npy")).tensor();
        b.data()[b.size() - 1] = Float.NEGATIVE_INFINITY;
        InputException eb = assertThrows(InputException.class, () -> g.predict(a, b));
        assertThat(eb.layer()).isEqualTo(g.input(1).name());
        assertThat(eb.getMessage()).contains("input 1 holds -Infinity at flat index " + (b.size() - 1));
    }

    @Test
    void passThroughPropagatesLikeKerasAndLeavesOtherSamplesExact() {
        Model m = seq();
        Model pass = m.withInputPolicy(InputPolicy.PASS_THROUGH);
        assertThat(pass.inputPolicy()).isEqualTo(InputPolicy.PASS_THROUGH);
        assertThat(m.inputPolicy()).as("the model itself is unchanged").isEqualTo(InputPolicy.REJECT);
        assertThat(pass.layers()).as("a view shares the layers").isSameAs(m.layers());
        Tensor clean = input(2);
        float[] expected = m.predict(clean)[0].data().clone();
        Tensor x = input(2);
        x.data()[28] = Float.NaN; // sample 1
        float[] got = pass.predict(x)[0].data();
        int per = got.length / 2;
        // sample 0 is computed exactly as without the NaN; sample 1 is NaN, as Keras gives
        assertThat(Arrays.copyOfRange(got, 0, per)).containsExactly(Arrays.copyOfRange(expected, 0, per));
        for (int i = per; i < got.length; i++) assertThat(got[i]).isNaN();
        // the original still refuses, and sessions follow the view they come from
        assertThrows(InputException.class, () -> m.predict(x));
        Session s = pass.newSession();
        assertThat(s.predict(x)[0].data()[per]).isNaN();
        assertThrows(InputException.class, () -> m.newSession().predict(x));
        assertThat(pass.withInputPolicy(InputPolicy.REJECT).inputPolicy()).isEqualTo(InputPolicy.REJECT);
    }

    @Test
    void checkedModeNamesTheOutputAndPosition() {
        Model m = seq();
        Model checked = m.withInputPolicy(InputPolicy.PASS_THROUGH).checked();
        assertThat(checked.isChecked()).isTrue();
        assertThat(m.isChecked()).isFalse();
        // finite in, finite out: identical results
        Tensor clean = input(3);
        assertThat(checked.predict(clean)[0].data()).containsExactly(m.predict(clean)[0].data());
        Tensor x = input(2);
        x.data()[30] = Float.NaN; // sample 1
        NumericException e = assertThrows(NumericException.class, () -> checked.predict(x));
        int width = m.outputShape(0)[m.outputShape(0).length - 1];
        assertThat(e.layer()).isEqualTo(m.outputName(0));
        assertThat(e.getMessage()).contains("output 0 holds NaN at flat index " + width + " = position (1, 0)")
                .contains("checked mode");
        // checked() composes with the default policy: the input is refused first
        assertThrows(InputException.class, () -> m.checked().predict(x));
        assertThat(checked.checked()).isSameAs(checked);
    }

    @Test
    void checkedModeCatchesNonFiniteWeightsAtPredictTime() {
        Model nan = JKeras.load(Path.of("fixtures", "bad", "lstm_kernel_nan.h5"),
                LoadOptions.DEFAULT.withAllowNonFiniteWeights(true));
        Tensor x = Tensor.zeros(1, nan.input(0).shape()[0] < 0 ? 5 : nan.input(0).shape()[0], nan.input(0).shape()[1]);
        x.data()[0] = 1f;
        float[] raw = nan.predict(x)[0].data();
        assertThat(Float.isNaN(raw[0])).as("unchecked: NaN flows out silently, as in Keras").isTrue();
        NumericException e = assertThrows(NumericException.class, () -> nan.checked().predict(x));
        assertThat(e.getMessage()).contains("output 0 holds NaN at flat index 0 = position (0, 0)");
        // a checked session too
        assertThrows(NumericException.class, () -> nan.checked().newSession().predict(x));
    }
}

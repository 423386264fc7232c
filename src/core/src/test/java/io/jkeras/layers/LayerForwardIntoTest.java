package io.jkeras.layers;

import io.jkeras.exceptions.InputException;
import io.jkeras.kernels.Activation;
import io.jkeras.kernels.Engine;
import io.jkeras.kernels.Kernels;
import io.jkeras.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link Layer#forwardInto} writes {@link Layer#forward}'s values bit for bit into given buffers: the in-place
 * forms (the recurrent layers on every loop path, Dense, Activation, the pass-through layers) and the default
 * (forward and a copy), and refuses a buffer of another shape naming the layer and both shapes.
 */
class LayerForwardIntoTest {
    private static Tensor random(SplittableRandom r, boolean[] mask, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) t.data()[i] = (float) (r.nextDouble() * 2 - 1);
        return mask == null ? t : new Tensor(shape, t.data(), mask);
    }

    /** forwardInto into NaN-filled buffers of forward's shapes equals forward, bit for bit. */
    private static void assertSame(String what, Layer l, Tensor... in) {
        Tensor[] want = l.forward(in, null);
        Tensor[] out = new Tensor[want.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = Tensor.zeros(want[i].shape());
            Arrays.fill(out[i].data(), Float.NaN);
        }
        l.forwardInto(in, null, out);
        for (int i = 0; i < out.length; i++) {
            int[] got = new int[out[i].size()], exp = new int[want[i].size()];
            for (int k = 0; k < got.length; k++) {
                got[k] = Float.floatToRawIntBits(out[i].data()[k]);
                exp[k] = Float.floatToRawIntBits(want[i].data()[k]);
            }
            assertThat(got).as("%s output %d", what, i).isEqualTo(exp);
        }
    }

    /**
     * LSTM, GRU (both reset modes) and SimpleRNN with 21 units (a partial last tile), batch 1, 3 and 257 (the
     * row-at-a-time step, the batched product, split over threads), masks, go_backwards, return_sequences,
     * return_state (the copying form), an activation the fused kernels lack (the reference loop), on the best
     * and on the scalar kernels.
     */
    @Test
    void recurrentLayersWriteForwardsValuesOnEveryLoopPath() {
        SplittableRandom r = new SplittableRandom(15);
        for (Kernels k : new Kernels[]{Kernels.best(), Kernels.scalar()}) {
            Engine.defaults().withKernels(k).bind(() -> {
                for (String kind : new String[]{"lstm", "gru", "gru0", "rnn"}) {
                    for (Activation act : new Activation[]{Activation.TANH, Activation.SELU}) {
                        for (int batch : new int[]{1, 3, 257}) {
                            for (int o = 0; o < 4; o++) {
                                RecurrentOptions opt = new RecurrentOptions(o % 2 == 0, o == 3, o >= 2, false, o == 1);
                                Recurrent l = FusedRecurrentTest.layer(kind, r, 21, 5, act, Activation.SIGMOID, true,
                                        opt);
                                boolean[] mask = null;
                                if (o == 1) {
                                    mask = new boolean[batch * 6];
                                    for (int i = 0; i < mask.length; i++) mask[i] = r.nextInt(4) != 0;
                                }
                                assertSame(kind + " " + act + " batch " + batch + " " + opt + " " + k, l,
                                        random(r, mask, batch, 6, 5));
                            }
                        }
                    }
                }
            });
        }
    }

    @Test
    void denseActivationAndPassThroughLayersWriteForwardsValues() {
        SplittableRandom r = new SplittableRandom(16);
        float[] w = new float[7 * 10], b = new float[10];
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
        for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
        Tensor x2 = random(r, null, 4, 7), x3 = random(r, null, 2, 3, 7);
        for (Activation a : new Activation[]{Activation.LINEAR, Activation.TANH, Activation.SOFTMAX}) {
            assertSame("dense " + a, new Dense("d", 7, 10, a, w, b), x2);
            assertSame("dense no bias " + a, new Dense("d", 7, 10, a, w, null), x3);
            assertSame("activation " + a, new ActivationLayer("a", a), x3);
        }
        assertSame("dropout", new Identity("drop", "Dropout"), x3);
        assertSame("input", new InputLayer("in", new int[]{3, 7}, -1, false), x3);
        assertSame("flatten (the default: forward and a copy)", new Flatten("f"), x3);
    }

    @Test
    void forwardIntoRefusesABufferOfAnotherShapeNamingTheLayerAndBothShapes() {
        SplittableRandom r = new SplittableRandom(17);
        Recurrent lstm = FusedRecurrentTest.layer("lstm", r, 4, 3, Activation.TANH, Activation.SIGMOID, true,
                new RecurrentOptions(true, false, false, false, false));
        Tensor x = random(r, null, 2, 5, 3);
        assertThatThrownBy(() -> lstm.forwardInto(new Tensor[]{x}, null, new Tensor[]{Tensor.zeros(2, 4)}))
                .isInstanceOf(InputException.class)
                .hasMessageContaining("layer 'l'").hasMessageContaining("output 0 has shape (2, 5, 4)")
                .hasMessageContaining("output buffer of shape (2, 4)");
        assertThatThrownBy(() -> new Flatten("flat").forwardInto(new Tensor[]{x}, null,
                new Tensor[]{Tensor.zeros(2, 14)}))
                .isInstanceOf(InputException.class)
                .hasMessageContaining("layer 'flat'").hasMessageContaining("(2, 15)").hasMessageContaining("(2, 14)");
        assertThatThrownBy(() -> new Identity("drop", "Dropout").forwardInto(new Tensor[]{x}, null, new Tensor[0]))
                .isInstanceOf(InputException.class).hasMessageContaining("gives 1 output(s), got 0");
    }
}

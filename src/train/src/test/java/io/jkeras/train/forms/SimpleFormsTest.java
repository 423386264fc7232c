package io.jkeras.train.forms;

import io.jkeras.kernels.Activation;
import io.jkeras.layers.Concatenate;
import io.jkeras.layers.Conv1D;
import io.jkeras.layers.ElementwiseOp;
import io.jkeras.layers.Embedding;
import io.jkeras.layers.Masking;
import io.jkeras.layers.Merge;
import io.jkeras.layers.Permute;
import io.jkeras.layers.Reshape;
import io.jkeras.layers.ShapeOp;
import io.jkeras.layers.Softmax;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.train.Tape;
import io.jkeras.train.TrainableLayer;
import io.jkeras.train.TrainableLayers;
import io.jkeras.train.Var;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static io.jkeras.train.forms.FormChecks.In;
import static org.assertj.core.api.Assertions.assertThat;

/** Embedding, Masking, Conv1D, Reshape, Permute, Softmax, Concatenate, the merges and the mask operations. */
class SimpleFormsTest {
    private static TrainableLayer form(io.jkeras.layers.Layer l) { return TrainableLayers.of(l, TrainingConfig.DEFAULT);
            }

    private static void all(TrainableLayer f, List<In> in) {
        FormChecks.grad(f, in);
        FormChecks.matchesEngine(f, in);
        FormChecks.rebuildExact(f);
    }

    @ParameterizedTest(name = "mask_zero={0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void embedding(boolean maskZero) {
        Random r = new Random(41);
        Embedding e = new Embedding("embedding", 5, 3, maskZero, FormChecks.rnd(r, 15, 1));
        double[] ids = {1, 0, 4, 4, 2, 0, 3, 1};
        TrainableLayer f = form(e);
        List<In> in = List.of(FormChecks.constant(ids, null, 2, 4));
        all(f, in);
        // the gradient reaches only the rows used, summed over their uses
        f.params().get(0).zeroGrad();
        Tape t = new Tape();
        Var y = f.forward(t, new Var[]{in.get(0).var}, FormChecks.inference(), null)[0];
        t.backward(io.jkeras.train.Ops.sum(t, y));
        double[] g = f.params().get(0).var().grad();
        assertThat(g[4 * 3]).isEqualTo(2.0);
        assertThat(g[3 * 3 + 1]).isEqualTo(1.0);
        if (maskZero) assertThat(y.mask()).containsExactly(true, false, true, true, true, false, true, true);
        else assertThat(y.mask()).isNull();
    }

    @Test
    void masking() {
        Random r = new Random(42);
        In x = FormChecks.leaf(r, null, 2, 4, 3);
        double[] v = x.var.value();
        v[2 * 3] = 0; // a partly zero step stays
        all(form(new Masking("masking", 0f)), List.of(x));
        // masked steps: a step equal to mask_value is a discontinuity, so the gradient (the keep
        // flags, TF's gradient of where) is checked directly rather than by finite differences
        for (float mv : new float[]{0f, -1f}) {
            In y = FormChecks.leaf(r, null, 2, 4, 3);
            for (int j = 0; j < 3; j++) { y.var.value()[3 + j] = mv; y.var.value()[21 + j] = mv; }
            TrainableLayer f = form(new Masking("masking", mv));
            FormChecks.matchesEngine(f, List.of(y));
            Tape t = new Tape();
            Var out = f.forward(t, new Var[]{y.var}, FormChecks.inference(), null)[0];
            assertThat(out.mask()).containsExactly(true, false, true, true, true, true, true, false);
            t.backward(io.jkeras.train.Ops.sum(t, out));
            for (int i = 0; i < 24; i++) assertThat(y.var.grad()[i]).isEqualTo(i / 3 == 1 || i / 3 == 7 ? 0.0 : 1.0);
        }
    }

    static Stream<Arguments> convs() {
        List<Arguments> a = new ArrayList<>();
        for (Conv1D.Padding p : Conv1D.Padding.values())
            for (int[] sdg : new int[][]{{1, 1, 1}, {2, 1, 1}, {1, 2, 1}, {1, 1, 2}, {2, 2, 2}})
                for (boolean cf : new boolean[]{false, true})
                    a.add(Arguments.of(p, sdg[0], sdg[1], sdg[2], cf, Activation.TANH, true));
        a.add(Arguments.of(Conv1D.Padding.SAME, 1, 1, 1, false, Activation.SOFTMAX, false));
        a.add(Arguments.of(Conv1D.Padding.SAME, 1, 1, 1, true, Activation.SOFTMAX, true));
        a.add(Arguments.of(Conv1D.Padding.CAUSAL, 1, 2, 1, false, Activation.RELU, true));
        return a.stream();
    }

    @ParameterizedTest(name = "{0} stride={1} dilation={2} groups={3} channels_first={4} {5} bias={6}")
    @MethodSource("convs")
    void conv1d(Conv1D.Padding p, int stride, int dil, int groups, boolean cf, Activation act, boolean bias) {
        Random r = new Random(43);
        int ch = 4, filters = 6, k = 3, len = 7;
        Conv1D c = new Conv1D("conv1d", ch, filters, k, stride, dil, p, groups, cf, act,
                FormChecks.rnd(r, k * ch / groups * filters, 0.5),
                bias ? FormChecks.rnd(r, filters, 0.5) : null);
        all(form(c), List.of(FormChecks.leaf(r, null, cf ? new int[]{2, ch, len} : new int[]{2, len, ch})));
    }

    @Test
    void reshapeAndPermute() {
        Random r = new Random(44);
        all(form(new Reshape("reshape", new int[]{-1, 2})),
                List.of(FormChecks.leaf(r, FormChecks.mask(2, 3, 1), 2, 3, 4)));
        all(form(new Reshape("reshape", new int[]{12})), List.of(FormChecks.leaf(r, null, 2, 3, 4)));
        all(form(new Permute("permute", new int[]{2, 1})),
                List.of(FormChecks.leaf(r, FormChecks.mask(2, 3, 1), 2, 3, 4)));
        all(form(new Permute("permute", new int[]{3, 1, 2})), List.of(FormChecks.leaf(r, null, 2, 3, 4, 2)));
    }

    @Test
    void softmaxLayer() {
        Random r = new Random(45);
        all(form(new Softmax("softmax", new int[]{-1}, true)), List.of(FormChecks.leaf(r, null, 2, 3, 4)));
        all(form(new Softmax("softmax", new int[]{1}, true)), List.of(FormChecks.leaf(r, null, 2, 3, 4)));
        all(form(new Softmax("softmax", new int[]{1, 2}, true)), List.of(FormChecks.leaf(r, null, 2, 3, 4)));
        // Keras 3 masks on (batch, timesteps): masked logits -1e9, masked outputs 0; a fully masked row gives zeros
        all(form(new Softmax("softmax", new int[]{-1}, true)),
                List.of(FormChecks.leaf(r, FormChecks.mask(3, 4, 1, 2, 8, 9, 10, 11), 3, 4)));
    }

    @Test
    void concatenate() {
        Random r = new Random(46);
        for (Concatenate.MaskRule rule : Concatenate.MaskRule.values()) {
            all(form(new Concatenate("concatenate", -1, rule)),
                    List.of(FormChecks.leaf(r, FormChecks.mask(2, 3, 1), 2, 3, 2),
                    FormChecks.leaf(r, null, 2, 3, 3), FormChecks.leaf(r, FormChecks.mask(2, 3, 1, 4), 2, 3, 1)));
            all(form(new Concatenate("concatenate", 1, rule)),
                    List.of(FormChecks.leaf(r, FormChecks.mask(2, 3, 1), 2, 3, 2),
                    FormChecks.leaf(r, null, 2, 2, 2)));
        }
        all(form(new Concatenate("concatenate", 2, Concatenate.MaskRule.KERAS3_ANY)),
                List.of(FormChecks.leaf(r, null, 2, 3, 2, 2),
                FormChecks.leaf(r, null, 2, 3, 1, 2)));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Merge.Op.class)
    void merge(Merge.Op op) {
        Random r = new Random(47);
        for (Merge.MaskRule rule : Merge.MaskRule.values()) {
            Merge m = new Merge("merge", op, rule);
            int n = op == Merge.Op.SUBTRACT ? 2 : 3;
            // unmasked, all masked, partly masked
            for (int variant = 0; variant < 3; variant++) {
                List<In> in = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    boolean[] mk = variant == 0 ? null : variant == 1 || i != 1 ? FormChecks.mask(2, 3, i, 3 + i % 2)
                            : null;
                    if (variant == 1 && i == 0) mk = FormChecks.mask(2, 3, 1, 3);
                    in.add(FormChecks.leaf(r, mk, 2, 3, 2));
                }
                all(form(m), in);
            }
            // broadcasting: a lower-rank input gains axes after the batch axis
            if (op != Merge.Op.SUBTRACT) {
                all(form(m), List.of(FormChecks.leaf(r, null, 2, 3, 2), FormChecks.leaf(r, null, 2, 2),
                        FormChecks.leaf(r, null, 2, 1, 2)));
            } else {
                all(form(m), List.of(FormChecks.leaf(r, null, 2, 3, 2), FormChecks.leaf(r, null, 2, 2)));
            }
        }
    }

    /** Mask operations enter the tape as constants; expand_dims / squeeze / cast to float pass gradients. */
    @Test
    void maskOperations() {
        Random r = new Random(48);
        In x = FormChecks.leaf(r, null, 2, 3);
        x.var.value()[1] = 0;
        In mask = FormChecks.constant(new double[]{1, 0, 1, 1, 1, 0}, null, 2, 3);
        FormChecks.matchesEngine(
                form(new ElementwiseOp("not_equal", "NotEqual", ElementwiseOp.Op.NOT_EQUAL, 0f, false)), List.of(x));
        FormChecks.matchesEngine(
                form(new ElementwiseOp("and", "LogicalAnd", ElementwiseOp.Op.LOGICAL_AND, null, false)),
                        List.of(x, mask));
        FormChecks.matchesEngine(form(new ShapeOp("any", "Any", ShapeOp.Op.ANY, new int[]{-1}, false)), List.of(x));
        for (ShapeOp.Op op : new ShapeOp.Op[]{ShapeOp.Op.LOGICAL_NOT, ShapeOp.Op.CAST_BOOL, ShapeOp.Op.ZEROS_LIKE,
                ShapeOp.Op.ONES_LIKE}) {
            TrainableLayer f = form(new ShapeOp("op", "Op", op, null, false));
            FormChecks.matchesEngine(f, List.of(mask));
            Var y = FormChecks.run(f, new Tape(), List.of(x), FormChecks.inference())[0];
            assertThat(y.needsGrad()).isFalse();
        }
        FormChecks.matchesEngine(form(new ShapeOp("cast", "Cast", ShapeOp.Op.CAST_INT, null, false)), List.of(x));
        for (TrainableLayer f
                : List.of(form(new ShapeOp("e", "ExpandDims", ShapeOp.Op.EXPAND_DIMS, new int[]{-1}, false)),
                form(new ShapeOp("c", "Cast", ShapeOp.Op.CAST_FLOAT, null, false)))) {
            FormChecks.grad(f, List.of(x));
            FormChecks.matchesEngine(f, List.of(x));
        }
        In one = FormChecks.leaf(r, null, 2, 3, 1);
        TrainableLayer sq = form(new ShapeOp("s", "Squeeze", ShapeOp.Op.SQUEEZE, new int[]{-1}, false));
        FormChecks.grad(sq, List.of(one));
        FormChecks.matchesEngine(sq, List.of(one));
    }
}

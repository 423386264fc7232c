package io.jkeras.train.forms;

import io.jkeras.train.GradCheck;
import io.jkeras.train.Ops;
import io.jkeras.train.Var;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The ops added for the layer forms, each against finite differences and a direct evaluation. */
class OpsTest {
    private final Random r = new Random(5);

    private Var leaf(int... shape) { return Var.leaf(shape, FormChecks.rndF(r, FormChecks.size(shape), 1.0)); }

    @Test
    void gatherElements() {
        Var a = leaf(2, 3);
        int[] idx = {5, 0, 0, 3, 2};
        GradCheck.check(List.of(a), t
                -> FormChecks.weightedSum(t, new Var[]{Ops.gatherElements(t, a, idx, new int[]{5})}), 1e-6);
        Var y = Ops.gatherElements(new io.jkeras.train.Tape(), a, idx, new int[]{5});
        for (int i = 0; i < idx.length; i++) assertThat(y.value()[i]).isEqualTo(a.value()[idx[i]]);
    }

    @Test
    void transpose() {
        Var a = leaf(2, 3, 4);
        int[] perm = {2, 0, 1};
        GradCheck.check(List.of(a), t -> FormChecks.weightedSum(t, new Var[]{Ops.transpose(t, a, perm)}), 1e-6);
        Var y = Ops.transpose(new io.jkeras.train.Tape(), a, perm);
        assertThat(y.shape()).containsExactly(4, 2, 3);
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 4; k++) assertThat(y.value()[(k * 2 + i) * 3 + j])
                        .isEqualTo(a.value()[(i * 3 + j) * 4 + k]);
    }

    @Test
    void concat() {
        Var a = leaf(2, 3, 2), b = leaf(2, 1, 2), c = leaf(2, 2, 2);
        GradCheck.check(List.of(a, b, c), t -> FormChecks.weightedSum(t, new Var[]{Ops.concat(t, List.of(a, b, c), 1)}),
                1e-6);
        Var y = Ops.concat(new io.jkeras.train.Tape(), List.of(a, b, c), 1);
        assertThat(y.shape()).containsExactly(2, 6, 2);
        assertThat(y.value()[(1 * 6 + 3) * 2 + 1]).isEqualTo(b.value()[(1 * 1) * 2 + 1]);
        Var d = leaf(2, 3, 1);
        GradCheck.check(List.of(a, d), t -> FormChecks.weightedSum(t, new Var[]{Ops.concat(t, List.of(a, d), 2)}),
                1e-6);
    }

    @Test
    void broadcastTo() {
        Var a = leaf(2, 1, 3);
        GradCheck.check(List.of(a), t
                -> FormChecks.weightedSum(t, new Var[]{Ops.broadcastTo(t, a, new int[]{2, 4, 3})}), 1e-6);
        Var y = Ops.broadcastTo(new io.jkeras.train.Tape(), a, new int[]{2, 4, 3});
        assertThat(y.value()[(1 * 4 + 2) * 3 + 1]).isEqualTo(a.value()[3 + 1]);
    }

    @Test
    void whereMaximumMinimum() {
        Var a = leaf(3, 4), b = leaf(3, 4);
        boolean[] c = new boolean[12];
        for (int i = 0; i < 12; i++) c[i] = i % 3 != 0;
        GradCheck.check(List.of(a, b), t -> FormChecks.weightedSum(t, new Var[]{Ops.where(t, c, a, b)}), 1e-6);
        GradCheck.check(List.of(a, b), t -> FormChecks.weightedSum(t, new Var[]{Ops.maximum(t, a, b)}), 1e-6);
        GradCheck.check(List.of(a, b), t -> FormChecks.weightedSum(t, new Var[]{Ops.minimum(t, a, b)}), 1e-6);
        // ties: the gradient goes to the left operand, as TensorFlow's Maximum/Minimum gradients
        Var x = Var.leaf(new int[]{1}, new double[]{2}), z = Var.leaf(new int[]{1}, new double[]{2});
        io.jkeras.train.Tape t = new io.jkeras.train.Tape();
        t.backward(Ops.sum(t, Ops.maximum(t, x, z)));
        assertThat(x.grad()[0]).isEqualTo(1.0);
        assertThat(z.grad() == null ? 0.0 : z.grad()[0]).isEqualTo(0.0);
    }

    @Test
    void conv1d() {
        int[][] cases = {{1, 1, 0, 1}, {2, 1, 1, 1}, {1, 2, 2, 2}, {3, 1, 2, 1}};
        for (int[] c : cases) {
            int stride = c[0], dil = c[1], pad = c[2], groups = c[3];
            Var x = leaf(2, 7, 4), k = leaf(3, 4 / groups, 4);
            int out = (7 + pad - dil * 2 - 1) / stride + 1;
            GradCheck.check(List.of(x, k), t
                    -> FormChecks.weightedSum(t, new Var[]{Ops.conv1d(t, x, k, stride, dil, pad, groups, out)}), 1e-6);
        }
    }
}

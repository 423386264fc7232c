package io.jkeras.train.forms;

import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.layers.GlobalPooling;
import io.jkeras.layers.Layer;
import io.jkeras.layers.Pooling;
import io.jkeras.layers.SpatialResize;
import io.jkeras.layers.TimeDistributed;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.train.Tape;
import io.jkeras.train.TrainableLayer;
import io.jkeras.train.TrainableLayers;
import io.jkeras.train.Var;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static io.jkeras.train.forms.FormChecks.In;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Pooling, global pooling, zero padding, cropping and upsampling: gradients against finite differences, the
 * training forward equal to the engine layer's, for 1 to 3 spatial dimensions, channels_last and channels_first.
 */
class SpatialFormsTest {
    private static TrainableLayer form(Layer l) { return TrainableLayers.of(l, TrainingConfig.DEFAULT); }

    private static void all(Layer l, int... shape) {
        TrainableLayer f = form(l);
        List<In> in = List.of(FormChecks.leaf(new Random(Arrays.hashCode(shape)), null, shape));
        FormChecks.grad(f, in);
        FormChecks.matchesEngine(f, in);
        assertThat(f.params()).isEmpty();
        assertThat(f.rebuild().getClass()).isSameAs(l.getClass());
        assertThat(f.rebuild().weights()).isEmpty();
    }

    /** A batch of 2 samples of the given spatial sizes and 3 channels. */
    private static int[] input(int[] sizes, boolean cf) {
        int[] s = new int[sizes.length + 2];
        s[0] = 2;
        System.arraycopy(sizes, 0, s, cf ? 2 : 1, sizes.length);
        s[cf ? 1 : s.length - 1] = 3;
        return s;
    }

    private static final int[][] SIZES = {{7}, {5, 4}, {4, 3, 5}};

    static Stream<Arguments> poolings() {
        List<Arguments> a = new ArrayList<>();
        for (Pooling.Kind k : Pooling.Kind.values())
            for (int r = 1; r <= 3; r++)
                for (boolean same : new boolean[]{false, true})
                    for (boolean cf : new boolean[]{false, true}) {
                        int[] pool = new int[r], strides = new int[r];
                        Arrays.fill(pool, 2);
                        pool[0] = 3;
                        Arrays.fill(strides, 1);
                        strides[r - 1] = 2;
                        a.add(Arguments.of(k, pool, strides, same, cf));
                    }
        return a.stream();
    }

    @ParameterizedTest(name = "{0} pool={1} strides={2} same={3} channels_first={4}")
    @MethodSource("poolings")
    void pooling(Pooling.Kind kind, int[] pool, int[] strides, boolean same, boolean cf) {
        all(new Pooling("pool", kind, pool, strides, same, cf), input(SIZES[pool.length - 1], cf));
    }

    static Stream<Arguments> globals() {
        List<Arguments> a = new ArrayList<>();
        for (Pooling.Kind k : Pooling.Kind.values())
            for (int r = 1; r <= 3; r++)
                for (boolean keep : new boolean[]{false, true})
                    for (boolean cf : new boolean[]{false, true}) a.add(Arguments.of(k, r, keep, cf));
        return a.stream();
    }

    @ParameterizedTest(name = "{0} rank={1} keepdims={2} channels_first={3}")
    @MethodSource("globals")
    void globalPooling(Pooling.Kind kind, int rank, boolean keepDims, boolean cf) {
        all(new GlobalPooling("global", kind, rank, keepDims, cf), input(SIZES[rank - 1], cf));
    }

    @Test
    void globalAveragePooling1DAveragesTheUnmaskedStepsOnly() {
        Random r = new Random(5);
        boolean[] mask = FormChecks.mask(2, 4, 1, 5, 6);
        In x = FormChecks.leaf(r, mask, 2, 4, 3);
        TrainableLayer f = form(new GlobalPooling("gap", Pooling.Kind.AVERAGE, 1, false, false));
        FormChecks.grad(f, List.of(x));
        FormChecks.matchesEngine(f, List.of(x));
        x = new In(Var.leaf(x.var.shape(), x.var.value()), mask);
        Tape t = new Tape();
        Var y = f.forward(t, new Var[]{x.on(t)}, FormChecks.inference(), null)[0];
        t.backward(io.jkeras.train.Ops.sum(t, y));
        // sample 0 has 3 unmasked steps, sample 1 two; masked steps get no gradient
        for (int s = 0; s < 8; s++) {
            double want = !mask[s] ? 0 : s < 4 ? 1 / 3.0 : 1 / 2.0;
            for (int c = 0; c < 3; c++) assertThat(x.var.grad()[s * 3 + c]).isCloseTo(want, within());
        }
    }

    private static org.assertj.core.data.Offset<Double> within() { return org.assertj.core.data.Offset.offset(1e-12); }

    static Stream<Arguments> resizes() {
        List<Arguments> a = new ArrayList<>();
        for (int r = 1; r <= 3; r++)
            for (boolean cf : new boolean[]{false, true}) {
                int[] before = new int[r], after = new int[r], size = new int[r];
                Arrays.fill(before, 1);
                after[r - 1] = 2;
                Arrays.fill(size, 2);
                size[0] = 3;
                a.add(Arguments.of(SpatialResize.zeroPadding("zero_padding", before, after, cf), cf));
                a.add(Arguments.of(SpatialResize.cropping("cropping", before, after, cf), cf));
                a.add(Arguments.of(SpatialResize.upSampling("up_sampling", size, false, cf), cf));
            }
        return a.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("resizes")
    void paddingCroppingUpsampling(SpatialResize l, boolean cf) {
        all(l, input(l.rank() == 3 ? new int[]{3, 2, 4} : SIZES[l.rank() - 1], cf));
    }

    @Test
    void maxPoolingInsideTimeDistributedTrains() {
        Pooling inner = new Pooling("pool", Pooling.Kind.MAX, new int[]{2, 2}, new int[]{2, 2}, false, false);
        all(new TimeDistributed("time_distributed", inner), 2, 3, 4, 4, 2);
    }

    static Stream<Arguments> bilinears() {
        List<Arguments> a = new ArrayList<>();
        for (boolean cf : new boolean[]{false, true}) {
            for (int[] size : new int[][]{{2, 2}, {3, 2}, {1, 4}}) {
                a.add(Arguments.of(SpatialResize.upSampling("up_sampling2d", size, true, cf), cf));
            }
        }
        return a.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bilinears")
    void bilinearUpsamplingTrainsAndMatchesTheEngine(SpatialResize l, boolean cf) {
        all(l, input(new int[]{3, 4}, cf));
    }
}

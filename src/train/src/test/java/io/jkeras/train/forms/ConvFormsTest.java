package io.jkeras.train.forms;

import io.jkeras.kernels.Activation;
import io.jkeras.kernels.WindowGeometry;
import io.jkeras.layers.Conv;
import io.jkeras.layers.ConvTranspose;
import io.jkeras.layers.ConvWindow;
import io.jkeras.layers.DepthwiseConv;
import io.jkeras.layers.Layer;
import io.jkeras.layers.SeparableConv;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.train.TrainableLayer;
import io.jkeras.train.TrainableLayers;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The training forms of Conv2D/3D, DepthwiseConv1D/2D, SeparableConv1D/2D and Conv1D/2D/3DTranspose: gradients by
 * finite differences (FormChecks.grad), the forward pass equal to the engine layer's, and rebuild exact; over
 * ranks, strides, dilation, padding, groups, depth multipliers, output padding and both data formats.
 */
class ConvFormsTest {
    private static void all(Layer l, Random r, int... inShape) {
        TrainableLayer f = TrainableLayers.of(l, TrainingConfig.DEFAULT);
        List<FormChecks.In> in = List.of(FormChecks.leaf(r, null, inShape));
        FormChecks.grad(f, in);
        FormChecks.matchesEngine(f, in);
        FormChecks.rebuildExact(f);
    }

    /** (kernel, strides, dilation) per case, each of the given rank. */
    private static int[] fill(int rank, int v) {
        int[] a = new int[rank];
        Arrays.fill(a, v);
        return a;
    }

    private static ConvWindow window(int rank, int k, int s, int d, WindowGeometry.Padding p, boolean cf,
                                     Activation act) {
        return new ConvWindow("conv", fill(rank, k), fill(rank, s), fill(rank, d), p, cf, act);
    }

    /**
     * The input shape with batch 2 of {@code ch} channels over sizes {@code size, size + 1, …} (small: the finite
     * differences of a loss summed over many outputs lose digits).
     */
    private static int[] input(int rank, int size, int ch, boolean cf) {
        int[] s = new int[rank + 2];
        s[0] = 2;
        for (int i = 0; i < rank; i++) s[i + (cf ? 2 : 1)] = size + i;
        s[cf ? 1 : rank + 1] = ch;
        return s;
    }

    static Stream<Arguments> windows() {
        List<Arguments> a = new ArrayList<>();
        for (int rank = 1; rank <= 3; rank++)
            for (WindowGeometry.Padding p : new WindowGeometry.Padding[]{WindowGeometry.Padding.VALID,
                    WindowGeometry.Padding.SAME})
                for (int[] sd : new int[][]{{1, 1}, {2, 1}, {1, 2}})
                    for (boolean cf : new boolean[]{false, true}) {
                        if (rank == 3 && (cf || sd[1] == 2)) continue; // keep the 3-D cases few
                        a.add(Arguments.of(rank, p, sd[0], sd[1], cf));
                    }
        return a.stream();
    }

    @ParameterizedTest(name = "rank {0} {1} strides={2} dilation={3} channels_first={4}")
    @MethodSource("windows")
    void convWithGroups(int rank, WindowGeometry.Padding p, int s, int d, boolean cf) {
        Random r = new Random(51);
        int ch = rank == 3 ? 2 : 4, filters = ch, k = rank == 3 ? 2 : 3, groups = 2;
        int kn = (int) Math.pow(k, rank);
        Conv c = new Conv("conv", window(rank, k, s, d, p, cf, Activation.TANH), ch, filters, groups,
                FormChecks.rnd(r, kn * ch / groups * filters, 0.5), FormChecks.rnd(r, filters, 0.5));
        all(c, r, input(rank, rank == 3 ? 3 : 5, ch, cf));
    }

    @ParameterizedTest(name = "rank {0} {1} strides={2} dilation={3} channels_first={4}")
    @MethodSource("windows")
    void depthwiseAndSeparable(int rank, WindowGeometry.Padding p, int s, int d, boolean cf) {
        if (rank == 3) return; // Keras has no 3-D depthwise or separable convolution
        Random r = new Random(52);
        int ch = 2, mult = 2, filters = 3, k = 3, kn = (int) Math.pow(k, rank);
        ConvWindow w = window(rank, k, s, d, p, cf, Activation.LINEAR);
        all(new DepthwiseConv("depthwise", w, ch, mult, FormChecks.rnd(r, kn * ch * mult, 0.5),
                FormChecks.rnd(r, ch * mult, 0.5)), r, input(rank, 5, ch, cf));
        all(new SeparableConv("separable", window(rank, k, s, d, p, cf, Activation.SIGMOID), ch, mult, filters,
                FormChecks.rnd(r, kn * ch * mult, 0.5), FormChecks.rnd(r, ch * mult * filters, 0.5),
                FormChecks.rnd(r, filters, 0.5)), r, input(rank, 5, ch, cf));
    }

    @ParameterizedTest(name = "rank {0} {1} strides={2} dilation={3} channels_first={4}")
    @MethodSource("windows")
    void transposed(int rank, WindowGeometry.Padding p, int s, int d, boolean cf) {
        Random r = new Random(53);
        int ch = 3, filters = 2, k = rank == 3 ? 2 : 3, kn = (int) Math.pow(k, rank);
        int[] outputPadding = s == 2 ? fill(rank, 1) : null;
        all(new ConvTranspose("transpose", window(rank, k, s, d, p, cf, Activation.TANH), ch, filters,
                outputPadding, FormChecks.rnd(r, kn * filters * ch, 0.5), FormChecks.rnd(r, filters, 0.5)), r,
                input(rank, 3, ch, cf));
        all(new ConvTranspose("transpose", window(rank, k, s, d, p, cf, Activation.LINEAR), ch, filters,
                null, FormChecks.rnd(r, kn * filters * ch, 0.5), null), r, input(rank, 3, ch, cf));
    }

    /**
     * LRCN: TimeDistributed(Conv2D) runs the convolution on every timestep (the engine's output for step t equals
     * the Conv2D's on x[:, t]), and its training form passes the gradient checks.
     */
    @org.junit.jupiter.api.Test
    void timeDistributedConvolutionRunsEveryStep() {
        Random r = new Random(54);
        int ch = 2, filters = 3, steps = 3;
        Conv c = new Conv("conv2d", window(2, 3, 1, 1, WindowGeometry.Padding.SAME, false, Activation.RELU), ch,
                filters, 1, FormChecks.rnd(r, 9 * ch * filters, 0.5), FormChecks.rnd(r, filters, 0.5));
        io.jkeras.layers.TimeDistributed td = new io.jkeras.layers.TimeDistributed("time_distributed", c);
        FormChecks.In x = FormChecks.leaf(r, null, 2, steps, 4, 5, ch);
        io.jkeras.tensor.Tensor xt = x.tensor();
        float[] all = td.forward(new io.jkeras.tensor.Tensor[]{xt}, null)[0].data();
        int stepIn = 4 * 5 * ch, stepOut = 4 * 5 * filters;
        for (int b = 0; b < 2; b++) {
            for (int t = 0; t < steps; t++) {
                float[] one = Arrays.copyOfRange(xt.data(), (b * steps + t) * stepIn, (b * steps + t + 1) * stepIn);
                float[] want = c.forward(new io.jkeras.tensor.Tensor[]{new io.jkeras.tensor.Tensor(
                        new int[]{1, 4, 5, ch}, one)}, null)[0].data();
                org.assertj.core.api.Assertions.assertThat(Arrays.copyOfRange(all, (b * steps + t) * stepOut,
                        (b * steps + t + 1) * stepOut)).containsExactly(want);
            }
        }
        TrainableLayer f = TrainableLayers.of(td, TrainingConfig.DEFAULT);
        FormChecks.grad(f, List.of(x));
        FormChecks.matchesEngine(f, List.of(x));
        FormChecks.rebuildExact(f);
    }
}

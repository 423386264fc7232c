package io.jkeras.onnx;

import io.jkeras.kernels.Activation;
import io.jkeras.tensor.Tensor;
import org.assertj.core.data.Offset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each activation the exporter writes as ONNX operators, run by ONNX Runtime on rows that cross every
 * branch point (-1, 0, 1, ties, large magnitudes), against jkeras' own kernel {@link Activation#apply},
 * which the act_* fixtures check against Keras 3.15.1 (KerasFixturesTest). The exporter's fixture tests
 * cannot reach most of these: Keras puts them in SimpleRNNs, whose ONNX operator takes none of them.
 */
class OnnxActivationsTest {
    private static final int ROWS = 6;
    private static final int WIDTH = 10;

    @ParameterizedTest
    @EnumSource(value = Activation.class, names = {"SPARSE_PLUS", "SPARSE_SIGMOID", "SQUAREPLUS", "GLU", "SPARSEMAX",
            "SOFTMAX", "LOG_SOFTMAX", "GELU", "MISH", "HARD_SHRINK", "SOFT_SHRINK", "TANH_SHRINK", "LOG_SIGMOID"})
    void onnxRuntimeComputesWhatTheKernelComputes(Activation a) throws Exception {
        float[] x = rows();
        OnnxGraph g = new OnnxGraph("activation");
        g.input("x", 1, new String[]{"rows", Integer.toString(WIDTH)});
        g.identity(OnnxActivations.apply(g, a, "x", "y", "layer"), "out");
        int width = a.outputWidth(WIDTH);
        g.output("out", 1, new String[]{"rows", Integer.toString(width)});
        Tensor got;
        try (OrtRunner ort = new OrtRunner(OnnxExporter.model(g, Map.of()).toByteArray(), 1)) {
            got = ort.run(new Tensor(new int[]{ROWS, WIDTH}, x.clone()))[0];
        }
        assertThat(got.shape()).containsExactly(ROWS, width);
        for (int r = 0; r < ROWS; r++) {
            float[] row = java.util.Arrays.copyOfRange(x, r * WIDTH, (r + 1) * WIDTH);
            a.apply(row, 0, WIDTH);
            for (int j = 0; j < width; j++) {
                float want = row[j];
                assertThat((double) got.data()[r * width + j]).as("%s row %d column %d (x = %s)", a, r, j,
                        x[r * WIDTH + j]).isCloseTo(want, Offset.offset(1e-6 + 1e-6 * Math.abs(want)));
            }
        }
    }

    /** Rows over the branch points and random values, a tie and a row of large values. */
    private static float[] rows() {
        float[] x = new float[ROWS * WIDTH];
        float[] edges = {-1f, 1f, 0f, -0.5f, 0.5f, -3f, 3f, 0.999f, -1.001f, 2f};
        System.arraycopy(edges, 0, x, 0, WIDTH);
        Random rnd = new Random(7);
        for (int i = WIDTH; i < 4 * WIDTH; i++) x[i] = (float) (rnd.nextGaussian() * 2);
        for (int i = 4 * WIDTH; i < 5 * WIDTH; i++) x[i] = 0.25f;   // every value tied
        for (int i = 5 * WIDTH; i < 6 * WIDTH; i++) x[i] = (float) (rnd.nextGaussian() * 30);
        return x;
    }
}

package io.jkeras.kernels;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The vector recurrent product against the scalar reference on odd shapes. The test JVM runs with
 * the Vector API module (pom.xml argLine), so {@link Kernels#best()} must be the vector kernel.
 */
class RecurrentKernelsTest {
    @Test
    void theTestJvmUsesTheVectorKernel() {
        assertThat(Kernels.best().recurrent().toString()).startsWith("vector");
    }

    @Test
    void vectorEqualsScalarOnOddShapes() {
        Random r = new Random(5);
        int[] rowsList = {0, 1, 7, 33, 128, 257};
        int[] widthList = {0, 1, 7, 15, 16, 17, 33, 64, 65, 256, 512, 1027};
        for (int rows : rowsList) {
            for (int width : widthList) {
                float[] h = new float[rows + 3];
                float[] u = new float[rows * width];
                float[] z0 = new float[width];
                for (int i = 0; i < h.length; i++) h[i] = (float) r.nextGaussian();
                for (int i = 0; i < u.length; i++) u[i] = (float) r.nextGaussian();
                for (int i = 0; i < z0.length; i++) z0[i] = (float) r.nextGaussian();
                float[] zs = z0.clone(), zv = z0.clone();
                RecurrentKernels.SCALAR.accumulate(h, 3, rows, u, width, zs);
                Kernels.best().recurrent().accumulate(h, 3, rows, u, width, zv);
                // with an output offset: the same values, nothing outside the row touched
                float[] zo = new float[width + 9];
                java.util.Arrays.fill(zo, Float.NaN);
                System.arraycopy(z0, 0, zo, 5, width);
                Kernels.best().recurrent().accumulate(h, 3, rows, u, width, zo, 5);
                for (int i = 0; i < 5; i++) assertThat(zo[i]).isNaN();
                for (int i = 5 + width; i < zo.length; i++) assertThat(zo[i]).isNaN();
                for (int c = 0; c < width; c++) assertThat(zo[5 + c]).isEqualTo(zv[c]);
                for (int c = 0; c < width; c++) {
                    double scale = Math.abs(z0[c]);
                    for (int k = 0; k < rows; k++) scale += Math.abs(h[3 + k] * u[k * width + c]);
                    assertThat((double) Math.abs(zv[c] - zs[c])).as("rows %d width %d column %d", rows, width, c)
                            .isLessThanOrEqualTo(4e-7 * (rows + 1) * scale);
                }
            }
        }
    }
}

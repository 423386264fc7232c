package io.jkeras.kernels;

/**
 * The recurrent product of one timestep, {@code z[zOff, zOff+width) += Σ_k h[hOff + k] · u[k·width, (k+1)·width)}
 * (also the input projection of one row),
 * in two implementations: {@link #SCALAR}, the portable reference (an axpy per row), and a Vector
 * API kernel ({@code VectorProduct}) that holds the accumulators of a tile in vector registers over
 * the whole sum. Which one runs is the choice of {@link Kernels} ({@link Kernels#recurrent()}).
 */
public final class RecurrentKernels {
    /** {@code z[zOff, zOff+width) += Σ_{k<rows} h[hOff+k] · u[k·width ..]}. */
    @FunctionalInterface
    public interface Product {
        void accumulate(float[] h, int hOff, int rows, float[] u, int width, float[] z, int zOff);

        default void accumulate(float[] h, int hOff, int rows, float[] u, int width, float[] z) {
            accumulate(h, hOff, rows, u, width, z, 0);
        }
    }

    public static final Product SCALAR = new Product() {
        @Override
        public void accumulate(float[] h, int hOff, int rows, float[] u, int width, float[] z, int zOff) {
            for (int k = 0; k < rows; k++) Gemm.axpy(width, h[hOff + k], u, k * width, z, zOff);
        }

        @Override
        public String toString() { return "scalar"; }
    };

    private RecurrentKernels() {}
}

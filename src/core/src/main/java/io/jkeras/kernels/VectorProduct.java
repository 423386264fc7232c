package io.jkeras.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The recurrent product with the Vector API: the columns are taken four vectors at a time (with
 * 512-bit vectors, one LSTM gate tile of 4 gates × 16 units), their accumulators kept in registers
 * while the sum runs over every row, then stored once. Loaded only through {@link Kernels#best()}
 * when the {@code jdk.incubator.vector} module is present.
 */
final class VectorProduct implements RecurrentKernels.Product {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    @Override
    public void accumulate(float[] h, int hOff, int rows, float[] u, int width, float[] z, int zOff) {
        final int l = S.length();
        int c = 0;
        for (; c + 4 * l <= width; c += 4 * l) {
            FloatVector a0 = FloatVector.fromArray(S, z, zOff + c), a1 = FloatVector.fromArray(S, z, zOff + c + l),
                    a2 = FloatVector.fromArray(S, z, zOff + c + 2 * l),
                            a3 = FloatVector.fromArray(S, z, zOff + c + 3 * l);
            for (int k = 0; k < rows; k++) {
                FloatVector hk = FloatVector.broadcast(S, h[hOff + k]);
                int o = k * width + c;
                a0 = FloatVector.fromArray(S, u, o).fma(hk, a0);
                a1 = FloatVector.fromArray(S, u, o + l).fma(hk, a1);
                a2 = FloatVector.fromArray(S, u, o + 2 * l).fma(hk, a2);
                a3 = FloatVector.fromArray(S, u, o + 3 * l).fma(hk, a3);
            }
            a0.intoArray(z, zOff + c);
            a1.intoArray(z, zOff + c + l);
            a2.intoArray(z, zOff + c + 2 * l);
            a3.intoArray(z, zOff + c + 3 * l);
        }
        for (; c + l <= width; c += l) {
            FloatVector a = FloatVector.fromArray(S, z, zOff + c);
            for (int k = 0; k < rows; k++) a = FloatVector.fromArray(S, u, k * width + c)
                    .fma(FloatVector.broadcast(S, h[hOff + k]), a);
            a.intoArray(z, zOff + c);
        }
        for (; c < width; c++) {
            float a = z[zOff + c];
            for (int k = 0; k < rows; k++) a = Math.fma(h[hOff + k], u[k * width + c], a);
            z[zOff + c] = a;
        }
    }

    @Override
    public String toString() { return "vector (" + S + ")"; }
}

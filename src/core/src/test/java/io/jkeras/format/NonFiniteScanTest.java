package io.jkeras.format;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The reader's NaN/Inf scan against a reference scan (bit patterns: exponent all ones). */
class NonFiniteScanTest {
    private static int reference(float[] f) {
        for (int j = 0; j < f.length; j++) if ((Float.floatToRawIntBits(f[j]) & 0x7f800000) == 0x7f800000) return j;
        return -1;
    }

    @Test
    void findsTheFirstNonFiniteValueAsTheReferenceScanDoes() {
        Random r = new Random(7);
        float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
                Float.intBitsToFloat(0x7fc00001),
            Float.intBitsToFloat(0xffffffff)};
        float[] extremes = {Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, -0f, 0f, Float.MIN_NORMAL};
        int cases = 0;
        for (int n : new int[]{0, 1, 2, 3, 4, 5, 7, 8, 33, 257, 1000}) {
            for (int trial = 0; trial < 40; trial++) {
                float[] f = new float[n];
                for (int j = 0; j < n; j++) {
                    f[j] = r.nextInt(4) == 0 ? extremes[r.nextInt(extremes.length)] : (float) r.nextGaussian() * 1e30f;
                }
                int bad = trial % 3 == 0 || n == 0 ? 0 : 1 + r.nextInt(2);
                for (int k = 0; k < bad; k++) f[r.nextInt(n)] = specials[r.nextInt(specials.length)];
                assertThat(JkmReader.firstNonFinite(f)).as("n=" + n + " trial " + trial).isEqualTo(reference(f));
                cases++;
            }
        }
        assertThat(cases).isEqualTo(440);
    }
}

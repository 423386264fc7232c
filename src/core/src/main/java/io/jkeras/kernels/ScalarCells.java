package io.jkeras.kernels;

/**
 * The portable {@link CellKernels}: the recurrent product as a sum of scaled rows of the panel
 * kernel into a work row (loops the JIT vectorizes), then the cell unit by unit with {@link FastMath}.
 */
final class ScalarCells extends CellKernels {
    private static final int B = BLOCK;

    private static int col(int gates, int gate, int unit) {
        return ((unit / B) * gates + gate) * B + unit % B;
    }

    private static int width(int units, int gates) {
        return (units + B - 1) / B * gates * B;
    }

    /** {@code work[0, W) = xp row (or 0) + h·U}. */
    private static void product(float[] xp, int xpOff, float[] u, float[] h, int hOff, int units, int w, float[] work) {
        if (xp == null) java.util.Arrays.fill(work, 0, w, 0f);
        else System.arraycopy(xp, xpOff, work, 0, w);
        RecurrentKernels.SCALAR.accumulate(h, hOff, units, u, w, work, 0);
    }

    /** {@code work[c0, c1) = xp[xpOff + c0, xpOff + c1) (or 0) + h·U[:, c0:c1]}. */
    private static void product(float[] xp, int xpOff, float[] u, float[] h, int hOff, int units, int w, int c0, int c1,
            float[] work) {
        if (xp == null) java.util.Arrays.fill(work, c0, c1, 0f);
        else System.arraycopy(xp, xpOff + c0, work, c0, c1 - c0);
        for (int k = 0; k < units; k++) Gemm.axpy(c1 - c0, h[hOff + k], u, k * w + c0, work, c0);
    }

    @Override
    public void lstmStep(float[] xp, int xpOff, float[] u, float[] uT, float[] h, int hOff, float[] c, int cOff,
                         float[] hOut, int hOutOff, int units, int act, int ract, int tileFrom, int tileTo,
                                 float[] work) {
        int tw = 4 * B, first = tileFrom * B;
        product(xp, xpOff, u, h, hOff, units, width(units, 4), tileFrom * tw, tileTo * tw, work);
        lstmCell(work, tileFrom * tw, c, cOff + first, hOut, hOutOff + first, Math.min(units, tileTo * B) - first, act,
                ract, work);
    }

    @Override
    public void lstmCell(float[] z, int zOff, float[] c, int cOff, float[] hOut, int hOutOff, int units, int act,
            int ract, float[] work) {
        for (int u = 0; u < units; u++) {
            int base = zOff + col(4, 0, u);
            float i = activate(ract, z[base]);
            float f = activate(ract, z[base + B]);
            float g = activate(act, z[base + 2 * B]);
            float o = activate(ract, z[base + 3 * B]);
            float cn = f * c[cOff + u] + i * g;
            c[cOff + u] = cn;
            hOut[hOutOff + u] = o * activate(act, cn);
        }
    }

    @Override
    public void simpleStep(float[] xp, int xpOff, float[] u, float[] uT, float[] h, int hOff, float[] hOut, int hOutOff,
                           int units, int act, int tileFrom, int tileTo, float[] work) {
        int first = tileFrom * B;
        product(xp, xpOff, u, h, hOff, units, width(units, 1), first, tileTo * B, work);
        simpleCell(work, first, hOut, hOutOff + first, Math.min(units, tileTo * B) - first, act, work);
    }

    @Override
    public void simpleCell(float[] z, int zOff, float[] hOut, int hOutOff, int units, int act, float[] work) {
        System.arraycopy(z, zOff, hOut, hOutOff, units);
        activate(act, hOut, hOutOff, units);
    }

    @Override
    public void gruStep(float[] xp, int xpOff, float[] u, float[] uT, float[] bRec, float[] h, int hOff,
                        float[] hOut, int hOutOff, int units, int act, int ract, int tileFrom, int tileTo,
                                float[] work) {
        int tw = 3 * B, first = tileFrom * B, c0 = tileFrom * tw;
        product(null, 0, u, h, hOff, units, width(units, 3), c0, tileTo * tw, work);
        float[] b = bRec;
        if (bRec != null && c0 > 0) {   // the cell indexes the bias from the first tile it is given
            b = java.util.Arrays.copyOfRange(bRec, c0, bRec.length);
        }
        gruCell(xp, xpOff + c0, work, c0, b, h, hOff + first, hOut, hOutOff + first,
                Math.min(units, tileTo * B) - first, act, ract, work);
    }

    @Override
    public void gruCell(float[] xp, int xpOff, float[] m, int mOff, float[] bRec, float[] h, int hOff,
                        float[] hOut, int hOutOff, int units, int act, int ract, float[] work) {
        for (int u = 0; u < units; u++) {
            int c = col(3, 0, u);
            float mz = m[mOff + c], mr = m[mOff + c + B], mh = m[mOff + c + 2 * B];
            if (bRec != null) {
                mz += bRec[c];
                mr += bRec[c + B];
                mh += bRec[c + 2 * B];
            }
            float z = activate(ract, xp[xpOff + c] + mz);
            float r = activate(ract, xp[xpOff + c + B] + mr);
            float hh = activate(act, xp[xpOff + c + 2 * B] + r * mh);
            hOut[hOutOff + u] = z * h[hOff + u] + (1f - z) * hh;
        }
    }

    @Override
    public void gruStepBefore(float[] xp, int xpOff, float[] u, float[] uT, float[] h, int hOff,
                              float[] hOut, int hOutOff, int units, int act, int ract, float[] work) {
        int w = width(units, 3);
        int padded = w / 3;
        product(null, 0, u, h, hOff, units, w, work);
        gruGatesBefore(xp, xpOff, work, 0, h, hOff, work, w, work, w + padded, units, ract);
        java.util.Arrays.fill(work, 0, w, 0f);
        RecurrentKernels.SCALAR.accumulate(work, w + padded, units, u, w, work, 0);
        gruCandidateBefore(xp, xpOff, work, 0, work, w, h, hOff, hOut, hOutOff, units, act);
    }

    @Override
    public void gruGatesBefore(float[] xp, int xpOff, float[] m, int mOff, float[] h, int hOff,
                               float[] zOut, int zOff, float[] rh, int rhOff, int units, int ract) {
        for (int u = 0; u < units; u++) {
            int c = col(3, 0, u);
            zOut[zOff + u] = activate(ract, xp[xpOff + c] + m[mOff + c]);
            rh[rhOff + u] = activate(ract, xp[xpOff + c + B] + m[mOff + c + B]) * h[hOff + u];
        }
    }

    @Override
    public void gruCandidateBefore(float[] xp, int xpOff, float[] m2, int mOff, float[] z, int zOff,
                                   float[] h, int hOff, float[] hOut, int hOutOff, int units, int act) {
        for (int u = 0; u < units; u++) {
            int c = col(3, 2, u);
            float hh = activate(act, xp[xpOff + c] + m2[mOff + c]);
            float zu = z[zOff + u];
            hOut[hOutOff + u] = zu * h[hOff + u] + (1f - zu) * hh;
        }
    }

    @Override
    public String toString() { return "scalar"; }
}

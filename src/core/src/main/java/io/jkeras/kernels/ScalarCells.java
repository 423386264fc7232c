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
            z[base] = i;
            z[base + B] = f;
            z[base + 2 * B] = g;
            z[base + 3 * B] = o;
            float cn = f * c[cOff + u] + i * g;
            c[cOff + u] = cn;
            float t = activate(act, cn);
            work[u] = t;
            hOut[hOutOff + u] = o * t;
        }
    }

    @Override
    public void lstmBackward(float[] a, int aOff, float[] c0, int c0Off, float[] t1, int t1Off, float[] dh,
            int dhOff, float[] dc, int dcOff, float[] dz, int dzOff, int units, int act, int ract, float[] work) {
        lstmBackwardRow(a, aOff, c0, c0Off, t1, t1Off, dh, dhOff, dc, dcOff, dz, dzOff, units, act, ract);
    }

    static void lstmBackwardRow(float[] a, int aOff, float[] c0, int c0Off, float[] t1, int t1Off, float[] dh,
            int dhOff, float[] dc, int dcOff, float[] dz, int dzOff, int units, int act, int ract) {
        java.util.Arrays.fill(dz, dzOff, dzOff + width(units, 4), 0f);
        for (int u = 0; u < units; u++) {
            int base = col(4, 0, u);
            float i = a[aOff + base], f = a[aOff + base + B], g = a[aOff + base + 2 * B], o = a[aOff + base + 3 * B];
            float t = t1[t1Off + u], d = dh[dhOff + u];
            float dcv = dc[dcOff + u] + d * o * derivative(act, t);
            dz[dzOff + base] = dcv * g * derivative(ract, i);
            dz[dzOff + base + B] = dcv * c0[c0Off + u] * derivative(ract, f);
            dz[dzOff + base + 2 * B] = dcv * i * derivative(act, g);
            dz[dzOff + base + 3 * B] = d * t * derivative(ract, o);
            dc[dcOff + u] = dcv * f;
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
    public void simpleBackward(float[] h1, int h1Off, float[] dh, int dhOff, float[] dz, int dzOff, int units,
            int act) {
        simpleBackwardRow(h1, h1Off, dh, dhOff, dz, dzOff, units, act);
    }

    static void simpleBackwardRow(float[] h1, int h1Off, float[] dh, int dhOff, float[] dz, int dzOff, int units,
            int act) {
        for (int u = 0; u < units; u++) dz[dzOff + u] = dh[dhOff + u] * derivative(act, h1[h1Off + u]);
        java.util.Arrays.fill(dz, dzOff + units, dzOff + width(units, 1), 0f);
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
            xp[xpOff + c] = z;
            xp[xpOff + c + B] = r;
            xp[xpOff + c + 2 * B] = hh;
            hOut[hOutOff + u] = z * h[hOff + u] + (1f - z) * hh;
        }
    }

    @Override
    public void gruBackward(float[] a, int aOff, float[] m, int mOff, float[] h0, int h0Off, float[] dh, int dhOff,
            float[] dz, int dzOff, float[] dm, int dmOff, float[] dh0, int dh0Off, int units, int act, int ract) {
        gruBackwardRow(a, aOff, m, mOff, h0, h0Off, dh, dhOff, dz, dzOff, dm, dmOff, dh0, dh0Off, units, act, ract);
    }

    static void gruBackwardRow(float[] a, int aOff, float[] m, int mOff, float[] h0, int h0Off, float[] dh,
            int dhOff, float[] dz, int dzOff, float[] dm, int dmOff, float[] dh0, int dh0Off, int units, int act,
            int ract) {
        int w = width(units, 3);
        java.util.Arrays.fill(dz, dzOff, dzOff + w, 0f);
        java.util.Arrays.fill(dm, dmOff, dmOff + w, 0f);
        for (int u = 0; u < units; u++) {
            int c = col(3, 0, u);
            float z = a[aOff + c], r = a[aOff + c + B], hh = a[aOff + c + 2 * B];
            float d = dh[dhOff + u], hp = h0[h0Off + u];
            float dah = d * (1f - z) * derivative(act, hh);
            float daz = d * (hp - hh) * derivative(ract, z);
            float dar = dah * m[mOff + c + 2 * B] * derivative(ract, r);
            dz[dzOff + c] = daz;
            dz[dzOff + c + B] = dar;
            dz[dzOff + c + 2 * B] = dah;
            dm[dmOff + c] = daz;
            dm[dmOff + c + B] = dar;
            dm[dmOff + c + 2 * B] = dah * r;
            dh0[dh0Off + u] = d * z;
        }
    }

    @Override
    public void gruStepBefore(float[] xp, int xpOff, float[] u, float[] uT, float[] h, int hOff,
                              float[] hOut, int hOutOff, int units, int act, int ract, float[] work) {
        int w = width(units, 3);
        product(null, 0, u, h, hOff, units, w, work);
        gruGatesBefore(xp, xpOff, work, 0, h, hOff, work, w, units, ract);
        java.util.Arrays.fill(work, 0, w, 0f);
        RecurrentKernels.SCALAR.accumulate(work, w, units, u, w, work, 0);
        gruCandidateBefore(xp, xpOff, work, 0, h, hOff, hOut, hOutOff, units, act);
    }

    @Override
    public void gruGatesBefore(float[] xp, int xpOff, float[] m, int mOff, float[] h, int hOff,
                               float[] rh, int rhOff, int units, int ract) {
        for (int u = 0; u < units; u++) {
            int c = col(3, 0, u);
            float z = activate(ract, xp[xpOff + c] + m[mOff + c]);
            float r = activate(ract, xp[xpOff + c + B] + m[mOff + c + B]);
            xp[xpOff + c] = z;
            xp[xpOff + c + B] = r;
            rh[rhOff + u] = r * h[hOff + u];
        }
    }

    @Override
    public void gruCandidateBefore(float[] xp, int xpOff, float[] m2, int mOff,
                                   float[] h, int hOff, float[] hOut, int hOutOff, int units, int act) {
        for (int u = 0; u < units; u++) {
            int c = col(3, 0, u);
            float hh = activate(act, xp[xpOff + c + 2 * B] + m2[mOff + c + 2 * B]);
            xp[xpOff + c + 2 * B] = hh;
            float zu = xp[xpOff + c];
            hOut[hOutOff + u] = zu * h[hOff + u] + (1f - zu) * hh;
        }
    }

    @Override
    public void gruBackwardBefore(float[] a, int aOff, float[] h0, int h0Off, float[] dh, int dhOff, float[] dz,
            int dzOff, float[] dh0, int dh0Off, int units, int act, int ract) {
        gruBackwardBeforeRow(a, aOff, h0, h0Off, dh, dhOff, dz, dzOff, dh0, dh0Off, units, act, ract);
    }

    static void gruBackwardBeforeRow(float[] a, int aOff, float[] h0, int h0Off, float[] dh, int dhOff, float[] dz,
            int dzOff, float[] dh0, int dh0Off, int units, int act, int ract) {
        java.util.Arrays.fill(dz, dzOff, dzOff + width(units, 3), 0f);
        for (int u = 0; u < units; u++) {
            int c = col(3, 0, u);
            float z = a[aOff + c], hh = a[aOff + c + 2 * B];
            float d = dh[dhOff + u], hp = h0[h0Off + u];
            dz[dzOff + c] = d * (hp - hh) * derivative(ract, z);
            dz[dzOff + c + 2 * B] = d * (1f - z) * derivative(act, hh);
            dh0[dh0Off + u] = d * z;
        }
    }

    @Override
    public void gruBackwardReset(float[] a, int aOff, float[] h0, int h0Off, float[] dq, int dqOff, float[] dz,
            int dzOff, float[] dh0, int dh0Off, int units, int ract) {
        gruBackwardResetRow(a, aOff, h0, h0Off, dq, dqOff, dz, dzOff, dh0, dh0Off, units, ract);
    }

    static void gruBackwardResetRow(float[] a, int aOff, float[] h0, int h0Off, float[] dq, int dqOff, float[] dz,
            int dzOff, float[] dh0, int dh0Off, int units, int ract) {
        for (int u = 0; u < units; u++) {
            int c = col(3, 1, u);
            float r = a[aOff + c], d = dq[dqOff + u];
            dz[dzOff + c] = d * h0[h0Off + u] * derivative(ract, r);
            dh0[dh0Off + u] += d * r;
        }
    }

    @Override
    public String toString() { return "scalar"; }
}

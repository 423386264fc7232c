package io.jkeras.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The element-wise step kernels of {@link TrainingCells} with the Vector API. The gate activations are
 * {@link VectorMath}'s, the ones the inference cells use (tanh and sigmoid in double vectors, within one
 * float ulp), applied in place to runs of a row; the state updates and the backward kernels of the
 * standard activations (tanh, with sigmoid as the recurrent activation) run on float vectors, with a
 * scalar tail doing the same float operations, so a value does not depend on its lane. The backward
 * kernels of other activations run the scalar ones. Loaded only through {@link Kernels#best()} when the
 * {@code jdk.incubator.vector} module is present.
 */
final class TrainingCellsVector implements TrainingCells.Cells {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    TrainingCellsVector() {
        // loads VectorMath now, so that a machine it cannot run on keeps the scalar kernels (see Kernels.vector)
        VectorMath.sigmoid(new float[1], 0, 1);
    }

    @Override public String toString() { return "vector (" + S + ")"; }

    private static boolean standard(Activation act, Activation ract) {
        return act == Activation.TANH && ract == Activation.SIGMOID;
    }

    @Override
    public void lstmForward(int batch, int u, Activation act, Activation ract, float[] z, int zOff, float[] c,
            int cPrev, int cNext, float[] tc, int tcOff, float[] h, int hOff) {
        final int a = act.cellCode(), ra = ract.cellCode(), l = S.length(), end = S.loopBound(u);
        for (int b = 0; b < batch; b++) {
            int zr = zOff + b * 4 * u, sr = b * u;
            // z holds the gates i, f, g, o side by side: i and f are one run
            VectorMath.activate(ra, z, zr, 2 * u);
            VectorMath.activate(a, z, zr + 2 * u, u);
            VectorMath.activate(ra, z, zr + 3 * u, u);
            int j = 0;
            for (; j < end; j += l) {
                FloatVector i = FloatVector.fromArray(S, z, zr + j), f = FloatVector.fromArray(S, z, zr + u + j);
                FloatVector g = FloatVector.fromArray(S, z, zr + 2 * u + j);
                FloatVector cv = f.mul(FloatVector.fromArray(S, c, cPrev + sr + j)).add(i.mul(g));
                cv.intoArray(c, cNext + sr + j);
                cv.intoArray(tc, tcOff + sr + j);
            }
            for (; j < u; j++) {
                float cv = z[zr + u + j] * c[cPrev + sr + j] + z[zr + j] * z[zr + 2 * u + j];
                c[cNext + sr + j] = cv;
                tc[tcOff + sr + j] = cv;
            }
            VectorMath.activate(a, tc, tcOff + sr, u);
            j = 0;
            for (; j < end; j += l) {
                FloatVector.fromArray(S, z, zr + 3 * u + j).mul(FloatVector.fromArray(S, tc, tcOff + sr + j))
                        .intoArray(h, hOff + sr + j);
            }
            for (; j < u; j++) h[hOff + sr + j] = z[zr + 3 * u + j] * tc[tcOff + sr + j];
        }
    }

    @Override
    public void lstmBackward(int batch, int u, Activation act, Activation ract, float[] a, int aOff, float[] c,
            int cPrev,
                             float[] tc, int tcOff, float[] dh, int dhOff, float[] dc, float[] dz, int dzOff) {
        if (!standard(act, ract) || u < S.length()) {
            TrainingCells.lstmBackward(batch, u, act, ract, a, aOff, c, cPrev, tc, tcOff, dh, dhOff, dc, dz, dzOff);
            return;
        }
        final int l = S.length(), end = S.loopBound(u);
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int b = 0; b < batch; b++) {
            int ar = aOff + b * 4 * u, dr = dzOff + b * 4 * u, sr = b * u;
            for (int j = 0; j < end; j += l) {
                FloatVector i = FloatVector.fromArray(S, a, ar + j), f = FloatVector.fromArray(S, a, ar + u + j);
                FloatVector g = FloatVector.fromArray(S, a, ar + 2 * u + j),
                        o = FloatVector.fromArray(S, a, ar + 3 * u + j);
                FloatVector t = FloatVector.fromArray(S, tc, tcOff + sr + j),
                        dhv = FloatVector.fromArray(S, dh, dhOff + sr + j);
                FloatVector dcv = FloatVector.fromArray(S, dc, sr + j).add(dhv.mul(o).mul(one.sub(t.mul(t))));
                dcv.mul(g).mul(i.mul(one.sub(i))).intoArray(dz, dr + j);
                dcv.mul(FloatVector.fromArray(S, c, cPrev + sr + j)).mul(f.mul(one.sub(f))).intoArray(dz, dr + u + j);
                dcv.mul(i).mul(one.sub(g.mul(g))).intoArray(dz, dr + 2 * u + j);
                dhv.mul(t).mul(o.mul(one.sub(o))).intoArray(dz, dr + 3 * u + j);
                dcv.mul(f).intoArray(dc, sr + j);
            }
            for (int j = end; j < u; j++) {
                float i = a[ar + j], fg = a[ar + u + j], g = a[ar + 2 * u + j], o = a[ar + 3 * u + j];
                float t = tc[tcOff + sr + j], dhv = dh[dhOff + sr + j];
                float dcv = dc[sr + j] + dhv * o * (1f - t * t);
                dz[dr + j] = dcv * g * (i * (1f - i));
                dz[dr + u + j] = dcv * c[cPrev + sr + j] * (fg * (1f - fg));
                dz[dr + 2 * u + j] = dcv * i * (1f - g * g);
                dz[dr + 3 * u + j] = dhv * t * (o * (1f - o));
                dc[sr + j] = dcv * fg;
            }
        }
    }

    @Override
    public void gruForward(int batch, int u, Activation act, Activation ract, float[] z, int zOff, float[] rec,
            int recOff, float[] h, int hPrev, int hOff) {
        final int a = act.cellCode(), ra = ract.cellCode(), l = S.length();
        final int end2 = S.loopBound(2 * u), end = S.loopBound(u);
        for (int b = 0; b < batch; b++) {
            int zr = zOff + b * 3 * u, rr = recOff + b * 3 * u, sr = b * u;
            // z and r: the input and recurrent parts added, then activated as one run
            int j = 0;
            for (; j < end2; j += l) {
                FloatVector.fromArray(S, z, zr + j).add(FloatVector.fromArray(S, rec, rr + j)).intoArray(z, zr + j);
            }
            for (; j < 2 * u; j++) z[zr + j] = z[zr + j] + rec[rr + j];
            VectorMath.activate(ra, z, zr, 2 * u);
            // the candidate: act(x_h + r·m_h)
            int hc = zr + 2 * u;
            j = 0;
            for (; j < end; j += l) {
                FloatVector.fromArray(S, z, hc + j).add(FloatVector.fromArray(S, z, zr + u + j)
                        .mul(FloatVector.fromArray(S, rec, rr + 2 * u + j))).intoArray(z, hc + j);
            }
            for (; j < u; j++) z[hc + j] = z[hc + j] + z[zr + u + j] * rec[rr + 2 * u + j];
            VectorMath.activate(a, z, hc, u);
            j = 0;
            for (; j < end; j += l) {
                FloatVector zg = FloatVector.fromArray(S, z, zr + j), hh = FloatVector.fromArray(S, z, hc + j);
                hh.add(zg.mul(FloatVector.fromArray(S, h, hPrev + sr + j).sub(hh))).intoArray(h, hOff + sr + j);
            }
            for (; j < u; j++) {
                float hh = z[hc + j];
                h[hOff + sr + j] = hh + z[zr + j] * (h[hPrev + sr + j] - hh);
            }
        }
    }

    @Override
    public void gruBackward(int batch, int u, Activation act, Activation ract, float[] a, int aOff, float[] rec,
            int recOff,
                            float[] h, int hPrev, float[] dh, float[] dz, int dzOff, float[] drec, int drecOff,
                                    float[] dhPrev) {
        if (!standard(act, ract) || u < S.length()) {
            TrainingCells.gruBackward(batch, u, act, ract, a, aOff, rec, recOff, h, hPrev, dh, dz, dzOff, drec, drecOff,
                    dhPrev);
            return;
        }
        final int l = S.length(), end = S.loopBound(u);
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int b = 0; b < batch; b++) {
            int ar = aOff + b * 3 * u, rr = recOff + b * 3 * u, dr = dzOff + b * 3 * u, er = drecOff + b * 3 * u,
                    sr = b * u;
            for (int j = 0; j < end; j += l) {
                FloatVector zg = FloatVector.fromArray(S, a, ar + j), r = FloatVector.fromArray(S, a, ar + u + j);
                FloatVector hh = FloatVector.fromArray(S, a, ar + 2 * u + j);
                FloatVector dhv = FloatVector.fromArray(S, dh, sr + j),
                        hp = FloatVector.fromArray(S, h, hPrev + sr + j);
                FloatVector dah = dhv.mul(one.sub(zg)).mul(one.sub(hh.mul(hh)));
                FloatVector daz = dhv.mul(hp.sub(hh)).mul(zg.mul(one.sub(zg)));
                FloatVector dar = dah.mul(FloatVector.fromArray(S, rec, rr + 2 * u + j)).mul(r.mul(one.sub(r)));
                daz.intoArray(dz, dr + j);
                dar.intoArray(dz, dr + u + j);
                dah.intoArray(dz, dr + 2 * u + j);
                daz.intoArray(drec, er + j);
                dar.intoArray(drec, er + u + j);
                dah.mul(r).intoArray(drec, er + 2 * u + j);
                dhv.mul(zg).intoArray(dhPrev, sr + j);
            }
            for (int j = end; j < u; j++) {
                float zg = a[ar + j], r = a[ar + u + j], hh = a[ar + 2 * u + j];
                float dhv = dh[sr + j], hp = h[hPrev + sr + j];
                float dah = dhv * (1f - zg) * (1f - hh * hh);
                float daz = dhv * (hp - hh) * (zg * (1f - zg));
                float dar = dah * rec[rr + 2 * u + j] * (r * (1f - r));
                dz[dr + j] = daz;
                dz[dr + u + j] = dar;
                dz[dr + 2 * u + j] = dah;
                drec[er + j] = daz;
                drec[er + u + j] = dar;
                drec[er + 2 * u + j] = dah * r;
                dhPrev[sr + j] = dhv * zg;
            }
        }
    }

    @Override
    public void simpleForward(int n, Activation act, float[] z, int zOff, float[] h, int hOff) {
        System.arraycopy(z, zOff, h, hOff, n);
        VectorMath.activate(act.cellCode(), h, hOff, n);
    }

    @Override
    public void simpleBackward(int n, Activation act, float[] h, int hOff, float[] dh, float[] dz, int dzOff) {
        if (act != Activation.TANH) {
            TrainingCells.simpleBackward(n, act, h, hOff, dh, dz, dzOff);
            return;
        }
        FloatVector one = FloatVector.broadcast(S, 1f);
        int end = S.loopBound(n), j = 0;
        for (; j < end; j += S.length()) {
            FloatVector y = FloatVector.fromArray(S, h, hOff + j);
            FloatVector.fromArray(S, dh, j).mul(one.sub(y.mul(y))).intoArray(dz, dzOff + j);
        }
        for (; j < n; j++) dz[dzOff + j] = dh[j] * (1f - h[hOff + j] * h[hOff + j]);
    }
}

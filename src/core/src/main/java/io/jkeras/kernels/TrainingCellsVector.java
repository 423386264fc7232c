package io.jkeras.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The element-wise step kernels of {@link TrainingCells} with the Vector API, for the standard
 * activations (tanh, with sigmoid as the recurrent activation); other activations and the tail
 * of a row shorter than a vector run the scalar kernels. exp, sigmoid and tanh are computed in
 * float: exp by the usual reduction {@code x = k·ln2 + r}, {@code |r| ≤ ln2/2}, and a degree-7
 * series for {@code expm1(r)}, scaled by {@code 2^k} through the exponent bits; sigmoid as
 * {@code 1/(1+exp(−x))}; tanh as {@code −m/(m+2)} with {@code m = expm1(−2|x|)}, which keeps its
 * relative accuracy near 0. All three are within a few float ulps of the exact values (tested
 * against double precision). Loaded only through {@link Kernels#best()} when the
 * {@code jdk.incubator.vector} module is present.
 */
final class TrainingCellsVector implements TrainingCells.Cells {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    /** 1.5·2^23: adding it rounds a float of magnitude below 2^22 to an integer in the low mantissa bits. */
    private static final float ROUND = 12582912f;
    private static final int ROUND_BITS = 0x4B400000;

    @Override public String toString() { return "vector (" + S + ")"; }

    private static boolean standard(Activation act, Activation ract) {
        return act == Activation.TANH && ract == Activation.SIGMOID;
    }

    /** {@code t = x·log2e + ROUND}: k = round(x·log2e) sits in its low mantissa bits. */
    private static FloatVector rounded(FloatVector x) {
        return x.fma(FloatVector.broadcast(S, LOG2E), FloatVector.broadcast(S, ROUND));
    }

    /** {@code 2^k} from {@link #rounded}, through the exponent bits. */
    private static FloatVector pow2(FloatVector t) {
        IntVector k = ((IntVector) t.reinterpretAsInts()).sub(ROUND_BITS);
        return (FloatVector) k.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    }

    /** {@code expm1(r)} for {@code r = x − k·ln2}, |r| ≤ ln2/2: r + r²·(1/2 + r·(1/6 + … + r/5040)). */
    private static FloatVector expm1Reduced(FloatVector x, FloatVector t) {
        FloatVector kf = t.sub(ROUND);
        FloatVector r = kf.fma(FloatVector.broadcast(S, -LN2_HI), x);
        r = kf.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector p = r.fma(FloatVector.broadcast(S, 1f / 5040), FloatVector.broadcast(S, 1f / 720));
        p = p.fma(r, FloatVector.broadcast(S, 1f / 120));
        p = p.fma(r, FloatVector.broadcast(S, 1f / 24));
        p = p.fma(r, FloatVector.broadcast(S, 1f / 6));
        p = p.fma(r, FloatVector.broadcast(S, 0.5f));
        return p.mul(r).fma(r, r);
    }

    /** {@code exp(x)} for {@code x} in [−87, 88]: 2^k·(1 + expm1(r)). */
    static FloatVector exp(FloatVector x) {
        FloatVector t = rounded(x), two = pow2(t);
        return expm1Reduced(x, t).fma(two, two);
    }

    /** {@code expm1(x)} for {@code x} in [−87, 88]: 2^k·expm1(r) + (2^k − 1). */
    static FloatVector expm1(FloatVector x) {
        FloatVector t = rounded(x), two = pow2(t);
        return expm1Reduced(x, t).fma(two, two.sub(1f));
    }

    static FloatVector sigmoid(FloatVector x) {
        FloatVector e = exp(x.neg().max(-87f).min(87f));
        return FloatVector.broadcast(S, 1f).div(e.add(1f));
    }

    static FloatVector tanh(FloatVector x) {
        FloatVector a = x.abs().min(9f);
        FloatVector m = expm1(a.mul(-2f));
        FloatVector t = m.neg().div(m.add(2f));
        // t ≥ 0: give it x's sign bit
        IntVector sign = ((IntVector) x.reinterpretAsInts()).and(0x80000000);
        return (FloatVector) ((IntVector) t.reinterpretAsInts()).or(sign).reinterpretAsFloats();
    }

    @Override
    public void lstmForward(int batch, int u, Activation act, Activation ract, float[] z, int zOff, float[] c,
            int cPrev, int cNext,
                            float[] tc, int tcOff, float[] h, int hOff) {
        if (!standard(act, ract) || u < S.length()) {
            TrainingCells.lstmForward(batch, u, act, ract, z, zOff, c, cPrev, cNext, tc, tcOff, h, hOff);
            return;
        }
        final int l = S.length(), end = S.loopBound(u);
        for (int b = 0; b < batch; b++) {
            int zr = zOff + b * 4 * u, sr = b * u;
            for (int j = 0; j < end; j += l) {
                FloatVector i = sigmoid(FloatVector.fromArray(S, z, zr + j));
                FloatVector f = sigmoid(FloatVector.fromArray(S, z, zr + u + j));
                FloatVector g = tanh(FloatVector.fromArray(S, z, zr + 2 * u + j));
                FloatVector o = sigmoid(FloatVector.fromArray(S, z, zr + 3 * u + j));
                i.intoArray(z, zr + j);
                f.intoArray(z, zr + u + j);
                g.intoArray(z, zr + 2 * u + j);
                o.intoArray(z, zr + 3 * u + j);
                FloatVector cv = f.mul(FloatVector.fromArray(S, c, cPrev + sr + j)).add(i.mul(g));
                cv.intoArray(c, cNext + sr + j);
                FloatVector t = tanh(cv);
                t.intoArray(tc, tcOff + sr + j);
                o.mul(t).intoArray(h, hOff + sr + j);
            }
            if (end < u) tail(u, end, act, ract, z, zr, c, cPrev + sr, cNext + sr, tc, tcOff + sr, h, hOff + sr);
        }
    }

    /** The scalar LSTM forward of columns {@code [from, u)} of one row. */
    private static void tail(int u, int from, Activation act, Activation ract, float[] z, int zr, float[] c, int cp,
            int cn,
                             float[] tc, int to, float[] h, int ho) {
        for (int j = from; j < u; j++) {
            float i = TrainingCells.f(ract, z[zr + j]), f = TrainingCells.f(ract, z[zr + u + j]);
            float g = TrainingCells.f(act, z[zr + 2 * u + j]), o = TrainingCells.f(ract, z[zr + 3 * u + j]);
            z[zr + j] = i;
            z[zr + u + j] = f;
            z[zr + 2 * u + j] = g;
            z[zr + 3 * u + j] = o;
            float cv = f * c[cp + j] + i * g;
            c[cn + j] = cv;
            float t = TrainingCells.f(act, cv);
            tc[to + j] = t;
            h[ho + j] = o * t;
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
            int recOff,
                           float[] h, int hPrev, int hOff) {
        if (!standard(act, ract) || u < S.length()) {
            TrainingCells.gruForward(batch, u, act, ract, z, zOff, rec, recOff, h, hPrev, hOff);
            return;
        }
        final int l = S.length(), end = S.loopBound(u);
        for (int b = 0; b < batch; b++) {
            int zr = zOff + b * 3 * u, rr = recOff + b * 3 * u, sr = b * u;
            for (int j = 0; j < end; j += l) {
                FloatVector zg = sigmoid(FloatVector.fromArray(S, z, zr + j)
                        .add(FloatVector.fromArray(S, rec, rr + j)));
                FloatVector r = sigmoid(FloatVector.fromArray(S, z, zr + u + j)
                        .add(FloatVector.fromArray(S, rec, rr + u + j)));
                FloatVector hh = tanh(r.mul(FloatVector.fromArray(S, rec, rr + 2 * u + j))
                        .add(FloatVector.fromArray(S, z, zr + 2 * u + j)));
                zg.intoArray(z, zr + j);
                r.intoArray(z, zr + u + j);
                hh.intoArray(z, zr + 2 * u + j);
                FloatVector hp = FloatVector.fromArray(S, h, hPrev + sr + j);
                hh.add(zg.mul(hp.sub(hh))).intoArray(h, hOff + sr + j);
            }
            for (int j = end; j < u; j++) {
                float zg = TrainingCells.f(ract, z[zr + j] + rec[rr + j]);
                float r = TrainingCells.f(ract, z[zr + u + j] + rec[rr + u + j]);
                float hh = TrainingCells.f(act, z[zr + 2 * u + j] + r * rec[rr + 2 * u + j]);
                z[zr + j] = zg;
                z[zr + u + j] = r;
                z[zr + 2 * u + j] = hh;
                float hp = h[hPrev + sr + j];
                h[hOff + sr + j] = hh + zg * (hp - hh);
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
        if (act != Activation.TANH) {
            TrainingCells.simpleForward(n, act, z, zOff, h, hOff);
            return;
        }
        int end = S.loopBound(n), j = 0;
        for (; j < end; j += S.length()) tanh(FloatVector.fromArray(S, z, zOff + j)).intoArray(h, hOff + j);
        for (; j < n; j++) h[hOff + j] = TrainingCells.f(act, z[zOff + j]);
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

    /** For tests: the vector exp, sigmoid and tanh applied to {@code x} ({@code which} 0, 1, 2), whole vectors only. */
    static void apply(int which, float[] x, float[] y) {
        int end = S.loopBound(x.length);
        for (int j = 0; j < end; j += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, j);
            (which == 0 ? exp(v) : which == 1 ? sigmoid(v) : tanh(v)).intoArray(y, j);
        }
        for (int j = end; j < x.length; j++) y[j] = which == 0 ? (float) Math.exp(x[j])
                : TrainingCells.f(which == 1 ? Activation.SIGMOID : Activation.TANH, x[j]);
    }
}

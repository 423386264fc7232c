package io.jkeras.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link CellKernels} with the Vector API. Per tile of 16 units and per vector of L lanes within it,
 * the G gate accumulators start from the projected input, take the sum over k of
 * {@code h[k]·U[k, tile]} in registers (reading the tile-major kernel, a contiguous stream; k is
 * split into interleaved partial sums, eight chains per tile for a SimpleRNN, to keep the FMA pipes
 * busy), then the gate nonlinearities and the state update run on the registers, and only the new states are stored.
 *
 * <p>The gate activations are those of {@link VectorMath} (tanh and sigmoid in double vectors,
 * rounded once to float), the ones the training kernels use too. The last tile of a layer
 * whose units are not a multiple of 16 loads and stores its state rows with lane masks.
 * Loaded only through {@link Kernels#best()} when the {@code jdk.incubator.vector} module is present.
 */
final class VectorCells extends CellKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int B = BLOCK;
    /** Every lane: the mask of a whole vector of units (most of them), without computing one. */
    private static final VectorMask<Float> ALL = S.maskAll(true);

    /** The lanes of units {@code v, v+L)} of a tile whose units end at {@code rem}. */
    private static VectorMask<Float> lanes(int v, int rem) { return v + L <= rem ? ALL : S.indexInRange(v, rem); }

    @Override
    protected boolean usable() {
        // computed here rather than from the static fields, which are not yet set when this class
        // is first touched before CellKernels (whose initialization instantiates it)
        VectorSpecies<Float> s = FloatVector.SPECIES_PREFERRED;
        int l = s.length();
        return l >= 4 && B % l == 0 && VectorSpecies.of(double.class, s.vectorShape()).length() * 2 == l;
    }

    // ------------------------------------------------------------------ LSTM

    @Override
    public void lstmStep(float[] xp, int xpOff, float[] u, float[] uT, float[] h, int hOff, float[] c, int cOff,
                         float[] hOut, int hOutOff, int units, int act, int ract, int tileFrom, int tileTo,
                                 float[] work) {
        final int tw = 4 * B;
        final int tiles = (units + B - 1) / B;
        for (int j = tileFrom; j < tileTo; j++) {
            final int ub = j * units * tw;
            for (int v = 0; v < B; v += L) {
                int zb = xpOff + j * tw + v;
                FloatVector a0 = FloatVector.fromArray(S, xp, zb), a1 = FloatVector.fromArray(S, xp, zb + B),
                        a2 = FloatVector.fromArray(S, xp, zb + 2 * B), a3 = FloatVector.fromArray(S, xp, zb + 3 * B);
                FloatVector b0 = FloatVector.zero(S), b1 = b0, b2 = b0, b3 = b0;
                int k = 0;
                final int ob = ub + v;
                for (; k + 1 < units; k += 2) {
                    int o = ob + k * tw;
                    FloatVector hk = FloatVector.broadcast(S, h[hOff + k]);
                    FloatVector hk1 = FloatVector.broadcast(S, h[hOff + k + 1]);
                    a0 = FloatVector.fromArray(S, uT, o).fma(hk, a0);
                    a1 = FloatVector.fromArray(S, uT, o + B).fma(hk, a1);
                    a2 = FloatVector.fromArray(S, uT, o + 2 * B).fma(hk, a2);
                    a3 = FloatVector.fromArray(S, uT, o + 3 * B).fma(hk, a3);
                    b0 = FloatVector.fromArray(S, uT, o + tw).fma(hk1, b0);
                    b1 = FloatVector.fromArray(S, uT, o + tw + B).fma(hk1, b1);
                    b2 = FloatVector.fromArray(S, uT, o + tw + 2 * B).fma(hk1, b2);
                    b3 = FloatVector.fromArray(S, uT, o + tw + 3 * B).fma(hk1, b3);
                }
                if (k < units) {
                    int o = ob + k * tw;
                    FloatVector hk = FloatVector.broadcast(S, h[hOff + k]);
                    a0 = FloatVector.fromArray(S, uT, o).fma(hk, a0);
                    a1 = FloatVector.fromArray(S, uT, o + B).fma(hk, a1);
                    a2 = FloatVector.fromArray(S, uT, o + 2 * B).fma(hk, a2);
                    a3 = FloatVector.fromArray(S, uT, o + 3 * B).fma(hk, a3);
                }
                a0.add(b0).intoArray(work, v);
                a1.add(b1).intoArray(work, B + v);
                a2.add(b2).intoArray(work, 2 * B + v);
                a3.add(b3).intoArray(work, 3 * B + v);
            }
            lstmTile(work, 0, work, tw, c, cOff + j * B, hOut, hOutOff + j * B, units - j * B, act, ract);
        }
    }

    @Override
    public void lstmCell(float[] z, int zOff, float[] c, int cOff, float[] hOut, int hOutOff, int units, int act,
            int ract, float[] work) {
        // lstmTile's update, each activation over one gate group of every tile at once (one call, not one per tile)
        final int tw = 4 * B, tiles = (units + B - 1) / B;
        VectorMath.activateRuns(ract, z, zOff, 2 * B, tw, tiles);
        VectorMath.activateRuns(act, z, zOff + 2 * B, B, tw, tiles);
        VectorMath.activateRuns(ract, z, zOff + 3 * B, B, tw, tiles);
        for (int j = 0; j < tiles; j++) {
            int to = zOff + j * tw, ci = cOff + j * B, rem = units - j * B;
            for (int v = 0; v < B && v < rem; v += L) {
                FloatVector i = FloatVector.fromArray(S, z, to + v), f = FloatVector.fromArray(S, z, to + B + v),
                        g = FloatVector.fromArray(S, z, to + 2 * B + v);
                VectorMask<Float> k = lanes(v, rem);
                FloatVector cn = f.mul(FloatVector.fromArray(S, c, ci + v, k)).add(i.mul(g));
                cn.intoArray(c, ci + v, k);
                cn.intoArray(work, j * B + v);
            }
        }
        VectorMath.activate(act, work, 0, tiles * B);
        for (int j = 0; j < tiles; j++) {
            int to = zOff + j * tw, rem = units - j * B;
            for (int v = 0; v < B && v < rem; v += L) {
                FloatVector o = FloatVector.fromArray(S, z, to + 3 * B + v);
                o.mul(FloatVector.fromArray(S, work, j * B + v)).intoArray(hOut, hOutOff + j * B + v, lanes(v, rem));
            }
        }
    }

    /**
     * The LSTM update of one tile from its preactivations {@code t[to, to+64)} (overwritten); {@code tmp} holds 16
     * floats.
     */
    private static void lstmTile(float[] t, int to, float[] tmp, int tmpOff, float[] c, int ci, float[] hOut, int hi,
            int rem,
                                 int act, int ract) {
        VectorMath.activate(ract, t, to, 2 * B);
        VectorMath.activate(act, t, to + 2 * B, B);
        VectorMath.activate(ract, t, to + 3 * B, B);
        // whole vectors of units with no lane mask at all, then a partial last one (if any) with one: OpenJDK 17's
        // C2 sometimes leaves indexInRange un-intrinsified here (57,600 B per W1 call), and a mask chosen per
        // vector between a constant and a computed one made the step slower on both JDKs
        final int whole = Math.min(B, rem) / L * L;
        for (int v = 0; v < whole; v += L) {
            FloatVector i = FloatVector.fromArray(S, t, to + v), f = FloatVector.fromArray(S, t, to + B + v),
                    g = FloatVector.fromArray(S, t, to + 2 * B + v);
            FloatVector cn = f.mul(FloatVector.fromArray(S, c, ci + v)).add(i.mul(g));
            cn.intoArray(c, ci + v);
            cn.intoArray(tmp, tmpOff + v);
        }
        if (whole < B && whole < rem) {
            VectorMask<Float> k = S.indexInRange(whole, rem);
            FloatVector i = FloatVector.fromArray(S, t, to + whole), f = FloatVector.fromArray(S, t, to + B + whole),
                    g = FloatVector.fromArray(S, t, to + 2 * B + whole);
            FloatVector cn = f.mul(FloatVector.fromArray(S, c, ci + whole, k)).add(i.mul(g));
            cn.intoArray(c, ci + whole, k);
            cn.intoArray(tmp, tmpOff + whole);
        }
        VectorMath.activate(act, tmp, tmpOff, B);
        for (int v = 0; v < whole; v += L) {
            FloatVector o = FloatVector.fromArray(S, t, to + 3 * B + v);
            o.mul(FloatVector.fromArray(S, tmp, tmpOff + v)).intoArray(hOut, hi + v);
        }
        if (whole < B && whole < rem) {
            FloatVector o = FloatVector.fromArray(S, t, to + 3 * B + whole);
            o.mul(FloatVector.fromArray(S, tmp, tmpOff + whole)).intoArray(hOut, hi + whole,
                    S.indexInRange(whole, rem));
        }
    }

    // ------------------------------------------------------------------ SimpleRNN

    @Override
    public void simpleStep(float[] xp, int xpOff, float[] u, float[] uT, float[] h, int hOff, float[] hOut, int hOutOff,
                           int units, int act, int tileFrom, int tileTo, float[] work) {
        for (int j = tileFrom; j < tileTo; j++) {
            final int ub = j * units * B, xb = xpOff + j * B;
            // eight independent multiply-add chains at every width (a tile of 16 units is B / L vectors): fewer
            // leave the FMA pipes waiting on each other's latency, which a narrower vector pays twice or four times
            if (L == B) simpleTile8(xp, xb, uT, ub, h, hOff, units, work);
            else if (2 * L == B) simpleTile2x4(xp, xb, uT, ub, h, hOff, units, work);
            else simpleTile4x2(xp, xb, uT, ub, h, hOff, units, work);
            VectorMath.activate(act, work, 0, B);
            int rem = units - j * B, whole = Math.min(B, rem) / L * L;   // as in lstmTile
            for (int v = 0; v < whole; v += L) FloatVector.fromArray(S, work, v).intoArray(hOut, hOutOff + j * B + v);
            if (whole < B && whole < rem) FloatVector.fromArray(S, work, whole)
                    .intoArray(hOut, hOutOff + j * B + whole, S.indexInRange(whole, rem));
        }
    }

    /** One vector per tile (L = 16): the sum over k in eight interleaved partial sums. */
    private static void simpleTile8(float[] xp, int xb, float[] uT, int ub, float[] h, int hOff, int units,
                                    float[] work) {
        FloatVector a0 = FloatVector.fromArray(S, xp, xb);
        FloatVector a1 = FloatVector.zero(S), a2 = a1, a3 = a1, a4 = a1, a5 = a1, a6 = a1, a7 = a1;
        int k = 0;
        for (; k + 7 < units; k += 8) {
            int o = ub + k * B, hk = hOff + k;
            a0 = FloatVector.fromArray(S, uT, o).fma(FloatVector.broadcast(S, h[hk]), a0);
            a1 = FloatVector.fromArray(S, uT, o + B).fma(FloatVector.broadcast(S, h[hk + 1]), a1);
            a2 = FloatVector.fromArray(S, uT, o + 2 * B).fma(FloatVector.broadcast(S, h[hk + 2]), a2);
            a3 = FloatVector.fromArray(S, uT, o + 3 * B).fma(FloatVector.broadcast(S, h[hk + 3]), a3);
            a4 = FloatVector.fromArray(S, uT, o + 4 * B).fma(FloatVector.broadcast(S, h[hk + 4]), a4);
            a5 = FloatVector.fromArray(S, uT, o + 5 * B).fma(FloatVector.broadcast(S, h[hk + 5]), a5);
            a6 = FloatVector.fromArray(S, uT, o + 6 * B).fma(FloatVector.broadcast(S, h[hk + 6]), a6);
            a7 = FloatVector.fromArray(S, uT, o + 7 * B).fma(FloatVector.broadcast(S, h[hk + 7]), a7);
        }
        for (; k < units; k++) a0 = FloatVector.fromArray(S, uT, ub + k * B).fma(FloatVector.broadcast(S, h[hOff + k]),
                a0);
        a0.add(a1).add(a2.add(a3)).add(a4.add(a5).add(a6.add(a7))).intoArray(work, 0);
    }

    /** Two vectors per tile (L = 8): four partial sums each, one broadcast of h[k] feeding both. */
    private static void simpleTile2x4(float[] xp, int xb, float[] uT, int ub, float[] h, int hOff, int units,
                                      float[] work) {
        FloatVector a0 = FloatVector.fromArray(S, xp, xb), b0 = FloatVector.fromArray(S, xp, xb + L);
        FloatVector a1 = FloatVector.zero(S), a2 = a1, a3 = a1, b1 = a1, b2 = a1, b3 = a1;
        int k = 0;
        for (; k + 3 < units; k += 4) {
            int o = ub + k * B, hk = hOff + k;
            FloatVector h0 = FloatVector.broadcast(S, h[hk]), h1 = FloatVector.broadcast(S, h[hk + 1]);
            a0 = FloatVector.fromArray(S, uT, o).fma(h0, a0);
            b0 = FloatVector.fromArray(S, uT, o + L).fma(h0, b0);
            a1 = FloatVector.fromArray(S, uT, o + B).fma(h1, a1);
            b1 = FloatVector.fromArray(S, uT, o + B + L).fma(h1, b1);
            FloatVector h2 = FloatVector.broadcast(S, h[hk + 2]), h3 = FloatVector.broadcast(S, h[hk + 3]);
            a2 = FloatVector.fromArray(S, uT, o + 2 * B).fma(h2, a2);
            b2 = FloatVector.fromArray(S, uT, o + 2 * B + L).fma(h2, b2);
            a3 = FloatVector.fromArray(S, uT, o + 3 * B).fma(h3, a3);
            b3 = FloatVector.fromArray(S, uT, o + 3 * B + L).fma(h3, b3);
        }
        for (; k < units; k++) {
            int o = ub + k * B;
            FloatVector hk = FloatVector.broadcast(S, h[hOff + k]);
            a0 = FloatVector.fromArray(S, uT, o).fma(hk, a0);
            b0 = FloatVector.fromArray(S, uT, o + L).fma(hk, b0);
        }
        a0.add(a1).add(a2.add(a3)).intoArray(work, 0);
        b0.add(b1).add(b2.add(b3)).intoArray(work, L);
    }

    /** Four vectors per tile (L = 4): two partial sums each. */
    private static void simpleTile4x2(float[] xp, int xb, float[] uT, int ub, float[] h, int hOff, int units,
                                      float[] work) {
        FloatVector a0 = FloatVector.fromArray(S, xp, xb), b0 = FloatVector.fromArray(S, xp, xb + L),
                c0 = FloatVector.fromArray(S, xp, xb + 2 * L), d0 = FloatVector.fromArray(S, xp, xb + 3 * L);
        FloatVector a1 = FloatVector.zero(S), b1 = a1, c1 = a1, d1 = a1;
        int k = 0;
        for (; k + 1 < units; k += 2) {
            int o = ub + k * B, hk = hOff + k;
            FloatVector h0 = FloatVector.broadcast(S, h[hk]), h1 = FloatVector.broadcast(S, h[hk + 1]);
            a0 = FloatVector.fromArray(S, uT, o).fma(h0, a0);
            b0 = FloatVector.fromArray(S, uT, o + L).fma(h0, b0);
            c0 = FloatVector.fromArray(S, uT, o + 2 * L).fma(h0, c0);
            d0 = FloatVector.fromArray(S, uT, o + 3 * L).fma(h0, d0);
            a1 = FloatVector.fromArray(S, uT, o + B).fma(h1, a1);
            b1 = FloatVector.fromArray(S, uT, o + B + L).fma(h1, b1);
            c1 = FloatVector.fromArray(S, uT, o + B + 2 * L).fma(h1, c1);
            d1 = FloatVector.fromArray(S, uT, o + B + 3 * L).fma(h1, d1);
        }
        if (k < units) {
            int o = ub + k * B;
            FloatVector hk = FloatVector.broadcast(S, h[hOff + k]);
            a0 = FloatVector.fromArray(S, uT, o).fma(hk, a0);
            b0 = FloatVector.fromArray(S, uT, o + L).fma(hk, b0);
            c0 = FloatVector.fromArray(S, uT, o + 2 * L).fma(hk, c0);
            d0 = FloatVector.fromArray(S, uT, o + 3 * L).fma(hk, d0);
        }
        a0.add(a1).intoArray(work, 0);
        b0.add(b1).intoArray(work, L);
        c0.add(c1).intoArray(work, 2 * L);
        d0.add(d1).intoArray(work, 3 * L);
    }

    @Override
    public void simpleCell(float[] z, int zOff, float[] hOut, int hOutOff, int units, int act, float[] work) {
        System.arraycopy(z, zOff, hOut, hOutOff, units);
        VectorMath.activate(act, hOut, hOutOff, units);
    }

    // ------------------------------------------------------------------ GRU

    @Override
    public void gruStep(float[] xp, int xpOff, float[] u, float[] uT, float[] bRec, float[] h, int hOff,
                        float[] hOut, int hOutOff, int units, int act, int ract, int tileFrom, int tileTo,
                                float[] work) {
        final int tw = 3 * B;
        final int tiles = (units + B - 1) / B;
        for (int j = tileFrom; j < tileTo; j++) {
            final int ub = j * units * tw;
            for (int v = 0; v < B; v += L) {
                FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, b0 = a0, b1 = a0, b2 = a0;
                int k = 0;
                final int ob = ub + v;
                for (; k + 1 < units; k += 2) {
                    int o = ob + k * tw;
                    FloatVector hk = FloatVector.broadcast(S, h[hOff + k]);
                    FloatVector hk1 = FloatVector.broadcast(S, h[hOff + k + 1]);
                    a0 = FloatVector.fromArray(S, uT, o).fma(hk, a0);
                    a1 = FloatVector.fromArray(S, uT, o + B).fma(hk, a1);
                    a2 = FloatVector.fromArray(S, uT, o + 2 * B).fma(hk, a2);
                    b0 = FloatVector.fromArray(S, uT, o + tw).fma(hk1, b0);
                    b1 = FloatVector.fromArray(S, uT, o + tw + B).fma(hk1, b1);
                    b2 = FloatVector.fromArray(S, uT, o + tw + 2 * B).fma(hk1, b2);
                }
                if (k < units) {
                    int o = ob + k * tw;
                    FloatVector hk = FloatVector.broadcast(S, h[hOff + k]);
                    a0 = FloatVector.fromArray(S, uT, o).fma(hk, a0);
                    a1 = FloatVector.fromArray(S, uT, o + B).fma(hk, a1);
                    a2 = FloatVector.fromArray(S, uT, o + 2 * B).fma(hk, a2);
                }
                a0.add(b0).intoArray(work, v);
                a1.add(b1).intoArray(work, B + v);
                a2.add(b2).intoArray(work, 2 * B + v);
            }
            gruTile(xp, xpOff + j * tw, work, 0, bRec, j * tw, h, hOff + j * B, hOut, hOutOff + j * B, units - j * B,
                    act, ract);
        }
    }

    @Override
    public void gruCell(float[] xp, int xpOff, float[] m, int mOff, float[] bRec, float[] h, int hOff,
                        float[] hOut, int hOutOff, int units, int act, int ract, float[] work) {
        final int tw = 3 * B;
        final int tiles = (units + B - 1) / B;
        for (int j = 0; j < tiles; j++) {
            gruTile(xp, xpOff + j * tw, m, mOff + j * tw, bRec, j * tw, h, hOff + j * B, hOut, hOutOff + j * B,
                    units - j * B, act, ract);
        }
    }

    /**
     * The reset_after GRU update of one tile from {@code m = h·U} at {@code t[to, to+48)} (not changed):
     * the activated z, r and hh are left in the tile's xp columns {@code xp[xi, xi+48)}.
     */
    private static void gruTile(float[] xp, int xi, float[] t, int to, float[] bRec, int bi,
                                float[] h, int hi, float[] hOut, int oi, int rem, int act, int ract) {
        for (int v = 0; v < B; v += L) {
            FloatVector mz = FloatVector.fromArray(S, t, to + v), mr = FloatVector.fromArray(S, t, to + B + v);
            if (bRec != null) {
                mz = mz.add(FloatVector.fromArray(S, bRec, bi + v));
                mr = mr.add(FloatVector.fromArray(S, bRec, bi + B + v));
            }
            FloatVector.fromArray(S, xp, xi + v).add(mz).intoArray(xp, xi + v);
            FloatVector.fromArray(S, xp, xi + B + v).add(mr).intoArray(xp, xi + B + v);
        }
        VectorMath.activate(ract, xp, xi, 2 * B);
        for (int v = 0; v < B; v += L) {
            FloatVector mh = FloatVector.fromArray(S, t, to + 2 * B + v);
            if (bRec != null) mh = mh.add(FloatVector.fromArray(S, bRec, bi + 2 * B + v));
            FloatVector r = FloatVector.fromArray(S, xp, xi + B + v);
            FloatVector.fromArray(S, xp, xi + 2 * B + v).add(r.mul(mh)).intoArray(xp, xi + 2 * B + v);
        }
        VectorMath.activate(act, xp, xi + 2 * B, B);
        final int whole = Math.min(B, rem) / L * L;   // as in lstmTile: no mask on whole vectors
        for (int v = 0; v < whole; v += L) {
            FloatVector z = FloatVector.fromArray(S, xp, xi + v), hh = FloatVector.fromArray(S, xp, xi + 2 * B + v);
            z.mul(FloatVector.fromArray(S, h, hi + v)).add(z.neg().add(1f).mul(hh)).intoArray(hOut, oi + v);
        }
        if (whole < B && whole < rem) {
            VectorMask<Float> k = S.indexInRange(whole, rem);
            FloatVector z = FloatVector.fromArray(S, xp, xi + whole),
                    hh = FloatVector.fromArray(S, xp, xi + 2 * B + whole);
            z.mul(FloatVector.fromArray(S, h, hi + whole, k)).add(z.neg().add(1f).mul(hh)).intoArray(hOut, oi + whole,
                    k);
        }
    }

    @Override
    public void gruStepBefore(float[] xp, int xpOff, float[] u, float[] uT, float[] h, int hOff,
                              float[] hOut, int hOutOff, int units, int act, int ract, float[] work) {
        final int tw = 3 * B;
        final int tiles = (units + B - 1) / B;
        final int padded = tiles * B;
        final int zw = 0, rhw = padded, tb = 2 * padded;
        // pass 1: z and r·h for every unit
        for (int j = 0; j < tiles; j++) {
            final int ub = j * units * tw;
            for (int v = 0; v < B; v += L) {
                int col = xpOff + j * tw + v;
                FloatVector a0 = FloatVector.fromArray(S, xp, col), a1 = FloatVector.fromArray(S, xp, col + B);
                FloatVector b0 = FloatVector.zero(S), b1 = b0;
                int k = 0;
                final int ob = ub + v;
                for (; k + 1 < units; k += 2) {
                    int o = ob + k * tw;
                    FloatVector hk = FloatVector.broadcast(S, h[hOff + k]);
                    FloatVector hk1 = FloatVector.broadcast(S, h[hOff + k + 1]);
                    a0 = FloatVector.fromArray(S, uT, o).fma(hk, a0);
                    a1 = FloatVector.fromArray(S, uT, o + B).fma(hk, a1);
                    b0 = FloatVector.fromArray(S, uT, o + tw).fma(hk1, b0);
                    b1 = FloatVector.fromArray(S, uT, o + tw + B).fma(hk1, b1);
                }
                if (k < units) {
                    int o = ob + k * tw;
                    FloatVector hk = FloatVector.broadcast(S, h[hOff + k]);
                    a0 = FloatVector.fromArray(S, uT, o).fma(hk, a0);
                    a1 = FloatVector.fromArray(S, uT, o + B).fma(hk, a1);
                }
                a0.add(b0).intoArray(work, zw + j * B + v);
                a1.add(b1).intoArray(work, rhw + j * B + v);
            }
        }
        VectorMath.activate(ract, work, zw, 2 * padded);
        for (int unit = 0; unit < units; unit += L) {
            FloatVector.fromArray(S, work, rhw + unit)
                    .mul(FloatVector.fromArray(S, h, hOff + unit, S.indexInRange(0, units - unit)))
                    .intoArray(work, rhw + unit);
        }
        // pass 2: the candidate from (r·h)·U_h, and the new h
        for (int j = 0; j < tiles; j++) {
            final int ub = j * units * tw + 2 * B;
            for (int v = 0; v < B; v += L) {
                FloatVector a0 = FloatVector.zero(S), a1 = a0;
                int k = 0;
                final int ob = ub + v;
                for (; k + 1 < units; k += 2) {
                    int o = ob + k * tw;
                    a0 = FloatVector.fromArray(S, uT, o).fma(FloatVector.broadcast(S, work[rhw + k]), a0);
                    a1 = FloatVector.fromArray(S, uT, o + tw).fma(FloatVector.broadcast(S, work[rhw + k + 1]), a1);
                }
                if (k < units) a0 = FloatVector.fromArray(S, uT, ob + k * tw)
                        .fma(FloatVector.broadcast(S, work[rhw + k]), a0);
                FloatVector.fromArray(S, xp, xpOff + j * tw + 2 * B + v).add(a0.add(a1)).intoArray(work, tb + v);
            }
            VectorMath.activate(act, work, tb, B);
            int rem = units - j * B;
            for (int v = 0; v < B && v < rem; v += L) {
                FloatVector z = FloatVector.fromArray(S, work, zw + j * B + v),
                        hh = FloatVector.fromArray(S, work, tb + v);
                int unit = j * B + v;
                z.mul(FloatVector.fromArray(S, h, hOff + unit, S.indexInRange(0, rem - v))).add(z.neg().add(1f).mul(hh))
                        .intoArray(hOut, hOutOff + unit, S.indexInRange(0, rem - v));
            }
        }
    }

    @Override
    public void gruGatesBefore(float[] xp, int xpOff, float[] m, int mOff, float[] h, int hOff,
                               float[] rh, int rhOff, int units, int ract) {
        final int tw = 3 * B;
        final int tiles = (units + B - 1) / B;
        for (int j = 0; j < tiles; j++) {
            int col = xpOff + j * tw, mc = mOff + j * tw;
            for (int v = 0; v < 2 * B; v += L) {
                FloatVector.fromArray(S, xp, col + v).add(FloatVector.fromArray(S, m, mc + v)).intoArray(xp, col + v);
            }
            VectorMath.activate(ract, xp, col, 2 * B);
            int rem = units - j * B;
            for (int v = 0; v < B && v < rem; v += L) {
                int unit = j * B + v;
                VectorMask<Float> k = S.indexInRange(0, rem - v);
                FloatVector.fromArray(S, xp, col + B + v).mul(FloatVector.fromArray(S, h, hOff + unit, k))
                        .intoArray(rh, rhOff + unit, k);
            }
        }
    }

    @Override
    public void gruCandidateBefore(float[] xp, int xpOff, float[] m2, int mOff,
                                   float[] h, int hOff, float[] hOut, int hOutOff, int units, int act) {
        final int tw = 3 * B;
        final int tiles = (units + B - 1) / B;
        for (int j = 0; j < tiles; j++) {
            int col = xpOff + j * tw;
            for (int v = 0; v < B; v += L) {
                FloatVector.fromArray(S, xp, col + 2 * B + v).add(FloatVector.fromArray(S, m2, mOff + j * tw + 2 * B
                        + v)).intoArray(xp, col + 2 * B + v);
            }
            VectorMath.activate(act, xp, col + 2 * B, B);
            int rem = units - j * B;
            for (int v = 0; v < B && v < rem; v += L) {
                int unit = j * B + v;
                VectorMask<Float> k = S.indexInRange(0, rem - v);
                FloatVector zv = FloatVector.fromArray(S, xp, col + v);
                FloatVector hh = FloatVector.fromArray(S, xp, col + 2 * B + v);
                zv.mul(FloatVector.fromArray(S, h, hOff + unit, k)).add(zv.neg().add(1f).mul(hh))
                        .intoArray(hOut, hOutOff + unit, k);
            }
        }
    }

    // ------------------------------------------------------------------ backward

    @Override
    public void lstmBackward(float[] a, int aOff, float[] c0, int c0Off, float[] t1, int t1Off, float[] dh,
            int dhOff, float[] dc, int dcOff, float[] dz, int dzOff, int units, int act, int ract, float[] work) {
        if (act != TANH || ract != SIGMOID) {
            ScalarCells.lstmBackwardRow(a, aOff, c0, c0Off, t1, t1Off, dh, dhOff, dc, dcOff, dz, dzOff, units, act,
                    ract);
            return;
        }
        final int tw = 4 * B;
        final int tiles = (units + B - 1) / B;
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int j = 0; j < tiles; j++) {
            int rem = units - j * B, ub = j * B, ab = aOff + j * tw, db = dzOff + j * tw;
            for (int v = 0; v < B; v += L) {
                VectorMask<Float> k = lanes(v, rem);
                FloatVector i = FloatVector.fromArray(S, a, ab + v), f = FloatVector.fromArray(S, a, ab + B + v);
                FloatVector g = FloatVector.fromArray(S, a, ab + 2 * B + v);
                FloatVector o = FloatVector.fromArray(S, a, ab + 3 * B + v);
                // tanh(c1) as the forward left it (zero past the last unit)
                FloatVector t = FloatVector.fromArray(S, t1, t1Off + ub + v, k);
                FloatVector d = FloatVector.fromArray(S, dh, dhOff + ub + v, k);
                // zero lanes past the last unit: d and dc are zero there, so every product is
                FloatVector dcv = FloatVector.fromArray(S, dc, dcOff + ub + v, k).add(d.mul(o).mul(one.sub(t.mul(t))));
                dcv.mul(g).mul(i.mul(one.sub(i))).intoArray(dz, db + v);
                dcv.mul(FloatVector.fromArray(S, c0, c0Off + ub + v, k)).mul(f.mul(one.sub(f)))
                        .intoArray(dz, db + B + v);
                dcv.mul(i).mul(one.sub(g.mul(g))).intoArray(dz, db + 2 * B + v);
                d.mul(t).mul(o.mul(one.sub(o))).intoArray(dz, db + 3 * B + v);
                dcv.mul(f).intoArray(dc, dcOff + ub + v, k);
            }
        }
    }

    @Override
    public void gruBackward(float[] a, int aOff, float[] m, int mOff, float[] h0, int h0Off, float[] dh, int dhOff,
            float[] dz, int dzOff, float[] dm, int dmOff, float[] dh0, int dh0Off, int units, int act, int ract) {
        ScalarCells.gruBackwardRow(a, aOff, m, mOff, h0, h0Off, dh, dhOff, dz, dzOff, dm, dmOff, dh0, dh0Off, units,
                act, ract);
    }

    @Override
    public void gruBackwardBefore(float[] a, int aOff, float[] h0, int h0Off, float[] dh, int dhOff, float[] dz,
            int dzOff, float[] dh0, int dh0Off, int units, int act, int ract) {
        ScalarCells.gruBackwardBeforeRow(a, aOff, h0, h0Off, dh, dhOff, dz, dzOff, dh0, dh0Off, units, act, ract);
    }

    @Override
    public void gruBackwardReset(float[] a, int aOff, float[] h0, int h0Off, float[] dq, int dqOff, float[] dz,
            int dzOff, float[] dh0, int dh0Off, int units, int ract) {
        ScalarCells.gruBackwardResetRow(a, aOff, h0, h0Off, dq, dqOff, dz, dzOff, dh0, dh0Off, units, ract);
    }

    @Override
    public void simpleBackward(float[] h1, int h1Off, float[] dh, int dhOff, float[] dz, int dzOff, int units,
            int act) {
        ScalarCells.simpleBackwardRow(h1, h1Off, dh, dhOff, dz, dzOff, units, act);
    }

    @Override
    public String toString() { return "vector (" + S + ")"; }
}

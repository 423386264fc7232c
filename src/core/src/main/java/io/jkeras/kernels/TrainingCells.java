package io.jkeras.kernels;


/**
 * The element-wise parts of one timestep of the fused float32 recurrent training path, forward
 * and backward, over a whole batch, plus the small helpers around the matrix products
 * (transposes, column sums, row broadcasts). Gate pre-activations arrive in Keras' column order
 * (LSTM i, f, c, o; GRU z, r, h), one row of {@code gates·units} per sample. Activations whose
 * derivative follows from their output are supported ({@link #supports}): the derivatives are
 * those {@code io.jkeras.train.DActivation} uses (sigmoid y(1−y), tanh 1−y², relu 1 where y > 0,
 * linear 1).
 */
public final class TrainingCells {
    private TrainingCells() {}

    /** The step kernels, as an interface so that a Vector API implementation can replace the scalar one. */
    public interface Cells {
        void lstmForward(int batch, int u, Activation act, Activation ract, float[] z, int zOff, float[] c, int cPrev,
                int cNext,
                         float[] tc, int tcOff, float[] h, int hOff);

        void lstmBackward(int batch, int u, Activation act, Activation ract, float[] a, int aOff, float[] c, int cPrev,
                          float[] tc, int tcOff, float[] dh, int dhOff, float[] dc, float[] dz, int dzOff);

        void gruForward(int batch, int u, Activation act, Activation ract, float[] z, int zOff, float[] rec, int recOff,
                        float[] h, int hPrev, int hOff);

        void gruBackward(int batch, int u, Activation act, Activation ract, float[] a, int aOff, float[] rec,
                int recOff,
                         float[] h, int hPrev, float[] dh, float[] dz, int dzOff, float[] drec, int drecOff,
                                 float[] dhPrev);

        void simpleForward(int n, Activation act, float[] z, int zOff, float[] h, int hOff);

        void simpleBackward(int n, Activation act, float[] h, int hOff, float[] dh, float[] dz, int dzOff);
    }

    /** The portable kernels (the static methods of this class), the reference for the vector ones. */
    public static final Cells SCALAR = new Cells() {
        @Override
        public void lstmForward(int batch, int u, Activation act, Activation ract, float[] z, int zOff, float[] c,
                int cPrev, int cNext,
                                float[] tc, int tcOff, float[] h, int hOff) {
            TrainingCells.lstmForward(batch, u, act, ract, z, zOff, c, cPrev, cNext, tc, tcOff, h, hOff);
        }

        @Override
        public void lstmBackward(int batch, int u, Activation act, Activation ract, float[] a, int aOff, float[] c,
                int cPrev,
                                 float[] tc, int tcOff, float[] dh, int dhOff, float[] dc, float[] dz, int dzOff) {
            TrainingCells.lstmBackward(batch, u, act, ract, a, aOff, c, cPrev, tc, tcOff, dh, dhOff, dc, dz, dzOff);
        }

        @Override
        public void gruForward(int batch, int u, Activation act, Activation ract, float[] z, int zOff, float[] rec,
                int recOff,
                               float[] h, int hPrev, int hOff) {
            TrainingCells.gruForward(batch, u, act, ract, z, zOff, rec, recOff, h, hPrev, hOff);
        }

        @Override
        public void gruBackward(int batch, int u, Activation act, Activation ract, float[] a, int aOff, float[] rec,
                int recOff,
                                float[] h, int hPrev, float[] dh, float[] dz, int dzOff, float[] drec, int drecOff,
                                        float[] dhPrev) {
            TrainingCells.gruBackward(batch, u, act, ract, a, aOff, rec, recOff, h, hPrev, dh, dz, dzOff, drec, drecOff,
                    dhPrev);
        }

        @Override
        public void simpleForward(int n, Activation act, float[] z, int zOff, float[] h, int hOff) {
            TrainingCells.simpleForward(n, act, z, zOff, h, hOff);
        }

        @Override
        public void simpleBackward(int n, Activation act, float[] h, int hOff, float[] dh, float[] dz, int dzOff) {
            TrainingCells.simpleBackward(n, act, h, hOff, dh, dz, dzOff);
        }

        @Override public String toString() { return "scalar"; }
    };

    /** Whether a cell activation can run on this path. */
    public static boolean supports(Activation a) {
        return a == Activation.SIGMOID || a == Activation.TANH || a == Activation.LINEAR || a == Activation.RELU;
    }

    /** {@code a(x)} in float: tanh and sigmoid by {@link FastMath} (within 1 ulp). */
    static float f(Activation a, float x) {
        switch (a) {
            case SIGMOID: return FastMath.sigmoid(x);
            case TANH: return FastMath.tanh(x);
            case RELU: return x > 0f ? x : 0f;
            default: return x;
        }
    }

    /** {@code a'(x)} from {@code y = a(x)}. */
    static float df(Activation a, float y) {
        switch (a) {
            case SIGMOID: return y * (1f - y);
            case TANH: return 1f - y * y;
            case RELU: return y > 0f ? 1f : 0f;
            default: return 1f;
        }
    }

    /**
     * LSTM step forward. {@code z[zOff..]} holds {@code batch} rows of {@code 4u} pre-activations
     * and receives the activated gates i, f, g, o; the previous carry is read at {@code c[cPrev..]}
     * and the new one written at {@code c[cNext..]}; {@code act(c)} goes to {@code tc[tcOff..]} and
     * the output {@code h = o·act(c)} to {@code h[hOff..]} (all {@code batch × u}, packed).
     */
    public static void lstmForward(int batch, int u, Activation act, Activation ract,
                                   float[] z, int zOff, float[] c, int cPrev, int cNext,
                                   float[] tc, int tcOff, float[] h, int hOff) {
        boolean std = act == Activation.TANH && ract == Activation.SIGMOID;
        for (int b = 0; b < batch; b++) {
            int zr = zOff + b * 4 * u, sr = b * u;
            for (int j = 0; j < u; j++) {
                float i, fg, g, o;
                if (std) {
                    i = FastMath.sigmoid(z[zr + j]);
                    fg = FastMath.sigmoid(z[zr + u + j]);
                    g = FastMath.tanh(z[zr + 2 * u + j]);
                    o = FastMath.sigmoid(z[zr + 3 * u + j]);
                } else {
                    i = f(ract, z[zr + j]);
                    fg = f(ract, z[zr + u + j]);
                    g = f(act, z[zr + 2 * u + j]);
                    o = f(ract, z[zr + 3 * u + j]);
                }
                z[zr + j] = i;
                z[zr + u + j] = fg;
                z[zr + 2 * u + j] = g;
                z[zr + 3 * u + j] = o;
                float cv = fg * c[cPrev + sr + j] + i * g;
                c[cNext + sr + j] = cv;
                float t = std ? FastMath.tanh(cv) : f(act, cv);
                tc[tcOff + sr + j] = t;
                h[hOff + sr + j] = o * t;
            }
        }
    }

    /**
     * LSTM step backward. {@code a[aOff..]} the activated gates of the step, {@code c[cPrev..]} the
     * carry it started from, {@code tc[tcOff..]} act of its new carry; {@code dh[dhOff..]} the
     * gradient of its output; {@code dc[0..]} the gradient of its new carry, replaced by that of the
     * previous carry. Writes the pre-activation gradients to {@code dz[dzOff..]} ({@code batch × 4u}).
     */
    public static void lstmBackward(int batch, int u, Activation act, Activation ract,
                                    float[] a, int aOff, float[] c, int cPrev, float[] tc, int tcOff,
                                    float[] dh, int dhOff, float[] dc, float[] dz, int dzOff) {
        for (int b = 0; b < batch; b++) {
            int ar = aOff + b * 4 * u, dr = dzOff + b * 4 * u, sr = b * u;
            for (int j = 0; j < u; j++) {
                float i = a[ar + j], fg = a[ar + u + j], g = a[ar + 2 * u + j], o = a[ar + 3 * u + j];
                float t = tc[tcOff + sr + j], dhv = dh[dhOff + sr + j];
                float dcv = dc[sr + j] + dhv * o * df(act, t);
                dz[dr + j] = dcv * g * df(ract, i);
                dz[dr + u + j] = dcv * c[cPrev + sr + j] * df(ract, fg);
                dz[dr + 2 * u + j] = dcv * i * df(act, g);
                dz[dr + 3 * u + j] = dhv * t * df(ract, o);
                dc[sr + j] = dcv * fg;
            }
        }
    }

    /**
     * GRU (reset_after) step forward: {@code z[zOff..]} holds x·W + input bias ({@code batch × 3u},
     * columns z, r, h) and receives the activated z, r and candidate hh; {@code rec[recOff..]} holds
     * h_prev·U + recurrent bias; {@code h = z·h_prev + (1−z)·hh} goes to {@code h[hOff..]}.
     */
    public static void gruForward(int batch, int u, Activation act, Activation ract,
                                  float[] z, int zOff, float[] rec, int recOff, float[] h, int hPrev, int hOff) {
        for (int b = 0; b < batch; b++) {
            int zr = zOff + b * 3 * u, rr = recOff + b * 3 * u, sr = b * u;
            for (int j = 0; j < u; j++) {
                float zg = f(ract, z[zr + j] + rec[rr + j]);
                float r = f(ract, z[zr + u + j] + rec[rr + u + j]);
                float hh = f(act, z[zr + 2 * u + j] + r * rec[rr + 2 * u + j]);
                z[zr + j] = zg;
                z[zr + u + j] = r;
                z[zr + 2 * u + j] = hh;
                float hp = h[hPrev + sr + j];
                h[hOff + sr + j] = hh + zg * (hp - hh);
            }
        }
    }

    /**
     * GRU (reset_after) step backward: from the step's activations {@code a} (z, r, hh), its
     * recurrent product {@code rec}, the previous state and {@code dh}, writes the gradient of the
     * input-side pre-activations to {@code dz} (z, r, h), that of the recurrent product (bias
     * included) to {@code drec}, and the direct part {@code dh·z} of the previous state's gradient
     * to {@code dhPrev[0..]}.
     */
    public static void gruBackward(int batch, int u, Activation act, Activation ract,
                                   float[] a, int aOff, float[] rec, int recOff, float[] h, int hPrev,
                                   float[] dh, float[] dz, int dzOff, float[] drec, int drecOff, float[] dhPrev) {
        for (int b = 0; b < batch; b++) {
            int ar = aOff + b * 3 * u, rr = recOff + b * 3 * u, dr = dzOff + b * 3 * u, er = drecOff + b * 3 * u,
                    sr = b * u;
            for (int j = 0; j < u; j++) {
                float zg = a[ar + j], r = a[ar + u + j], hh = a[ar + 2 * u + j];
                float dhv = dh[sr + j], hp = h[hPrev + sr + j];
                float dah = dhv * (1f - zg) * df(act, hh);
                float daz = dhv * (hp - hh) * df(ract, zg);
                float dar = dah * rec[rr + 2 * u + j] * df(ract, r);
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

    /**
     * GRU (reset_after=False) step forward, first half: {@code z[zOff..]} holds x·W + b
     * ({@code batch × 3u}) and {@code rec[recOff..]} h_prev·U for the z and r columns; writes the
     * activated z and r into {@code z} and {@code q = r·h_prev} to {@code q[qOff..]}.
     */
    public static void gruGates(int batch, int u, Activation ract, float[] z, int zOff, float[] rec, int recOff,
                                float[] h, int hPrev, float[] q, int qOff) {
        for (int b = 0; b < batch; b++) {
            int zr = zOff + b * 3 * u, rr = recOff + b * 3 * u, sr = b * u;
            for (int j = 0; j < u; j++) {
                float zg = f(ract, z[zr + j] + rec[rr + j]);
                float r = f(ract, z[zr + u + j] + rec[rr + u + j]);
                z[zr + j] = zg;
                z[zr + u + j] = r;
                q[qOff + sr + j] = r * h[hPrev + sr + j];
            }
        }
    }

    /**
     * GRU (reset_after=False) step forward, second half: the h column of {@code z} holds
     * x·W_h + b_h + q·U_h; it receives the candidate hh, and {@code h = z·h_prev + (1−z)·hh} goes
     * to {@code h[hOff..]}.
     */
    public static void gruCandidate(int batch, int u, Activation act, float[] z, int zOff, float[] h, int hPrev,
            int hOff) {
        for (int b = 0; b < batch; b++) {
            int zr = zOff + b * 3 * u, sr = b * u;
            for (int j = 0; j < u; j++) {
                float hh = f(act, z[zr + 2 * u + j]);
                z[zr + 2 * u + j] = hh;
                float zg = z[zr + j], hp = h[hPrev + sr + j];
                h[hOff + sr + j] = hh + zg * (hp - hh);
            }
        }
    }

    /**
     * GRU (reset_after=False) step backward, first half: from the step's activations, the
     * previous state and {@code dh}, writes the z and h pre-activation gradients into
     * {@code dz[dzOff..]} (columns 0 and 2) and the direct part {@code dh·z} of the previous
     * state's gradient to {@code dhPrev}.
     */
    public static void gruBackwardOuter(int batch, int u, Activation act, Activation ract, float[] a, int aOff,
                                        float[] h, int hPrev, float[] dh, float[] dz, int dzOff, float[] dhPrev) {
        for (int b = 0; b < batch; b++) {
            int ar = aOff + b * 3 * u, dr = dzOff + b * 3 * u, sr = b * u;
            for (int j = 0; j < u; j++) {
                float zg = a[ar + j], hh = a[ar + 2 * u + j];
                float dhv = dh[sr + j], hp = h[hPrev + sr + j];
                dz[dr + j] = dhv * (hp - hh) * df(ract, zg);
                dz[dr + 2 * u + j] = dhv * (1f - zg) * df(act, hh);
                dhPrev[sr + j] = dhv * zg;
            }
        }
    }

    /**
     * GRU (reset_after=False) step backward, second half: from {@code dq} (the gradient of
     * q = r·h_prev), writes the r pre-activation gradient into {@code dz} (column 1) and adds
     * {@code dq·r} to {@code dhPrev}.
     */
    public static void gruBackwardReset(int batch, int u, Activation ract, float[] a, int aOff, float[] h, int hPrev,
                                        float[] dq, float[] dz, int dzOff, float[] dhPrev) {
        for (int b = 0; b < batch; b++) {
            int ar = aOff + b * 3 * u, dr = dzOff + b * 3 * u, sr = b * u;
            for (int j = 0; j < u; j++) {
                float r = a[ar + u + j], d = dq[sr + j];
                dz[dr + u + j] = d * h[hPrev + sr + j] * df(ract, r);
                dhPrev[sr + j] += d * r;
            }
        }
    }

    /** SimpleRNN step forward: {@code h[hOff..] = act(z[zOff..])} ({@code n} values). */
    public static void simpleForward(int n, Activation act, float[] z, int zOff, float[] h, int hOff) {
        for (int i = 0; i < n; i++) h[hOff + i] = f(act, z[zOff + i]);
    }

    /** SimpleRNN step backward: {@code dz[dzOff..] = dh · act'(h)}. */
    public static void simpleBackward(int n, Activation act, float[] h, int hOff, float[] dh, float[] dz, int dzOff) {
        for (int i = 0; i < n; i++) dz[dzOff + i] = dh[i] * df(act, h[hOff + i]);
    }

    /** {@code dst[dOff + j·rows + i] = src[sOff + i·cols + j]}: a rows×cols block transposed (packed). */
    public static void transpose(int rows, int cols, float[] src, int sOff, float[] dst, int dOff) {
        final int tile = 32;
        for (int i0 = 0; i0 < rows; i0 += tile) {
            int i1 = Math.min(rows, i0 + tile);
            for (int j0 = 0; j0 < cols; j0 += tile) {
                int j1 = Math.min(cols, j0 + tile);
                for (int i = i0; i < i1; i++) {
                    int s = sOff + i * cols;
                    for (int j = j0; j < j1; j++) dst[dOff + j * rows + i] = src[s + j];
                }
            }
        }
    }

    /** {@code out[oOff + j] += Σ_i m[i·cols + j]} in double. */
    public static void addColumnSums(int rows, int cols, float[] m, double[] out, int oOff) {
        double[] s = new double[cols];
        for (int i = 0; i < rows; i++) {
            int r = i * cols;
            for (int j = 0; j < cols; j++) s[j] += m[r + j];
        }
        for (int j = 0; j < cols; j++) out[oOff + j] += s[j];
    }

    /** Every one of {@code rows} rows of {@code m[mOff..]} (width {@code cols}) set to {@code v[vOff..vOff+cols)}. */
    public static void fillRows(int rows, int cols, float[] v, int vOff, float[] m, int mOff) {
        for (int i = 0; i < rows; i++) System.arraycopy(v, vOff, m, mOff + i * cols, cols);
    }
}

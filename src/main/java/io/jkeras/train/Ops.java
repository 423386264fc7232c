package io.jkeras.train;

import io.jkeras.kernels.Activation;

import java.util.Arrays;
import java.util.List;

/**
 * Differentiable operations on {@link Var}s, each recording its backward step on the tape. Shapes
 * are row-major; "rows" are all leading dimensions, the last dimension is the row width.
 */
public final class Ops {
    private Ops() {}

    static Var result(Tape t, int[] shape, double[] v, boolean needsGrad, boolean[] mask) {
        return new Var(shape, v, needsGrad, mask);
    }

    private static int width(Var a) { return a.rank() == 0 ? 1 : a.dim(-1); }

    private static int rows(Var a) { int w = width(a); return w == 0 ? 0 : a.size() / w; }

    /** {@code a[..., k] · w[k, n]} → {@code [..., n]}. */
    public static Var matmul(Tape t, Var a, Var w) {
        int k = width(a), n = w.dim(1), m = rows(a);
        if (w.rank() != 2 || w.dim(0) != k) throw new IllegalArgumentException("matmul " + a + " · " + w);
        double[] y = new double[m * n];
        double[] av = a.value, wv = w.value;
        for (int i = 0; i < m; i++) {
            int yo = i * n;
            for (int p = 0; p < k; p++) {
                double x = av[i * k + p];
                int wo = p * n;
                for (int j = 0; j < n; j++) y[yo + j] += x * wv[wo + j];
            }
        }
        int[] s = a.shape();
        s[s.length - 1] = n;
        Var out = result(t, s, y, a.needsGrad || w.needsGrad, a.mask);
        if (out.needsGrad) t.record(() -> {
            double[] g = out.grad;
            if (g == null) return;
            if (a.needsGrad) {
                double[] ga = a.gradBuffer();
                for (int i = 0; i < m; i++)
                    for (int p = 0; p < k; p++) {
                        double acc = 0;
                        int wo = p * n, go = i * n;
                        for (int j = 0; j < n; j++) acc += g[go + j] * wv[wo + j];
                        ga[i * k + p] += acc;
                    }
            }
            if (w.needsGrad) {
                double[] gw = w.gradBuffer();
                for (int i = 0; i < m; i++)
                    for (int p = 0; p < k; p++) {
                        double x = av[i * k + p];
                        int wo = p * n, go = i * n;
                        for (int j = 0; j < n; j++) gw[wo + j] += x * g[go + j];
                    }
            }
        });
        return out;
    }

    /** {@code a + b} with b broadcast over the rows of a ({@code b} has a's row width). */
    public static Var addBias(Tape t, Var a, Var b) {
        int n = width(a), m = rows(a);
        if (b.size() != n) throw new IllegalArgumentException("bias " + b + " for " + a);
        double[] y = new double[a.size()];
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) y[i * n + j] = a.value[i * n + j] + b.value[j];
        Var out = result(t, a.shape, y, a.needsGrad || b.needsGrad, a.mask);
        if (out.needsGrad) t.record(() -> {
            double[] g = out.grad;
            if (g == null) return;
            Var.accumulate(a, g);
            if (b.needsGrad) {
                double[] gb = b.gradBuffer();
                for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) gb[j] += g[i * n + j];
            }
        });
        return out;
    }

    /** Element-wise {@code a + b} (same shapes). */
    public static Var add(Tape t, Var a, Var b) { return binary(t, a, b, 0); }

    /** Element-wise {@code a - b}. */
    public static Var sub(Tape t, Var a, Var b) { return binary(t, a, b, 1); }

    /** Element-wise {@code a * b}. */
    public static Var mul(Tape t, Var a, Var b) { return binary(t, a, b, 2); }

    private static Var binary(Tape t, Var a, Var b, int op) {
        if (a.size() != b.size()) throw new IllegalArgumentException("shapes differ: " + a + " and " + b);
        double[] y = new double[a.size()];
        double[] x = a.value, z = b.value;
        for (int i = 0; i < y.length; i++) y[i] = op == 0 ? x[i] + z[i] : op == 1 ? x[i] - z[i] : x[i] * z[i];
        Var out = result(t, a.shape, y, a.needsGrad || b.needsGrad, a.mask != null ? a.mask : b.mask);
        if (out.needsGrad) t.record(() -> {
            double[] g = out.grad;
            if (g == null) return;
            if (a.needsGrad) {
                double[] ga = a.gradBuffer();
                for (int i = 0; i < g.length; i++) ga[i] += op == 2 ? g[i] * z[i] : g[i];
            }
            if (b.needsGrad) {
                double[] gb = b.gradBuffer();
                for (int i = 0; i < g.length; i++) gb[i] += op == 0 ? g[i] : op == 1 ? -g[i] : g[i] * x[i];
            }
        });
        return out;
    }

    /** {@code c · a}. */
    public static Var scale(Tape t, Var a, double c) {
        double[] y = new double[a.size()];
        for (int i = 0; i < y.length; i++) y[i] = c * a.value[i];
        Var out = result(t, a.shape, y, a.needsGrad, a.mask);
        if (out.needsGrad) t.record(() -> {
            if (out.grad == null) return;
            double[] ga = a.gradBuffer();
            for (int i = 0; i < ga.length; i++) ga[i] += c * out.grad[i];
        });
        return out;
    }

    /** The activation over the last axis. */
    public static Var activation(Tape t, Var a, Activation act) {
        if (act == Activation.LINEAR) return a;
        int n = width(a), m = rows(a), w = DActivation.outputWidth(act, n);
        double[] y = new double[m * w];
        for (int i = 0; i < m; i++) DActivation.forward(act, a.value, i * n, y, i * w, n);
        int[] s = a.shape();
        if (s.length > 0) s[s.length - 1] = w;
        Var out = result(t, s, y, a.needsGrad, a.mask);
        if (out.needsGrad) t.record(() -> {
            if (out.grad == null) return;
            double[] ga = a.gradBuffer();
            for (int i = 0; i < m; i++) DActivation.backward(act, a.value, i * n, y, i * w, out.grad, i * w, ga, i * n, n);
        });
        return out;
    }

    /** Columns {@code [from, from+len)} of the last axis. */
    public static Var sliceLast(Tape t, Var a, int from, int len) {
        int n = width(a), m = rows(a);
        double[] y = new double[m * len];
        for (int i = 0; i < m; i++) System.arraycopy(a.value, i * n + from, y, i * len, len);
        int[] s = a.shape();
        s[s.length - 1] = len;
        Var out = result(t, s, y, a.needsGrad, a.mask);
        if (out.needsGrad) t.record(() -> {
            if (out.grad == null) return;
            double[] ga = a.gradBuffer();
            for (int i = 0; i < m; i++) for (int j = 0; j < len; j++) ga[i * n + from + j] += out.grad[i * len + j];
        });
        return out;
    }

    /** Concatenation along the last axis. */
    public static Var concatLast(Tape t, List<Var> parts) {
        int m = rows(parts.get(0));
        int total = 0;
        boolean needs = false;
        for (Var p : parts) { total += width(p); needs |= p.needsGrad; }
        double[] y = new double[m * total];
        int off = 0;
        for (Var p : parts) {
            int w = width(p);
            for (int i = 0; i < m; i++) System.arraycopy(p.value, i * w, y, i * total + off, w);
            off += w;
        }
        int[] s = parts.get(0).shape();
        s[s.length - 1] = total;
        int tot = total;
        Var out = result(t, s, y, needs, parts.get(0).mask);
        if (needs) t.record(() -> {
            if (out.grad == null) return;
            int o = 0;
            for (Var p : parts) {
                int w = width(p);
                if (p.needsGrad) {
                    double[] gp = p.gradBuffer();
                    for (int i = 0; i < m; i++) for (int j = 0; j < w; j++) gp[i * w + j] += out.grad[i * tot + o + j];
                }
                o += w;
            }
        });
        return out;
    }

    /** Rows {@code b·steps + step} for every b of a (batch·steps, n) array: timestep {@code step}, (batch, n). */
    public static Var rowsAtStep(Tape t, Var a, int batch, int steps, int step) {
        int n = width(a);
        double[] y = new double[batch * n];
        for (int b = 0; b < batch; b++) System.arraycopy(a.value, (b * steps + step) * n, y, b * n, n);
        Var out = result(t, new int[]{batch, n}, y, a.needsGrad, null);
        if (out.needsGrad) t.record(() -> {
            if (out.grad == null) return;
            double[] ga = a.gradBuffer();
            for (int b = 0; b < batch; b++) for (int j = 0; j < n; j++) ga[(b * steps + step) * n + j] += out.grad[b * n + j];
        });
        return out;
    }

    /** Stacks (batch, n) values into (batch, steps, n). */
    public static Var stackSteps(Tape t, List<Var> steps, boolean[] mask) {
        int batch = steps.get(0).dim(0), n = steps.get(0).dim(1), T = steps.size();
        double[] y = new double[batch * T * n];
        boolean needs = false;
        for (int s = 0; s < T; s++) {
            Var v = steps.get(s);
            needs |= v.needsGrad;
            for (int b = 0; b < batch; b++) System.arraycopy(v.value, b * n, y, (b * T + s) * n, n);
        }
        Var out = result(t, new int[]{batch, T, n}, y, needs, mask);
        if (needs) t.record(() -> {
            if (out.grad == null) return;
            for (int s = 0; s < T; s++) {
                Var v = steps.get(s);
                if (!v.needsGrad) continue;
                double[] gv = v.gradBuffer();
                for (int b = 0; b < batch; b++) for (int j = 0; j < n; j++) gv[b * n + j] += out.grad[(b * T + s) * n + j];
            }
        });
        return out;
    }

    /** Row b of the result is row b of {@code a} where {@code keep[b]}, else row b of {@code b}. */
    public static Var selectRows(Tape t, boolean[] keep, Var a, Var b) {
        int n = width(a), m = rows(a);
        double[] y = new double[a.size()];
        for (int i = 0; i < m; i++) System.arraycopy(keep[i] ? a.value : b.value, i * n, y, i * n, n);
        Var out = result(t, a.shape, y, a.needsGrad || b.needsGrad, a.mask);
        if (out.needsGrad) t.record(() -> {
            if (out.grad == null) return;
            for (int i = 0; i < m; i++) {
                Var src = keep[i] ? a : b;
                if (!src.needsGrad) continue;
                double[] gs = src.gradBuffer();
                for (int j = 0; j < n; j++) gs[i * n + j] += out.grad[i * n + j];
            }
        });
        return out;
    }

    /** Reverses dimension 1 (time) of a (batch, steps, ...) value. */
    public static Var reverseTime(Tape t, Var a) {
        int batch = a.dim(0), T = a.dim(1), f = batch * T == 0 ? 0 : a.size() / (batch * T);
        double[] y = new double[a.size()];
        for (int b = 0; b < batch; b++)
            for (int s = 0; s < T; s++) System.arraycopy(a.value, (b * T + s) * f, y, (b * T + T - 1 - s) * f, f);
        Var out = result(t, a.shape, y, a.needsGrad, a.mask);
        if (out.needsGrad) t.record(() -> {
            if (out.grad == null) return;
            double[] ga = a.gradBuffer();
            for (int b = 0; b < batch; b++)
                for (int s = 0; s < T; s++)
                    for (int j = 0; j < f; j++) ga[(b * T + s) * f + j] += out.grad[(b * T + T - 1 - s) * f + j];
        });
        return out;
    }

    /** A view of the same values with another shape (same size); the mask is kept when asked. */
    public static Var reshape(Tape t, Var a, int[] shape, boolean keepMask) {
        Var out = result(t, shape, a.value, a.needsGrad, keepMask ? a.mask : null);
        if (out.needsGrad) t.record(() -> { if (out.grad != null) Var.accumulate(a, out.grad); });
        return out;
    }

    /** Rows of {@code table (V, D)} for the integer ids: shape idsShape + [D]. */
    public static Var gather(Tape t, Var table, double[] ids, int[] idsShape, boolean[] mask) {
        int d = table.dim(1);
        double[] y = new double[ids.length * d];
        for (int i = 0; i < ids.length; i++) System.arraycopy(table.value, (int) ids[i] * d, y, i * d, d);
        int[] s = Arrays.copyOf(idsShape, idsShape.length + 1);
        s[idsShape.length] = d;
        Var out = result(t, s, y, table.needsGrad, mask);
        if (out.needsGrad) t.record(() -> {
            if (out.grad == null) return;
            double[] g = table.gradBuffer();
            for (int i = 0; i < ids.length; i++) {
                int r = (int) ids[i] * d;
                for (int j = 0; j < d; j++) g[r + j] += out.grad[i * d + j];
            }
        });
        return out;
    }

    /** Element-wise product with a constant mask (dropout): {@code a · m}. */
    public static Var mulConstant(Tape t, Var a, double[] m) {
        double[] y = new double[a.size()];
        for (int i = 0; i < y.length; i++) y[i] = a.value[i] * m[i % m.length];
        Var out = result(t, a.shape, y, a.needsGrad, a.mask);
        if (out.needsGrad) t.record(() -> {
            if (out.grad == null) return;
            double[] ga = a.gradBuffer();
            for (int i = 0; i < ga.length; i++) ga[i] += out.grad[i] * m[i % m.length];
        });
        return out;
    }

    /** Sum of all elements (a scalar). */
    public static Var sum(Tape t, Var a) {
        double s = 0;
        for (double v : a.value) s += v;
        Var out = result(t, new int[0], new double[]{s}, a.needsGrad, null);
        if (out.needsGrad) t.record(() -> {
            if (out.grad == null) return;
            double[] ga = a.gradBuffer();
            for (int i = 0; i < ga.length; i++) ga[i] += out.grad[0];
        });
        return out;
    }

    public static Var zeros(int... shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return Var.constant(shape, new double[(int) n]);
    }
}

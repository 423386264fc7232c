package io.jkeras.train;

import io.jkeras.kernels.Activation;
import io.jkeras.kernels.WindowGeometry;

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

    /**
     * Outputs of sigmoid and softmax activations mapped to their inputs, as Keras 3 caches them on
     * the output tensor ({@code output._keras_logits = x}, keras/src/activations/activations.py:161
     * and :500); the TF backend's crossentropies then compute from these logits instead of the
     * clipped probabilities (keras/src/backend/tensorflow/nn.py:1262 {@code _get_logits}).
     */
    private static final java.util.Map<Var,
            Var> LOGITS = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    /** The logits a sigmoid or softmax output was computed from, or null (see {@link #LOGITS}). */
    public static Var logitsOf(Var output) { return output == null ? null : LOGITS.get(output); }

    /** The activation over the last axis. */
    public static Var activation(Tape t, Var a, Activation act) {
        Var out = activationImpl(t, a, act);
        if (act == Activation.SIGMOID || act == Activation.SOFTMAX) LOGITS.put(out, a);
        return out;
    }

    private static Var activationImpl(Tape t, Var a, Activation act) {
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
            for (int i = 0; i < m; i++) DActivation.backward(act, a.value, i * n, y, i * w, out.grad, i * w, ga, i * n,
                    n);
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
            for (int b = 0; b < batch; b++) for (int j = 0; j < n; j++) ga[(b * steps + step) * n
                    + j] += out.grad[b * n + j];
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
                for (int b = 0; b < batch; b++) for (int j = 0; j < n; j++) gv[b * n + j] += out.grad[(b * T + s) * n
                        + j];
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
    public static Var mulConstant(Tape t, Var a, double[] m) { return affineConstant(t, a, m, null); }

    /** Element-wise {@code a · m + c} with constants {@code m} and {@code c} (null: 0), as AlphaDropout's. */
    public static Var affineConstant(Tape t, Var a, double[] m, double[] c) {
        double[] y = new double[a.size()];
        for (int i = 0; i < y.length; i++) y[i] = a.value[i] * m[i % m.length] + (c == null ? 0 : c[i % c.length]);
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

    // ------------------------------------------------------------ ops for the layer forms (no masks on outputs)

    /**
     * {@code y[i] = a[index[i]]} with the given shape (a permutation, a slice, a repeat, …); gradients scatter back.
     */
    public static Var gatherElements(Tape t, Var a, int[] index, int[] shape) {
        double[] y = new double[index.length];
        for (int i = 0; i < y.length; i++) y[i] = a.value[index[i]];
        Var out = result(t, shape, y, a.needsGrad, null);
        if (out.needsGrad) t.record(() -> {
            if (out.grad == null) return;
            double[] ga = a.gradBuffer();
            for (int i = 0; i < index.length; i++) ga[index[i]] += out.grad[i];
        });
        return out;
    }

    /** Transpose: output axis i is input axis {@code perm[i]}. */
    public static Var transpose(Tape t, Var a, int[] perm) {
        int r = a.rank();
        int[] s = a.shape;
        int[] inStride = new int[r];
        if (r > 0) inStride[r - 1] = 1;
        for (int i = r - 2; i >= 0; i--) inStride[i] = inStride[i + 1] * s[i + 1];
        int[] os = new int[r];
        for (int i = 0; i < r; i++) os[i] = s[perm[i]];
        int[] index = new int[a.size()];
        int[] idx = new int[r];
        for (int o = 0; o < index.length; o++) {
            int src = 0;
            for (int i = 0; i < r; i++) src += idx[i] * inStride[perm[i]];
            index[o] = src;
            for (int i = r - 1; i >= 0; i--) {
                if (++idx[i] < os[i]) break;
                idx[i] = 0;
            }
        }
        return gatherElements(t, a, index, os);
    }

    /** Concatenation along {@code axis} (all other dimensions equal). */
    public static Var concat(Tape t, List<Var> parts, int axis) {
        int[] s0 = parts.get(0).shape();
        int outer = 1, inner = 1, total = 0;
        for (int d = 0; d < axis; d++) outer *= s0[d];
        for (int d = axis + 1; d < s0.length; d++) inner *= s0[d];
        boolean needs = false;
        for (Var p : parts) { total += p.dim(axis); needs |= p.needsGrad; }
        double[] y = new double[outer * total * inner];
        int pos = 0;
        for (int o = 0; o < outer; o++) {
            for (Var p : parts) {
                int chunk = p.dim(axis) * inner;
                System.arraycopy(p.value, o * chunk, y, pos, chunk);
                pos += chunk;
            }
        }
        int[] os = s0.clone();
        os[axis] = total;
        Var out = result(t, os, y, needs, null);
        int tot = total, in = inner, ou = outer;
        if (needs) t.record(() -> {
            if (out.grad == null) return;
            int off = 0;
            for (Var p : parts) {
                int chunk = p.dim(axis) * in;
                if (p.needsGrad) {
                    double[] gp = p.gradBuffer();
                    for (int o = 0; o < ou; o++)
                        for (int j = 0; j < chunk; j++) gp[o * chunk + j] += out.grad[o * tot * in + off + j];
                }
                off += chunk;
            }
        });
        return out;
    }

    /** NumPy broadcast of {@code a} to {@code shape} (same rank; a's dimensions are 1 or equal); gradients sum. */
    public static Var broadcastTo(Tape t, Var a, int[] shape) {
        int r = shape.length;
        if (a.rank() != r) throw new IllegalArgumentException("broadcast " + a + " to " + Arrays.toString(shape));
        int[] st = new int[r];
        int stride = 1;
        for (int i = r - 1; i >= 0; i--) {
            if (a.shape[i] != shape[i] && a.shape[i] != 1) throw new IllegalArgumentException("broadcast " + a + " to "
                    + Arrays.toString(shape));
            st[i] = a.shape[i] == 1 && shape[i] != 1 ? 0 : stride;
            stride *= a.shape[i];
        }
        long n = 1;
        for (int d : shape) n *= d;
        int[] index = new int[(int) n];
        int[] idx = new int[r];
        int src = 0;
        for (int o = 0; o < index.length; o++) {
            index[o] = src;
            for (int i = r - 1; i >= 0; i--) {
                idx[i]++;
                src += st[i];
                if (idx[i] < shape[i]) break;
                src -= st[i] * shape[i];
                idx[i] = 0;
            }
        }
        return gatherElements(t, a, index, shape.clone());
    }

    /** Element-wise {@code cond ? a : b} (same sizes); the gradient goes to the chosen operand. Keeps a's mask. */
    public static Var where(Tape t, boolean[] cond, Var a, Var b) {
        if (a.size() != b.size() || cond.length != a.size()) throw new IllegalArgumentException("where: " + a + ", "
                + b + ", " + cond.length + " flags");
        double[] y = new double[a.size()];
        for (int i = 0; i < y.length; i++) y[i] = cond[i] ? a.value[i] : b.value[i];
        Var out = result(t, a.shape, y, a.needsGrad || b.needsGrad, a.mask);
        if (out.needsGrad) t.record(() -> {
            if (out.grad == null) return;
            double[] ga = a.needsGrad ? a.gradBuffer() : null, gb = b.needsGrad ? b.gradBuffer() : null;
            for (int i = 0; i < y.length; i++) {
                if (cond[i]) { if (ga != null) ga[i] += out.grad[i]; }
                else if (gb != null) gb[i] += out.grad[i];
            }
        });
        return out;
    }

    /** Element-wise maximum; ties give the gradient to {@code a} (TensorFlow: {@code x >= y}). */
    public static Var maximum(Tape t, Var a, Var b) {
        boolean[] c = new boolean[a.size()];
        for (int i = 0; i < c.length; i++) c[i] = a.value[i] >= b.value[i];
        return where(t, c, a, b);
    }

    /** Element-wise minimum; ties give the gradient to {@code a} (TensorFlow: {@code x <= y}). */
    public static Var minimum(Tape t, Var a, Var b) {
        boolean[] c = new boolean[a.size()];
        for (int i = 0; i < c.length; i++) c[i] = a.value[i] <= b.value[i];
        return where(t, c, a, b);
    }

    /**
     * Grouped, strided, dilated 1-D convolution, channels last: {@code x (b, len, ch)} and
     * {@code kernel (k, ch/groups, filters)} → {@code (b, outLen, filters)} with
     * {@code y[s,o,f] = Σ_{kk,c} x[s, o·stride − padLeft + kk·dilation, g·cg + c] · kernel[kk, c, f]}
     * (g the group of filter f; positions outside the input read zero).
     */
    public static Var conv1d(Tape t, Var x, Var kernel, int stride, int dilation, int padLeft, int groups, int outLen) {
        WindowGeometry g = WindowGeometry.explicit(new int[]{x.dim(1)}, new int[]{kernel.dim(0)}, new int[]{stride},
                new int[]{dilation}, new int[]{padLeft}, new int[]{outLen});
        return conv(t, x, kernel, g, groups);
    }

    /**
     * The convolution of {@code io.jkeras.kernels.ConvolutionKernels#conv} in double: x {@code (B, S_in…, C)}
     * channels_last over the geometry's input sizes, kernel {@code (K…, C/groups, F)} →
     * {@code (B, S_out…, F)}, {@code y[b,o,f] = Σ_{k,c} x[b, in(o,k), gr·C/groups + c] · kernel[k, c, f]}.
     */
    public static Var conv(Tape t, Var x, Var kernel, WindowGeometry g, int groups) {
        int b = x.dim(0), ch = x.dim(-1), filters = kernel.dim(-1), cg = kernel.dim(-2);
        int kn = g.windowPositions(), in = g.inputPositions();
        if (cg * groups != ch || kernel.size() != kn * cg * filters || x.size() != b * in * ch
                || filters % groups != 0) {
            throw new IllegalArgumentException("conv: " + x + " with kernel " + kernel + " in " + groups
                    + " groups over " + g);
        }
        int[] shape = outShape(b, g.outputShape(), filters);
        return window(t, x, kernel, g, b, ch, cg, filters, groups, false, shape);
    }

    /**
     * The transposed convolution of {@code io.jkeras.kernels.ConvolutionKernels#transposed} in double: x
     * {@code (B, S_out…, C)} over the geometry's output sizes, kernel {@code (K…, F, C)} → {@code (B, S_in…, F)},
     * {@code y[b,p,f] = Σ x[b,o,c] · kernel[k,f,c]} over every (o, k) reading p: the adjoint of {@link #conv}.
     */
    public static Var convTranspose(Tape t, Var x, Var kernel, WindowGeometry g) {
        int b = x.dim(0), ch = x.dim(-1), filters = kernel.dim(-2);
        if (kernel.dim(-1) != ch || kernel.size() != g.windowPositions() * filters * ch
                || x.size() != b * g.outputPositions() * ch) {
            throw new IllegalArgumentException("convTranspose: " + x + " with kernel " + kernel + " over " + g);
        }
        return window(t, x, kernel, g, b, ch, ch, filters, 1, true, outShape(b, g.inputShape(), filters));
    }

    private static int[] outShape(int b, int[] spatial, int channels) {
        int[] s = new int[spatial.length + 2];
        s[0] = b;
        System.arraycopy(spatial, 0, s, 1, spatial.length);
        s[s.length - 1] = channels;
        return s;
    }

    /**
     * The products of a sliding window, forward (kernel {@code (K, cg, F)}: output position o, input in(o, k)) or
     * transposed (kernel {@code (K, F, C)}: output position in(o, k), input position o), and their gradients.
     */
    private static Var window(Tape t, Var x, Var kernel, WindowGeometry g, int b, int ch, int cg, int filters,
                              int groups, boolean transposed, int[] shape) {
        int kn = g.windowPositions(), on = g.outputPositions(), in = g.inputPositions(), fg = filters / groups;
        int[] idx = new int[on * kn];
        for (int o = 0; o < on; o++) for (int k = 0; k < kn; k++) idx[o * kn + k] = g.inputAt(o, k);
        int xPos = transposed ? on : in, yPos = transposed ? in : on;
        double[] xv = x.value, kv = kernel.value;
        double[] y = new double[b * yPos * filters];
        for (int s = 0; s < b; s++)
            for (int o = 0; o < on; o++)
                for (int k = 0; k < kn; k++) {
                    int p = idx[o * kn + k];
                    if (p < 0) continue;
                    int xo = (s * xPos + (transposed ? o : p)) * ch, yo = (s * yPos + (transposed ? p : o)) * filters;
                    for (int f = 0; f < filters; f++) {
                        double acc = 0;
                        if (transposed) {
                            for (int c = 0; c < ch; c++) acc += xv[xo + c] * kv[(k * filters + f) * ch + c];
                        } else {
                            int gr = f / fg;
                            for (int c = 0; c < cg; c++) acc += xv[xo + gr * cg + c] * kv[(k * cg + c) * filters + f];
                        }
                        y[yo + f] += acc;
                    }
                }
        Var out = result(t, shape, y, x.needsGrad || kernel.needsGrad, null);
        if (out.needsGrad) t.record(() -> {
            double[] gy = out.grad;
            if (gy == null) return;
            double[] gx = x.needsGrad ? x.gradBuffer() : null, gk = kernel.needsGrad ? kernel.gradBuffer() : null;
            for (int s = 0; s < b; s++)
                for (int o = 0; o < on; o++)
                    for (int k = 0; k < kn; k++) {
                        int p = idx[o * kn + k];
                        if (p < 0) continue;
                        int xo = (s * xPos + (transposed ? o : p)) * ch;
                        int yo = (s * yPos + (transposed ? p : o)) * filters;
                        for (int f = 0; f < filters; f++) {
                            double gf = gy[yo + f];
                            int width = transposed ? ch : cg, xc = transposed ? xo : xo + f / fg * cg;
                            for (int c = 0; c < width; c++) {
                                int ki = transposed ? (k * filters + f) * ch + c : (k * cg + c) * filters + f;
                                if (gx != null) gx[xc + c] += gf * kv[ki];
                                if (gk != null) gk[ki] += gf * xv[xc + c];
                            }
                        }
                    }
        });
        return out;
    }

    public static Var zeros(int... shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return Var.constant(shape, new double[(int) n]);
    }
}

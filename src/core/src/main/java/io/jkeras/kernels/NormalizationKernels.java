package io.jkeras.kernels;

/**
 * The math of Keras 3's LayerNormalization, GroupNormalization and UnitNormalization in output-argument style.
 * The normalized axes are given as a view {@code (outer, n, inner)} of x: each of the {@code outer · inner}
 * groups is the n elements {@code x[xOff + (a·n + i)·inner + b]}, i in {@code [0, n)}, and gamma/beta (length n,
 * or null) are indexed by i. The last axes of a tensor are {@code (rows, width, 1)}; one middle axis (or a run
 * of adjacent ones) of {@code (B, T, C)} normalized over T is {@code (B, T, C)}. y may be x itself.
 *
 * <p>The fast paths compute in float, as Keras does (keras/src/ops/nn.py:3142-3145 computes in at least
 * float32; {@code tf.nn.moments} is a two-pass mean and mean squared deviation); the {@code …Reference}
 * methods compute the moments in double.
 */
public final class NormalizationKernels {
    private NormalizationKernels() {}

    /**
     * Keras 3 LayerNormalization ({@code ops.layer_normalization}, keras/src/ops/nn.py:3137-3198). Without
     * {@code rmsScaling}: {@code inv = rsqrt(var + epsilon)·gamma}, {@code y = x·inv + (beta − mean·inv)}
     * (nn.py:3183-3195, in that order). With {@code rmsScaling}: {@code y = x·rsqrt(var + epsilon)·gamma} — the
     * variance, not the mean square, and no centring and no beta (nn.py:3171-3176; Keras warns that this
     * deprecated option scales by the variance). Epsilon is added to the variance, inside the root.
     */
    public static void layerNorm(int outer, int n, int inner, float[] x, int xOff, float[] gamma, float[] beta,
                                 float epsilon, boolean rmsScaling, float[] y, int yOff) {
        for (int a = 0; a < outer; a++) {
            for (int b = 0; b < inner; b++) {
                int base = a * n * inner + b;
                float mean = mean(x, xOff + base, n, inner);
                float var = variance(x, xOff + base, n, inner, mean);
                float inv = (float) (1.0 / Math.sqrt(var + epsilon));
                for (int i = 0; i < n; i++) {
                    int at = base + i * inner;
                    float v = x[xOff + at];
                    if (rmsScaling) {
                        float o = v * inv;
                        y[yOff + at] = gamma == null ? o : o * gamma[i];
                    } else {
                        float s = gamma == null ? inv : inv * gamma[i];
                        float res = -mean * s;
                        if (beta != null) res += beta[i];
                        y[yOff + at] = v * s + res;
                    }
                }
            }
        }
    }

    /** Oracle of {@link #layerNorm}: moments in double, {@code (x − mean)/sqrt(var + ε)·γ + β}. */
    public static void layerNormReference(int outer, int n, int inner, float[] x, int xOff, float[] gamma,
                                          float[] beta, float epsilon, boolean rmsScaling, float[] y, int yOff) {
        for (int a = 0; a < outer; a++) {
            for (int b = 0; b < inner; b++) {
                int base = a * n * inner + b;
                double[] m = moments(x, xOff + base, n, inner);
                double sd = Math.sqrt(m[1] + epsilon);
                for (int i = 0; i < n; i++) {
                    int at = base + i * inner;
                    double g = gamma == null ? 1 : gamma[i];
                    double v = rmsScaling ? x[xOff + at] / sd * g
                            : (x[xOff + at] - m[0]) / sd * g + (beta == null ? 0 : beta[i]);
                    y[yOff + at] = (float) v;
                }
            }
        }
    }

    /**
     * Gradient of {@link #layerNorm}, accumulated into {@code dx} and (each may be null) {@code dGamma},
     * {@code dBeta}, given the forward input x and {@code dy}; the moments are recomputed from x. With
     * {@code x̂ = (x − mean)·r}, {@code r = rsqrt(var + ε)} and {@code g = dy·γ}:
     * {@code dx += r·(g − mean(g) − x̂·mean(g·x̂))}, {@code dγ += dy·x̂}, {@code dβ += dy}. With
     * {@code rmsScaling} ({@code y = x·r·γ}): {@code dx_j += r·g_j − r³·(x_j − mean)·Σ_i g_i·x_i / n},
     * {@code dγ += dy·x·r}.
     */
    public static void layerNormBackward(int outer, int n, int inner, float[] x, int xOff, float[] gamma,
                                         float epsilon, boolean rmsScaling, float[] dy, int dyOff, float[] dx,
                                         int dxOff, float[] dGamma, float[] dBeta) {
        for (int a = 0; a < outer; a++) {
            for (int b = 0; b < inner; b++) {
                int base = a * n * inner + b;
                float mean = mean(x, xOff + base, n, inner);
                float var = variance(x, xOff + base, n, inner, mean);
                float r = (float) (1.0 / Math.sqrt(var + epsilon));
                float gMean = 0f, gxMean = 0f;
                for (int i = 0; i < n; i++) {
                    int at = base + i * inner;
                    float g = gamma == null ? dy[dyOff + at] : dy[dyOff + at] * gamma[i];
                    float v = rmsScaling ? x[xOff + at] : (x[xOff + at] - mean) * r;
                    gMean += g;
                    gxMean += g * v;
                    if (dGamma != null) dGamma[i] += dy[dyOff + at] * (rmsScaling ? v * r : v);
                    if (dBeta != null && !rmsScaling) dBeta[i] += dy[dyOff + at];
                }
                gMean /= n;
                gxMean /= n;
                for (int i = 0; i < n; i++) {
                    int at = base + i * inner;
                    float g = gamma == null ? dy[dyOff + at] : dy[dyOff + at] * gamma[i];
                    float d = x[xOff + at] - mean;
                    dx[dxOff + at] += rmsScaling ? r * g - r * r * r * d * gxMean
                            : r * (g - gMean - d * r * gxMean);
                }
            }
        }
    }

    /** Oracle of {@link #layerNormBackward}: the same formulas in double. */
    public static void layerNormBackwardReference(int outer, int n, int inner, float[] x, int xOff, float[] gamma,
                                                  float epsilon, boolean rmsScaling, float[] dy, int dyOff,
                                                  float[] dx, int dxOff, float[] dGamma, float[] dBeta) {
        for (int a = 0; a < outer; a++) {
            for (int b = 0; b < inner; b++) {
                int base = a * n * inner + b;
                double[] m = moments(x, xOff + base, n, inner);
                double r = 1 / Math.sqrt(m[1] + epsilon), gm = 0, gxm = 0;
                for (int i = 0; i < n; i++) {
                    int at = base + i * inner;
                    double g = (double) dy[dyOff + at] * (gamma == null ? 1 : gamma[i]);
                    double v = rmsScaling ? x[xOff + at] : (x[xOff + at] - m[0]) * r;
                    gm += g / n;
                    gxm += g * v / n;
                    if (dGamma != null) dGamma[i] = (float) (dGamma[i] + dy[dyOff + at] * (rmsScaling ? v * r : v));
                    if (dBeta != null && !rmsScaling) dBeta[i] = (float) (dBeta[i] + (double) dy[dyOff + at]);
                }
                for (int i = 0; i < n; i++) {
                    int at = base + i * inner;
                    double g = (double) dy[dyOff + at] * (gamma == null ? 1 : gamma[i]);
                    double d = x[xOff + at] - m[0];
                    double grad = rmsScaling ? r * g - r * r * r * d * gxm : r * (g - gm - d * r * gxm);
                    dx[dxOff + at] = (float) (dx[dxOff + at] + grad);
                }
            }
        }
    }

    /**
     * Keras 3 GroupNormalization on channels_last data, x {@code (B, P, C)} with P the positions of the other
     * axes: channel c is in group {@code c / (C/groups)}; mean and variance over the P·C/groups elements of each
     * (sample, group), then per channel {@code inv = rsqrt(var + epsilon)·gamma[c]}, {@code y = x·inv + (beta[c] −
     * mean·inv)} (keras/src/layers/normalization/group_normalization.py:179-212). gamma, beta: {@code (C)} or
     * null.
     */
    public static void groupNorm(int batch, int positions, int channels, int groups, float[] x, int xOff,
                                 float[] gamma, float[] beta, float epsilon, float[] y, int yOff) {
        checkGroups(channels, groups);
        int cg = channels / groups;
        for (int s = 0; s < batch; s++) {
            int xs = s * positions * channels;
            for (int g = 0; g < groups; g++) {
                int c0 = g * cg;
                float mean = groupMean(x, xOff + xs + c0, positions, channels, cg);
                float var = groupVariance(x, xOff + xs + c0, positions, channels, cg, mean);
                float inv = (float) (1.0 / Math.sqrt(var + epsilon));
                for (int p = 0; p < positions; p++) {
                    int at = xs + p * channels + c0;
                    for (int c = 0; c < cg; c++) {
                        float sc = gamma == null ? inv : inv * gamma[c0 + c];
                        float res = -mean * sc;
                        if (beta != null) res += beta[c0 + c];
                        y[yOff + at + c] = x[xOff + at + c] * sc + res;
                    }
                }
            }
        }
    }

    /**
     * Gradient of {@link #groupNorm}, accumulated into {@code dx} and (each may be null) {@code dGamma},
     * {@code dBeta}: per (sample, group), with {@code x̂ = (x − mean)·r}, {@code r = rsqrt(var + ε)} and
     * {@code g = dy·γ[c]}, {@code dx += r·(g − mean(g) − x̂·mean(g·x̂))}, {@code dγ[c] += Σ dy·x̂},
     * {@code dβ[c] += Σ dy}.
     */
    public static void groupNormBackward(int batch, int positions, int channels, int groups, float[] x, int xOff,
                                         float[] gamma, float epsilon, float[] dy, int dyOff, float[] dx, int dxOff,
                                         float[] dGamma, float[] dBeta) {
        checkGroups(channels, groups);
        int cg = channels / groups;
        float count = (float) positions * cg;
        for (int s = 0; s < batch; s++) {
            int xs = s * positions * channels;
            for (int g = 0; g < groups; g++) {
                int c0 = g * cg;
                float mean = groupMean(x, xOff + xs + c0, positions, channels, cg);
                float r = (float) (1.0 / Math.sqrt(groupVariance(x, xOff + xs + c0, positions, channels, cg, mean)
                        + epsilon));
                float gm = 0f, gxm = 0f;
                for (int p = 0; p < positions; p++) {
                    int at = xs + p * channels + c0;
                    for (int c = 0; c < cg; c++) {
                        float d = dy[dyOff + at + c], xh = (x[xOff + at + c] - mean) * r;
                        float gg = gamma == null ? d : d * gamma[c0 + c];
                        gm += gg;
                        gxm += gg * xh;
                        if (dGamma != null) dGamma[c0 + c] += d * xh;
                        if (dBeta != null) dBeta[c0 + c] += d;
                    }
                }
                gm /= count;
                gxm /= count;
                for (int p = 0; p < positions; p++) {
                    int at = xs + p * channels + c0;
                    for (int c = 0; c < cg; c++) {
                        float d = dy[dyOff + at + c], xh = (x[xOff + at + c] - mean) * r;
                        float gg = gamma == null ? d : d * gamma[c0 + c];
                        dx[dxOff + at + c] += r * (gg - gm - xh * gxm);
                    }
                }
            }
        }
    }

    /** Oracle of {@link #groupNormBackward}: the same formulas in double. */
    public static void groupNormBackwardReference(int batch, int positions, int channels, int groups, float[] x,
                                                  int xOff, float[] gamma, float epsilon, float[] dy, int dyOff,
                                                  float[] dx, int dxOff, float[] dGamma, float[] dBeta) {
        checkGroups(channels, groups);
        int cg = channels / groups, n = positions * cg;
        for (int s = 0; s < batch; s++) {
            for (int g = 0; g < groups; g++) {
                double mean = 0, var = 0, gm = 0, gxm = 0;
                for (int i = 0; i < n; i++) mean += x[xOff + (s * positions + i / cg) * channels + g * cg + i % cg];
                mean /= n;
                for (int i = 0; i < n; i++) {
                    double d = x[xOff + (s * positions + i / cg) * channels + g * cg + i % cg] - mean;
                    var += d * d / n;
                }
                double r = 1 / Math.sqrt(var + epsilon);
                for (int pass = 0; pass < 2; pass++) {
                    for (int i = 0; i < n; i++) {
                        int ch = g * cg + i % cg, at = (s * positions + i / cg) * channels + ch;
                        double xh = (x[xOff + at] - mean) * r, gg = (double) dy[dyOff + at] * (gamma == null ? 1
                                : gamma[ch]);
                        if (pass == 0) {
                            gm += gg / n;
                            gxm += gg * xh / n;
                            if (dGamma != null) dGamma[ch] = (float) (dGamma[ch] + dy[dyOff + at] * xh);
                            if (dBeta != null) dBeta[ch] = (float) (dBeta[ch] + (double) dy[dyOff + at]);
                        } else {
                            dx[dxOff + at] = (float) (dx[dxOff + at] + r * (gg - gm - xh * gxm));
                        }
                    }
                }
            }
        }
    }

    /** Oracle of {@link #groupNorm}, moments in double. */
    public static void groupNormReference(int batch, int positions, int channels, int groups, float[] x, int xOff,
                                          float[] gamma, float[] beta, float epsilon, float[] y, int yOff) {
        checkGroups(channels, groups);
        int cg = channels / groups;
        for (int s = 0; s < batch; s++) {
            for (int g = 0; g < groups; g++) {
                double sum = 0, sq = 0;
                long count = (long) positions * cg;
                for (int p = 0; p < positions; p++) {
                    for (int c = 0; c < cg; c++) sum += x[xOff + (s * positions + p) * channels + g * cg + c];
                }
                double mean = sum / count;
                for (int p = 0; p < positions; p++) {
                    for (int c = 0; c < cg; c++) {
                        double d = x[xOff + (s * positions + p) * channels + g * cg + c] - mean;
                        sq += d * d;
                    }
                }
                double sd = Math.sqrt(sq / count + epsilon);
                for (int p = 0; p < positions; p++) {
                    for (int c = 0; c < cg; c++) {
                        int ch = g * cg + c, at = (s * positions + p) * channels + ch;
                        y[yOff + at] = (float) ((x[xOff + at] - mean) / sd * (gamma == null ? 1 : gamma[ch])
                                + (beta == null ? 0 : beta[ch]));
                    }
                }
            }
        }
    }

    /**
     * Keras 3 UnitNormalization: {@code y = x · min(rsqrt(Σ x²), 1/1e-12)} over the n elements of each group
     * (keras/src/layers/normalization/unit_normalization.py:43-44 calls {@code ops.normalize(order=2,
     * epsilon=1e-12)}, keras/src/ops/nn.py:2724-2731), so an all-zero group stays zero.
     */
    public static void unitNorm(int outer, int n, int inner, float[] x, int xOff, float[] y, int yOff) {
        for (int a = 0; a < outer; a++) {
            for (int b = 0; b < inner; b++) {
                int base = a * n * inner + b;
                float sq = 0f;
                for (int i = 0; i < n; i++) {
                    float v = x[xOff + base + i * inner];
                    sq += v * v;
                }
                float inv = Math.min((float) (1.0 / Math.sqrt(sq)), 1f / 1e-12f);
                for (int i = 0; i < n; i++) y[yOff + base + i * inner] = x[xOff + base + i * inner] * inv;
            }
        }
    }

    /**
     * Gradient of {@link #unitNorm}, accumulated into dx: with {@code r = rsqrt(Σ x²)},
     * {@code dx += r·dy − r³·x·Σ dy·x}; where the norm is clipped ({@code r > 1e12}) {@code dx += 1e12·dy}.
     */
    public static void unitNormBackward(int outer, int n, int inner, float[] x, int xOff, float[] dy, int dyOff,
                                        float[] dx, int dxOff) {
        for (int a = 0; a < outer; a++) {
            for (int b = 0; b < inner; b++) {
                int base = a * n * inner + b;
                float sq = 0f, dot = 0f;
                for (int i = 0; i < n; i++) {
                    float v = x[xOff + base + i * inner];
                    sq += v * v;
                    dot += dy[dyOff + base + i * inner] * v;
                }
                float r = (float) (1.0 / Math.sqrt(sq));
                boolean clipped = !(r <= 1f / 1e-12f);
                float r3dot = clipped ? 0f : r * r * r * dot;
                float scale = clipped ? 1f / 1e-12f : r;
                for (int i = 0; i < n; i++) {
                    int at = base + i * inner;
                    dx[dxOff + at] += scale * dy[dyOff + at] - r3dot * x[xOff + at];
                }
            }
        }
    }

    /** Oracle of {@link #unitNormBackward}, in double. */
    public static void unitNormBackwardReference(int outer, int n, int inner, float[] x, int xOff, float[] dy,
                                                 int dyOff, float[] dx, int dxOff) {
        for (int a = 0; a < outer; a++) {
            for (int b = 0; b < inner; b++) {
                int base = a * n * inner + b;
                double sq = 0, dot = 0;
                for (int i = 0; i < n; i++) {
                    sq += (double) x[xOff + base + i * inner] * x[xOff + base + i * inner];
                    dot += (double) dy[dyOff + base + i * inner] * x[xOff + base + i * inner];
                }
                double norm = Math.sqrt(sq);
                for (int i = 0; i < n; i++) {
                    int at = base + i * inner;
                    double grad = norm < 1e-12 ? 1e12 * dy[dyOff + at]
                            : dy[dyOff + at] / norm - x[xOff + at] * dot / (norm * norm * norm);
                    dx[dxOff + at] = (float) (dx[dxOff + at] + grad);
                }
            }
        }
    }

    /** Oracle of {@link #unitNorm}: {@code x / max(‖x‖, 1e-12)} in double. */
    public static void unitNormReference(int outer, int n, int inner, float[] x, int xOff, float[] y, int yOff) {
        for (int a = 0; a < outer; a++) {
            for (int b = 0; b < inner; b++) {
                int base = a * n * inner + b;
                double sq = 0;
                for (int i = 0; i < n; i++) sq += (double) x[xOff + base + i * inner] * x[xOff + base + i * inner];
                double norm = Math.max(Math.sqrt(sq), 1e-12);
                for (int i = 0; i < n; i++) y[yOff + base + i * inner] = (float) (x[xOff + base + i * inner] / norm);
            }
        }
    }

    /** Mean of n elements {@code x[off + i·stride]}, in float. */
    private static float mean(float[] x, int off, int n, int stride) {
        float sum = 0f;
        for (int i = 0; i < n; i++) sum += x[off + i * stride];
        return sum / n;
    }

    /** Mean squared deviation from {@code mean} of n elements {@code x[off + i·stride]}, in float. */
    private static float variance(float[] x, int off, int n, int stride, float mean) {
        float sq = 0f;
        for (int i = 0; i < n; i++) {
            float d = x[off + i * stride] - mean;
            sq += d * d;
        }
        return sq / n;
    }

    /** Mean of the {@code positions × width} block at {@code off} (rows {@code stride} apart), in float. */
    private static float groupMean(float[] x, int off, int positions, int stride, int width) {
        float sum = 0f;
        for (int p = 0; p < positions; p++) {
            for (int c = 0; c < width; c++) sum += x[off + p * stride + c];
        }
        return sum / ((float) positions * width);
    }

    /** Mean squared deviation from {@code mean} of the block of {@link #groupMean}, in float. */
    private static float groupVariance(float[] x, int off, int positions, int stride, int width, float mean) {
        float sq = 0f;
        for (int p = 0; p < positions; p++) {
            for (int c = 0; c < width; c++) {
                float d = x[off + p * stride + c] - mean;
                sq += d * d;
            }
        }
        return sq / ((float) positions * width);
    }

    /** {mean, variance} of n elements {@code x[off + i·stride]}, two-pass in double. */
    private static double[] moments(float[] x, int off, int n, int stride) {
        double sum = 0;
        for (int i = 0; i < n; i++) sum += x[off + i * stride];
        double mean = sum / n, sq = 0;
        for (int i = 0; i < n; i++) {
            double d = x[off + i * stride] - mean;
            sq += d * d;
        }
        return new double[]{mean, sq / n};
    }

    private static void checkGroups(int channels, int groups) {
        if (groups <= 0 || channels % groups != 0) throw new IllegalArgumentException("groups " + groups
                + " must be positive and divide channels " + channels);
    }
}

package io.jkeras.kernels;

import io.jkeras.util.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cases of {@code fixtures/kernels/cases.json}: one real Keras 3 layer each, run by
 * {@code tools/gen_kernel_cases.py} on a seeded input with seeded weights, with Keras' output.
 */
final class KerasKernelCases {
    static final Path FILE = Path.of("fixtures/kernels/cases.json");
    private static List<Case> all;

    private KerasKernelCases() {}

    /** One case: the Keras layer class, its config, the input (and mask), the weights by name and Keras' output. */
    record Case(String name, String layer, Json config, int[] xShape, float[] x, boolean[] mask,
                Map<String, int[]> weightShapes, Map<String, float[]> weights, int[] yShape, float[] y, Json raw) {
        /** An int or a list of ints of the config, as an array of {@code rank} ints. */
        int[] ints(String key, int rank) {
            Json v = config.get(key);
            int[] r = new int[rank];
            if (v.isArray()) for (int i = 0; i < rank; i++) r[i] = v.get(i).intValue();
            else Arrays.fill(r, v.intValue());
            return r;
        }

        int[] pairsBefore(String key, int rank) { return pairs(key, rank, 0); }

        int[] pairsAfter(String key, int rank) { return pairs(key, rank, 1); }

        /** {@code ((b, a), ...)} or for rank 1 {@code (b, a)}: one side per dimension. */
        private int[] pairs(String key, int rank, int side) {
            Json v = config.get(key);
            int[] r = new int[rank];
            for (int i = 0; i < rank; i++) r[i] = rank == 1 ? v.get(side).intValue() : v.get(i).get(side).intValue();
            return r;
        }

        String text(String key) { return config.get(key).asText(); }

        boolean flag(String key) { return config.get(key).booleanValue(); }

        float number(String key) { return (float) config.get(key).doubleValue(); }

        /** Spatial rank of a channels_last (batch, spatial…, channels) input. */
        int spatialRank() { return xShape.length - 2; }

        int[] spatialShape() { return Arrays.copyOfRange(xShape, 1, xShape.length - 1); }

        int batch() { return xShape[0]; }

        int channels() { return xShape[xShape.length - 1]; }

        float[] weight(String name) { return weights.get(name); }

        /** Another tensor of the case (attention: q, k, v, scores), or null. */
        float[] tensor(String key) {
            return raw.get(key) == null ? null : KerasKernelCases.floats(raw.get(key).get("data"));
        }

        int[] shapeOf(String key) { return KerasKernelCases.ints(raw.get(key).get("shape")); }

        /** A boolean mask of the case, or null. */
        boolean[] bools(String key) {
            Json m = raw.get(key);
            if (m == null) return null;
            boolean[] r = new boolean[m.size()];
            for (int i = 0; i < r.length; i++) r[i] = m.get(i).booleanValue();
            return r;
        }

        @Override public String toString() { return name; }
    }

    static synchronized List<Case> all() {
        if (all != null) return all;
        try {
            Json doc = Json.parse(Files.readAllBytes(FILE));
            List<Case> cases = new ArrayList<>();
            for (Json c : doc.get("cases")) {
                Map<String, int[]> shapes = new LinkedHashMap<>();
                Map<String, float[]> weights = new LinkedHashMap<>();
                for (Json w : c.get("weights")) {
                    shapes.put(w.get("name").asText(), ints(w.get("shape")));
                    weights.put(w.get("name").asText(), floats(w.get("data")));
                }
                Case k = new Case(c.get("name").asText(), c.get("layer").asText(), c.get("config"),
                        ints(c.get("x").get("shape")), floats(c.get("x").get("data")), null, shapes, weights,
                        ints(c.get("y").get("shape")), floats(c.get("y").get("data")), c);
                cases.add(new Case(k.name(), k.layer(), k.config(), k.xShape(), k.x(), k.bools("mask"),
                        shapes, weights, k.yShape(), k.y(), c));
            }
            all = List.copyOf(cases);
            return all;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Json.Syntax e) {
            throw new IllegalStateException(FILE + ": " + e.getMessage(), e);
        }
    }

    /** The cases of the given Keras layer classes; fails when there are none (a renamed class would skip them). */
    static Stream<Case> of(String... layers) {
        List<String> wanted = Arrays.asList(layers);
        List<Case> r = all().stream().filter(c -> wanted.contains(c.layer())).toList();
        assertThat(r).as("cases of %s in %s", wanted, FILE).isNotEmpty();
        return r.stream();
    }

    /** {@code got} equals Keras' output within 1e-5 (absolute, plus 1e-5 relative); NaN where Keras has NaN. */
    static void assertMatchesKeras(Case c, int[] shape, float[] got) {
        assertThat(shape).as("%s: output shape", c.name()).containsExactly(c.yShape());
        assertThat(got).as("%s: output size", c.name()).hasSize(c.y().length);
        for (int i = 0; i < got.length; i++) {
            float want = c.y()[i];
            if (Float.isNaN(want)) {
                assertThat(got[i]).as("%s: y[%d] (Keras: NaN)", c.name(), i).isNaN();
                continue;
            }
            assertThat((double) got[i]).as("%s: y[%d]", c.name(), i)
                    .isCloseTo(want, org.assertj.core.data.Offset.offset(1e-5 + 1e-5 * Math.abs(want)));
        }
    }

    /** Fast and reference results agree within {@code tol} relative to the magnitude of the values. */
    static void assertClose(String what, float[] fast, float[] ref, double tol) {
        assertThat(fast).hasSameSizeAs(ref);
        for (int i = 0; i < fast.length; i++) {
            if (Float.isNaN(ref[i])) {
                assertThat(fast[i]).as("%s [%d]", what, i).isNaN();
                continue;
            }
            assertThat((double) fast[i]).as("%s [%d]", what, i)
                    .isCloseTo(ref[i], org.assertj.core.data.Offset.offset(tol * (1 + Math.abs(ref[i]))));
        }
    }

    /** {@code n} uniform values in [-1, 1). */
    static float[] random(SplittableRandom rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextDouble() * 2 - 1);
        return a;
    }

    private static int[] ints(Json a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).intValue();
        return r;
    }

    private static float[] floats(Json a) {
        float[] r = new float[a.size()];
        for (int i = 0; i < r.length; i++) {
            Json v = a.get(i);
            r[i] = v.isTextual() ? Float.parseFloat(v.asText()) : (float) v.doubleValue();
        }
        return r;
    }
}

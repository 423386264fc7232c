package io.jkeras.zoo;

import com.fasterxml.jackson.databind.JsonNode;
import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jkeras.JKeras;
import io.jkeras.exceptions.ModelFormatException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.keras.LayerRegistry;
import io.jkeras.model.Model;
import io.jkeras.model.Session;
import io.jkeras.tensor.Tensor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.ZipFile;

/**
 * Runs one zoo entry and judges it. Shared by {@link ZooSweepTest} and {@link CompatibilityReport}.
 *
 * <p>Expectation: an entry whose layer classes (read from its own config, wrapped layers included)
 * are all in {@link LayerRegistry#supported()} must load and match every reference within
 * {@link #ATOL}; an entry with an unsupported class must fail with {@link UnsupportedModelException}
 * naming that class or layer. Any other exception, a NaN, a shape or value mismatch is a failure,
 * except DERIVED-NumPy mismatches listed in {@code zoo-known-differences.json}.
 */
public final class ZooRunner {
    public static final double ATOL = 1e-5;

    public enum Status {
        /** loaded and every reference matched (or had none) */ PASS,
        /** refused with UnsupportedModelException naming an unsupported layer, as expected */ UNSUPPORTED_AS_EXPECTED,
        /** nothing to run (config without weights) */ SKIPPED,
        FAIL
    }

    /** Outcome of one reference set: worst absolute error over all cases and elements. */
    public record RefResult(References.Kind kind, String source, double maxAbsError, int cases, boolean ok,
                            boolean allowListed, String problem) {}

    public record Result(Zoo.Entry entry, List<String> layerClasses, Set<String> unsupported, Status status,
                         String loadError, String loadErrorType, List<RefResult> refs, String failure, String note) {
        public boolean loaded() { return loadError == null && status != Status.SKIPPED; }
    }

    private final Zoo zoo;
    private final KnownDifferences known;
    private final Path scratch;

    public ZooRunner(Zoo zoo, KnownDifferences known, Path scratch) {
        this.zoo = zoo;
        this.known = known;
        this.scratch = scratch;
    }

    public Result run(Zoo.Entry e) {
        if (e.type() == Zoo.Type.CONFIG_ONLY) {
            List<String> classes = safeClasses(() -> readJson(e.config()));
            return new Result(e, classes, unsupported(classes), Status.SKIPPED, null, null, List.of(), null,
                    "architecture JSON only: its weights are not in the zoo");
        }
        Path modelPath = e.model();
        List<String> classes;
        try {
            if (e.type() == Zoo.Type.KERAS_JS) modelPath = KerasJsCases.materialize(e, scratch);
        } catch (RuntimeException ex) {
            return new Result(e, List.of(), Set.of(), Status.FAIL, null, null, List.of(),
                    "test harness could not build the keras-js case: " + ex, null);
        }
        final Path mp = modelPath;
        classes = switch (e.type()) {
            case CONFIG_WEIGHTS -> safeClasses(() -> readJson(e.config()));
            case KERAS_ZIP -> safeClasses(() -> zipConfig(mp));
            case WEIGHTS_ONLY -> List.of();
            default -> safeClasses(() -> h5Config(mp));
        };
        Set<String> unsupported = unsupported(classes);

        Model model;
        try {
            model = e.type() == Zoo.Type.CONFIG_WEIGHTS ? JKeras.load(e.config(), e.model()) : JKeras.load(mp);
        } catch (Throwable ex) {
            String type = ex.getClass().getSimpleName();
            String msg = String.valueOf(ex.getMessage());
            if (e.type() == Zoo.Type.WEIGHTS_ONLY) {
                boolean ok = ex instanceof ModelFormatException && msg.contains("weights-only");
                return new Result(e, classes, unsupported, ok ? Status.UNSUPPORTED_AS_EXPECTED : Status.FAIL, msg, type,
                        List.of(),
                        ok ? null : "a weights-only file without architecture must be refused with"
                                + " ModelFormatException saying so; got " + type,
                        "weights only; architecture not in the zoo");
            }
            if (!unsupported.isEmpty()) {
                boolean named = ex instanceof UnsupportedModelException && namesOneOf(msg, unsupported, e);
                return new Result(e, classes, unsupported, named ? Status.UNSUPPORTED_AS_EXPECTED : Status.FAIL, msg,
                        type, List.of(),
                        named ? null : (ex instanceof UnsupportedModelException
                                ? "UnsupportedModelException does not name any unsupported layer " + unsupported
                                : "expected UnsupportedModelException naming " + unsupported + ", got " + type), null);
            }
            return new Result(e, classes, unsupported, Status.FAIL, msg, type, List.of(),
                    "all layers " + new TreeSet<>(classes) + " are supported, but loading failed with " + type, null);
        }
        if (e.type() == Zoo.Type.WEIGHTS_ONLY) {
            return new Result(e, classes, unsupported, Status.FAIL, null, null, List.of(),
                    "a weights-only file without architecture loaded", null);
        }
        if (!unsupported.isEmpty()) {
            return new Result(e, classes, unsupported, Status.FAIL, null, null, List.of(),
                    "loaded although it has layer classes " + unsupported + " that LayerRegistry.supported() lacks",
                            null);
        }

        List<RefResult> refs = new ArrayList<>();
        String failure = null;
        List<References.Reference> references;
        try {
            references = References.of(zoo, e);
        } catch (RuntimeException ex) {
            return new Result(e, classes, unsupported, Status.FAIL, null, null, List.of(),
                    "test harness could not read a reference: " + ex, null);
        }
        for (References.Reference r : references) {
            RefResult rr = compare(model, e, r);
            refs.add(rr);
            if (!rr.ok() && failure == null) {
                failure = r.kind().label + " " + r.source() + ": " + rr.problem();
            }
        }
        String note = references.isEmpty() ? noReferenceNote(e) : null;
        return new Result(e, classes, unsupported, failure == null ? Status.PASS : Status.FAIL, null, null, refs,
                failure, note);
    }

    private String noReferenceNote(Zoo.Entry e) {
        String why = References.numpyStatus(zoo, e.file());
        return "no reference outputs" + (why != null ? " (NumPy oracle: " + why + ")" : "") + "; load only";
    }

    private RefResult compare(Model model, Zoo.Entry e, References.Reference r) {
        double worst = 0;
        String problem = null;
        for (References.Case c : r.cases()) {
            Tensor[] got;
            try {
                if (model.stateful() || c.calls() > 1) {
                    Session s = model.newSession();
                    got = null;
                    for (int k = 0; k < Math.max(1, c.calls()); k++) got = s.predict(c.inputs());
                } else {
                    got = model.predict(c.inputs());
                }
            } catch (Throwable ex) {
                problem = c.name() + ": predict failed with " + ex.getClass().getSimpleName() + ": " + ex.getMessage();
                worst = Double.POSITIVE_INFINITY;
                break;
            }
            if (got.length != c.expected().length) {
                problem = c.name() + ": model gives " + got.length + " outputs, reference has " + c.expected().length;
                worst = Double.POSITIVE_INFINITY;
                break;
            }
            for (int o = 0; o < got.length; o++) {
                Tensor g = got[o], w = c.expected()[o];
                if (!sameShape(g.shape(), w.shape())) {
                    problem = c.name() + " output " + o + ": shape " + Tensor.shapeString(g.shape()) + ", reference "
                            + Tensor.shapeString(w.shape());
                    worst = Double.POSITIVE_INFINITY;
                    break;
                }
                float[] a = g.data(), b = w.data();
                for (int i = 0; i < a.length; i++) {
                    if (Float.isNaN(a[i]) || Float.isInfinite(a[i])) {
                        problem = c.name() + " output " + o + ": non-finite value " + a[i] + " at flat index " + i;
                        worst = Double.POSITIVE_INFINITY;
                        break;
                    }
                    double d = Math.abs((double) a[i] - b[i]);
                    if (d > worst) worst = d;
                }
                if (problem != null) break;
            }
            if (problem != null) break;
        }
        boolean ok = problem == null && worst <= ATOL;
        boolean allow = false;
        if (!ok && problem == null) {
            problem = "max abs error " + fmt(worst) + " > " + ATOL;
            if (r.kind() == References.Kind.DERIVED_NUMPY) {
                KnownDifferences.Entry k = known.find(e.file());
                if (k != null && worst <= k.maxErrorSeen() * 1.1) {
                    ok = true;
                    allow = true;
                    problem = "allow-listed (" + k.reason() + "): " + problem;
                }
            }
        }
        return new RefResult(r.kind(), r.source(), worst, r.cases().size(), ok, allow, ok && !allow ? null : problem);
    }

    /** Equal shapes, or equal after dropping size-1 dimensions (e.g. DL4J's (283,) vs (283, 1)). */
    static boolean sameShape(int[] a, int[] b) {
        if (Arrays.equals(a, b)) return true;
        return Arrays.equals(Arrays.stream(a).filter(d -> d != 1).toArray(), Arrays.stream(b).filter(d -> d != 1)
                .toArray());
    }

    public static String fmt(double d) {
        if (Double.isInfinite(d)) return "inf";
        if (d == 0) return "0";
        return String.format("%.2e", d);
    }

    // ------------------------------------------------------------------ layer classes

    private static Set<String> unsupported(List<String> classes) {
        Set<String> s = new TreeSet<>();
        Set<String> sup = LayerRegistry.supported();
        for (String c : classes) if (!sup.contains(c.substring(0, c.indexOf(':')))) s.add(c);
        return s;
    }

    private static boolean namesOneOf(String msg, Set<String> unsupported, Zoo.Entry e) {
        for (String u : unsupported) {
            int colon = u.indexOf(':');
            String cls = u.substring(0, colon), name = u.substring(colon + 1);
            if (msg.contains(cls) || msg.contains("'" + name + "'")) return true;
        }
        return false;
    }

    private interface Source { JsonNode get() throws IOException; }

    private static List<String> safeClasses(Source s) {
        try {
            JsonNode root = s.get();
            if (root == null) return List.of();
            Set<String> out = new LinkedHashSet<>();
            collectModel(root, out);
            return new ArrayList<>(out);
        } catch (IOException | RuntimeException ex) {
            return List.of();
        }
    }

    /**
     * Layer classes as {@code Class:name}, from a model config: top level is the model
     * (Sequential/Model/Functional), its {@code config} a list (old Sequential) or an object with
     * {@code layers}; wrappers hold {@code layer} (and {@code backward_layer}); nested models recurse.
     */
    private static void collectModel(JsonNode model, Set<String> out) {
        JsonNode cfg = model.path("config");
        JsonNode layers = cfg.isArray() ? cfg : cfg.path("layers");
        for (JsonNode l : layers) collectLayer(l, out);
    }

    private static void collectLayer(JsonNode l, Set<String> out) {
        String cls = l.path("class_name").asText();
        JsonNode cfg = l.path("config");
        String name = cfg.path("name").asText(l.path("name").asText(""));
        if (("Sequential".equals(cls) || "Model".equals(cls) || "Functional".equals(cls))
                && (cfg.isArray() || cfg.has("layers"))) {
            out.add(cls + ":" + name);
            collectModel(l, out);
            return;
        }
        out.add(cls + ":" + name);
        for (String k : new String[]{"layer", "backward_layer"}) {
            if (cfg.path(k).isObject() && cfg.path(k).has("class_name")) collectLayer(cfg.path(k), out);
        }
    }

    private static JsonNode readJson(Path p) throws IOException { return Zoo.JSON.readTree(p.toFile()); }

    private static JsonNode h5Config(Path p) throws IOException {
        try (HdfFile f = new HdfFile(p)) {
            Attribute a = f.getAttribute("model_config");
            if (a == null) return null;
            Object d = a.getData();
            String s = d instanceof String str ? str : d instanceof String[] arr && arr.length > 0 ? arr[0] : null;
            return s == null ? null : Zoo.JSON.readTree(s);
        }
    }

    private static JsonNode zipConfig(Path p) throws IOException {
        try (ZipFile z = new ZipFile(p.toFile())) {
            var entry = z.getEntry("config.json");
            if (entry == null) return null;
            try (InputStream in = z.getInputStream(entry)) {
                return Zoo.JSON.readTree(in);
            }
        }
    }

    /** Strips the {@code :name} part for display. */
    public static List<String> classNames(List<String> classes) {
        Set<String> s = new LinkedHashSet<>();
        for (String c : classes) s.add(c.substring(0, c.indexOf(':')));
        return new ArrayList<>(s);
    }

    static Path newScratch() {
        return io.jkeras.TestScratch.create("jkeras-zoo-");
    }
}

package io.jkeras.zoo;

import com.fasterxml.jackson.databind.JsonNode;
import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jkeras.tensor.Tensor;
import io.jkeras.npy.Npy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the zoo's reference data into input/expected-output tensors. Formats (MANIFEST.md):
 * <ul>
 *   <li>ORIGINAL DL4J {@code *_inputs_and_outputs.h5}: {@code inputs/*} = model input,
 *       {@code predictions/*} = Keras output ({@code outputs/*} are training targets: never used);</li>
 *   <li>ORIGINAL DL4J fullconfigs/lstm: {@code data/sequences/{0..282}.csv} ({@code ;}-separated,
 *       4 rows = timesteps, first 12 of 13 columns) with {@code predictions.npy};</li>
 *   <li>ORIGINAL keras2c: an inputs/expected-outputs {@code .npy} pair;</li>
 *   <li>ORIGINAL frugally-deep: {@code temp_*.json} key {@code tests}, base64 little-endian float32,
 *       shapes without the batch dimension;</li>
 *   <li>ORIGINAL keras-js: self-contained cases, see {@link KerasJsCases};</li>
 *   <li>DERIVED (real Keras 3.15.1): {@code derived_reference/*.inputs.npy} / {@code .outputs.npy};</li>
 *   <li>DERIVED-NumPy: {@code derived-references-numpy/index.json} entries with status {@code ok}.</li>
 * </ul>
 * {@code PARTIAL} references (DL4J files with only training targets) are not model outputs and are ignored.
 */
public final class References {
    /** In the order the sweep runs them. */
    public enum Kind {
        ORIGINAL("ORIGINAL"), DERIVED("DERIVED (Keras 3.15.1)"), DERIVED_NUMPY("DERIVED-NumPy");
        public final String label;
        Kind(String label) { this.label = label; }
    }

    /**
     * One call (or {@code calls} consecutive calls of a fresh session, for stateful keras-js
     * cases) of the model on {@code inputs}; the last call's outputs are compared to {@code expected}.
     */
    public record Case(String name, Tensor[] inputs, Tensor[] expected, int calls) {}

    /** A reference set of one kind; {@code source} is the zoo-relative file it came from. */
    public record Reference(Kind kind, String source, List<Case> cases, String note) {}

    private static final Pattern BACKTICK = Pattern.compile("`([^`]+)`");

    private References() {}

    /** Every usable reference of an entry, ORIGINAL first, then DERIVED, then DERIVED-NumPy. */
    public static List<Reference> of(Zoo zoo, Zoo.Entry e) {
        List<Reference> out = new ArrayList<>();
        if (e.type() == Zoo.Type.KERAS_JS) {
            out.add(KerasJsCases.reference(e));
            return out;
        }
        List<Reference> derived = new ArrayList<>();
        for (String r : e.references()) {
            List<String> paths = backticks(r);
            if (r.startsWith("ORIGINAL")) {
                out.add(original(zoo, r, paths));
            } else if (r.startsWith("DERIVED (real Keras")) {
                derived.add(npyPair(zoo, Kind.DERIVED, paths.get(0), paths.get(1), null));
            }
        }
        out.addAll(derived);
        String file = e.type() == Zoo.Type.CONFIG_WEIGHTS ? zoo.root().relativize(e.model()).toString() : e.file();
        JsonNode ix = zoo.numpyIndex(file);
        if (ix.isObject() && "ok".equals(ix.path("status").asText())) {
            out.add(npyPair(zoo, Kind.DERIVED_NUMPY, ix.path("inputs").asText(), ix.path("outputs").asText(), null));
        }
        return out;
    }

    /** Why a derived NumPy reference is missing, from index.json (null if there is one or no entry). */
    public static String numpyStatus(Zoo zoo, String file) {
        JsonNode ix = zoo.numpyIndex(file);
        if (ix.isTextual()) return ix.asText();
        return null;
    }

    static List<String> backticks(String s) {
        List<String> out = new ArrayList<>();
        Matcher m = BACKTICK.matcher(s);
        while (m.find()) out.add(m.group(1));
        return out;
    }

    private static Reference original(Zoo zoo, String text, List<String> paths) {
        if (text.contains("sequences/{0..282}.csv")) {
            String seq = paths.stream().filter(p -> p.contains("/sequences/")).findFirst().orElseThrow();
            String pred = paths.stream().filter(p -> p.endsWith(".npy")).findFirst().orElseThrow();
            return csvSequences(zoo, seq, pred);
        }
        for (String p : paths) {
            if (p.endsWith("_inputs_and_outputs.h5")) return dl4j(zoo, p);
            if (p.startsWith("frugally-deep/") && p.endsWith(".json")) return frugallyDeep(zoo, p);
        }
        List<String> npys = paths.stream().filter(p -> p.endsWith(".npy")).toList();
        if (npys.size() == 2) return npyPair(zoo, Kind.ORIGINAL, npys.get(0), npys.get(1), null);
        throw new IllegalStateException("unrecognised ORIGINAL reference: " + text);
    }

    static Reference npyPair(Zoo zoo, Kind kind, String in, String outPath, String note) {
        Tensor x = Npy.read(zoo.resolve(in)).tensor();
        Tensor y = Npy.read(zoo.resolve(outPath)).tensor();
        return new Reference(kind, outPath, List.of(new Case(shortName(outPath), new Tensor[]{x}, new Tensor[]{y}, 1)),
                note);
    }

    /** DL4J {@code *_inputs_and_outputs.h5}: {@code inputs/<name>} → {@code predictions/<name>}. */
    static Reference dl4j(Zoo zoo, String rel) {
        try (HdfFile f = new HdfFile(zoo.resolve(rel))) {
            List<Tensor> xs = groupTensors(f, "inputs", "inputs");
            List<Tensor> ys = groupTensors(f, "predictions", "outputs");
            return new Reference(Kind.ORIGINAL, rel, List.of(new Case(shortName(rel),
                    xs.toArray(Tensor[]::new), ys.toArray(Tensor[]::new), 1)), null);
        }
    }

    private static List<Tensor> groupTensors(HdfFile f, String group, String orderAttr) {
        Node g = f.getChild(group);
        if (!(g instanceof Group grp)) throw new IllegalStateException("no group '" + group + "'");
        Map<String, Node> children = new LinkedHashMap<>(grp.getChildren());
        List<String> order = new ArrayList<>();
        Attribute a = f.getAttribute(orderAttr);
        if (a != null) {
            Object d = a.getData();
            if (d instanceof String[] arr) order.addAll(List.of(arr));
            else if (d instanceof String s) order.add(s);
        }
        order.removeIf(n -> !children.containsKey(n));
        for (String n : children.keySet()) if (!order.contains(n)) order.add(n);
        List<Tensor> out = new ArrayList<>();
        for (String n : order) out.add(tensor((Dataset) children.get(n)));
        return out;
    }

    static Tensor tensor(Dataset ds) {
        Object flat = ds.getDataFlat();
        float[] v;
        if (flat instanceof float[] fa) v = fa.clone();
        else if (flat instanceof double[] da) {
            v = new float[da.length];
            for (int i = 0; i < da.length; i++) v[i] = (float) da[i];
        } else if (flat instanceof int[] ia) {
            v = new float[ia.length];
            for (int i = 0; i < ia.length; i++) v[i] = ia[i];
        } else if (flat instanceof long[] la) {
            v = new float[la.length];
            for (int i = 0; i < la.length; i++) v[i] = la[i];
        } else {
            throw new IllegalStateException("dataset " + ds.getPath() + " has unsupported type " + flat.getClass()
                    .getSimpleName());
        }
        return new Tensor(ds.getDimensions(), v);
    }

    /**
     * fullconfigs/lstm: sample i = rows of {@code i.csv} (timesteps), first 12 columns, parsed as
     * float64 and rounded to float32; expected = {@code predictions.npy} (one value per CSV).
     */
    static Reference csvSequences(Zoo zoo, String seqPattern, String predictions) {
        Path dir = zoo.resolve(seqPattern.substring(0, seqPattern.lastIndexOf('/')));
        Tensor y = Npy.read(zoo.resolve(predictions)).tensor();
        int n = y.size();
        int steps = -1, features = 12;
        List<float[]> rows = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                List<String> lines = Files.readAllLines(dir.resolve(i + ".csv")).stream().filter(l -> !l.isBlank())
                        .toList();
                if (steps < 0) steps = lines.size();
                if (lines.size() != steps) throw new IllegalStateException(i + ".csv has " + lines.size()
                        + " rows, expected " + steps);
                for (String l : lines) {
                    String[] c = l.split(";");
                    float[] r = new float[features];
                    for (int j = 0; j < features; j++) r[j] = (float) Double.parseDouble(c[j].trim());
                    rows.add(r);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        float[] x = new float[n * steps * features];
        for (int i = 0; i < rows.size(); i++) System.arraycopy(rows.get(i), 0, x, i * features, features);
        Tensor xt = new Tensor(new int[]{n, steps, features}, x);
        return new Reference(Kind.ORIGINAL, predictions, List.of(new Case("sequences/0.." + (n - 1) + ".csv",
                new Tensor[]{xt}, new Tensor[]{y.reshape(n, 1)}, 1)), null);
    }

    /** frugally-deep {@code tests}: per test, inputs and outputs as base64 float32 without batch dimension. */
    static Reference frugallyDeep(Zoo zoo, String rel) {
        JsonNode root;
        try {
            root = Zoo.JSON.readTree(zoo.resolve(rel).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Case> cases = new ArrayList<>();
        int k = 0;
        for (JsonNode t : root.path("tests")) {
            cases.add(new Case("tests[" + k++ + "]", fdeepTensors(t.path("inputs")), fdeepTensors(t.path("outputs")),
                    1));
        }
        return new Reference(Kind.ORIGINAL, rel, cases, null);
    }

    private static Tensor[] fdeepTensors(JsonNode arr) {
        List<Tensor> out = new ArrayList<>();
        for (JsonNode t : arr) {
            JsonNode shape = t.path("shape");
            int[] s = new int[shape.size() + 1];
            s[0] = 1;
            for (int i = 0; i < shape.size(); i++) s[i + 1] = shape.get(i).asInt();
            List<Float> vals = new ArrayList<>();
            for (JsonNode chunk : t.path("values")) {
                ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(chunk.asText()))
                        .order(ByteOrder.LITTLE_ENDIAN);
                while (b.remaining() >= 4) vals.add(b.getFloat());
            }
            float[] v = new float[vals.size()];
            for (int i = 0; i < v.length; i++) v[i] = vals.get(i);
            out.add(new Tensor(s, v));
        }
        return out.toArray(Tensor[]::new);
    }

    static String shortName(String rel) {
        int slash = rel.lastIndexOf('/');
        return slash >= 0 ? rel.substring(slash + 1) : rel;
    }
}

package io.jkeras.golden;

import io.jkeras.exceptions.InputException;
import io.jkeras.model.LoadOptions;
import io.jkeras.model.ModelLoader;
import io.jkeras.tensor.Tensor;
import io.jkeras.npy.Npy;
import io.jkeras.util.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A golden case: a directory of inputs {@code x0.npy, x1.npy, …} (the model's inputs in order;
 * k times as many files as inputs are k consecutive batches) and expected outputs
 * {@code y0.npy, y1.npy, …}, numbered from 0 without a gap, with optional tolerances in
 * {@code golden.json} (or {@code case.json}, the fixture generator's metadata):
 * {@code {"atol": 1e-5, "rtol": 0}}. A tolerance there is a JSON number, finite and {@code ≥ 0}
 * (whether it may exceed {@link Tolerance#MAX} is decided by the run, see
 * {@link Tolerance#resolve}); {@code golden.json} holds only the keys {@link #GOLDEN_JSON_KEYS}.
 */
public final class GoldenCase {
    /**
     * The keys a {@code golden.json} may hold (those {@code jkeras golden record} writes, and a name and description).
     */
    public static final Set<String> GOLDEN_JSON_KEYS = Set.of("atol", "rtol", "n_inputs", "n_outputs", "batches",
            "stateful", "inputs", "outputs", "output_names", "provenance", "name", "description");

    private static final Pattern NUMBERED = Pattern.compile("([xy])([0-9]+)\\.npy");

    private final Path dir;
    private final List<Path> xs;
    private final List<Path> ys;
    private final Double atol;
    private final Double rtol;
    private final String toleranceFile;

    private GoldenCase(Path dir, List<Path> xs, List<Path> ys, Double atol, Double rtol, String toleranceFile) {
        this.dir = dir;
        this.xs = xs;
        this.ys = ys;
        this.atol = atol;
        this.rtol = rtol;
        this.toleranceFile = toleranceFile;
    }

    public static GoldenCase open(Path dir) {
        if (!Files.isDirectory(dir)) throw new InputException(dir.toString(), null, null,
                "golden case must be a directory");
        Map<String, TreeMap<Integer, Path>> numbered = numbered(dir);
        List<Path> xs = contiguous(dir, numbered.get("x"), "x", "input");
        List<Path> ys = contiguous(dir, numbered.get("y"), "y", "expected output");
        if (xs.isEmpty()) throw new InputException(dir.toString(), null, null, "golden case has no x0.npy");
        if (ys.isEmpty()) throw new InputException(dir.toString(), null, null, "golden case has no y0.npy");
        for (String name : new String[]{"golden.json", "case.json"}) {
            Path p = dir.resolve(name);
            if (!Files.isRegularFile(p)) continue;
            Json j = readJson(p);
            if (name.equals("golden.json")) {
                for (Map.Entry<String, Json> field : j.fields()) {
                    String k = field.getKey();
                    if (!GOLDEN_JSON_KEYS.contains(k)) {
                        throw new InputException(p.toString(), null, null, "unknown key '" + k
                                + "'; golden.json holds only "
                                + String.join(", ", new TreeSet<>(GOLDEN_JSON_KEYS)));
                    }
                }
            }
            Double atol = tolerance(p, j, "atol"), rtol = tolerance(p, j, "rtol");
            return new GoldenCase(dir, xs, ys, atol, rtol, atol == null && rtol == null ? null : name);
        }
        return new GoldenCase(dir, xs, ys, null, null, null);
    }

    /** The object in {@code p}, parsed strictly ({@link Json#parse}); a syntax error names its line and column. */
    private static Json readJson(Path p) {
        byte[] b;
        try {
            if (Files.size(p) > MAX_JSON_BYTES) {
                throw new InputException(p.toString(), null, null, "is larger than " + MAX_JSON_BYTES + " bytes");
            }
            b = Files.readAllBytes(p);
            // a UTF-8 byte order mark (some editors write one) is not part of the JSON, as Jackson read it
            if (b.length >= 3 && b[0] == (byte) 0xEF && b[1] == (byte) 0xBB && b[2] == (byte) 0xBF) {
                b = Arrays.copyOfRange(b, 3, b.length);
            }
        } catch (IOException e) {
            throw new InputException(p.toString(), null, null, "cannot be read: " + e.getMessage());
        }
        if (new String(b, java.nio.charset.StandardCharsets.ISO_8859_1).isBlank()) {
            throw new InputException(p.toString(), null, null, "is not a JSON object");
        }
        Json j;
        try {
            j = Json.parse(b);
        } catch (Json.Syntax e) {
            throw new InputException(p.toString(), null, null, "is not valid JSON: " + e.reason()
                    + " (" + lineAndColumn(b, e.offset()) + ")");
        }
        if (!j.isObject()) throw new InputException(p.toString(), null, null, "is not a JSON object");
        return j;
    }

    /** "line L, column C" of byte {@code offset}, both from 1 (columns count bytes; CR, LF and CRLF end a line). */
    static String lineAndColumn(byte[] b, int offset) {
        int line = 1, lineStart = 0;
        for (int i = 0; i < offset && i < b.length; i++) {
            if (b[i] == '\n' || (b[i] == '\r' && (i + 1 >= b.length || b[i + 1] != '\n'))) {
                line++;
                lineStart = i + 1;
            }
        }
        return "line " + line + ", column " + (offset - lineStart + 1);
    }

    /** golden.json and case.json are small; the fixture generator's case.json with a model summary is a few KiB. */
    private static final long MAX_JSON_BYTES = 4 << 20;

    /** The value of {@code key} in {@code j} (null when absent): a JSON number, finite and non-negative. */
    private static Double tolerance(Path p, Json j, String key) {
        Json n = j.get(key);
        if (n == null) return null;
        if (!n.isNumber()) {
            throw new InputException(p.toString(), null, null, "'" + key + "' is " + n + " (a JSON " + n.typeName()
                    + "), but must be a number; " + Tolerance.RULE);
        }
        double v = n.doubleValue();
        String problem = Tolerance.problem(v, true);
        if (problem != null) {
            // the number as written, without trailing zeros (1e999 is 1E+999), as the message always showed it
            String written = n.isIntegralNumber() ? n.toString() : n.decimalValue().stripTrailingZeros().toString();
            throw new InputException(p.toString(), null, null, "'" + key + "' is " + written + ": " + problem);
        }
        return v;
    }

    /**
     * Every x&lt;i&gt;.npy and y&lt;i&gt;.npy in {@code dir}, by prefix and number; a badly numbered name is refused.
     */
    private static Map<String, TreeMap<Integer, Path>> numbered(Path dir) {
        Map<String, TreeMap<Integer, Path>> out = Map.of("x", new TreeMap<>(), "y", new TreeMap<>());
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String f = p.getFileName().toString();
                Matcher m = NUMBERED.matcher(f);
                if (!m.matches()) continue;
                String digits = m.group(2);
                if (digits.length() > 9 || (digits.length() > 1 && digits.charAt(0) == '0')) {
                    throw new InputException(p.toString(), null, null,
                            "is not a golden case file name: files are numbered "
                            + m.group(1) + "0.npy, " + m.group(1) + "1.npy, … (no leading zeros)");
                }
                if (!Files.isRegularFile(p)) throw new InputException(p.toString(), null, null,
                        "is not a regular file");
                out.get(m.group(1)).put(Integer.parseInt(digits), p);
            }
        } catch (IOException e) {
            throw new InputException(dir.toString(), null, null, "cannot list the golden case: " + e.getMessage());
        }
        return out;
    }

    /** The files 0..n-1 in order; a gap (x0 and x2 but no x1) is refused naming the missing file. */
    private static List<Path> contiguous(Path dir, TreeMap<Integer, Path> files, String prefix, String what) {
        List<Path> out = new ArrayList<>();
        for (Map.Entry<Integer, Path> e : files.entrySet()) {
            if (e.getKey() != out.size()) {
                throw new InputException(dir.toString(), null, null, "golden case holds " + prefix + e.getKey()
                        + ".npy but no "
                        + prefix + out.size() + ".npy: " + what + " files are numbered " + prefix + "0.npy, " + prefix
                        + "1.npy, … without a gap");
            }
            out.add(e.getValue());
        }
        return out;
    }

    public Path dir() { return dir; }

    public List<Path> inputFiles() { return xs; }

    public List<Path> outputFiles() { return ys; }

    /** The case's own absolute tolerance, or null. */
    public Double atol() { return atol; }

    /** The case's own relative tolerance, or null. */
    public Double rtol() { return rtol; }

    /** The file the case's tolerances were read from ({@code golden.json} or {@code case.json}), or null. */
    public String toleranceFile() { return toleranceFile; }

    /** The directory's name, e.g. {@code lstm_default}. */
    public String name() {
        Path n = dir.toAbsolutePath().normalize().getFileName();
        return n == null ? dir.toString() : n.toString();
    }

    /** Model files a case may hold, in the order they are looked for. */
    static final String[] MODEL_FILES = {"model.jkm", "model.h5", "model.keras"};

    /**
     * The model stored with the case, if any: {@code model.jkm}, {@code model.h5} or
     * {@code model.keras} (the first that exists), else {@code config.json} with
     * {@code weights.h5} or {@code model.weights.h5} (then the weights file).
     */
    public java.util.Optional<Path> modelFile() {
        for (String f : MODEL_FILES) if (Files.isRegularFile(dir.resolve(f))) return java.util.Optional.of(
                dir.resolve(f));
        if (Files.isRegularFile(dir.resolve("config.json"))) {
            for (String w : new String[]{"weights.h5", "model.weights.h5"}) {
                if (Files.isRegularFile(dir.resolve(w))) return java.util.Optional.of(dir.resolve(w));
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * Loads the model stored with the case ({@link #modelFile()}) with the {@link ModelLoader} that
     * takes it (a weights file with the case's {@code config.json}); an error when there is none.
     */
    public io.jkeras.model.Model loadModel() {
        Path p = modelFile().orElseThrow(() -> new InputException(dir.toString(), null, null,
                "golden case holds no model (model.jkm, model.h5, model.keras, or config.json with weights.h5)"));
        return ModelLoader.forFile(p).load(p, LoadOptions.DEFAULT);
    }

    @Override
    public String toString() { return name(); }

    public Tensor input(int i) { return Npy.read(xs.get(i)).tensor(); }

    /** Input file {@code i}, feeding input {@code modelInput} of {@code model}: checked before its data is read. */
    public Tensor input(int i, io.jkeras.model.Model model, int modelInput) {
        return Npy.readInput(xs.get(i), model, modelInput).tensor();
    }

    public Tensor expected(int i) { return Npy.read(ys.get(i)).tensor(); }
}

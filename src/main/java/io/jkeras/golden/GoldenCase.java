package io.jkeras.golden;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jkeras.InputException;
import io.jkeras.model.Tensor;
import io.jkeras.npy.Npy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A golden case: a directory of inputs {@code x0.npy, x1.npy, …} (the model's inputs in order;
 * k times as many files as inputs are k consecutive batches) and expected outputs
 * {@code y0.npy, y1.npy, …}, with optional tolerances in {@code golden.json} (or
 * {@code case.json}): {@code {"atol": 1e-5, "rtol": 0}}.
 */
public final class GoldenCase {
    private final Path dir;
    private final List<Path> xs;
    private final List<Path> ys;
    private final Double atol;
    private final Double rtol;

    private GoldenCase(Path dir, List<Path> xs, List<Path> ys, Double atol, Double rtol) {
        this.dir = dir;
        this.xs = xs;
        this.ys = ys;
        this.atol = atol;
        this.rtol = rtol;
    }

    public static GoldenCase open(Path dir) {
        if (!Files.isDirectory(dir)) throw new InputException(dir.toString(), null, null, "golden case must be a directory");
        List<Path> xs = numbered(dir, "x");
        List<Path> ys = numbered(dir, "y");
        if (xs.isEmpty()) throw new InputException(dir.toString(), null, null, "golden case has no x0.npy");
        if (ys.isEmpty()) throw new InputException(dir.toString(), null, null, "golden case has no y0.npy");
        Double atol = null, rtol = null;
        for (String name : new String[]{"golden.json", "case.json"}) {
            Path p = dir.resolve(name);
            if (!Files.isRegularFile(p)) continue;
            try {
                JsonNode j = new ObjectMapper().readTree(p.toFile());
                if (j.has("atol") && j.get("atol").isNumber()) atol = j.get("atol").asDouble();
                if (j.has("rtol") && j.get("rtol").isNumber()) rtol = j.get("rtol").asDouble();
            } catch (IOException e) {
                throw new InputException(p.toString(), null, null, "is not valid JSON: " + e.getMessage());
            }
            break;
        }
        return new GoldenCase(dir, xs, ys, atol, rtol);
    }

    private static List<Path> numbered(Path dir, String prefix) {
        List<Path> out = new ArrayList<>();
        for (int i = 0; ; i++) {
            Path p = dir.resolve(prefix + i + ".npy");
            if (!Files.isRegularFile(p)) break;
            out.add(p);
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
        for (String f : MODEL_FILES) if (Files.isRegularFile(dir.resolve(f))) return java.util.Optional.of(dir.resolve(f));
        if (Files.isRegularFile(dir.resolve("config.json"))) {
            for (String w : new String[]{"weights.h5", "model.weights.h5"}) {
                if (Files.isRegularFile(dir.resolve(w))) return java.util.Optional.of(dir.resolve(w));
            }
        }
        return java.util.Optional.empty();
    }

    /** Loads the model stored with the case ({@link #modelFile()}); an error when there is none. */
    public io.jkeras.model.Model loadModel() {
        Path p = modelFile().orElseThrow(() -> new InputException(dir.toString(), null, null,
                "golden case holds no model (model.jkm, model.h5, model.keras, or config.json with weights.h5)"));
        String f = p.getFileName().toString();
        if (f.equals("weights.h5") || f.equals("model.weights.h5")) return io.jkeras.JKeras.load(dir.resolve("config.json"), p);
        return io.jkeras.JKeras.load(p);
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

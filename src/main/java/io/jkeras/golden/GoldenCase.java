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

    public Tensor input(int i) { return Npy.read(xs.get(i)).tensor(); }

    public Tensor expected(int i) { return Npy.read(ys.get(i)).tensor(); }
}

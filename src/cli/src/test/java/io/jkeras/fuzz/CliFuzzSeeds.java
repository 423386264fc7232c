package io.jkeras.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes the seed corpus of {@link CliFuzzTest#commandLine}: one input per command line below,
 * encoded as {@link CliFuzzTest} reads it (the model pick, no patches, literal arguments). Run from
 * the repository root after a build:
 *
 * <pre>java -cp target/classes:target/test-classes:$(deps) io.jkeras.fuzz.CliFuzzSeeds</pre>
 */
public final class CliFuzzSeeds {
    private CliFuzzSeeds() {}

    /**
     * A seed: the model ({@link CliFuzzTest#MODELS} index), the arguments and the exit code they must give (-1: any
     * allowed).
     */
    record Seed(String name, int model, List<String> args, int exit) {
        Seed(String name, int model, List<String> args) { this(name, model, args, 0); }
    }

    static final List<Seed> SEEDS = List.of(
            new Seed("summary-h5", 0, List.of("summary", "{model}")),
            new Seed("weights-h5", 0, List.of("weights", "{model}")),
            new Seed("predict-h5", 0, List.of("predict", "{model}", "-i", "{x}", "-o", "{tmp}/out.npy")),
            new Seed("predict-over-existing", 0, List.of("predict", "{model}", "-i", "{x}", "-o", "{exists}"), -1),
            new Seed("verify-pass", 0, List.of("verify", "{model}", "--golden", "{case}")),
            new Seed("verify-report", 0,
                    List.of("verify", "{model}", "--golden", "{case}", "--atol", "0", "--rtol", "0",
                    "--report", "{tmp}/r.html"), -1),
            new Seed("train-keras", 0,
                    List.of("train", "{model}", "--x", "{x}", "--y", "{y}", "--loss", "mse", "--epochs", "2",
                    "--batch-size", "2", "-o", "{tmp}/t.keras", "--history", "{tmp}/h.json", "--plot", "{tmp}/p.svg")),
            new Seed("train-output-exists", 0,
                    List.of("train", "{model}", "--x", "{x}", "--y", "{y}", "--loss", "mse", "-o", "{exists}"), 2),
            new Seed("convert-jkm-check", 0, List.of("convert", "{model}", "{tmp}/c.jkm", "--embed-check")),
            new Seed("convert-golden", 0,
                    List.of("convert", "{model}", "{tmp}/c.jkm", "--embed-check-golden", "{case}")),
            new Seed("convert-keras", 0, List.of("convert", "{model}", "{tmp}/c.keras")),
            new Seed("convert-exists", 0, List.of("convert", "{model}", "{exists}", "--force")),
            new Seed("golden-record", 0,
                    List.of("golden", "record", "{model}", "-i", "{x}", "--dir", "{tmp}/g", "--with-model")),
            new Seed("summary-directory", 0, List.of("summary", "{dir}"), 2),
            new Seed("version", 0, List.of("--version")),
            new Seed("help-train", 0, List.of("help", "train")),
            new Seed("summary-keras", 1, List.of("summary", "{model}")),
            new Seed("predict-keras", 1, List.of("predict", "{model}", "-i", "{x}", "-o", "{tmp}/out.npy")),
            new Seed("weights-config", 2, List.of("weights", "{model}", "--config", "{config}")),
            new Seed("verify-config", 2, List.of("verify", "{model}", "--config", "{config}", "--golden", "{case}")),
            new Seed("predict-two-in-two-out", 3, List.of("predict", "{model}", "-i", "{x}", "-i", "{case}/x1.npy",
                    "-o", "{tmp}/a.npy", "-o", "{tmp}/b.npy")),
            new Seed("train-two-in-two-out", 3,
                    List.of("train", "{model}", "--x", "{x}", "--x", "{case}/x1.npy", "--y", "{y}",
                    "--y", "{case}/y1.npy", "--loss", "mae", "--optimizer", "sgd", "--momentum", "0.9", "-o",
                            "{tmp}/t.h5")),
            new Seed("summary-embedding", 4, List.of("summary", "{model}")),
            new Seed("verify-embedding", 4, List.of("verify", "{model}", "--golden", "{case}")),
            new Seed("summary-hostile", 5, List.of("summary", "{model}")),
            new Seed("verify-hostile-report", 5,
                    List.of("verify", "{model}", "--golden", "{case}", "--report", "{tmp}/r.html")));

    static byte[] encode(Seed s) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(s.model());
        b.write(0); // no patch to the model
        b.write(0); // no patch to x.npy
        for (String a : s.args()) {
            byte[] u = a.getBytes(StandardCharsets.UTF_8);
            if (u.length >= 64) throw new IllegalArgumentException("argument longer than 63 bytes: " + a);
            b.write(u.length);
            b.writeBytes(u);
        }
        return b.toByteArray();
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of("src/cli/src/test/resources/io/jkeras/fuzz/CliFuzzTestInputs/commandLine");
        Files.createDirectories(out);
        for (Seed s : SEEDS) {
            Path p = out.resolve("seed-" + s.name());
            Files.write(p, encode(s));
            System.out.println(p + " " + Files.size(p));
        }
    }
}

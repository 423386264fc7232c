package io.jkeras.fuzz;

import io.jkeras.JKeras;
import io.jkeras.format.EmbeddedCheck;
import io.jkeras.format.Jkm;
import io.jkeras.format.JkmWriter;
import io.jkeras.model.Model;
import io.jkeras.tensor.Tensor;
import io.jkeras.npy.Npy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the seed corpus of {@link ReadersFuzzTest#nativeJkm}: native files converted from a few
 * fixtures (one with an embedded check built from the fixture's own x/y files). Run from the
 * repository root after a build:
 *
 * <pre>java -cp target/classes:target/test-classes:$(deps) io.jkeras.fuzz.JkmSeeds</pre>
 */
public final class JkmSeeds {
    private JkmSeeds() {}

    public static void main(String[] args) throws IOException {
        Path out = Path.of("src/keras/src/test/resources/io/jkeras/fuzz/ReadersFuzzTestInputs/nativeJkm");
        Files.createDirectories(out);
        for (String c : List.of("lstm_default", "gru_default", "graph_two_in_two_out", "bidir_lstm_concat",
                "embedding_mask_lstm",
                "conv1d_causal_lstm", "stack_lstm_batchnorm_dense", "lstm_stateful")) {
            Path dir = Path.of("fixtures", "keras3", c);
            Model m = JKeras.load(dir.resolve("model.h5"));
            // seed-<case>.jkm are format 1.0 files; later versions add seed-v<major>-<case>.jkm
            Path p = out.resolve("seed-v" + Jkm.MAJOR + "-" + c + Jkm.EXTENSION);
            if (c.equals("lstm_default") || c.equals("lstm_stateful")) {
                List<Tensor[]> xs = new ArrayList<>(), ys = new ArrayList<>();
                for (int b = 0; Files.exists(dir.resolve("x" + b + ".npy")); b++) {
                    xs.add(new Tensor[]{Npy.read(dir.resolve("x" + b + ".npy")).tensor()});
                    ys.add(new Tensor[]{Npy.read(dir.resolve("y" + b + ".npy")).tensor()});
                }
                EmbeddedCheck check = new EmbeddedCheck("keras (fixture " + c + ")", 1e-5, 0, xs, ys);
                Jkm.save(m, p, new JkmWriter.Options(null, List.of(check)));
            } else {
                Jkm.save(m, p);
            }
            System.out.println(p + " " + Files.size(p));
        }
    }
}

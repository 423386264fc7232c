package io.jkeras.hostile;

import io.jkeras.exceptions.InputException;
import io.jkeras.JKeras;
import io.jkeras.exceptions.JKerasException;
import io.jkeras.exceptions.ModelFileException;
import io.jkeras.exceptions.ModelFormatException;
import io.jkeras.exceptions.WeightException;
import io.jkeras.model.LoadOptions;
import io.jkeras.model.Model;
import io.jkeras.tensor.Tensor;
import io.jkeras.npy.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.ThrowingSupplier;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Resource limits before allocation: files whose headers or configs claim absurd sizes are refused
 * with an error naming the limit, within a bounded time (a preemptive timeout) and a bounded
 * memory: the bytes the loading thread allocates, as the JVM counts them
 * ({@code com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes}), stay under 64 MiB
 * however large the claim. Each limit is configurable in {@link LoadOptions}.
 */
class LimitsTest {
    private static final Path BAD = Path.of("fixtures", "bad");
    private static final Path K3 = Path.of("fixtures", "keras3");
    private static final long MEMORY = 64L << 20;

    @TempDir
    Path tmp;

    /** Runs {@code r} (which must throw {@code type}) in bounded time, checking the bytes it allocates. */
    static <T extends JKerasException> T refused(Class<T> type, ThrowingSupplier<?> r, String... fragments) {
        Object[] out = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = mx.getCurrentThreadAllocatedBytes();
            Throwable t = null;
            try {
                r.get();
            } catch (Throwable x) {
                t = x;
            }
            return new Object[]{t, mx.getCurrentThreadAllocatedBytes() - before};
        });
        Throwable t = (Throwable) out[0];
        long allocated = (Long) out[1];
        assertThat(t).as("refused").isNotNull();
        if (!type.isInstance(t)) throw new AssertionError("expected " + type.getSimpleName() + ", got " + t, t);
        for (String f : fragments) assertThat(t.getMessage()).contains(f);
        assertThat(allocated).as("bytes allocated while refusing: " + t.getMessage()).isLessThan(MEMORY);
        return type.cast(t);
    }

    // ---------------------------------------------------------------- 100 GB claimed by a header

    @Test
    void hdf5DatasetClaiming100GB() {
        Path p = BAD.resolve("lstm_kernel_claims_100gb_float64.h5");
        refused(WeightException.class, () -> JKeras.load(p), "weight 'kernel'", "shape [125000, 100000]",
                "exceeds the limit of 268435456 elements");
        // the limit is the option: lowered, a real kernel (4, 20) is refused too
        refused(WeightException.class, () -> JKeras.load(K3.resolve("lstm_default/model.h5"),
                LoadOptions.DEFAULT.withMaxWeightElements(50)), "exceeds the limit of 50 elements");
        Path w = BAD.resolve("weights_kernel_claims_100gb.weights.h5");
        refused(WeightException.class, () -> JKeras.load(K3.resolve("gru_default/config.json"), w), "layer 'gru'",
                "shape [160000, 160000]");
    }

    @Test
    void npyClaiming100GB() throws IOException {
        Path p = BAD.resolve("npy_claims_100gb.npy");
        refused(InputException.class, () -> Npy.read(p), "shape (25000000000,) is too large",
                "LoadOptions.maxInputElements");
        byte[] b = Files.readAllBytes(p);
        refused(InputException.class, ()
                -> Npy.read(new ByteArrayInputStream(b), "pipe", -1, LoadOptions.DEFAULT_MAX_INPUT_ELEMENTS),
                "is too large");
        // configurable: a real 63-element input over a limit of 10
        Path x = K3.resolve("stack_lstm_lstm_dense/x0.npy");
        assertThat(Npy.read(x).tensor().size()).isEqualTo(63);
        refused(InputException.class, () -> Npy.read(x, LoadOptions.DEFAULT.withMaxInputElements(10)),
                "more than the limit of 10 elements");
    }

    @Test
    void zipEntryClaiming100GBAndZipBombs() {
        refused(ModelFileException.class, () -> JKeras.load(BAD.resolve("zip_entry_claims_100gb.keras")),
                "declares 107374182400 bytes", "LoadOptions.maxArchiveBytes");
        refused(ModelFileException.class, () -> JKeras.load(BAD.resolve("zip_billion_entries.keras")),
                "lists 1000000000 entries");
        // 16 MiB of zeros in 16 KB: refused from the header, and (header lying) while inflating, using
        // at most the ratio bound (1.6 MB) of memory
        refused(ModelFileException.class, () -> JKeras.load(BAD.resolve("zip_bomb_ratio.keras")), "zip bomb");
        refused(ModelFileException.class, () -> JKeras.load(BAD.resolve("zip_bomb_lying_size.keras")),
                "decompresses to more than", "zip bomb");
    }

    // ---------------------------------------------------------------- configs

    /**
     * A config of 10^9 layers is at least 10^9 × 3 bytes: represented by a sparse file of 30 GB
     * (no disk space used), refused from its size before any byte is read.
     */
    @Test
    void billionLayerConfigRefusedBeforeReading() throws IOException {
        Path json = tmp.resolve("billion.json");
        try (RandomAccessFile f = new RandomAccessFile(json.toFile(), "rw")) {
            f.setLength(30_000_000_000L);
        }
        Path weights = K3.resolve("gru_default/model.weights.h5");
        refused(ModelFileException.class, () -> JKeras.load(json, weights), json
                + ": architecture JSON holds 30000000000 bytes",
                "more than the limit of 16777216 (LoadOptions.maxConfigBytes)");
    }

    @Test
    void layerCountIsLimitedBeforeBuilding() throws IOException {
        Path many = BAD.resolve("config_too_many_layers.json");
        Path weights = K3.resolve("gru_default/model.weights.h5");
        refused(ModelFormatException.class, () -> JKeras.load(many, weights), "lists 10001 layers",
                "LoadOptions.maxLayers");
        // with a higher limit the same file gets past the count and fails on its first (empty) entry
        refused(ModelFormatException.class, () -> JKeras.load(many, weights, LoadOptions.DEFAULT.withMaxLayers(20_000)),
                "layer has no 'class_name'");
        // and a lower limit refuses a real model (stack_lstm_lstm_dense lists 4: InputLayer, LSTM, LSTM, Dense)
        refused(ModelFormatException.class, () -> JKeras.load(K3.resolve("stack_lstm_lstm_dense/model.h5"),
                LoadOptions.DEFAULT.withMaxLayers(2)), "Sequential config lists 4 layers, more than the limit of 2");
    }

    @Test
    void deeplyNestedAndOversizedJson() throws IOException {
        Path deep = BAD.resolve("config_too_deep.json");
        Path weights = K3.resolve("gru_default/model.weights.h5");
        refused(ModelFormatException.class, () -> JKeras.load(deep, weights), "deeper than the limit of 200 levels");
        // 10 levels are enough to refuse a real Keras 3 config: it nests about 10 deep
        Path config = K3.resolve("gru_default/config.json");
        refused(ModelFormatException.class, () -> JKeras.load(config, weights, LoadOptions.DEFAULT.withMaxJsonDepth(4)),
                "deeper than the limit of 4 levels");
        refused(ModelFormatException.class, ()
                -> JKeras.load(config, weights, LoadOptions.DEFAULT.withMaxJsonTokens(100)),
                "more than 100 JSON values (LoadOptions.maxJsonTokens)");
        refused(ModelFileException.class, ()
                -> JKeras.load(config, weights, LoadOptions.DEFAULT.withMaxConfigBytes(1000)),
                "more than the limit of 1000 (LoadOptions.maxConfigBytes)");
        // the model_config attribute of an HDF5 file and the config.json of a .keras archive alike
        refused(ModelFormatException.class, () -> JKeras.load(K3.resolve("lstm_default/model.h5"),
                LoadOptions.DEFAULT.withMaxConfigBytes(1000)), "characters, more than the limit of 1000");
        refused(ModelFormatException.class, () -> JKeras.load(K3.resolve("lstm_default/model.keras"),
                LoadOptions.DEFAULT.withMaxJsonDepth(3)), "deeper than the limit of 3 levels");
        // 5 MB of "[0,0,...]": refused while parsing, before a tree of a million nodes is built
        StringBuilder sb = new StringBuilder("{\"class_name\": \"Sequential\", \"config\": {\"layers\": [");
        for (int i = 0; i < 2_500_000; i++) sb.append(i > 0 ? ",0" : "0");
        Path wide = Files.writeString(tmp.resolve("wide.json"), sb.append("]}}"), StandardCharsets.UTF_8);
        refused(ModelFormatException.class, ()
                -> JKeras.load(wide, weights, LoadOptions.DEFAULT.withMaxJsonTokens(100_000)),
                "more than 100000 JSON values");
    }

    // ---------------------------------------------------------------- HDF5 filters

    /**
     * HDF5's own filters (deflate, shuffle) decode in pure Java and give the same weights; the
     * codecs jkeras leaves out (LZF, LZ4) are refused by name (fixtures/bad/lstm_kernel_lz*.h5).
     */
    @Test
    void gzipCompressedWeightsLoadAsTheUncompressedOnes() {
        Model gzip = JKeras.load(Path.of("fixtures", "hostile", "gzip_weights.h5"));
        Model good = JKeras.load(K3.resolve("lstm_default/model.h5"));
        for (int i = 0; i < good.weights().size(); i++) {
            assertThat(gzip.weights().get(i).weight().values()).as(good.weights().get(i).fullName())
                    .containsExactly(good.weights().get(i).weight().values());
        }
    }

    // ---------------------------------------------------------------- HDF5 cycles

    /**
     * jhdf reads groups lazily and never walks the tree, and jkeras only follows the paths the file
     * names (weight_names, or the paths the config implies), never links other than hard links. A
     * hard-link cycle is harmless where no path goes through it, and refused where one does.
     */
    @Test
    void hdf5GroupCycles() {
        Model harmless = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> JKeras.load(Path.of("fixtures", "hostile", "harmless_group_cycle.h5")));
        Model good = JKeras.load(K3.resolve("lstm_default/model.h5"));
        Tensor x = Tensor.zeros(2, 6, 4);
        x.data()[3] = 0.5f;
        assertThat(harmless.predict(x)[0].data()).containsExactly(good.predict(x)[0].data());

        refused(ModelFormatException.class, () -> JKeras.load(BAD.resolve("weight_path_through_cycle.h5")),
                "layer 'lstm'", "the group it already passed", "cycle");
        refused(ModelFormatException.class, () -> JKeras.load(K3.resolve("gru_default/config.json"),
                BAD.resolve("weights_group_cycle.weights.h5")), "the group it already passed at 'layers/gru'");
        // links are never followed: an external link to /etc/passwd is just "no such dataset"
        refused(WeightException.class, () -> JKeras.load(BAD.resolve("kernel_external_link.h5")), "no such dataset");
        refused(WeightException.class, () -> JKeras.load(BAD.resolve("kernel_soft_link_loop.h5")), "no such dataset");
    }

    @Test
    void defaultsAreDocumentedValues() {
        LoadOptions d = LoadOptions.DEFAULT;
        assertThat(d.allowNonFiniteWeights()).isFalse();
        assertThat(d.maxWeightElements()).isEqualTo(1L << 28);
        assertThat(d.maxStreamBytes()).isEqualTo(1L << 31);
        assertThat(d.maxArchiveEntries()).isEqualTo(10_000);
        assertThat(d.maxArchiveBytes()).isEqualTo(1L << 31);
        assertThat(d.maxCompressionRatio()).isEqualTo(100);
        assertThat(d.maxConfigBytes()).isEqualTo(16L << 20);
        assertThat(d.maxJsonTokens()).isEqualTo(4_000_000);
        assertThat(d.maxJsonDepth()).isEqualTo(200);
        assertThat(d.maxLayers()).isEqualTo(10_000);
        assertThat(d.maxInputElements()).isEqualTo(1L << 28);
        assertThrows(IllegalArgumentException.class, () -> d.withMaxLayers(0));
        // every fixture loads under the defaults (KerasFixturesTest); the limits leave a wide margin
        assertThat(new LoadOptions(false, 1, 1).maxLayers()).isEqualTo(10_000);
    }
}

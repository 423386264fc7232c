package io.jkeras.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jkeras.JKeras;
import io.jkeras.exceptions.JKerasException;
import io.jkeras.format.Jkm;
import io.jkeras.format.JkmReader;
import io.jkeras.keras.ConfigParser;
import io.jkeras.model.LoadOptions;
import io.jkeras.model.Model;
import io.jkeras.tensor.Tensor;
import io.jkeras.npy.Npy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Coverage-guided fuzzing (Jazzer) of every reader of untrusted bytes. Each target feeds the bytes
 * to a reader and accepts exactly two outcomes: success, or a {@link JKerasException} subtype with
 * a message and without a programming error from jkeras' own code behind it (see
 * {@link #typedOrSuccess}). Anything else (a raw exception, an {@code OutOfMemoryError}, a
 * {@code StackOverflowError}, a hang past the per-input bound) is a finding.
 *
 * <p>In a plain {@code mvn test} (regression mode) every target runs once on each saved input in
 * {@code src/test/resources/io/jkeras/fuzz/ReadersFuzzTestInputs/<method>/}: the seeds taken from
 * {@code fixtures/} and every finding of earlier fuzzing runs. {@code JAZZER_FUZZ=1} turns one
 * target into a fuzzing run (docs/security.md, "Fuzzing"; runs are recorded in docs/fuzzing.md).
 *
 * <p>The loads use limits smaller than the defaults ({@link #LIMITS}) so that a header claiming a
 * large but allowed size costs little memory per execution; the limit checks themselves are the
 * same code.
 */
class ReadersFuzzTest {
    /**
     * Per-input bound: a hang is a finding. In regression mode each input runs under
     * {@code assertTimeoutPreemptively}; a fuzzing run passes {@code -timeout=10} to libFuzzer
     * (docs/security.md), whose watchdog reports a slow input as a finding. (A JUnit {@code @Timeout} would
     * bound the whole fuzzing run, not each input.)
     */
    private static final Duration PER_INPUT = Duration.ofSeconds(10);
    private static final boolean FUZZING = System.getenv("JAZZER_FUZZ") != null && !System.getenv("JAZZER_FUZZ")
            .isEmpty();

    /** Small limits: 16 M elements per weight, 64 MiB per stream or archive. */
    static final LoadOptions LIMITS = LoadOptions.DEFAULT.withMaxStreamBytes(64L << 20).withMaxArchiveBytes(64L << 20)
            .withMaxWeightElements(1L << 24);

    /**
     * The fixtures whose config and Keras 3 weights file the weights and config targets pair: the
     * first byte of an input picks one (modulo the count).
     */
    static final List<String> PAIRS = List.of("gru_default", "bidir_lstm_concat", "conv1d_causal_lstm",
            "embedding_mask_lstm");

    /** Exceptions that are a bug when thrown by jkeras' own code, even wrapped in a typed error. */
    private static final List<Class<? extends Throwable>> BUGS = List.of(NullPointerException.class,
            ClassCastException.class,
            IndexOutOfBoundsException.class, NegativeArraySizeException.class, ArithmeticException.class,
            IllegalStateException.class, UnsupportedOperationException.class, StackOverflowError.class,
            OutOfMemoryError.class);

    /**
     * Classes whose last-resort handlers wrap an unexpected RuntimeException into a typed error: reaching one is a
     * finding.
     */
    private static final java.util.Set<String> LAST_RESORT = java.util.Set.of("io.jkeras.keras.KerasLoader",
            "io.jkeras.format.JkmReader");

    /** One scratch directory per JVM for targets whose reader takes a path. */
    private static final Path SCRATCH;

    static {
        SCRATCH = io.jkeras.TestScratch.create("jkeras-fuzz");
    }

    // ---------------------------------------------------------------- targets

    /** A full-model file from a stream: legacy HDF5 (and anything else; the format is told by the bytes). */
    @FuzzTest(maxDuration = "10m")
    void legacyHdf5(byte[] data) {
        typedOrSuccess(() -> exercise(JKeras.load(new ByteArrayInputStream(data), "fuzz.h5", LIMITS)));
    }

    /** A Keras 3 {@code .keras} zip archive from a stream. */
    @FuzzTest(maxDuration = "10m")
    void kerasZip(byte[] data) {
        typedOrSuccess(() -> exercise(JKeras.load(new ByteArrayInputStream(data), "fuzz.keras", LIMITS)));
    }

    /**
     * A Keras 3 {@code .weights.h5} (bytes after the first) loaded with a real config (picked by the
     * first byte), through the path API as {@code --config} uses it.
     */
    @FuzzTest(maxDuration = "10m")
    void weightsH5WithConfig(byte[] data) throws IOException {
        if (data.length < 1) return;
        Path config = fixture(PAIRS.get((data[0] & 0xff) % PAIRS.size())).resolve("config.json");
        Path weights = SCRATCH.resolve("fuzz.weights.h5");
        Files.write(weights, java.util.Arrays.copyOfRange(data, 1, data.length));
        typedOrSuccess(() -> exercise(JKeras.load(config, weights, LIMITS)));
    }

    /** A {@code .npy} input, of known length (a file) and of unknown length (a pipe). */
    @FuzzTest(maxDuration = "10m")
    void npy(byte[] data) {
        typedOrSuccess(() -> Npy.read(new ByteArrayInputStream(data), "fuzz.npy", data.length, 1L << 24));
        typedOrSuccess(() -> Npy.read(new ByteArrayInputStream(data), "fuzz.npy", -1, 1L << 24));
    }

    /**
     * A model config JSON (bytes after the first): parsed by {@link ConfigParser}, then loaded with
     * the real weights of the fixture the first byte picks (index {@code PAIRS.size()}: parse only).
     */
    @FuzzTest(maxDuration = "10m")
    void modelConfigJson(byte[] data) throws IOException {
        if (data.length < 1) return;
        int pick = (data[0] & 0xff) % (PAIRS.size() + 1);
        byte[] json = java.util.Arrays.copyOfRange(data, 1, data.length);
        String text = new String(json, StandardCharsets.UTF_8);
        typedOrSuccess(() -> new ConfigParser("fuzz.json").parse(ConfigParser.parseJson(text, "fuzz.json", LIMITS)));
        if (pick < PAIRS.size()) {
            Path config = SCRATCH.resolve("fuzz.json");
            Files.write(config, json);
            Path weights = fixture(PAIRS.get(pick)).resolve("model.weights.h5");
            typedOrSuccess(() -> exercise(JKeras.load(config, weights, LIMITS)));
        }
    }

    /**
     * A native {@code .jkm} file, as given and again with its preamble and header checksums
     * recomputed (and its recorded length set to the input's), so that mutations of the header
     * reach the decoder instead of stopping at the checksum check.
     */
    @FuzzTest(maxDuration = "10m")
    void nativeJkm(byte[] data) {
        JkmReader.Options o = JkmReader.Options.DEFAULT.withLoadOptions(LIMITS);
        typedOrSuccess(() -> exercise(Jkm.load(data, "fuzz.jkm", o)));
        byte[] fixed = withJkmChecksums(data);
        if (fixed != null) typedOrSuccess(() -> exercise(Jkm.load(fixed, "fuzz.jkm", o)));
    }

    /**
     * The preamble layout of docs/format.md: major version at 8, file length at 40, header checksum
     * at 48 (CRC32 from format 2.0, CRC32C before), preamble CRC32C at 60.
     */
    static byte[] withJkmChecksums(byte[] data) {
        if (data.length < 64 || !Jkm.isJkm(data)) return null;
        byte[] b = data.clone();
        java.nio.ByteBuffer p = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long headerLength = p.getLong(24);
        p.putLong(40, b.length);
        if (headerLength > 0 && headerLength <= b.length - 64) {
            java.util.zip.Checksum h = p.getShort(8) >= 2 ? new java.util.zip.CRC32() : new java.util.zip.CRC32C();
            h.update(b, 64, (int) headerLength);
            p.putInt(48, (int) h.getValue());
        }
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        c.update(b, 0, 60);
        p.putInt(60, (int) c.getValue());
        return b;
    }

    // ---------------------------------------------------------------- the oracle

    /**
     * Runs {@code r}; returns normally on success or on a well-formed {@link JKerasException}, and
     * throws (a finding) otherwise: any other exception or error escapes as it is, and a typed error
     * is rejected when its message is blank, leaks a raw Java exception, or wraps a programming
     * error ({@link #BUGS}) thrown from jkeras' own code (a damaged file that trips an assertion
     * inside jhdf is reported as damaged, which is right).
     */
    static void typedOrSuccess(Runnable r) {
        try {
            if (FUZZING) r.run();
            else assertTimeoutPreemptively(PER_INPUT, r::run);
        } catch (JKerasException e) {
            String m = e.getMessage();
            if (m == null || m.isBlank()) throw new AssertionError("typed error without a message", e);
            // (the message text is never inspected: it echoes the input, which the fuzzer controls)
            StackTraceElement origin = e.getStackTrace().length > 0 ? e.getStackTrace()[0] : null;
            if (origin != null && LAST_RESORT.contains(origin.getClassName())
                    && e.getCause() instanceof RuntimeException && !(e.getCause() instanceof JKerasException)) {
                throw new AssertionError("an unexpected exception reached the loader's last-resort handler: " + m, e);
            }
            for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                for (Class<? extends Throwable> bug : BUGS) {
                    if (bug.isInstance(c) && thrownByJkeras(c)) throw new AssertionError("a " + bug.getSimpleName()
                            + " from jkeras code hides behind: " + m, e);
                }
            }
        }
    }

    private static boolean thrownByJkeras(Throwable t) {
        StackTraceElement[] st = t.getStackTrace();
        for (StackTraceElement f : st) {
            String c = f.getClassName();
            if (c.startsWith("java.") || c.startsWith("jdk.") || c.startsWith("sun.")) continue;
            return c.startsWith("io.jkeras.");
        }
        return false;
    }

    /** A loaded model is used: summary, weights and one prediction on zeros of its input shapes. */
    private static void exercise(Model m) {
        m.summary();
        m.weights();
        Tensor[] in = new Tensor[m.inputCount()];
        for (int i = 0; i < in.length; i++) {
            int[] s = m.input(i).shape();
            int[] full = new int[s.length + 1];
            full[0] = m.input(i).batchSize() > 0 ? m.input(i).batchSize() : 1;
            long n = full[0];
            for (int d = 0; d < s.length; d++) {
                full[d + 1] = s[d] < 0 ? 3 : s[d];
                n *= full[d + 1];
            }
            if (n > 1 << 16) return; // an absurd but valid input shape: loading was the point
            in[i] = Tensor.zeros(full);
        }
        m.newSession().predict(in);
    }

    static Path fixture(String name) {
        Path p = Path.of("fixtures", "keras3", name);
        if (!Files.isDirectory(p)) p = Path.of(System.getProperty("jkeras.root", ".")).resolve(p);
        return p;
    }
}

package io.jkeras.errors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jkeras.exceptions.InputException;
import io.jkeras.JKeras;
import io.jkeras.exceptions.JKerasException;
import io.jkeras.exceptions.ModelFileException;
import io.jkeras.exceptions.ModelFormatException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.exceptions.WeightException;
import io.jkeras.model.LoadOptions;
import io.jkeras.model.Model;
import io.jkeras.tensor.Tensor;
import io.jkeras.npy.Npy;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Every kind of bad input gives a typed {@link JKerasException} whose message names the file, the
 * layer and weight where relevant, what was found and what was expected. The corpus
 * fixtures/bad/ (made by tools/make_bad_fixtures.py) is described by fixtures/bad/expected.json;
 * a new bad file needs no Java.
 */
class BadFilesTest {
    private static final Path BAD = Path.of("fixtures", "bad");
    private static final Path KERAS3 = Path.of("fixtures", "keras3");
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Map<String, Class<? extends JKerasException>> TYPES = Map.of(
            "ModelFileException", ModelFileException.class,
            "ModelFormatException", ModelFormatException.class,
            "UnsupportedModelException", UnsupportedModelException.class,
            "WeightException", WeightException.class,
            "InputException", InputException.class);
    /** Exceptions that mean a bug in jkeras, not a bad file, wherever they appear in the cause chain. */
    private static final List<Class<? extends Throwable>> BUGS = List.of(NullPointerException.class,
            ClassCastException.class,
            ArrayIndexOutOfBoundsException.class, NegativeArraySizeException.class, StackOverflowError.class,
                    OutOfMemoryError.class);
    private static final Pattern QUOTED_LAYER = Pattern.compile("^layer '([^']*)'");
    private static final Pattern QUOTED_WEIGHT = Pattern.compile("^weight '([^']*)'");

    /**
     * One bad file. {@code reader} says how it is read: {@code model} (the default:
     * {@code JKeras.load(file)}, HDF5 or .keras), {@code npy} ({@code Npy.read(file)}), {@code config}
     * (an architecture JSON: {@code JKeras.load(file, with)}), {@code weights} (a Keras 3
     * .weights.h5: {@code JKeras.load(with, file)}) or {@code jkm} (a native file); {@code with} is a
     * path from the repository root.
     */
    record Case(String file, Class<? extends JKerasException> type, List<String> contains, String how, String reader,
                String with) {
        @Override public String toString() { return file; }

        /** Reads the file as its reader does; returns only if it loads. */
        void read() {
            Path p = BAD.resolve(file);
            switch (reader) {
                case "model" -> JKeras.load(p);
                case "npy" -> Npy.read(p);
                case "config" -> JKeras.load(p, Path.of(with));
                case "weights" -> JKeras.load(Path.of(with), p);
                case "jkm" -> JKeras.load(p); // told by its magic bytes
                default -> throw new AssertionError("unknown reader " + reader + " for " + file);
            }
        }

        /** Reads the file's bytes from a stream (the readers that take one); false when there is none. */
        boolean readStream(byte[] bytes, String name) {
            switch (reader) {
                case "model" -> JKeras.load(new ByteArrayInputStream(bytes), name);
                case "npy" -> Npy.read(new ByteArrayInputStream(bytes), name, bytes.length,
                        LoadOptions.DEFAULT.maxInputElements());
                case "jkm" -> io.jkeras.format.Jkm.load(bytes, name, io.jkeras.format.JkmReader.Options.DEFAULT);
                default -> {
                    return false;
                }
            }
            return true;
        }
    }

    private static final List<String> READERS = List.of("model", "npy", "config", "weights", "jkm");

    static List<Case> corpus() throws IOException {
        JsonNode root = new ObjectMapper().readTree(BAD.resolve("expected.json").toFile());
        assertThat(root.isArray()).as("expected.json is a list").isTrue();
        List<Case> out = new ArrayList<>();
        for (JsonNode c : root) {
            String type = c.path("exception").asText();
            assertThat(TYPES).as("exception type of " + c.path("file").asText()).containsKey(type);
            List<String> frags = new ArrayList<>();
            c.path("message_contains").forEach(f -> frags.add(f.asText()));
            String reader = c.path("reader").asText("model");
            assertThat(READERS).as("reader of " + c.path("file").asText()).contains(reader);
            out.add(new Case(c.path("file").asText(), TYPES.get(type), frags, c.path("how").asText(), reader,
                    c.hasNonNull("with") ? c.path("with").asText() : null));
        }
        return out;
    }

    // ---------------------------------------------------------------- the corpus

    @Test
    void corpusIsThereAndSmall() throws IOException {
        List<Case> cases = corpus();
        assertThat(cases).hasSizeGreaterThanOrEqualTo(90);
        assertThat(cases.stream().map(Case::file).distinct().count()).as("distinct files").isEqualTo(cases.size());
        // every reader of untrusted bytes has its bad files: HDF5 models, .keras zips, .npy, configs, weights
        assertThat(cases.stream().filter(c -> c.reader().equals("model") && c.file().endsWith(".h5")).count())
                .isGreaterThanOrEqualTo(30);
        assertThat(cases.stream().filter(c -> c.reader().equals("model") && c.file().endsWith(".keras")).count())
                .isGreaterThanOrEqualTo(15);
        for (String r : List.of("npy", "config", "weights", "jkm")) {
            assertThat(cases.stream().filter(c -> c.reader().equals(r)).count()).as("bad files for reader " + r)
                    .isGreaterThanOrEqualTo(4);
        }
        long total = 0;
        for (Case c : cases) {
            Path p = BAD.resolve(c.file());
            assertThat(p).as(c.file()).isRegularFile();
            assertThat(Files.size(p)).as(c.file() + " size").isLessThan(100_000);
            assertThat(c.contains()).as(c.file() + " fragments").isNotEmpty();
            assertThat(c.how()).as(c.file() + " how").isNotBlank();
            if (c.with() != null) assertThat(Path.of(c.with())).as(c.file() + " with").isRegularFile();
            total += Files.size(p);
        }
        assertThat(total).as("corpus size").isLessThan(1_500_000);
    }

    @TestFactory
    Stream<DynamicTest> badFileFromPath() throws IOException {
        return corpus().stream().map(c -> DynamicTest.dynamicTest(c.file(), () -> {
            Path p = BAD.resolve(c.file());
            JKerasException e = expectThrows(c.type(), c::read);
            checkMessage(e, c, p.toString());
        }));
    }

    @TestFactory
    Stream<DynamicTest> badFileFromStream() throws IOException {
        return corpus().stream().filter(c -> List.of("model", "npy", "jkm").contains(c.reader()))
                .map(c -> DynamicTest.dynamicTest(c.file(), () -> {
            byte[] bytes = Files.readAllBytes(BAD.resolve(c.file()));
            String name = "stream:" + c.file();
            JKerasException e = expectThrows(c.type(), () -> c.readStream(bytes, name));
            checkMessage(e, c, name);
        }));
    }

    private static void checkMessage(JKerasException e, Case c, String label) {
        String m = e.getMessage();
        assertThat(m).as("message of " + c.file()).startsWith(label + ": ");
        assertThat(e.file()).isEqualTo(label);
        for (String f : c.contains()) assertThat(m).as("message of " + c.file()).contains(f);
        assertThat(m).as("no raw Java exception text in the message").doesNotContain("java.lang.")
                .doesNotContain("Exception:");
        // "layer 'x'" and "weight 'y'" in the message are the structured fields, not free text
        String rest = m.substring(label.length() + 2);
        Matcher lm = QUOTED_LAYER.matcher(rest);
        if (lm.find()) {
            assertThat(e.layer()).isEqualTo(lm.group(1));
            rest = rest.substring(lm.end()).stripLeading();
        } else {
            assertThat(e.layer()).as("layer of " + c.file()).isNull();
        }
        Matcher wm = QUOTED_WEIGHT.matcher(rest);
        if (wm.find()) assertThat(e.weight()).isEqualTo(wm.group(1));
        else assertThat(e.weight()).as("weight of " + c.file()).isNull();
        for (String f : c.contains()) {
            if (f.startsWith("layer '")) assertThat(e.layer()).isNotNull();
            if (f.startsWith("weight '")) assertThat(e.weight()).isNotNull();
        }
    }

    /**
     * Runs {@code r} under a 10 s preemptive timeout (a hang fails), expects exactly {@code type}
     * and checks that no programming-error exception hides in the cause chain.
     */
    static <T extends JKerasException> T expectThrows(Class<T> type, Executable r) {
        Throwable t = assertTimeoutPreemptively(TIMEOUT, () -> {
            try {
                r.execute();
            } catch (Throwable x) {
                return x;
            }
            return null;
        });
        assertThat(t).as("an exception is thrown").isNotNull();
        if (!(t instanceof JKerasException)) throw new AssertionError("expected " + type.getSimpleName()
                + ", got a raw " + t, t);
        assertThat(t).isExactlyInstanceOf(type);
        for (Throwable c = t.getCause(); c != null; c = c.getCause()) {
            for (Class<? extends Throwable> bug : BUGS) {
                if (bug.isInstance(c)) throw new AssertionError("a " + bug.getSimpleName() + " hides behind " + t, t);
            }
        }
        assertThat(t.getMessage()).isNotBlank();
        return type.cast(t);
    }

    // ---------------------------------------------------------------- files that are not there

    @Nested
    class Files_ {
        @Test
        void missingFile() {
            Path p = BAD.resolve("no_such_model.h5");
            ModelFileException e = expectThrows(ModelFileException.class, () -> JKeras.load(p));
            assertThat(e.getMessage()).isEqualTo(p + ": no such file");
            assertThat(e.file()).isEqualTo(p.toString());
        }

        @Test
        void directoryGivenAsModel() {
            ModelFileException e = expectThrows(ModelFileException.class, () -> JKeras.load(BAD));
            assertThat(e.getMessage()).isEqualTo(BAD + ": is a directory, not a model file");
        }

        @Test
        void garbageStream() {
            byte[] junk = "GARBAGE!garbage garbage garbage".getBytes(StandardCharsets.US_ASCII);
            ModelFileException e = expectThrows(ModelFileException.class, ()
                    -> JKeras.load(new ByteArrayInputStream(junk), "upload#1"));
            assertThat(e.getMessage()).startsWith("upload#1: ").contains("not an HDF5 file")
                    .contains("47 41 52 42 41 47 45 21");
        }

        @Test
        void emptyStream() {
            ModelFileException e = expectThrows(ModelFileException.class, ()
                    -> JKeras.load(InputStream.nullInputStream(), "nothing"));
            assertThat(e.getMessage()).isEqualTo("nothing: file is empty");
        }

        @Test
        void streamLargerThanLimit() {
            LoadOptions tiny = new LoadOptions(false, LoadOptions.DEFAULT.maxWeightElements(), 1000);
            ModelFileException e = expectThrows(ModelFileException.class,
                    () -> JKeras.load(Files.newInputStream(KERAS3.resolve("lstm_default/model.h5")), "big", tiny));
            assertThat(e.getMessage()).startsWith("big: ").contains("larger than the limit of 1000 bytes");
        }

        @Test
        void keras3ZipIsToldByItsBytesNotItsName(@TempDir Path dir) throws IOException {
            Path p = dir.resolve("renamed.h5");
            Files.copy(KERAS3.resolve("lstm_default/model.keras"), p);
            assertThat(JKeras.load(p).weights()).isNotEmpty();
        }

        @Test
        void architectureJsonMissing() {
            Path json = BAD.resolve("no_such_config.json");
            ModelFileException e = expectThrows(ModelFileException.class, ()
                    -> JKeras.load(json, BAD.resolve("weights_only.h5")));
            assertThat(e.getMessage()).isEqualTo(json + ": no such file");
        }

        @Test
        void architectureJsonNotJson(@TempDir Path dir) throws IOException {
            Path json = dir.resolve("config.json");
            Files.writeString(json, "{\"class_name\": \"Sequential\", \"config\": ");
            Path weights = KERAS3.resolve("lstm_default/model.h5");
            ModelFormatException e = expectThrows(ModelFormatException.class, () -> JKeras.load(json, weights));
            assertThat(e.getMessage()).contains("model config is not valid JSON");
        }

        @Test
        void architectureJsonNotText(@TempDir Path dir) throws IOException {
            Path json = dir.resolve("config.json");
            Files.write(json, new byte[]{(byte) 0xff, (byte) 0xfe, 0, (byte) 0x80, (byte) 0xc3});
            ModelFileException e = expectThrows(ModelFileException.class, ()
                    -> JKeras.load(json, KERAS3.resolve("lstm_default/model.h5")));
            assertThat(e.getMessage()).isEqualTo(json + ": architecture JSON is not UTF-8 text");
        }

        @Test
        void nonFiniteWeightsLoadWhenAllowed() {
            Path nan = BAD.resolve("lstm_kernel_nan.h5");
            Model m = assertTimeoutPreemptively(TIMEOUT,
                    () -> JKeras.load(nan, LoadOptions.DEFAULT.withAllowNonFiniteWeights(true)));
            Model good = JKeras.load(KERAS3.resolve("lstm_default/model.h5"));
            assertThat(m.paramCount()).isEqualTo(good.paramCount());
            float[] kernel = m.weights().stream().filter(w -> w.fullName().equals("lstm/kernel")).findFirst()
                    .orElseThrow()
                    .weight().values();
            assertThat(kernel[7]).isNaN();
            assertThat(kernel).hasSize(80);

            Path inf = BAD.resolve("lstm_recurrent_kernel_inf.h5");
            Model mi = JKeras.load(inf, LoadOptions.DEFAULT.withAllowNonFiniteWeights(true));
            float[] rec = mi.weights().stream().filter(w -> w.fullName().equals("lstm/recurrent_kernel")).findFirst()
                    .orElseThrow()
                    .weight().values();
            assertThat(rec[42]).isEqualTo(Float.POSITIVE_INFINITY);
            // the option changes only that: the same file is still refused by default
            expectThrows(WeightException.class, () -> JKeras.load(nan));
        }
    }

    // ---------------------------------------------------------------- predict inputs

    @Nested
    class Inputs {
        /** stack_lstm_lstm_dense: one input (None, 7, 3) named input_layer. */
        private Model seq() {
            Model m = JKeras.load(KERAS3.resolve("stack_lstm_lstm_dense/model.h5"));
            assertThat(m.inputCount()).isEqualTo(1);
            assertThat(m.input(0).shape()).containsExactly(7, 3);
            return m;
        }

        private void expectShapeError(Model m, float[][][] x, String got) {
            InputException e = expectThrows(InputException.class, () -> m.predict(x));
            assertThat(e.layer()).isEqualTo("input_layer");
            assertThat(e.getMessage()).contains("input_layer").contains("expects shape (None, 7, 3)")
                    .contains("got " + got);
        }

        @Test
        void wrongRank() {
            Model m = seq();
            InputException e = expectThrows(InputException.class, () -> m.predict(new float[2][3]));
            assertThat(e.getMessage()).contains("input_layer").contains("expects shape (None, 7, 3)")
                    .contains("got (2, 3)");
            InputException e4 = expectThrows(InputException.class, () -> m.predict(Tensor.zeros(2, 7, 3, 1)));
            assertThat(e4.getMessage()).contains("expects shape (None, 7, 3)").contains("got (2, 7, 3, 1)");
        }

        @Test
        void wrongFeatureCount() {
            expectShapeError(seq(), new float[2][7][5], "(2, 7, 5)");
        }

        @Test
        void wrongTimesteps() {
            expectShapeError(seq(), new float[1][8][3], "(1, 8, 3)");
        }

        @Test
        void wrongNumberOfInputs() {
            Model m = seq();
            InputException e = expectThrows(InputException.class, ()
                    -> m.predict(Tensor.zeros(2, 7, 3), Tensor.zeros(2, 7, 3)));
            assertThat(e.getMessage()).contains("takes 1 input(s), got 2");

            Model g = JKeras.load(KERAS3.resolve("graph_two_in_two_out/model.h5"));
            InputException e1 = expectThrows(InputException.class, () -> g.predict(Tensor.zeros(2, 5, 3)));
            assertThat(e1.getMessage()).contains("'two_branch'").contains("takes 2 input(s), got 1");
            InputException e2 = expectThrows(InputException.class, ()
                    -> g.predict(Tensor.zeros(2, 5, 3), Tensor.zeros(2, 7, 3)));
            assertThat(e2.layer()).isEqualTo("in_b");
            assertThat(e2.getMessage()).contains("input 1 expects shape (None, 7, 2)").contains("got (2, 7, 3)");
        }

        @Test
        void nonFiniteInput() {
            Model m = seq();
            float[][][] x = new float[2][7][3];
            x[1][2][1] = Float.NaN; // flat index 1*21 + 2*3 + 1 = 28
            InputException e = expectThrows(InputException.class, () -> m.predict(x));
            assertThat(e.getMessage()).contains("input_layer").contains("holds NaN at flat index 28")
                    .contains("(2, 7, 3)");
            float[][][] y = new float[1][7][3];
            y[0][6][2] = Float.NEGATIVE_INFINITY; // the last value: 20
            InputException ei = expectThrows(InputException.class, () -> m.predict(y));
            assertThat(ei.getMessage()).contains("holds -Infinity at flat index 20");
        }

        @Test
        void raggedInput() {
            Model m = seq();
            float[][][] x = {new float[7][3], new float[6][3]};
            InputException e = expectThrows(InputException.class, () -> m.predict(x));
            assertThat(e.getMessage()).contains("ragged input").contains("sample 1 has 6 timesteps")
                    .contains("sample 0 has 7");
        }

        @Test
        void predictFlatWrongLength() {
            Model m = seq();
            InputException e = expectThrows(InputException.class, () -> m.predictFlat(new float[20], 1));
            assertThat(e.getMessage()).contains("input_layer").contains("expects 21 values per sample (7, 3)")
                    .contains("got 20");
            InputException e2 = expectThrows(InputException.class, () -> m.predictFlat(new float[21], 2));
            assertThat(e2.getMessage()).contains("does not divide into 2 samples");
        }

        @Test
        void statefulModelWithOtherBatchSize() {
            Model m = JKeras.load(KERAS3.resolve("lstm_stateful/model.h5"));
            assertThat(m.stateful()).isTrue();
            assertThat(m.input(0).batchSize()).isEqualTo(2);
            InputException e = expectThrows(InputException.class, () -> m.newSession().predict(Tensor.zeros(3, 4, 3)));
            assertThat(e.getMessage()).contains("stateful model expects batch size 2, got 3");
            assertThat(e.layer()).isEqualTo(m.input(0).name());
            // the right batch size works in the same session type
            assertThat(m.newSession().predict(Tensor.zeros(2, 4, 3))[0].shape()[0]).isEqualTo(2);
        }
    }

    // ---------------------------------------------------------------- .npy inputs

    @Nested
    class NpyFiles {
        @TempDir
        Path dir;

        private Path write(String name, byte[] bytes) throws IOException {
            Path p = dir.resolve(name);
            Files.write(p, bytes);
            return p;
        }

        /** A format 1.0 .npy with the given header dict and {@code dataBytes} bytes of data. */
        private byte[] npy(String dict, int dataBytes) {
            int pre = 10;
            int total = pre + dict.length() + 1;
            String header = dict + " ".repeat((64 - total % 64) % 64) + "\n";
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(new byte[]{(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
            out.write(header.length() & 0xff);
            out.write(header.length() >> 8);
            out.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
            out.writeBytes(new byte[dataBytes]);
            return out.toByteArray();
        }

        private InputException readFails(Path p) {
            InputException e = expectThrows(InputException.class, () -> Npy.read(p));
            assertThat(e.getMessage()).startsWith(p + ": ");
            assertThat(e.file()).isEqualTo(p.toString());
            return e;
        }

        @Test
        void goodFileReads() throws IOException {
            Path p = write("ok.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 24));
            assertThat(Npy.read(p).tensor().shape()).containsExactly(2, 3);
        }

        @Test
        void notNpy() throws IOException {
            Path p = write("text.npy", "x,y\n1,2\n3,4\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readFails(p).getMessage()).contains("not a .npy file").contains("NUMPY magic");
            Path tiny = write("tiny.npy", new byte[]{(byte) 0x93, 'N'});
            assertThat(readFails(tiny).getMessage()).contains("not a .npy file: only 2 bytes");
        }

        @Test
        void missing() {
            Path p = dir.resolve("nope.npy");
            assertThat(readFails(p).getMessage()).isEqualTo(p + ": no such file");
        }

        @Test
        void truncatedData() throws IOException {
            Path p = write("short.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (10,), }", 8));
            assertThat(readFails(p).getMessage()).contains("header claims 40 bytes of data for shape (10,) <f4")
                    .contains("holds 8").contains("truncated");
        }

        @Test
        void truncatedHeader() throws IOException {
            byte[] full = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (10,), }", 0);
            Path p = write("cut.npy", java.util.Arrays.copyOf(full, 30));
            assertThat(readFails(p).getMessage()).contains("truncated");
        }

        @Test
        void complexDtype() throws IOException {
            Path p = write("complex.npy", npy("{'descr': '<c8', 'fortran_order': False, 'shape': (3,), }", 24));
            assertThat(readFails(p).getMessage()).contains("dtype '<c8' is not supported")
                    .contains("allowed: float32, float64");
        }

        @Test
        void stringDtype() throws IOException {
            Path p = write("strings.npy", npy("{'descr': '<U3', 'fortran_order': False, 'shape': (2,), }", 24));
            assertThat(readFails(p).getMessage()).contains("dtype '<U3' is not supported");
        }

        @Test
        void fortranOrder() throws IOException {
            Path p = write("fortran.npy", npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", 24));
            assertThat(readFails(p).getMessage()).contains("Fortran-order arrays are not supported")
                    .contains("ascontiguousarray");
        }

        @Test
        void headerWithoutShape() throws IOException {
            Path p = write("noshape.npy", npy("{'descr': '<f4', 'fortran_order': False, }", 0));
            assertThat(readFails(p).getMessage()).contains("header has no 'shape'");
        }

        @Test
        void unknownVersion() throws IOException {
            byte[] b = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 4);
            b[6] = 9;
            assertThat(readFails(write("v9.npy", b)).getMessage()).contains("format version 9 is not supported");
        }

        @Test
        void hugeShapeFailsFastWithoutAllocating() throws IOException {
            // over the element limit: refused from the header alone
            Path p = write("huge.npy",
                    npy("{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000, 100000), }", 16));
            assertThat(readFails(p).getMessage()).contains("shape (100000, 100000, 100000) is too large");
            assertThat(readFails(p).getMessage())
                    .contains("more than the limit of 268435456 elements (LoadOptions.maxInputElements)");
            // under the element limit but 800 MB of data claimed by a 144-byte file: must not allocate it
            Path q = write("claims800mb.npy",
                    npy("{'descr': '<f4', 'fortran_order': False, 'shape': (200000000,), }", 16));
            assertThat(readFails(q).getMessage()).contains("header claims 800000000 bytes").contains("truncated");
            Path r = write("negative.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-5, 2), }", 16));
            assertThat(readFails(r).getMessage()).contains("bad dimension -5");
        }

        @Test
        void hugeShapeFromStreamOfUnknownLength() {
            byte[] b = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (200000000,), }", 64);
            InputException e = expectThrows(InputException.class, ()
                    -> Npy.read(new ByteArrayInputStream(b), "pipe", -1));
            assertThat(e.getMessage()).startsWith("pipe: ").contains("truncated")
                    .contains("needs 800000000 bytes of data, found 64");
        }

        @Test
        void npyWithWrongShapeForModel() throws IOException {
            ByteBuffer data = ByteBuffer.allocate(2 * 7 * 5 * 4).order(ByteOrder.LITTLE_ENDIAN);
            byte[] bytes = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 7, 5), }", 0);
            Path p = write("x.npy", concat(bytes, data.array()));
            Tensor x = Npy.read(p).tensor();
            Model m = JKeras.load(KERAS3.resolve("stack_lstm_lstm_dense/model.h5"));
            InputException e = expectThrows(InputException.class, () -> m.predict(x));
            assertThat(e.getMessage()).contains("expects shape (None, 7, 3)").contains("got (2, 7, 5)");
        }

        private byte[] concat(byte[] a, byte[] b) {
            byte[] r = java.util.Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, r, a.length, b.length);
            return r;
        }
    }
}

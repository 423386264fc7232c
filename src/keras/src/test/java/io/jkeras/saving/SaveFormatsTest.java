package io.jkeras.saving;

import io.jkeras.JKeras;
import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.ModelFileException;
import io.jkeras.fixtures.FixtureCase;
import io.jkeras.format.Jkm;
import io.jkeras.model.LoadOptions;
import io.jkeras.model.Model;
import io.jkeras.tensor.Tensor;
import io.jkeras.util.Sha256;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link JKeras#save}, {@link JKeras#load} and {@link JKeras#convert} over every format. */
class SaveFormatsTest {
    /** First bytes of each format: the HDF5 signature, a zip local header, the jkeras native magic. */
    private static final byte[] HDF5 = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    private static final byte[] ZIP = {'P', 'K', 3, 4};
    private static final byte[] JKM = {(byte) 0x89, 'J', 'K', 'M', '\r', '\n', 0x1a, '\n'};

    @TempDir
    Path tmp;

    private static FixtureCase fixture(String name) {
        return FixtureCase.all("keras3").stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    private static final FixtureCase LSTM = fixture("lstm_default");

    /** The model reproduces the outputs Keras computed for the fixture. */
    private static void assertPredictsAsKeras(Model m, FixtureCase c) {
        Tensor y = m.predict(c.x(0, 0))[0];
        Tensor want = c.y(0, 0);
        assertThat(y.shape()).containsExactly(want.shape());
        for (int i = 0; i < want.data().length; i++) {
            assertThat((double) y.data()[i]).as(c.name() + " [" + i + "]").isCloseTo(want.data()[i],
                    org.assertj.core.data.Offset.offset(c.atol()));
        }
    }

    private static void assertStartsWith(Path p, byte[] magic) throws IOException {
        byte[] head = Arrays.copyOf(Files.readAllBytes(p), magic.length);
        assertThat(head).as(p.toString()).isEqualTo(magic);
    }

    @Test
    void saveWritesTheFormatItsExtensionNames() throws IOException {
        Model m = LSTM.load();
        for (Object[] c : List.<Object[]>of(new Object[]{"m.jkm", JKM}, new Object[]{"m.keras", ZIP},
                new Object[]{"m.h5", HDF5}, new Object[]{"m.hdf5", HDF5}, new Object[]{"UPPER.JKM", JKM})) {
            Path p = tmp.resolve((String) c[0]);
            JKeras.save(m, p);
            assertStartsWith(p, (byte[]) c[1]);
            assertPredictsAsKeras(JKeras.load(p), LSTM);
        }
    }

    @Test
    void saveRefusesAnUnknownExtensionNamingTheAllowedOnesAndWritesNothing() {
        Model m = LSTM.load();
        for (String name : List.of("m.bin", "m", "m.jkm.tmp", "m.weights")) {
            Path p = tmp.resolve(name);
            assertThatThrownBy(() -> JKeras.save(m, p)).as(name).isInstanceOf(InputException.class)
                    .hasMessageContaining(p.toString()).hasMessageContaining(".jkm").hasMessageContaining(".keras")
                    .hasMessageContaining(".h5");
            assertThat(p).doesNotExist();
        }
        assertThat(tmp).isEmptyDirectory();
    }

    @Test
    void jkmSaveThrowsTheProjectsUncheckedErrorNamingTheFile() {
        Model m = LSTM.load();
        Path parent = tmp.resolve("a-file");
        writeString(parent, "not a directory");
        Path p = parent.resolve("m.jkm");
        // no throws clause on this method or on the lambdas: Jkm.save declares no checked exception
        assertThatThrownBy(() -> Jkm.save(m, p)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining(p.toString());
        assertThatThrownBy(() -> JKeras.save(m, p)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining(p.toString());
    }

    private static void writeString(Path p, String s) {
        try {
            Files.writeString(p, s);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void streamLoadReadsEveryFormatByItsBytes() throws IOException {
        Model m = LSTM.load();
        for (String name : List.of("s.jkm", "s.keras", "s.h5")) {
            Path p = tmp.resolve(name);
            JKeras.save(m, p);
            try (InputStream in = Files.newInputStream(p)) {
                assertPredictsAsKeras(JKeras.load(in, "stream " + name), LSTM);
            }
            try (InputStream in = Files.newInputStream(p)) {
                assertPredictsAsKeras(JKeras.load(in, "stream " + name, LoadOptions.DEFAULT), LSTM);
            }
        }
    }

    @Test
    void streamLoadOfNativeBytesRespectsMaxStreamBytes() throws IOException {
        Path p = tmp.resolve("s.jkm");
        JKeras.save(LSTM.load(), p);
        byte[] bytes = Files.readAllBytes(p);
        LoadOptions tight = LoadOptions.builder().maxStreamBytes(bytes.length - 1).build();
        assertThatThrownBy(() -> JKeras.load(new ByteArrayInputStream(bytes), "native stream", tight))
                .isInstanceOf(ModelFileException.class).hasMessageContaining("native stream")
                .hasMessageContaining(Long.toString(bytes.length - 1));
        LoadOptions exact = LoadOptions.builder().maxStreamBytes(bytes.length).build();
        assertPredictsAsKeras(JKeras.load(new ByteArrayInputStream(bytes), "native stream", exact), LSTM);
    }

    @Test
    void streamLoadOfNativeBytesAppliesTheWeightLimits() throws IOException {
        Path p = tmp.resolve("s.jkm");
        JKeras.save(LSTM.load(), p);
        byte[] bytes = Files.readAllBytes(p);
        LoadOptions tiny = LoadOptions.builder().maxWeightElements(1).build();
        assertThatThrownBy(() -> JKeras.load(new ByteArrayInputStream(bytes), "native stream", tiny))
                .hasMessageContaining("native stream").hasMessageContaining("maxWeightElements");
    }

    @Test
    void convertGoesBetweenEveryPairOfFormats() {
        Path h5 = LSTM.dir().resolve("model.h5");
        Path jkm = tmp.resolve("a.jkm");
        Path keras = tmp.resolve("b.keras");
        Path back = tmp.resolve("c.h5");
        JKeras.convert(h5, jkm);
        JKeras.convert(jkm, keras);
        JKeras.convert(keras, back);
        for (Path p : List.of(jkm, keras, back)) assertPredictsAsKeras(JKeras.load(p), LSTM);
        assertThat(Jkm.isJkm(jkm)).isTrue();
    }

    @Test
    void convertToNativeRecordsTheSourceFilesSha256() throws IOException {
        Path h5 = LSTM.dir().resolve("model.h5");
        Path jkm = tmp.resolve("hashed.jkm");
        JKeras.convert(h5, jkm);
        assertThat(JKeras.load(jkm).metadata())
                .containsEntry("source_sha256", Sha256.of(h5))
                .containsEntry("source_file", "model.h5");
    }

    @Test
    void aLongOutputNameIsWrittenInEveryFormat() {
        // a temporary name built from the target's name, twice over, would pass the 255-byte limit of a name
        String stem = "m".repeat(200);
        for (String ext : JKeras.SAVE_EXTENSIONS) {
            Path out = tmp.resolve(stem + ext);
            JKeras.convert(LSTM.dir().resolve("model.h5"), out);
            assertPredictsAsKeras(JKeras.load(out), LSTM);
        }
    }

    @Test
    void convertOntoItsOwnInputReplacesItWhole() throws IOException {
        Path p = tmp.resolve("same.jkm");
        JKeras.convert(LSTM.dir().resolve("model.keras"), p);
        JKeras.convert(p, p);
        assertStartsWith(p, JKM);
        assertPredictsAsKeras(JKeras.load(p), LSTM);
    }

    @Test
    void convertChecksTheOutputExtensionBeforeReadingTheInput() {
        Path missing = tmp.resolve("missing.h5");
        assertThatThrownBy(() -> JKeras.convert(missing, tmp.resolve("out.txt")))
                .isInstanceOf(InputException.class).hasMessageContaining("out.txt").hasMessageContaining(".jkm");
    }

    @Test
    void convertOfAFileThatDoesNotLoadLeavesTheOutputUntouched() throws IOException {
        Path bad = tmp.resolve("bad.h5");
        Files.writeString(bad, "not a model");
        Path out = tmp.resolve("out.jkm");
        Files.writeString(out, "old content");
        assertThatThrownBy(() -> JKeras.convert(bad, out)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining(bad.toString());
        assertThat(out).hasContent("old content");
        try (var s = Files.list(tmp)) {
            assertThat(s.map(x -> x.getFileName().toString())).containsExactlyInAnyOrder("bad.h5", "out.jkm");
        }
    }
}

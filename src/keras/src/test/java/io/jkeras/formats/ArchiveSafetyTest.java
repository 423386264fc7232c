package io.jkeras.formats;

import io.jkeras.JKeras;
import io.jkeras.exceptions.JKerasException;
import io.jkeras.exceptions.ModelFileException;
import io.jkeras.exceptions.ModelFormatException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.exceptions.WeightException;
import io.jkeras.fixtures.FixtureCase;
import io.jkeras.model.LoadOptions;
import io.jkeras.model.Model;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Damaged and hostile {@code .keras} archives, built here around the real entries of a Keras 3
 * fixture: each is refused with a typed error that names the file and what is wrong, before any
 * large allocation.
 */
class ArchiveSafetyTest {
    @TempDir
    Path tmp;

    private static Map<String, byte[]> realEntries() throws IOException {
        Path keras = FixtureCase.root().resolve("keras3/lstm_default/model.keras");
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipFile z = new ZipFile(keras.toFile())) {
            for (String n : new String[]{"metadata.json", "config.json", "model.weights.h5"}) {
                out.put(n, z.getInputStream(z.getEntry(n)).readAllBytes());
            }
        }
        return out;
    }

    /** A zip of the entries, stored (as Keras writes) or deflated. */
    private static byte[] zip(Map<String, byte[]> entries, boolean deflate) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bos)) {
            for (var e : entries.entrySet()) {
                ZipEntry ze = new ZipEntry(e.getKey());
                if (!deflate) {
                    ze.setMethod(ZipEntry.STORED);
                    ze.setSize(e.getValue().length);
                    ze.setCompressedSize(e.getValue().length);
                    CRC32 crc = new CRC32();
                    crc.update(e.getValue());
                    ze.setCrc(crc.getValue());
                }
                z.putNextEntry(ze);
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return bos.toByteArray();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(tmp.resolve(name), bytes);
    }

    private <T extends JKerasException> T refused(Class<T> type, Path p, LoadOptions o, String... parts) {
        T e = assertThrows(type, () -> JKeras.load(p, o));
        assertThat(e.getMessage()).startsWith(p.toString());
        for (String s : parts) assertThat(e.getMessage()).contains(s);
        return e;
    }

    @Test
    void rebuiltArchiveLoadsStoredAndDeflated() throws IOException {
        // the control for every case below: the same entries, untouched, load
        for (boolean deflate : new boolean[]{false, true}) {
            Model m = JKeras.load(write("ok" + deflate + ".keras", zip(realEntries(), deflate)));
            assertThat(m.metadata()).containsEntry("format", "keras-zip");
            assertThat(m.paramCount()).isPositive();
        }
    }

    @Test
    void absolutePathEntry() throws IOException {
        Map<String, byte[]> e = realEntries();
        e.put("/etc/passwd", new byte[]{1});
        refused(ModelFileException.class, write("abs.keras", zip(e, false)), LoadOptions.DEFAULT, "'/etc/passwd'",
                "absolute path");
        Map<String, byte[]> w = realEntries();
        w.put("C:\\evil.txt", new byte[]{1});
        refused(ModelFileException.class, write("drive.keras", zip(w, false)), LoadOptions.DEFAULT, "absolute path");
    }

    @Test
    void parentDirectoryEntry() throws IOException {
        Map<String, byte[]> e = realEntries();
        e.put("assets/../../outside.txt", new byte[]{1});
        refused(ModelFileException.class, write("dotdot.keras", zip(e, false)), LoadOptions.DEFAULT,
                "'assets/../../outside.txt'", "contains '..'");
    }

    @Test
    void duplicateEntry() throws IOException {
        // ZipOutputStream refuses duplicates, so write "config.jsoN" and rename it in both headers
        Map<String, byte[]> e = realEntries();
        e.put("config.jsoN", "{}".getBytes(StandardCharsets.UTF_8));
        byte[] z = zip(e, false);
        byte[] from = "config.jsoN".getBytes(StandardCharsets.US_ASCII);
        byte[] to = "config.json".getBytes(StandardCharsets.US_ASCII);
        int replaced = 0;
        for (int i = 0; i + from.length <= z.length; i++) {
            if (Arrays.equals(z, i, i + from.length, from, 0, from.length)) {
                System.arraycopy(to, 0, z, i, to.length);
                replaced++;
            }
        }
        assertThat(replaced).as("local and central header").isEqualTo(2);
        refused(ModelFileException.class, write("dup.keras", z), LoadOptions.DEFAULT,
                "two entries named 'config.json'");
    }

    @Test
    void tooManyEntries() throws IOException {
        Map<String, byte[]> e = realEntries();
        for (int i = 0; i < 20; i++) e.put("assets/f" + i, new byte[]{(byte) i});
        Path p = write("many.keras", zip(e, false));
        refused(ModelFileException.class, p, LoadOptions.DEFAULT.withMaxArchiveEntries(10), "23 entries", "limit of 10",
                "maxArchiveEntries");
        assertThat(JKeras.load(p).paramCount()).as("within the default limit it loads").isPositive();
    }

    @Test
    void zipBombByRatio() throws IOException {
        // 64 MiB of zeros deflates to ~64 KiB: a tiny archive claiming a 1000x expansion
        Map<String, byte[]> e = realEntries();
        e.put("model.weights.h5", new byte[64 << 20]);
        byte[] z = zip(e, true);
        assertThat(z.length).isLessThan(1 << 20);
        refused(ModelFileException.class, write("bomb.keras", z), LoadOptions.DEFAULT, "'model.weights.h5'", "zip bomb",
                "maxCompressionRatio");
    }

    @Test
    void zipBombWhoseHeaderLies() throws IOException {
        // the central directory claims 1000 bytes; counting while inflating catches the 64 MiB
        Map<String, byte[]> e = realEntries();
        e.put("model.weights.h5", new byte[64 << 20]);
        byte[] z = zip(e, true);
        int central = lastIndexOf(z, new byte[]{'P', 'K', 1, 2}, "model.weights.h5");
        ByteBuffer.wrap(z).order(ByteOrder.LITTLE_ENDIAN).putInt(central + 24, 1000);
        refused(ModelFileException.class, write("liar.keras", z), LoadOptions.DEFAULT, "'model.weights.h5'",
                "decompresses to more than", "zip bomb");
    }

    @Test
    void entryLargerThanTheByteLimit() throws IOException {
        Map<String, byte[]> e = realEntries();
        e.put("model.weights.h5", new byte[3 << 20]);
        Path p = write("big.keras", zip(e, false));
        refused(ModelFileException.class, p, LoadOptions.DEFAULT.withMaxArchiveBytes(1 << 20), "'model.weights.h5'",
                "declares 3145728 bytes", "maxArchiveBytes");
    }

    @Test
    void missingConfigJson() throws IOException {
        Map<String, byte[]> e = realEntries();
        e.remove("config.json");
        refused(ModelFormatException.class, write("noconfig.keras", zip(e, false)), LoadOptions.DEFAULT,
                "no config.json", "[metadata.json, model.weights.h5]");
    }

    @Test
    void missingWeights() throws IOException {
        Map<String, byte[]> e = realEntries();
        byte[] w = e.remove("model.weights.h5");
        refused(ModelFormatException.class, write("noweights.keras", zip(e, false)), LoadOptions.DEFAULT,
                "no model.weights.h5", "[metadata.json, config.json]");
        e.put("model.weights.npz", w);
        refused(UnsupportedModelException.class, write("npz.keras", zip(e, false)), LoadOptions.DEFAULT,
                "model.weights.npz");
    }

    @Test
    void truncatedArchive() throws IOException {
        byte[] real = Files.readAllBytes(FixtureCase.root().resolve("keras3/lstm_default/model.keras"));
        Path p = write("half.keras", Arrays.copyOf(real, real.length / 2));
        refused(ModelFileException.class, p, LoadOptions.DEFAULT, "zip archive", "not an HDF5 file", "truncated");
        assertThrows(ModelFileException.class, ()
                -> JKeras.load(new ByteArrayInputStream(Arrays.copyOf(real, 100)), "s"));
    }

    @Test
    void corruptedEntryFailsItsCrc() throws IOException {
        byte[] z = zip(realEntries(), false);
        int at = indexOf(z, "\"class_name\"".getBytes(StandardCharsets.US_ASCII));
        z[at + 1] = 'C';
        refused(ModelFileException.class, write("crc.keras", z), LoadOptions.DEFAULT, "'config.json'", "CRC-32");
    }

    @Test
    void nonFiniteWeightsAreCheckedAsInHdf5Files() throws IOException {
        Map<String, byte[]> e = realEntries();
        byte[] h5 = e.get("model.weights.h5");
        // the first float of layers/lstm/cell/vars/0 (the kernel), located by its value
        float first = JKeras.load(FixtureCase.root().resolve("keras3/lstm_default/model.h5")).weights().get(0).weight()
                .values()[0];
        byte[] pattern = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(first).array();
        int at = indexOf(h5, pattern);
        assertThat(indexOf(Arrays.copyOfRange(h5, at + 1, h5.length), pattern)).as("value is unique").isNegative();
        ByteBuffer.wrap(h5).order(ByteOrder.LITTLE_ENDIAN).putFloat(at, Float.NaN);
        Path p = write("nan.keras", zip(e, false));
        WeightException w = refused(WeightException.class, p, LoadOptions.DEFAULT, "layer 'lstm'", "weight 'kernel'",
                "NaN at flat index 0");
        assertThat(w.getMessage()).contains("model.weights.h5");
        Model m = JKeras.load(p, LoadOptions.DEFAULT.withAllowNonFiniteWeights(true));
        assertThat(m.weights().get(0).weight().values()[0]).isNaN();
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        for (int i = 0; i + needle.length <= hay.length; i++) {
            if (Arrays.equals(hay, i, i + needle.length, needle, 0, needle.length)) return i;
        }
        return -1;
    }

    /** The last central-directory header for {@code name}. */
    private static int lastIndexOf(byte[] z, byte[] sig, String name) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        for (int i = z.length - 46; i >= 0; i--) {
            if (Arrays.equals(z, i, i + 4, sig, 0, 4)
                    && Arrays.equals(z, i + 46, i + 46 + n.length, n, 0, n.length)) return i;
        }
        throw new AssertionError("no central header for " + name);
    }
}

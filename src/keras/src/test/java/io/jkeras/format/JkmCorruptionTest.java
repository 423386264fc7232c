package io.jkeras.format;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jkeras.JKeras;
import io.jkeras.exceptions.JKerasException;
import io.jkeras.exceptions.ModelFileException;
import io.jkeras.exceptions.ModelFormatException;
import io.jkeras.exceptions.WeightException;
import io.jkeras.fixtures.FixtureCase;
import io.jkeras.model.Model;
import io.jkeras.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Damaged and hostile native files are refused with a typed error saying what is wrong and where:
 * wrong magic, newer versions, flipped bytes in the preamble, header, padding or a tensor,
 * truncation, appended data, header sizes and offsets beyond the file, and inconsistent content
 * behind valid checksums. The fuzz-style tests flip and cut random bytes (seeded, bounded).
 */
class JkmCorruptionTest {
    static final List<String> CASES = List.of("stack_lstm_lstm_dense", "bidir_gru", "conv1d_causal_lstm",
            "embedding_mask_lstm");
    static byte[] lstm;

    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp() {
        lstm = bytesOf("stack_lstm_lstm_dense");
    }

    static byte[] bytesOf(String name) {
        FixtureCase c = FixtureCase.all("keras3").stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow();
        return JkmWriter.toBytes(c.load(), JkmWriter.Options.DEFAULT);
    }

    static Model read(byte[] b) { return JkmReader.read(b, "m.jkm", JkmReader.Options.DEFAULT); }

    static JKerasException refused(byte[] b) {
        Throwable t = catchThrowable(() -> read(b));
        assertThat(t).as("damaged file must be refused")
                .isInstanceOfAny(ModelFileException.class, ModelFormatException.class);
        assertThat(t.getMessage()).startsWith("m.jkm: ");
        return (JKerasException) t;
    }

    static int headerEnd(byte[] f) { return 64 + (int) ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).getLong(24); }

    static long dataOffset(byte[] f) { return ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).getLong(32); }

    @Test
    void validFileLoads() {
        assertThat(read(lstm).layers()).isNotEmpty();
    }

    @Test
    void wrongMagicNamesWhatTheFileIs() throws Exception {
        byte[] h5 = Files.readAllBytes(FixtureCase.root().resolve("keras3/lstm_default/model.h5"));
        assertThat(refused(h5)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("is not a jkeras native model")
                .hasMessageContaining("89 48 44 46").hasMessageContaining("HDF5 file");
        byte[] b = lstm.clone();
        b[1] = 'X';
        assertThat(refused(b)).hasMessageContaining("starts with 89 58 4b 4d")
                .hasMessageContaining("a .jkm file starts with 89 4a 4b 4d 0d 0a 1a 0a");
        assertThat(refused(new byte[0])).hasMessageContaining("the file is empty");
    }

    @Test
    void textModeTransferIsRecognised() {
        byte[] b = new byte[lstm.length - 1];
        b[0] = lstm[0];
        System.arraycopy(lstm, 1, b, 1, 3);
        System.arraycopy(lstm, 5, b, 4, b.length - 4); // "\r\n" became "\n"
        assertThat(refused(b)).isInstanceOf(ModelFileException.class).hasMessageContaining("copied in text mode");
    }

    @Test
    void truncatedFilesAreRefusedWithBothLengths() {
        assertThat(refused(Arrays.copyOf(lstm, 40))).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("is truncated: 40 bytes, shorter than the 64-byte preamble");
        assertThat(refused(Arrays.copyOf(lstm, lstm.length - 100))).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("is truncated: " + (lstm.length - 100)
                + " bytes, but its preamble says the file has " + lstm.length);
        assertThat(refused(Arrays.copyOf(lstm, 6))).hasMessageContaining("is truncated: 6 bytes");
    }

    @Test
    void appendedDataIsRefused() {
        assertThat(refused(Arrays.copyOf(lstm, lstm.length + 7))).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("7 bytes were appended");
    }

    @Test
    void newerMajorVersionIsRefusedNamingBothVersions() throws Exception {
        byte[] b = lstm.clone();
        int newer = Jkm.MAJOR + 1;
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putShort(8, (short) newer).putShort(10, (short) 3);
        JkmFiles.fixPreambleCrc(b);
        assertThat(refused(b)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("native format version " + newer + ".3 is newer than this jkeras")
                .hasMessageContaining("it reads versions 1.x to " + Jkm.MAJOR + ".x and writes " + Jkm.MAJOR + "."
                + Jkm.MINOR);
        Path p = tmp.resolve("newer.jkm");
        Files.write(p, b);
        assertThatThrownBy(() -> JKeras.load(p)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("version " + newer + ".3");
    }

    @Test
    void newerMinorVersionOfTheSameMajorLoads() throws Exception {
        byte[] b = JkmFiles.rewrite(lstm, h -> {
            ((ArrayNode) h.get("version")).set(1, Jkm.MINOR + 4);
            h.put("a_future_key", "ignored by 1.0 readers");
        }, t -> {}, Jkm.MAJOR, Jkm.MINOR + 4);
        Model m = read(b);
        assertThat(m.metadata()).containsEntry("jkm_version", Jkm.MAJOR + "." + (Jkm.MINOR + 4));
    }

    @Test
    void flippedPreambleByteIsRefused() {
        for (int pos : new int[]{9, 16, 24, 33, 40, 48, 61}) {
            byte[] b = lstm.clone();
            b[pos] ^= 0x10;
            assertThat(refused(b)).as("byte " + pos).isInstanceOf(ModelFileException.class)
                    .hasMessageContaining("preamble checksum mismatch");
        }
        byte[] b = lstm.clone();
        b[8] ^= 0x04; // the major version: 2 -> 6, damaged rather than newer
        assertThat(refused(b)).hasMessageContaining("preamble checksum mismatch")
                .hasMessageContaining("claim format version 6." + Jkm.MINOR);
    }

    @Test
    void flippedHeaderByteIsRefused() {
        byte[] b = lstm.clone();
        b[64 + 100] ^= 0x01;
        assertThat(refused(b)).isInstanceOf(ModelFileException.class).hasMessageContaining("header checksum mismatch")
                .hasMessageContaining("the JSON header (bytes 64 to " + headerEnd(lstm) + ") is damaged");
    }

    @Test
    void flippedTensorByteIsRefusedNamingTheTensor() {
        byte[] b = lstm.clone();
        b[(int) dataOffset(lstm) + 5] ^= 0x40;
        assertThat(refused(b)).isInstanceOf(ModelFileException.class)
                .hasMessageMatching("m\\.jkm: tensor 0 'lstm/kernel' \\(\\d+ bytes at offset \\d+\\): checksum"
                + " mismatch .*: the file is damaged");
    }

    @Test
    void flippedPaddingByteIsRefused() {
        byte[] b = lstm.clone();
        int pad = headerEnd(lstm);
        if (pad == dataOffset(lstm)) throw new AssertionError("no padding after this header; choose another fixture");
        b[pad] = 7;
        assertThat(refused(b)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("padding byte at offset " + pad
                + " between the header and the data section is 0x07");
        byte[] c = lstm.clone();
        c[c.length - 1] = 1;
        assertThat(refused(c)).hasMessageContaining("(end of file) is 0x01");
    }

    @Test
    void headerLengthBeyondTheFileIsNotTrusted() {
        byte[] b = lstm.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(24, Long.MAX_VALUE / 2);
        JkmFiles.fixPreambleCrc(b);
        assertThat(refused(b)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("does not fit: the file has " + lstm.length + " bytes");
        byte[] c = lstm.clone();
        ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putLong(40, 1L << 40); // claims a huge file
        JkmFiles.fixPreambleCrc(c);
        assertThat(refused(c)).isInstanceOf(ModelFileException.class).hasMessageContaining("is truncated");
    }

    @Test
    void tensorTableIsCheckedAgainstTheFile() throws Exception {
        byte[] beyond = JkmFiles.rewrite(lstm, h -> ((ObjectNode) h.get("tensors").get(1)).put("offset", 1L << 33)
                .put("keep_offset", true));
        assertThat(refused(beyond)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("does not lie within the data section");
        byte[] huge = JkmFiles.rewrite(lstm, h -> {
            ObjectNode t = (ObjectNode) h.get("tensors").get(0);
            t.putArray("shape").add(1 << 30).add(1 << 30);
        });
        assertThat(refused(huge)).hasMessageContaining("more than the limit of");
        byte[] nbytes = JkmFiles.rewrite(lstm, h -> ((ObjectNode) h.get("tensors").get(0)).put("nbytes", 4));
        assertThat(refused(nbytes)).hasMessageContaining("has nbytes 4 but shape");
        byte[] dtype = JkmFiles.rewrite(lstm, h -> ((ObjectNode) h.get("tensors").get(0)).put("dtype", "float16"));
        assertThat(refused(dtype))
                .hasMessageContaining("has dtype \"float16\"; formats 1.x and 2.x store float32 only");
        byte[] overlap = JkmFiles.rewrite(lstm, h -> {
            ObjectNode t0 = (ObjectNode) h.get("tensors").get(0), t1 = (ObjectNode) h.get("tensors").get(1);
            t1.put("offset", t0.get("offset").asLong()).put("keep_offset", true);
        });
        assertThat(refused(overlap)).hasMessageContaining("overlaps tensor 'lstm/kernel'");
    }

    @Test
    void inconsistentContentBehindValidChecksumsIsRefused() throws Exception {
        byte[] type = JkmFiles.rewrite(lstm, h -> ((ObjectNode) h.get("model").get("layers").get(1))
                .put("type", "Transformer"));
        assertThat(refused(type)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("unknown layer type 'Transformer'")
                .hasMessageContaining("this reader knows InputLayer, Dense");
        // the type string names a layer class; no other class of the package, nor of any other, is a type
        for (String notALayer : new String[]{"Recurrent", "Weight", "java.lang.Runtime", "Layer$Visitor"}) {
            byte[] other = JkmFiles.rewrite(lstm, h -> ((ObjectNode) h.get("model").get("layers").get(1))
                    .put("type", notALayer));
            assertThat(refused(other)).isInstanceOf(ModelFormatException.class)
                    .hasMessageContaining("unknown layer type '" + notALayer + "'");
        }
        byte[] act = JkmFiles.rewrite(lstm, h -> ((ObjectNode) h.get("model").get("layers").get(1).get("config"))
                .put("activation", "hard_sigmoid"));
        assertThat(refused(act))
                .hasMessageContaining("layer 'lstm': config 'activation' is 'hard_sigmoid'; allowed: [LINEAR, TANH");
        // 6 units, 4 gates: one tile of 16 units per gate, 64 columns in the GatePanel layout; 17 units need two tiles
        byte[] units = JkmFiles.rewrite(lstm, h -> ((ObjectNode) h.get("model").get("layers").get(1).get("config"))
                .put("units", 17));
        assertThat(refused(units))
                .hasMessageContaining(
                "layer 'lstm' weight 'kernel': has shape (3, 64), the layer's config needs (3, 128)");
        byte[] sameWidth = JkmFiles.rewrite(lstm, h -> ((ObjectNode) h.get("model").get("layers").get(1).get("config"))
                .put("units", 7));
        assertThat(refused(sameWidth))
                .hasMessageContaining(
                "layer 'lstm' weight 'recurrent_kernel': has shape (6, 64), the layer's config needs (7, 64)");
        byte[] layout = JkmFiles.rewrite(lstm, h -> ((ObjectNode) h.get("gate_layout")).put("tensors", "keras"));
        assertThat(refused(layout)).hasMessageContaining("header 'gate_layout' is {")
                .hasMessageContaining("format 2.x stores recurrent tensors as {\"tensors\": \"panel\", \"block\": 16}");
        byte[] block = JkmFiles.rewrite(lstm, h -> ((ObjectNode) h.get("gate_layout")).put("block", 8));
        assertThat(refused(block)).hasMessageContaining("\"block\":8");
        byte[] shapes = JkmFiles.rewrite(lstm, h
                -> ((ArrayNode) h.get("model").get("nodes").get(1).get("output_shapes")).removeAll().addArray().add(5)
                        .add(99));
        assertThat(refused(shapes)).hasMessageContaining("records output shapes [[5,99]] but the layer computes");
        byte[] cycle = JkmFiles.rewrite(lstm, h -> ((ArrayNode) h.get("model").get("nodes").get(1).get("inputs"))
                .removeAll().addArray().add(3).add(0));
        assertThat(refused(cycle)).hasMessageContaining("referenced node 3 is not an index below 1");
        byte[] twice = JkmFiles.rewrite(lstm, h
                -> ((ObjectNode) h.get("model").get("layers").get(2).get("weights").get(0)).put("tensor", 0));
        assertThat(refused(twice)).hasMessageContaining("tensor 0 'lstm/kernel' is referenced twice");
        byte[] json = JkmFiles.rewrite(lstm, h -> h.put("format", "something-else"));
        assertThat(refused(json)).hasMessageContaining("header 'format' is \"something-else\"");
    }

    @Test
    void nonZeroPaddingColumnOfARecurrentTensorIsRefused() throws Exception {
        // lstm/kernel is (3, 64): units 6..15 of each gate are padding; column 6 of row 0 is unit 6 of gate i
        byte[] pad = JkmFiles.rewrite(lstm, h -> {}, ts -> ByteBuffer.wrap(ts.get(0)).order(ByteOrder.LITTLE_ENDIAN)
                .putFloat(4 * 6, 0.5f),
                Jkm.MAJOR, Jkm.MINOR);
        assertThatThrownBy(() -> read(pad)).isInstanceOf(WeightException.class).hasMessageStartingWith("m.jkm: ")
                .hasMessageContaining(
                "layer 'lstm' weight 'kernel': holds 0.5 in padding column 6 of row 0; padding columns of the"
                        + " GatePanel layout are zero");
        byte[] negZero = JkmFiles.rewrite(lstm, h -> {}, ts -> ByteBuffer.wrap(ts.get(0)).order(ByteOrder.LITTLE_ENDIAN)
                .putFloat(4 * 63, -0f),
                Jkm.MAJOR, Jkm.MINOR);
        assertThatThrownBy(() -> read(negZero)).isInstanceOf(WeightException.class)
                .hasMessageContaining("holds -0.0 in padding column 63 of row 0");
    }

    @Test
    void nonFiniteWeightsAreRefusedUnlessAllowed() throws Exception {
        byte[] nan = JkmFiles.rewrite(lstm, h -> {}, ts -> ByteBuffer.wrap(ts.get(2)).order(ByteOrder.LITTLE_ENDIAN)
                .putFloat(4, Float.NaN),
                Jkm.MAJOR, Jkm.MINOR);
        assertThatThrownBy(() -> read(nan)).isInstanceOf(WeightException.class)
                .hasMessageContaining("weight 'lstm/bias': holds NaN at flat index 1");
        Model m = JkmReader.read(nan, "m.jkm",
                JkmReader.Options.DEFAULT.withLoadOptions(
                        io.jkeras.model.LoadOptions.DEFAULT.withAllowNonFiniteWeights(true)));
        assertThat(Float.isNaN(m.weights().get(2).weight().values()[1])).isTrue();
    }

    @Test
    void embeddedCheckFailsLoudlyWhenTheStoredOutputNoLongerMatches() throws Exception {
        FixtureCase c = FixtureCase.all("keras3").stream().filter(f -> f.name().equals("stack_lstm_lstm_dense"))
                .findFirst().orElseThrow();
        Model m = c.load();
        Tensor x = c.x(0, 0);
        Tensor y = m.predict(x)[0];
        byte[] ok = JkmWriter.toBytes(m,
                JkmWriter.Options.DEFAULT.withCheck(
                        new EmbeddedCheck("jkeras test", 0, 0, List.<Tensor[]>of(new Tensor[]{x}),
                                List.<Tensor[]>of(new Tensor[]{y}))));
        assertThat(read(ok).outputCount()).isEqualTo(1);
        int last = JkmFiles.header(ok).get("tensors").size() - 1; // the stored output
        byte[] bad = JkmFiles.rewrite(ok, h -> {}, ts -> {
            ByteBuffer f = ByteBuffer.wrap(ts.get(last)).order(ByteOrder.LITTLE_ENDIAN);
            f.putFloat(8, f.getFloat(8) + 1e-3f);
        }, Jkm.MAJOR, Jkm.MINOR);
        assertThatThrownBy(() -> read(bad)).isInstanceOf(EmbeddedCheckException.class)
                .hasMessageContaining("embedded check 0 (outputs from jkeras test) fails")
                .hasMessageContaining("max abs err 0.00100")
                .hasMessageContaining("1 of " + y.size() + " outside atol 0.0");
        assertThat(JkmReader.read(bad, "m.jkm", JkmReader.Options.DEFAULT.withRunChecks(false)).outputCount())
                .isEqualTo(1);
    }

    /** Fuzz: every single-byte change anywhere in the file is detected (CRC32C catches all of them). */
    @ParameterizedTest
    @ValueSource(strings = {"stack_lstm_lstm_dense", "bidir_gru", "conv1d_causal_lstm", "embedding_mask_lstm"})
    void randomByteFlipsAreAllRefused(String name) {
        byte[] f = bytesOf(name);
        SplittableRandom rnd = new SplittableRandom(name.hashCode());
        for (int i = 0; i < 300; i++) {
            byte[] b = f.clone();
            int pos = i < 64 ? i : rnd.nextInt(b.length); // every preamble byte, then random positions
            b[pos] ^= (byte) (1 + rnd.nextInt(255));
            Throwable t = catchThrowable(() -> read(b));
            assertThat(t).as(name + ": flip at " + pos)
                    .isInstanceOfAny(ModelFileException.class, ModelFormatException.class);
            assertThat(t.getMessage()).as(name + ": flip at " + pos).matches("m\\.jkm: .{20,}");
        }
    }

    /** Fuzz: truncation at any length, and a few overwritten runs of bytes, are refused. */
    @ParameterizedTest
    @ValueSource(strings = {"stack_lstm_lstm_dense", "bidir_gru", "conv1d_causal_lstm", "embedding_mask_lstm"})
    void randomTruncationsAndOverwritesAreRefused(String name) {
        byte[] f = bytesOf(name);
        SplittableRandom rnd = new SplittableRandom(~name.hashCode());
        for (int i = 0; i < 100; i++) {
            int len = rnd.nextInt(f.length);
            Throwable t = catchThrowable(() -> read(Arrays.copyOf(f, len)));
            assertThat(t).as(name + ": truncated to " + len).isInstanceOf(ModelFileException.class);
            assertThat(t.getMessage()).as(name + ": truncated to " + len)
                    .containsAnyOf("is truncated", "is not a jkeras native model");
        }
        for (int i = 0; i < 100; i++) {
            byte[] b = f.clone();
            int pos = rnd.nextInt(b.length), n = 1 + rnd.nextInt(16);
            boolean changed = false;
            for (int k = pos; k < Math.min(b.length, pos + n); k++) {
                byte v = (byte) rnd.nextInt(256);
                changed |= v != b[k];
                b[k] = v;
            }
            if (!changed) continue;
            Throwable t = catchThrowable(() -> read(b));
            assertThat(t).as(name + ": overwrite at " + pos)
                    .isInstanceOfAny(ModelFileException.class, ModelFormatException.class);
        }
    }

    @Test
    void fileOnDiskIsReadThroughAMapping() throws Exception {
        Path p = tmp.resolve("m.jkm");
        Files.write(p, Arrays.copyOf(lstm, lstm.length - 64));
        assertThatThrownBy(() -> Jkm.load(p)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("is truncated");
        assertThatThrownBy(() -> Jkm.load(tmp.resolve("missing.jkm"))).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("no such file");
        assertThatThrownBy(() -> Jkm.load(tmp)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("is a directory");
    }
}

package io.jkeras.npy;

import io.jkeras.exceptions.InputException;
import io.jkeras.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** .npy write/read round trips and reading files whose bytes are built here by hand. */
class NpyTest {

    static Stream<int[]> shapes() {
        return Stream.of(new int[]{}, new int[]{0}, new int[]{3}, new int[]{2, 3, 4}, new int[]{1, 0, 5});
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void writeThenReadIsBitExact(int[] shape) throws IOException {
        int n = 1;
        for (int d : shape) n *= d;
        float[] v = new float[n];
        int[] special = {0x80000000, 0x7fc12345, 0xff800000, 0x00000001};
        for (int i = 0; i < n; i++) v[i] = i < special.length ? Float.intBitsToFloat(special[i]) : (i - 7.25f) / 3f;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npy.write(out, new Tensor(shape, v));
        byte[] bytes = out.toByteArray();

        // format 1.0 header, 64-byte aligned data, little-endian float32 payload
        assertThat(bytes[6]).isEqualTo((byte) 1);
        int headerLen = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
        assertThat((10 + headerLen) % 64).isZero();
        assertThat(bytes.length).isEqualTo(10 + headerLen + 4 * n);
        String header = new String(bytes, 10, headerLen, StandardCharsets.ISO_8859_1);
        assertThat(header).contains("'descr': '<f4'").contains("'fortran_order': False").endsWith("\n");

        Npy.Array a = Npy.read(new ByteArrayInputStream(bytes), "mem", bytes.length);
        assertThat(a.dtype()).isEqualTo("float32");
        assertThat(a.tensor().shape()).containsExactly(shape);
        float[] back = a.tensor().data();
        assertThat(back).hasSize(n);
        for (int i = 0; i < n; i++) assertThat(Float.floatToRawIntBits(back[i]))
                .isEqualTo(Float.floatToRawIntBits(v[i]));
    }

    @Test
    void readsFromAFile(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("a.npy");
        try (var o = Files.newOutputStream(p)) {
            Npy.write(o, new Tensor(new int[]{2, 2}, new float[]{1, 2, 3, 4}));
        }
        Npy.Array a = Npy.read(p);
        assertThat(a.tensor().shape()).containsExactly(2, 2);
        assertThat(a.tensor().data()).containsExactly(1, 2, 3, 4);
        assertThatThrownBy(() -> Npy.read(dir.resolve("missing.npy"))).isInstanceOf(InputException.class);
    }

    @Test
    void readsFloat64() throws IOException {
        ByteBuffer b = le(4 * 8);
        double[] v = {1.0 / 3.0, -2.5, 1e300, 0.1};
        for (double d : v) b.putDouble(d);
        Npy.Array a = read(1, "<f8", "(2, 2)", b.array());
        assertThat(a.dtype()).isEqualTo("float64");
        assertThat(a.tensor().shape()).containsExactly(2, 2);
        float[] f = a.tensor().data();
        for (int i = 0; i < v.length; i++) assertThat(f[i]).isEqualTo((float) v[i]); // rounded to nearest
    }

    @Test
    void readsInt32AndInt64() throws IOException {
        ByteBuffer b = le(3 * 4);
        b.putInt(-7).putInt(Integer.MAX_VALUE).putInt(0);
        Npy.Array a = read(1, "<i4", "(3,)", b.array());
        assertThat(a.dtype()).isEqualTo("int32");
        assertThat(a.tensor().data()).containsExactly(-7f, (float) Integer.MAX_VALUE, 0f);

        ByteBuffer c = le(2 * 8);
        c.putLong(1L << 40).putLong(-123456789L);
        Npy.Array d = read(1, "<i8", "(2,)", c.array());
        assertThat(d.dtype()).isEqualTo("int64");
        assertThat(d.tensor().data()).containsExactly((float) (1L << 40), -123456789f);
    }

    @Test
    void readsUint8AndBool() throws IOException {
        Npy.Array a = read(1, "|u1", "(4,)", new byte[]{0, 1, (byte) 200, (byte) 255});
        assertThat(a.dtype()).isEqualTo("uint8");
        assertThat(a.tensor().data()).containsExactly(0f, 1f, 200f, 255f);

        Npy.Array b = read(1, "|b1", "(1, 3)", new byte[]{1, 0, 1});
        assertThat(b.dtype()).isEqualTo("bool");
        assertThat(b.tensor().shape()).containsExactly(1, 3);
        assertThat(b.tensor().data()).containsExactly(1f, 0f, 1f);
    }

    @Test
    void readsBigEndianFloat32() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(3 * 4).order(ByteOrder.BIG_ENDIAN);
        b.putFloat(1.5f).putFloat(-0.0f).putFloat(Float.intBitsToFloat(0x12345678));
        Npy.Array a = read(1, ">f4", "(3,)", b.array());
        assertThat(a.dtype()).isEqualTo("float32");
        float[] f = a.tensor().data();
        assertThat(f[0]).isEqualTo(1.5f);
        assertThat(Float.floatToRawIntBits(f[1])).isEqualTo(0x80000000);
        assertThat(Float.floatToRawIntBits(f[2])).isEqualTo(0x12345678);
    }

    @Test
    void readsVersion2Header() throws IOException {
        ByteBuffer b = le(2 * 3 * 4);
        for (int i = 0; i < 6; i++) b.putFloat(i * 0.5f);
        Npy.Array a = read(2, "<f4", "(2, 3)", b.array());
        assertThat(a.tensor().shape()).containsExactly(2, 3);
        assertThat(a.tensor().data()).containsExactly(0f, 0.5f, 1f, 1.5f, 2f, 2.5f);
        // and a 0-d array in format 2.0
        Npy.Array s = read(2, "<f8", "()", le(8).putDouble(4.25).array());
        assertThat(s.tensor().shape()).isEmpty();
        assertThat(s.tensor().data()).containsExactly(4.25f);
    }

    @Test
    void rejectsBadFiles() {
        assertThatThrownBy(() -> read(1, "<c8", "(1,)", new byte[8])).isInstanceOf(InputException.class)
                .hasMessageContaining("dtype");
        assertThatThrownBy(() -> read(1, "<f4", "(4,)", new byte[8])).isInstanceOf(InputException.class)
                .hasMessageContaining("truncated");
        assertThatThrownBy(() -> read(4, "<f4", "(1,)", new byte[4])).isInstanceOf(InputException.class);
        byte[] notNpy = "hello world, not numpy".getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> Npy.read(new ByteArrayInputStream(notNpy), "x", notNpy.length))
                .isInstanceOf(InputException.class);
        byte[] fortran = build(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", new byte[16]);
        assertThatThrownBy(() -> Npy.read(new ByteArrayInputStream(fortran), "x", fortran.length))
                .isInstanceOf(InputException.class);
    }

    // ---------------------------------------------------------------- building files by hand

    private static ByteBuffer le(int n) { return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN); }

    private static Npy.Array read(int major, String descr, String shape, byte[] data) throws IOException {
        byte[] f = build(major, "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }", data);
        return Npy.read(new ByteArrayInputStream(f), "test.npy", f.length);
    }

    /** magic, version, header length (2 bytes for 1.0, 4 for 2.0+), header padded to 64 with '\n', data. */
    private static byte[] build(int major, String dict, byte[] data) {
        int pre = 6 + 2 + (major == 1 ? 2 : 4);
        int pad = (64 - (pre + dict.length() + 1) % 64) % 64;
        byte[] header = (dict + " ".repeat(pad) + "\n").getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(new byte[]{(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) {
            o.write(header.length & 0xff);
            o.write(header.length >> 8 & 0xff);
        } else {
            o.writeBytes(le(4).putInt(header.length).array());
        }
        o.writeBytes(header);
        o.writeBytes(data);
        return o.toByteArray();
    }
}

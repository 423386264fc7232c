package io.jkeras.npy;

import io.jkeras.exceptions.InputException;
import io.jkeras.JKeras;
import io.jkeras.cli.CliResult;
import io.jkeras.model.Model;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A {@code .npy} input is checked against the model from its header, before its data is read
 * ({@link Npy#readInput}): a 1 GiB file of the wrong feature count was read whole (3.4 GB resident)
 * before predict refused it.
 */
class NpyInputShapeTest {
    private static final Path K3 = Path.of("fixtures", "keras3");

    @TempDir
    Path tmp;

    @Test
    void npyHeaderOfTheWrongShapeIsRefusedBeforeItsDataIsRead() throws IOException {
        Model m = JKeras.load(K3.resolve("lstm_default/model.h5"));
        int[] in = m.input(0).shape();
        // a header claiming 10^6 samples of the wrong feature count, followed by 16 bytes: had the
        // data been read first, the error would be about a truncated file
        Path p = tmp.resolve("wrong.npy");
        Files.write(p, npy("(1000000, " + Math.max(1, in[0]) + ", " + (in[1] + 1) + ")", 16));
        var e = assertThrows(InputException.class, () -> Npy.readInput(p, m, 0));
        assertThat(e.getMessage()).contains(p.toString(), "input 0 expects shape", "got (1000000, ")
                .doesNotContain("truncated");
        // the same message as predict on an array of that shape
        Path y = tmp.resolve("y.npy");
        String model = K3.resolve("lstm_default/model.h5").toString();
        CliResult r = CliResult.run("predict", model, "-i", p.toString(), "-o", y.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).contains("expects shape").doesNotContain("truncated");
        assertThat(y).doesNotExist();
    }

    @Test
    void anInputOfTheRightShapeReadsAsBefore() {
        Model m = JKeras.load(K3.resolve("lstm_default/model.h5"));
        Path x = K3.resolve("lstm_default/x0.npy");
        assertThat(Npy.readInput(x, m, 0).tensor().data()).containsExactly(Npy.read(x).tensor().data());
    }

    /** A .npy (v1.0, float32) with the given shape text and {@code dataBytes} zero bytes of data. */
    private static byte[] npy(String shape, int dataBytes) {
        String h = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
        StringBuilder sb = new StringBuilder(h);
        while ((10 + sb.length() + 1) % 64 != 0) sb.append(' ');
        sb.append('\n');
        byte[] hb = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(10 + hb.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[]{(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) hb.length).put(hb);
        return b.array();
    }
}

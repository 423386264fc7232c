package io.jkeras.formats;

import io.jkeras.JKeras;
import io.jkeras.model.Model;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * A {@code .keras} archive is mapped, and only the entries the loader uses are read: an archive
 * holding a 1 GiB unused entry was read whole into memory (2.6 GB resident for a summary).
 */
class ArchiveUnusedEntriesTest {
    private static final Path K3 = Path.of("fixtures", "keras3");

    @TempDir
    Path tmp;

    @Test
    void archiveEntriesTheModelDoesNotUseAreNeverRead() throws IOException {
        List<Object[]> entries = new ArrayList<>();
        try (ZipFile z = new ZipFile(K3.resolve("lstm_default/model.keras").toFile())) {
            for (var e : java.util.Collections.list(z.entries())) {
                entries.add(new Object[]{e.getName(), z.getInputStream(e).readAllBytes()});
            }
        }
        // 64 MiB stored, with a CRC that does not match: reading it would fail or allocate 64 MiB
        entries.add(new Object[]{"assets/unused.bin", new byte[64 << 20]});
        Path p = tmp.resolve("unused_entry.keras");
        Files.write(p, storedZip(entries, "assets/unused.bin"));
        Object[] loaded = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = mx.getCurrentThreadAllocatedBytes();
            Model m = JKeras.load(p);
            return new Object[]{m, mx.getCurrentThreadAllocatedBytes() - before};
        });
        assertThat(((Model) loaded[0]).paramCount())
                .isEqualTo(JKeras.load(K3.resolve("lstm_default/model.keras")).paramCount());
        assertThat((Long) loaded[1]).as("bytes allocated while loading").isLessThan(32L << 20);
    }

    /** A zip of stored entries (name, bytes); the entry named {@code badCrc} gets a wrong CRC-32. */
    private static byte[] storedZip(List<Object[]> entries, String badCrc) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream central = new ByteArrayOutputStream();
        for (Object[] e : entries) {
            byte[] name = ((String) e[0]).getBytes(StandardCharsets.UTF_8);
            byte[] data = (byte[]) e[1];
            CRC32 crc = new CRC32();
            crc.update(data);
            int c = (int) crc.getValue() ^ (e[0].equals(badCrc) ? 1 : 0);
            int offset = out.size();
            ByteBuffer l = ByteBuffer.allocate(30).order(ByteOrder.LITTLE_ENDIAN);
            l.putInt(0x04034b50).putShort((short) 20).putShort((short) 0).putShort((short) 0).putInt(0).putInt(c)
                    .putInt(data.length).putInt(data.length).putShort((short) name.length).putShort((short) 0);
            out.writeBytes(l.array());
            out.writeBytes(name);
            out.writeBytes(data);
            ByteBuffer h = ByteBuffer.allocate(46).order(ByteOrder.LITTLE_ENDIAN);
            h.putInt(0x02014b50).putShort((short) 20).putShort((short) 20).putShort((short) 0).putShort((short) 0)
                    .putInt(0)
                    .putInt(c).putInt(data.length).putInt(data.length).putShort((short) name.length).putShort((short) 0)
                    .putShort((short) 0).putShort((short) 0).putShort((short) 0).putInt(0).putInt(offset);
            central.writeBytes(h.array());
            central.writeBytes(name);
        }
        int cdOffset = out.size();
        out.writeBytes(central.toByteArray());
        ByteBuffer end = ByteBuffer.allocate(22).order(ByteOrder.LITTLE_ENDIAN);
        end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) entries.size())
                .putShort((short) entries.size()).putInt(central.size()).putInt(cdOffset).putShort((short) 0);
        out.writeBytes(end.array());
        return out.toByteArray();
    }
}

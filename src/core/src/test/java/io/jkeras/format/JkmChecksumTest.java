package io.jkeras.format;

import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;

/** The format's checksums against the JDK's implementations, which act as the oracle; the reader's tensor ordering. */
class JkmChecksumTest {
    @Test
    void bitwisePreambleCrcIsCrc32c() {
        Random r = new Random(5);
        for (int len : new int[]{0, 1, 2, 7, 8, 59, 60, 64, 257, 4096}) {
            for (int trial = 0; trial < 20; trial++) {
                byte[] b = new byte[len + 3];
                r.nextBytes(b);
                CRC32C c = new CRC32C();
                c.update(b, 3, len);
                assertThat(Jkm.preambleCrc(b, 3, len)).as("len " + len).isEqualTo((int) c.getValue());
            }
        }
    }

    @Test
    void headerAndTensorChecksumIsCrc32From20AndCrc32cBefore() {
        byte[] b = new byte[1000];
        new Random(6).nextBytes(b);
        CRC32 z = new CRC32();
        z.update(b);
        CRC32C c = new CRC32C();
        c.update(b);
        for (int major = 1; major <= Jkm.MAJOR; major++) {
            java.util.zip.Checksum s = Jkm.checksum(major);
            s.update(b, 0, b.length);
            assertThat(s.getValue()).as("format " + major).isEqualTo(major >= 2 ? z.getValue() : c.getValue());
            assertThat(Jkm.checksumKey(major)).isEqualTo(major >= 2 ? "crc32" : "crc32c");
            assertThat(Jkm.checksumName(major)).isEqualTo(major >= 2 ? "CRC32" : "CRC32C");
        }
    }

    /**
     * Tables in any order come out sorted by offset, a table in order unchanged (the reader's padding check walks them
     * so).
     */
    @Test
    void tensorTablesAreSortedByOffsetInAnyOrder() {
        java.util.Random r = new java.util.Random(8);
        for (int n : new int[]{0, 1, 2, 3, 17, 1000}) {
            JkmReader.TensorInfo[] sorted = new JkmReader.TensorInfo[n];
            for (int i = 0; i < n; i++) sorted[i] = new JkmReader.TensorInfo("t" + i, new int[]{1}, 64L * (i + 1), 4,
                    0);
            JkmReader.TensorInfo[] reversed = new JkmReader.TensorInfo[n], shuffled = sorted.clone(),
                    same = sorted.clone();
            for (int i = 0; i < n; i++) reversed[i] = sorted[n - 1 - i];
            java.util.Collections.shuffle(java.util.Arrays.asList(shuffled), r);
            for (JkmReader.TensorInfo[] t : new JkmReader.TensorInfo[][]{reversed, shuffled, same}) {
                JkmReader.sortByOffset(t);
                assertThat(t).as("n=" + n).containsExactly(sorted);
            }
        }
    }
}

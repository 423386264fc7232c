package io.jkeras.util;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Test-only program for {@link AtomicWriteKillTest}: writes {@code chunks} chunks of
 * {@code chunkBytes} bytes (each filled with its chunk number) to {@code target} through
 * {@link AtomicFiles#write}, flushing each chunk to the temporary file and sleeping
 * {@code sleepMillis} between chunks, so that the parent can kill it mid-write.
 *
 * <pre>java -cp … io.jkeras.util.SlowAtomicWriter TARGET CHUNKS CHUNK_BYTES SLEEP_MILLIS</pre>
 */
public final class SlowAtomicWriter {
    private SlowAtomicWriter() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        Path target = Path.of(args[0]);
        int chunks = Integer.parseInt(args[1]);
        int chunkBytes = Integer.parseInt(args[2]);
        long sleep = Long.parseLong(args[3]);
        AtomicFiles.write(target, out -> {
            byte[] chunk = new byte[chunkBytes];
            for (int i = 0; i < chunks; i++) {
                Arrays.fill(chunk, (byte) i);
                out.write(chunk);
                out.flush();
                System.out.println("chunk " + i);
                try {
                    Thread.sleep(sleep);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
        });
        System.out.println("done");
    }
}

package io.jkeras.format;

import io.jkeras.exceptions.ModelFileException;
import io.jkeras.model.LoadOptions;
import io.jkeras.model.Model;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The jkeras native model format ({@code .jkm}, described in {@code docs/format.md}): a 64-byte
 * preamble (magic, format version, section offsets, checksums), a JSON header holding the engine's
 * own description of the model, then little-endian float32 tensors aligned to 64 bytes, each with
 * its checksum. A converted model loads without HDF5, Jackson or Keras config mapping: the header is
 * read by a small parser of its own, the tensors are checked and copied once into the arrays handed
 * to the engine's layer constructors.
 *
 * <pre>{@code
 * Jkm.save(JKeras.load(Path.of("model.h5")), Path.of("model.jkm"));   // once, in a build step
 * Model m = Jkm.load(Path.of("model.jkm"));                             // in the service
 * }</pre>
 */
public final class Jkm {
    /**
     * {@code \x89 J K M \r \n \x1a \n}: a high byte first and line ends, as PNG, so that text-mode transfers are
     * caught.
     */
    static final byte[] MAGIC = {(byte) 0x89, 'J', 'K', 'M', '\r', '\n', 0x1a, '\n'};
    /**
     * The format version this code writes and the newest major version it reads. 2.0 stores
     * recurrent layers' tensors in the engine's {@code GatePanel} layout; 1.0 stored Keras' layout.
     */
    public static final int MAJOR = 2;
    public static final int MINOR = 1;
    /** The oldest major version this code reads (every released one). */
    public static final int OLDEST_MAJOR = 1;
    /** Size of the preamble; its layout is the same in every format version. */
    static final int PREAMBLE = 64;
    /** Alignment of the data section and of every tensor. */
    static final int ALIGN = 64;
    /** The largest JSON header accepted, whatever the preamble claims. */
    static final long MAX_HEADER_BYTES = 64L << 20;
    /** The file name extension. */
    public static final String EXTENSION = ".jkm";

    private Jkm() {}

    /**
     * The checksum of the header and of each tensor in format version {@code major}: CRC32 from
     * 2.0 (the JDK's {@code CRC32} is ready in any JVM, as the class loader's jar reading uses it),
     * CRC32C in 1.x (the JDK's {@code CRC32C} builds its tables on first use, 1.7 ms of a fresh
     * JVM's first load). Both use the processor's CRC instructions.
     */
    static java.util.zip.Checksum checksum(int major) { return major >= 2 ? new java.util.zip.CRC32() : crc32c(); }

    /**
     * In a method of its own, so that verifying {@link #checksum} does not load the JDK's CRC32C class for a 2.x file.
     */
    private static java.util.zip.Checksum crc32c() { return new java.util.zip.CRC32C(); }

    /** "CRC32" or "CRC32C": the name of {@link #checksum(int)} in messages. */
    static String checksumName(int major) { return major >= 2 ? "CRC32" : "CRC32C"; }

    /** The tensor table's key for a tensor's checksum: {@code crc32} (2.x) or {@code crc32c} (1.x). */
    static String checksumKey(int major) { return major >= 2 ? "crc32" : "crc32c"; }

    /**
     * CRC32C (Castagnoli, reflected polynomial 0x82F63B78) of {@code b[off, off+len)}, one bit at
     * a time: the preamble's checksum, the same in every version. For its 60 bytes this costs
     * microseconds, and spares a 2.x load the JDK's {@code CRC32C} class.
     */
    static int preambleCrc(byte[] b, int off, int len) {
        int c = ~0;
        for (int i = off; i < off + len; i++) {
            c ^= b[i] & 0xff;
            for (int k = 0; k < 8; k++) c = (c >>> 1) ^ (0x82F63B78 & -(c & 1));
        }
        return ~c;
    }

    /** Loads a native model with default options (embedded checks are run). */
    public static Model load(Path path) { return JkmReader.read(path, JkmReader.Options.DEFAULT); }

    /** Loads a native model; {@code options} give the weight limits and the non-finite switch. */
    public static Model load(Path path, LoadOptions options) {
        return JkmReader.read(path, JkmReader.Options.DEFAULT.withLoadOptions(options));
    }

    public static Model load(Path path, JkmReader.Options options) { return JkmReader.read(path, options); }

    /** Loads a native model held in memory; {@code label} names it in errors. */
    public static Model load(byte[] bytes, String label, JkmReader.Options options) {
        return JkmReader.read(bytes, label, options);
    }

    /**
     * Writes {@code model} atomically (temporary file, fsync, rename): {@code path} is either
     * untouched or the whole new file. A failed write is a {@link ModelFileException} naming the file.
     */
    public static void save(Model model, Path path) { save(model, path, JkmWriter.Options.DEFAULT); }

    /** As {@link #save(Model, Path)}, with the source file's provenance and embedded checks of {@code options}. */
    public static void save(Model model, Path path, JkmWriter.Options options) {
        try {
            JkmWriter.write(model, path, options);
        } catch (IOException e) {
            throw new ModelFileException(path.toString(), null, null, "cannot write: " + e.getMessage(), e);
        }
    }

    /** True when {@code head} starts with the native format's magic bytes. */
    public static boolean isJkm(byte[] head) {
        return head != null && head.length >= MAGIC.length
                && Arrays.equals(head, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
    }

    /** True when the file exists and starts with the native magic (its name does not matter). */
    public static boolean isJkm(Path path) {
        if (!Files.isRegularFile(path)) return false;
        // RandomAccessFile rather than Files.newInputStream: the JVM has already loaded it (jar
        // files are read with it), which matters when this is the first file a service opens
        byte[] head = new byte[MAGIC.length];
        if (path.getFileSystem() != FileSystems.getDefault()) {
            try (InputStream in = Files.newInputStream(path)) {
                return isJkm(in.readNBytes(MAGIC.length));
            } catch (IOException e) {
                return false;
            }
        }
        try (RandomAccessFile in = new RandomAccessFile(path.toFile(), "r")) {
            in.readFully(head);
            return isJkm(head);
        } catch (IOException e) {
            return false;
        }
    }

}

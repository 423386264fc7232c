package io.jkeras.format;

import io.jkeras.keras.LoadOptions;
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
 * its CRC32C. A converted model loads without HDF5, Jackson or Keras config mapping: the header is
 * read by a small parser of its own, the tensors are checked and copied once into the arrays handed
 * to the engine's layer constructors.
 *
 * <pre>{@code
 * Jkm.save(JKeras.load(Path.of("model.h5")), Path.of("model.jkm"));   // once, in a build step
 * Model m = Jkm.load(Path.of("model.jkm"));                             // in the service
 * }</pre>
 */
public final class Jkm {
    /** {@code \x89 J K M \r \n \x1a \n}: a high byte first and line ends, as PNG, so that text-mode transfers are caught. */
    static final byte[] MAGIC = {(byte) 0x89, 'J', 'K', 'M', '\r', '\n', 0x1a, '\n'};
    /** The format version this code writes and the newest major version it reads. */
    public static final int MAJOR = 1;
    public static final int MINOR = 0;
    /** Size of the preamble; its layout is the same in every format version. */
    static final int PREAMBLE = 64;
    /** Alignment of the data section and of every tensor. */
    static final int ALIGN = 64;
    /** The largest JSON header accepted, whatever the preamble claims. */
    static final long MAX_HEADER_BYTES = 64L << 20;
    /** The file name extension. */
    public static final String EXTENSION = ".jkm";

    private Jkm() {}

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

    /** Writes {@code model} atomically (temporary file, fsync, rename) with its source's provenance. */
    public static void save(Model model, Path path) throws IOException { JkmWriter.write(model, path, JkmWriter.Options.DEFAULT); }

    public static void save(Model model, Path path, JkmWriter.Options options) throws IOException {
        JkmWriter.write(model, path, options);
    }

    /** True when {@code head} starts with the native format's magic bytes. */
    public static boolean isJkm(byte[] head) {
        return head != null && head.length >= MAGIC.length && Arrays.equals(head, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
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

    /** The version string this jkeras build reports (the jar's implementation version). */
    public static String jkerasVersion() {
        String v = Jkm.class.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }
}

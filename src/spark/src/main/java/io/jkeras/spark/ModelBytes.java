package io.jkeras.spark;

import io.jkeras.JKeras;
import io.jkeras.exceptions.ModelFileException;
import io.jkeras.model.Model;
import io.jkeras.util.Sha256;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A model file's bytes (a {@code .jkm}, {@code .keras} or {@code .h5}, told apart by their first bytes) with their
 * SHA-256: what the driver broadcasts once. {@link #model()} loads it at most once per JVM (an executor, or the
 * driver), however many tasks, stages or Transformers ask: the loaded models are cached by content hash, so two
 * paths to the same file share one model, and a changed file at the same path is a new one.
 */
public final class ModelBytes implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The files a JVM has loaded, by SHA-256; models are immutable and thread-safe, so tasks share them. */
    private static final ConcurrentMap<String, Model> LOADED = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    private final String name;
    private final byte[] bytes;
    private final String sha256;

    public ModelBytes(String name, byte[] bytes) {
        this.name = name;
        this.bytes = bytes.clone();
        this.sha256 = Sha256.of(bytes);
    }

    /**
     * Reads a model file through Hadoop's file systems (a local path, {@code file:}, {@code hdfs:}, {@code s3a:}, …
     * as {@code conf} knows them), refusing one larger than {@code maxBytes}.
     */
    public static ModelBytes read(String path, Configuration conf, long maxBytes) {
        try {
            Path p = new Path(path);
            FileSystem fs = p.getFileSystem(conf);
            long len = fs.getFileStatus(p).getLen();
            if (len > maxBytes) {
                throw new ModelFileException(path, null, null, "model file of " + len + " bytes is over the limit of "
                        + maxBytes + " bytes to broadcast");
            }
            byte[] b = new byte[(int) len];
            try (FSDataInputStream in = fs.open(p)) {
                in.readFully(0, b);
            }
            return new ModelBytes(path, b);
        } catch (IOException e) {
            throw new ModelFileException(path, null, null, "cannot read model file (" + e.getMessage() + ")", e);
        }
    }

    /** The path the bytes were read from: it labels errors. */
    public String name() { return name; }

    /** SHA-256 of the bytes, hex. */
    public String sha256() { return sha256; }

    public int size() { return bytes.length; }

    /** The model, loaded from the bytes the first time this JVM sees their hash, then shared. */
    public Model model() {
        return LOADED.computeIfAbsent(sha256, k -> {
            LOADS.incrementAndGet();
            return JKeras.load(new ByteArrayInputStream(bytes), name);
        });
    }

    /** How many model files this JVM has loaded (parsed) so far: the cache's misses. */
    public static int loadsInThisJvm() { return LOADS.get(); }
}

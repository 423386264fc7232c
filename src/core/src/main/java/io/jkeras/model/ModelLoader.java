package io.jkeras.model;

import io.jkeras.exceptions.ModelFileException;
import io.jkeras.exceptions.ModelFormatException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * A reader of one family of model files, found with {@link ServiceLoader}: the core registers the
 * native format's ({@code io.jkeras.format.JkmModelLoader}), the Keras readers theirs, each in
 * {@code META-INF/services/io.jkeras.model.ModelLoader}. Code in the core that must load a model
 * file without knowing its format (a golden case's model) asks {@link #forFile(Path)}; which reader
 * takes a file is told by its first bytes, not its name.
 */
public interface ModelLoader {
    /** How many first bytes of a file {@link #accepts(byte[])} is given (fewer for a shorter file). */
    int HEAD_BYTES = 8;

    /** The formats this loader reads, in words for a message, e.g. {@code "jkeras native (.jkm)"}. */
    String formats();

    /** Whether this loader reads a file starting with {@code head} (its first {@link #HEAD_BYTES} bytes at most). */
    boolean accepts(byte[] head);

    /** Loads {@code path}, which {@link #accepts(byte[])} took. */
    Model load(Path path, LoadOptions options);

    /** The loaders on the class path, in the order {@link ServiceLoader} gives them. */
    static List<ModelLoader> available() {
        List<ModelLoader> out = new ArrayList<>();
        for (ModelLoader l : ServiceLoader.load(ModelLoader.class, ModelLoader.class.getClassLoader())) out.add(l);
        return out;
    }

    /**
     * The first available loader that accepts {@code path}; when none does, an error naming the
     * file, its first bytes and the formats available.
     */
    static ModelLoader forFile(Path path) {
        byte[] head;
        try (InputStream in = Files.newInputStream(path)) {
            head = in.readNBytes(HEAD_BYTES);
        } catch (IOException e) {
            throw new ModelFileException(path.toString(), null, null, "cannot read: " + e.getMessage(), e);
        }
        List<ModelLoader> all = available();
        for (ModelLoader l : all) if (l.accepts(head)) return l;
        List<String> formats = new ArrayList<>();
        for (ModelLoader l : all) formats.add(l.formats());
        StringBuilder hex = new StringBuilder();
        for (byte b : head) hex.append(hex.length() == 0 ? "" : " ").append(String.format("%02x", b & 0xff));
        throw new ModelFormatException(path.toString(), null, null,
                "is not a model file of a format jkeras reads here (its first bytes: "
                + (head.length == 0 ? "none, the file is empty" : hex) + "); the formats available: "
                + (formats.isEmpty() ? "none (no model loader is on the class path)" : String.join("; ", formats)));
    }
}

package io.jkeras.format;

import io.jkeras.model.LoadOptions;
import io.jkeras.model.Model;
import io.jkeras.model.ModelLoader;

import java.nio.file.Path;

/** The core's own {@link ModelLoader}: the native format, told by its magic bytes. */
public final class JkmModelLoader implements ModelLoader {
    @Override
    public String formats() { return "jkeras native (.jkm)"; }

    @Override
    public boolean accepts(byte[] head) { return Jkm.isJkm(head); }

    @Override
    public Model load(Path path, LoadOptions options) { return Jkm.load(path, options); }
}

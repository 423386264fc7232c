package io.jkeras.keras;

import io.jkeras.model.LoadOptions;
/**
 * What a mapper may know about the file: its name (for errors), writer version and backend, and the
 * load limits that the sizes in its config are checked against.
 */
public record MapContext(String file, KerasVersion version, String backend, LoadOptions options) {
    public MapContext(String file, KerasVersion version, String backend) {
        this(file, version, backend, LoadOptions.DEFAULT);
    }

    public boolean keras1() { return version.major() < 2; }

    public boolean keras3() { return version.major() >= 3; }
}

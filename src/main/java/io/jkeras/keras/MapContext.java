package io.jkeras.keras;

/** What a mapper may know about the file: its name (for errors), writer version and backend. */
public record MapContext(String file, KerasVersion version, String backend) {
    public boolean keras1() { return version.major() < 2; }

    public boolean keras3() { return version.major() >= 3; }
}

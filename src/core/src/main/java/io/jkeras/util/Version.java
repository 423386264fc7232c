package io.jkeras.util;

/** jkeras' own version, as files it writes record it (native headers, golden cases, reports). */
public final class Version {
    private Version() {}

    /** The version in the jar's manifest, or "development build" when run from classes. */
    public static String jkeras() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }
}

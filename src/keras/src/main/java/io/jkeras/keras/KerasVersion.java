package io.jkeras.keras;

/**
 * The Keras version that wrote a file, e.g. {@code 2.2.4-tf} or {@code 3.15.1}. Files that do not
 * record one (Keras 1 weights-only files) get the version their config's keys imply.
 */
public record KerasVersion(int major, int minor, int patch, String raw) {
    public static final KerasVersion UNKNOWN_1 = new KerasVersion(1, 0, 0, "1 (inferred)");
    public static final KerasVersion UNKNOWN_2 = new KerasVersion(2, 0, 0, "2 (inferred)");

    public static KerasVersion parse(String s) {
        if (s == null || s.isBlank()) return null;
        String t = s.trim();
        int[] v = new int[3];
        String[] parts = t.split("[^0-9]+");
        int n = 0;
        for (String p : parts) {
            if (p.isEmpty()) continue;
            if (n >= 3) break;
            try {
                v[n++] = Integer.parseInt(p.length() > 6 ? p.substring(0, 6) : p);
            } catch (NumberFormatException e) {
                break;
            }
        }
        if (n == 0) return null;
        return new KerasVersion(v[0], v[1], v[2], t);
    }

    @Override public String toString() { return raw; }
}

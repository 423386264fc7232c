package io.jkeras.train;

import java.util.Map;

/**
 * Reading a Keras config given as plain Java values, as a JSON reader gives them: a {@code Map}
 * with {@code String} keys for an object, a {@code List} for an array, {@code String},
 * {@code Number}, {@code Boolean} or null for the rest. The reading of {@code io.jkeras.keras}
 * turns Keras' JSON into such values; here they are read with the lenient conversions of a JSON
 * tree ({@code true}/{@code false} for a number is {@code != 0}, a number's text is its digits).
 */
final class ConfigValues {
    private ConfigValues() {}

    /** The value at {@code key}, or null when absent or null. */
    static Object get(Map<?, ?> c, String key) { return c == null ? null : c.get(key); }

    /** Whether {@code key} holds a value other than null. */
    static boolean has(Map<?, ?> c, String key) { return get(c, key) != null; }

    /** The value at {@code key} as an object, or null when it is not one. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object v) { return v instanceof Map<?, ?> m ? (Map<String, Object>) m : null; }

    /** The number at {@code key}; null when absent or null; 0 for a value that is not a number. */
    static Double num(Map<?, ?> c, String key) {
        Object v = get(c, key);
        return v == null ? null : asDouble(v, 0.0);
    }

    static double dbl(Map<?, ?> c, String key, double def) {
        Object v = get(c, key);
        return v == null ? def : asDouble(v, def);
    }

    static long lng(Map<?, ?> c, String key, long def) {
        Object v = get(c, key);
        if (v instanceof Number n) return n.longValue();
        if (v instanceof Boolean b) return b ? 1 : 0;
        if (v instanceof String s) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                return def;
            }
        }
        return def;
    }

    static boolean bool(Map<?, ?> c, String key, boolean def) {
        Object v = get(c, key);
        if (v instanceof Boolean b) return b;
        if (v instanceof Number n) return n.doubleValue() != 0;
        if (v instanceof String s) {
            if (s.trim().equals("true")) return true;
            if (s.trim().equals("false")) return false;
        }
        return def;
    }

    /** The text at {@code key} (a number's or boolean's as written), or {@code def} when absent or null. */
    static String text(Map<?, ?> c, String key, String def) {
        Object v = get(c, key);
        return v == null ? def : v instanceof String s ? s : v instanceof Map<?, ?> || v instanceof java.util.List<?>
                ? "" : v.toString();
    }

    private static double asDouble(Object v, double def) {
        if (v instanceof Number n) return n.doubleValue();
        if (v instanceof Boolean b) return b ? 1 : 0;
        if (v instanceof String s) {
            try {
                return Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                return def;
            }
        }
        return def;
    }
}

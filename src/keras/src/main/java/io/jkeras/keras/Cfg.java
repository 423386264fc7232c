package io.jkeras.keras;

import com.fasterxml.jackson.databind.JsonNode;
import io.jkeras.exceptions.ModelFormatException;

/** Typed access to a layer's normalised config; wrong types are reported with the layer's name. */
final class Cfg {
    private final JsonNode c;
    private final String layer;
    private final String file;
    private final int maxDimension;

    Cfg(LayerSpec spec, MapContext ctx) {
        this.c = spec.config();
        this.layer = spec.name();
        this.file = ctx.file();
        this.maxDimension = ctx.options().maxDimension();
    }

    boolean has(String key) {
        JsonNode v = c.get(key);
        return v != null && !v.isNull();
    }

    JsonNode node(String key) { return c.get(key); }

    boolean bool(String key, boolean dflt) {
        JsonNode v = c.get(key);
        if (v == null || v.isNull()) return dflt;
        if (v.isBoolean()) return v.booleanValue();
        if (v.isIntegralNumber()) return v.intValue() != 0;
        throw bad(key, "a boolean", v);
    }

    int integer(String key) {
        JsonNode v = c.get(key);
        if (v == null || v.isNull()) throw new ModelFormatException(file, layer, null, "config has no '" + key + "'",
                null);
        if (v.isIntegralNumber() && v.canConvertToInt()) return v.intValue();
        if (v.isNumber() && v.doubleValue() == Math.rint(v.doubleValue())
                && Math.abs(v.doubleValue()) < Integer.MAX_VALUE) return (int) v.doubleValue();
        throw bad(key, "an integer", v);
    }

    /**
     * A count or size (units, filters, a kernel size, a repeat count): an integer from 0 to
     * {@link LoadOptions#maxDimension}, checked before anything of that size is allocated or looped over.
     */
    int dimension(String key) {
        return dimension(key, integer(key));
    }

    /** {@code value}, read from config {@code key}, checked as {@link #dimension(String)} does. */
    int dimension(String key, int value) {
        if (value < 0) {
            throw new ModelFormatException(file, layer, null, "config '" + key + "' is " + value
                    + "; allowed: 0 or more", null);
        }
        if (value > maxDimension) {
            throw new ModelFormatException(file, layer, null, "config '" + key + "' is " + value
                    + ", more than the limit of " + maxDimension + " (LoadOptions.maxDimension)", null);
        }
        return value;
    }

    double number(String key, double dflt) {
        JsonNode v = c.get(key);
        if (v == null || v.isNull()) return dflt;
        if (v.isNumber()) return v.doubleValue();
        throw bad(key, "a number", v);
    }

    String text(String key, String dflt) {
        JsonNode v = c.get(key);
        if (v == null || v.isNull()) return dflt;
        if (v.isTextual()) return v.asText();
        throw bad(key, "a string", v);
    }

    /** A shape list with nulls as -1, or null when absent. */
    int[] shape(String key) {
        JsonNode v = c.get(key);
        if (v == null || v.isNull()) return null;
        if (!v.isArray()) throw bad(key, "a list of dimensions", v);
        int[] s = new int[v.size()];
        for (int i = 0; i < s.length; i++) {
            JsonNode d = v.get(i);
            if (d.isNull()) s[i] = -1;
            else if (d.isIntegralNumber() && d.canConvertToInt() && d.intValue() >= 0) {
                s[i] = dimension(key, d.intValue());
            }
            else throw bad(key, "a list of non-negative dimensions or nulls", v);
        }
        return s;
    }

    private ModelFormatException bad(String key, String what, JsonNode v) {
        return new ModelFormatException(file, layer, null, "config '" + key + "' should be " + what + ", found "
                + ConfigParser.abbreviate(v), null);
    }
}

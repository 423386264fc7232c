package io.jkeras.util;

import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The project's JSON: an immutable tree, its strict parser (RFC 8259) and its writers, with no
 * library behind them. The native reader uses it so that loading a {@code .jkm} file touches only a
 * handful of small classes: in a fresh JVM, initialising a data-binding library costs far more than
 * reading the file itself. The accessors follow Jackson's tree model (a missing key is
 * {@code null} from {@link #get(String)}, a missing value from {@link #path(String)}),
 * {@link #toString()} gives compact JSON for error messages, and {@link #toBytes()} and
 * {@link #toPrettyBytes()} write files byte for byte as Jackson 2 wrote them before (the frozen
 * native files pin this). Trees are built with {@link #object()} and {@link #array()}.
 *
 * <p>Refused, each with a {@link Syntax} error giving the byte offset: invalid UTF-8, control
 * characters in strings, duplicate keys in an object, nesting deeper than {@link #MAX_DEPTH},
 * numbers longer than {@link #MAX_NUMBER_CHARS} characters, and anything after the value but
 * whitespace.
 */
public final class Json implements Iterable<Json> {
    public static final int MAX_DEPTH = 64;
    public static final int MAX_NUMBER_CHARS = 1000;

    private static final int OBJECT = 0, ARRAY = 1, STRING = 2, INT = 3, FLOAT = 4, TRUE = 5, FALSE = 6, NULL = 7,
        MISSING = 8, FLOAT32 = 9;

    public static final Json MISSING_NODE = new Json(MISSING, null, 0, 0, null, null);
    private static final Json TRUE_NODE = new Json(TRUE, null, 0, 0, null, null);
    private static final Json FALSE_NODE = new Json(FALSE, null, 0, 0, null, null);
    private static final Json NULL_NODE = new Json(NULL, null, 0, 0, null, null);

    /** Input that is not valid JSON; {@link #offset()} is the byte where parsing stopped. */
    public static final class Syntax extends Exception {
        private final String reason;
        private final int offset;

        Syntax(String reason, int offset) {
            super(reason + " at byte " + offset);
            this.reason = reason;
            this.offset = offset;
        }

        /** What is wrong, without the position. */
        public String reason() { return reason; }

        /** The byte offset in the input where parsing stopped. */
        public int offset() { return offset; }
    }

    private final int kind;
    /**
     * A string's value, an integer's text when it does not fit in a long, or a parsed decimal's text
     * when it took the slow path (see {@link #decimalValue()}).
     */
    private final String text;
    /** An integer's value; {@code fitsLong} tells whether it holds it. */
    private final long integer;
    private final double floating;
    private final List<Json> items;
    private final Map<String, Json> fields;

    private Json(int kind, String text, long integer, double floating, List<Json> items, Map<String, Json> fields) {
        this.kind = kind;
        this.text = text;
        this.integer = integer;
        this.floating = floating;
        this.items = items;
        this.fields = fields;
    }

    // --- the tree --------------------------------------------------------------------------------

    public boolean isObject() { return kind == OBJECT; }

    public boolean isArray() { return kind == ARRAY; }

    public boolean isTextual() { return kind == STRING; }

    public boolean isNull() { return kind == NULL; }

    public boolean isMissing() { return kind == MISSING; }

    public boolean isBoolean() { return kind == TRUE || kind == FALSE; }

    public boolean isNumber() { return kind == INT || kind == FLOAT || kind == FLOAT32; }

    /** An integer literal (no fraction, no exponent), whatever its size. */
    public boolean isIntegralNumber() { return kind == INT; }

    private boolean fitsLong() { return kind == INT && text == null; }

    public boolean canConvertToLong() { return fitsLong(); }

    public boolean canConvertToInt() { return fitsLong() && integer == (int) integer; }

    /** Only meaningful after {@link #canConvertToInt()}. */
    public int intValue() { return (int) longValue(); }

    public long longValue() {
        if (kind == INT) return text == null ? integer : (long) Double.parseDouble(text);
        return kind == FLOAT || kind == FLOAT32 ? (long) floating : 0;
    }

    public double doubleValue() {
        if (kind == INT) return text == null ? (double) integer : Double.parseDouble(text);
        return kind == FLOAT || kind == FLOAT32 ? floating : 0;
    }

    public boolean booleanValue() { return kind == TRUE; }

    /** The integer value when this is an integer that fits in an int, else {@code otherwise}. */
    public int asInt(int otherwise) { return canConvertToInt() ? (int) integer : otherwise; }

    public int asInt() { return asInt(0); }

    /** A string's value; for other scalars their JSON text; {@code ""} for containers and missing values. */
    public String asText() {
        return switch (kind) {
            case STRING -> text;
            case OBJECT, ARRAY, MISSING -> "";
            default -> toString();
        };
    }

    public String asText(String otherwise) { return kind == NULL || kind == MISSING ? otherwise : asText(); }

    public int size() {
        if (kind == ARRAY) return items.size();
        return kind == OBJECT ? fields.size() : 0;
    }

    /** An object's value for {@code key}, or null (also when this is not an object). */
    public Json get(String key) { return kind == OBJECT ? fields.get(key) : null; }

    /** An array's element, or null. */
    public Json get(int index) { return kind == ARRAY && index >= 0 && index < items.size() ? items.get(index) : null; }

    /** As {@link #get(String)}, but never null: a missing value is {@link #isMissing() missing}. */
    public Json path(String key) {
        Json v = get(key);
        return v == null ? MISSING_NODE : v;
    }

    /** An array's elements or an object's values. */
    @Override
    public Iterator<Json> iterator() {
        if (kind == ARRAY) return items.iterator();
        if (kind == OBJECT) return fields.values().iterator();
        return Collections.emptyIterator();
    }

    /** An object's entries in file order (empty for other values). */
    public Iterable<Map.Entry<String, Json>> fields() {
        return kind == OBJECT ? fields.entrySet() : Collections.emptyList();
    }

    /**
     * The type's name as Jackson's {@code JsonNodeType} spells it, in lower case: {@code "number"}, {@code "string"}…
     */
    public String typeName() {
        return switch (kind) {
            case OBJECT -> "object";
            case ARRAY -> "array";
            case STRING -> "string";
            case TRUE, FALSE -> "boolean";
            case NULL -> "null";
            case MISSING -> "missing";
            default -> "number";
        };
    }

    /**
     * A number's exact decimal value as written (null for other values). A decimal the parser read
     * by its fast path has at most 15 significant digits, so rounding its double to 15 digits gives
     * the written value back; the others keep their text.
     */
    public BigDecimal decimalValue() {
        return switch (kind) {
            case INT -> text == null ? BigDecimal.valueOf(integer) : new BigDecimal(text);
            case FLOAT -> text != null ? new BigDecimal(text) : Double.isFinite(floating)
                    ? new BigDecimal(floating).round(new MathContext(15)) : null;
            case FLOAT32 -> new BigDecimal(Float.toString((float) floating));
            default -> null;
        };
    }

    // --- building -----------------------------------------------------------------------------------

    /** A JSON string, or JSON null when {@code s} is null. */
    public static Json of(String s) { return s == null ? NULL_NODE : new Json(STRING, s, 0, 0, null, null); }

    public static Json of(long v) { return new Json(INT, null, v, 0, null, null); }

    /** A double, written as {@link Double#toString(double)}; NaN and infinities are refused (JSON has none). */
    public static Json of(double v) { return new Json(FLOAT, null, 0, finite(v), null, null); }

    /** A float, written as {@link Float#toString(float)}; NaN and infinities are refused. */
    public static Json of(float v) { return new Json(FLOAT32, null, 0, finite(v), null, null); }

    public static Json of(boolean v) { return v ? TRUE_NODE : FALSE_NODE; }

    public static Json nullValue() { return NULL_NODE; }

    private static double finite(double v) {
        if (!Double.isFinite(v)) throw new IllegalArgumentException("JSON has no number " + v);
        return v;
    }

    /**
     * A tree from plain Java values, as Jackson's data binding wrote them: a {@code Map} (keys in
     * its iteration order) is an object, a {@code Collection} or array an array, an integral
     * number a JSON integer, a {@code Float} or {@code Double} a decimal (NaN and infinities as the
     * strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}, as Jackson quotes them), a
     * {@code Boolean} a boolean, anything else its {@code toString()} as a string, null null.
     */
    public static Json ofPlain(Object v) {
        if (v == null) return NULL_NODE;
        if (v instanceof Json j) return j;
        if (v instanceof Boolean b) return of(b.booleanValue());
        if (v instanceof Byte || v instanceof Short || v instanceof Integer || v instanceof Long) return of(((Number) v)
                .longValue());
        if (v instanceof Float f) return Float.isFinite(f) ? of(f.floatValue()) : of(f.toString());
        if (v instanceof Double d) return Double.isFinite(d) ? of(d.doubleValue()) : of(d.toString());
        if (v instanceof Map<?, ?> m) {
            ObjectBuilder o = object();
            for (Map.Entry<?, ?> e : m.entrySet()) o.put(String.valueOf(e.getKey()), ofPlain(e.getValue()));
            return o.build();
        }
        if (v instanceof Iterable<?> it) {
            ArrayBuilder a = array();
            for (Object x : it) a.add(ofPlain(x));
            return a.build();
        }
        if (v.getClass().isArray()) {
            ArrayBuilder a = array();
            for (int i = 0; i < java.lang.reflect.Array.getLength(v); i++) a.add(
                    ofPlain(java.lang.reflect.Array.get(v, i)));
            return a.build();
        }
        return of(v.toString());
    }

    /** A new, empty object builder. */
    public static ObjectBuilder object() { return new ObjectBuilder(); }

    /** A new, empty array builder. */
    public static ArrayBuilder array() { return new ArrayBuilder(); }

    /**
     * Builds an object, keys in insertion order; putting a key again replaces its value in place.
     * Nested builders ({@link #putObject}, {@link #putArray}) are built with their parent.
     */
    public static final class ObjectBuilder {
        private final LinkedHashMap<String, Object> fields = new LinkedHashMap<>();

        private ObjectBuilder() {}

        public ObjectBuilder put(String key, Json v) {
            if (v == null || v.kind == MISSING) throw new IllegalArgumentException("no value for key " + key);
            fields.put(key, v);
            return this;
        }

        /** A string, or null. */
        public ObjectBuilder put(String key, String v) { return put(key, Json.of(v)); }

        public ObjectBuilder put(String key, long v) { return put(key, Json.of(v)); }

        public ObjectBuilder put(String key, double v) { return put(key, Json.of(v)); }

        public ObjectBuilder put(String key, float v) { return put(key, Json.of(v)); }

        public ObjectBuilder put(String key, boolean v) { return put(key, Json.of(v)); }

        public ObjectBuilder putNull(String key) { return put(key, NULL_NODE); }

        /** A new object under {@code key}, returned to be filled. */
        public ObjectBuilder putObject(String key) {
            ObjectBuilder o = new ObjectBuilder();
            fields.put(key, o);
            return o;
        }

        /** A new array under {@code key}, returned to be filled. */
        public ArrayBuilder putArray(String key) {
            ArrayBuilder a = new ArrayBuilder();
            fields.put(key, a);
            return a;
        }

        public Json build() {
            Map<String, Json> m = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : fields.entrySet()) m.put(e.getKey(), built(e.getValue()));
            return new Json(OBJECT, null, 0, 0, null, Collections.unmodifiableMap(m));
        }
    }

    /** Builds an array; nested builders are built with it. */
    public static final class ArrayBuilder {
        private final List<Object> items = new ArrayList<>();

        private ArrayBuilder() {}

        public ArrayBuilder add(Json v) {
            if (v == null || v.kind == MISSING) throw new IllegalArgumentException("no value");
            items.add(v);
            return this;
        }

        /** A string, or null. */
        public ArrayBuilder add(String v) { return add(Json.of(v)); }

        public ArrayBuilder add(long v) { return add(Json.of(v)); }

        public ArrayBuilder add(double v) { return add(Json.of(v)); }

        /** A new object at the end, returned to be filled. */
        public ObjectBuilder addObject() {
            ObjectBuilder o = new ObjectBuilder();
            items.add(o);
            return o;
        }

        public boolean isEmpty() { return items.isEmpty(); }

        public Json build() {
            List<Json> l = new ArrayList<>(items.size());
            for (Object o : items) l.add(built(o));
            return new Json(ARRAY, null, 0, 0, Collections.unmodifiableList(l), null);
        }
    }

    private static Json built(Object o) {
        if (o instanceof ObjectBuilder b) return b.build();
        if (o instanceof ArrayBuilder b) return b.build();
        return (Json) o;
    }

    // --- writing ------------------------------------------------------------------------------------

    /**
     * Compact UTF-8 JSON, byte for byte as Jackson 2's {@code ObjectMapper.writeValueAsBytes} writes
     * the same tree: no spaces; in strings {@code " \\ \b \f \n \r \t} escaped as such, other control
     * characters and every UTF-16 surrogate as {@code \\uXXXX} (upper-case hex), everything else
     * as UTF-8; doubles as {@link Double#toString(double)}, floats as {@link Float#toString(float)}.
     *
     * @throws IllegalArgumentException for a NaN or infinite number (a parsed {@code 1e999})
     */
    public byte[] toBytes() { return emitted(false); }

    /**
     * As {@link #toBytes()}, indented as Jackson's {@code SerializationFeature.INDENT_OUTPUT}
     * ({@code DefaultPrettyPrinter}): each object entry on its own line, indented two spaces per
     * enclosing object, {@code "key" : value}; arrays on one line as {@code [ a, b ]}; empty ones
     * {@code { }} and {@code [ ]}; lines end with the platform's line separator, no final one.
     */
    public byte[] toPrettyBytes() { return emitted(true); }

    private byte[] emitted(boolean pretty) {
        StringBuilder sb = new StringBuilder();
        emit(sb, pretty, 0, System.lineSeparator(), true);
        // every surrogate is escaped, so the text is well-formed UTF-16 of the Basic Multilingual Plane
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Writes this value: for a file ({@code file}, {@link #toBytes()}) surrogates are escaped and a
     * NaN or infinite double or a missing value is refused; for {@link #toString()} surrogates stay,
     * non-finite doubles are quoted (as Jackson writes them) and a missing value writes nothing.
     */
    private void emit(StringBuilder sb, boolean pretty, int level, String lf, boolean file) {
        switch (kind) {
            case OBJECT -> {
                if (fields.isEmpty()) {
                    sb.append(pretty ? "{ }" : "{}");
                    return;
                }
                sb.append('{');
                boolean first = true;
                for (Map.Entry<String, Json> e : fields.entrySet()) {
                    if (!first) sb.append(',');
                    first = false;
                    if (pretty) sb.append(lf).append("  ".repeat(level + 1));
                    escape(sb, e.getKey(), file);
                    sb.append(pretty ? " : " : ":");
                    e.getValue().emit(sb, pretty, level + 1, lf, file);
                }
                if (pretty) sb.append(lf).append("  ".repeat(level));
                sb.append('}');
            }
            case ARRAY -> {
                if (items.isEmpty()) {
                    sb.append(pretty ? "[ ]" : "[]");
                    return;
                }
                sb.append(pretty ? "[ " : "[");
                for (int i = 0; i < items.size(); i++) {
                    if (i > 0) sb.append(pretty ? ", " : ",");
                    items.get(i).emit(sb, pretty, level, lf, file);
                }
                sb.append(pretty ? " ]" : "]");
            }
            case STRING -> escape(sb, text, file);
            case INT -> sb.append(text == null ? Long.toString(integer) : text);
            case FLOAT32 -> sb.append(Float.toString((float) floating));
            case FLOAT -> {
                if (file) sb.append(Double.toString(finite(floating)));
                // as Jackson writes them (the writer's library): non-finite values quoted
                else if (Double.isFinite(floating)) sb.append(Double.toString(floating));
                else sb.append('"').append(Double.toString(floating)).append('"');
            }
            case TRUE -> sb.append("true");
            case FALSE -> sb.append("false");
            case NULL -> sb.append("null");
            default -> {
                if (file) throw new IllegalArgumentException("a missing value has no JSON text");
            }
        }
    }

    /**
     * A string literal as Jackson writes it (see {@link #toBytes()}); its UTF-8 generator also escapes
     * {@code surrogates}, its text one ({@link #toString()}) does not.
     */
    private static void escape(StringBuilder sb, String s, boolean surrogates) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20 || (surrogates && Character.isSurrogate(c))) {
                        sb.append("\\u").append(HEX.charAt(c >> 12)).append(HEX.charAt((c >> 8) & 15))
                                .append(HEX.charAt((c >> 4) & 15)).append(HEX.charAt(c & 15));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    private static final String HEX = "0123456789ABCDEF";

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        emit(sb, false, 0, null, false);
        return sb.toString();
    }

    // --- the parser --------------------------------------------------------------------------------

    /** Parses {@code b} as one JSON value (whitespace around it allowed, nothing else). */
    public static Json parse(byte[] b) throws Syntax {
        Parser p = new Parser(b);
        p.skipWs();
        Json v = p.value(0);
        p.skipWs();
        if (p.pos != b.length) throw p.error("unexpected content after the JSON value");
        return v;
    }

    private static final class Parser {
        /** 10^0 … 10^22: every one an exact double. */
        private static final double[] POW10 = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13,
                1e14,
            1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

        private final byte[] b;
        private int pos;
        private CharsetDecoder utf8;
        private StringBuilder sb;

        Parser(byte[] b) { this.b = b; }

        Syntax error(String what) { return new Syntax(what, pos); }

        void skipWs() {
            while (pos < b.length) {
                byte c = b[pos];
                if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return;
                pos++;
            }
        }

        Json value(int depth) throws Syntax {
            if (pos >= b.length) throw error("unexpected end of input");
            byte c = b[pos];
            switch (c) {
                case '{': return object(depth + 1);
                case '[': return array(depth + 1);
                case '"': return new Json(STRING, string(), 0, 0, null, null);
                case 't': literal("true"); return TRUE_NODE;
                case 'f': literal("false"); return FALSE_NODE;
                case 'n': literal("null"); return NULL_NODE;
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) return number();
                    throw error("unexpected character " + describe(c));
            }
        }

        private static String describe(byte c) {
            return c >= 0x20 && c < 0x7f ? "'" + (char) c + "'" : String.format("0x%02x", c & 0xff);
        }

        private void literal(String word) throws Syntax {
            int n = word.length();
            if (pos + n > b.length) throw error("unexpected end of input (expected '" + word + "')");
            for (int i = 0; i < n; i++) {
                if (b[pos + i] != word.charAt(i)) throw error("unrecognized token (expected '" + word + "')");
            }
            pos += n;
            if (pos < b.length && isWordChar(b[pos])) throw error("unrecognized token (expected '" + word + "')");
        }

        private static boolean isWordChar(byte c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.'
                    || c == '-' || c == '+';
        }

        private void depth(int depth) throws Syntax {
            if (depth > MAX_DEPTH) throw error("nesting depth exceeds the maximum of " + MAX_DEPTH);
        }

        private Json object(int depth) throws Syntax {
            depth(depth);
            pos++;
            Map<String, Json> m = new LinkedHashMap<>();
            skipWs();
            if (pos < b.length && b[pos] == '}') {
                pos++;
                return new Json(OBJECT, null, 0, 0, null, m);
            }
            while (true) {
                skipWs();
                if (pos >= b.length) throw error("unexpected end of input in an object");
                if (b[pos] != '"') throw error("expected a string key, found " + describe(b[pos]));
                int at = pos;
                String key = string();
                skipWs();
                if (pos >= b.length || b[pos] != ':') throw error("expected ':' after a key");
                pos++;
                skipWs();
                Json v = value(depth);
                if (m.put(key, v) != null) {
                    pos = at;
                    throw error("duplicate key \"" + key + "\"");
                }
                skipWs();
                if (pos >= b.length) throw error("unexpected end of input in an object");
                byte c = b[pos++];
                if (c == '}') return new Json(OBJECT, null, 0, 0, null, m);
                if (c != ',') {
                    pos--;
                    throw error("expected ',' or '}' in an object, found " + describe(c));
                }
            }
        }

        private Json array(int depth) throws Syntax {
            depth(depth);
            pos++;
            List<Json> l = new ArrayList<>();
            skipWs();
            if (pos < b.length && b[pos] == ']') {
                pos++;
                return new Json(ARRAY, null, 0, 0, l, null);
            }
            while (true) {
                skipWs();
                l.add(value(depth));
                skipWs();
                if (pos >= b.length) throw error("unexpected end of input in an array");
                byte c = b[pos++];
                if (c == ']') return new Json(ARRAY, null, 0, 0, l, null);
                if (c != ',') {
                    pos--;
                    throw error("expected ',' or ']' in an array, found " + describe(c));
                }
            }
        }

        /**
         * The value of the (already validated) number b[from, to) when it has at most 15 significant
         * digits and a decimal exponent within ±22, else NaN. Then the digits form an integer m below
         * 2^53 and 10^|e| is an exact double, so one multiplication or division, rounded once, gives
         * the correctly rounded value, the same as {@code Double.parseDouble} (the classic fast path
         * of decimal conversion). Configs hold such numbers (rates, thresholds); parsing them here
         * spares a fresh JVM loading the JDK's general conversion classes.
         */
        private double exactDecimal(int from, int to) {
            int i = from;
            boolean neg = b[i] == '-';
            if (neg) i++;
            long m = 0;
            int digits = 0, scale = 0;
            boolean frac = false;
            for (; i < to && b[i] != 'e' && b[i] != 'E'; i++) {
                if (b[i] == '.') {
                    frac = true;
                    continue;
                }
                if (m != 0 || b[i] != '0') digits++;
                if (digits > 15) return Double.NaN;
                m = m * 10 + (b[i] - '0');
                if (frac) scale++;
            }
            int exp = 0;
            if (i < to) {
                i++;
                boolean eneg = b[i] == '-';
                if (b[i] == '-' || b[i] == '+') i++;
                if (to - i > 3) return Double.NaN;
                for (; i < to; i++) exp = exp * 10 + (b[i] - '0');
                if (eneg) exp = -exp;
            }
            int e = exp - scale;
            if (e < -22 || e > 22) return Double.NaN;
            double v = e >= 0 ? m * POW10[e] : m / POW10[-e];
            return neg ? -v : v;
        }

        private Json number() throws Syntax {
            int start = pos;
            if (b[pos] == '-') pos++;
            if (pos >= b.length || b[pos] < '0' || b[pos] > '9') throw error("a number needs a digit after '-'");
            if (b[pos] == '0') {
                pos++;
                if (pos < b.length && b[pos] >= '0' && b[pos] <= '9') throw error(
                        "leading zeros are not allowed in numbers");
            } else {
                while (pos < b.length && b[pos] >= '0' && b[pos] <= '9') pos++;
            }
            boolean integral = true;
            if (pos < b.length && b[pos] == '.') {
                integral = false;
                pos++;
                int d = pos;
                while (pos < b.length && b[pos] >= '0' && b[pos] <= '9') pos++;
                if (pos == d) throw error("a number needs a digit after '.'");
            }
            if (pos < b.length && (b[pos] == 'e' || b[pos] == 'E')) {
                integral = false;
                pos++;
                if (pos < b.length && (b[pos] == '+' || b[pos] == '-')) pos++;
                int d = pos;
                while (pos < b.length && b[pos] >= '0' && b[pos] <= '9') pos++;
                if (pos == d) throw error("a number needs a digit in its exponent");
            }
            if (pos < b.length && isWordChar(b[pos])) throw error("unexpected character " + describe(b[pos])
                    + " in a number");
            int len = pos - start;
            if (len > MAX_NUMBER_CHARS) {
                pos = start;
                throw error("number longer than " + MAX_NUMBER_CHARS + " characters");
            }
            if (integral && len <= 18) {
                long v = 0;
                int i = start;
                boolean neg = b[i] == '-';
                if (neg) i++;
                for (; i < pos; i++) v = v * 10 + (b[i] - '0');
                return new Json(INT, null, neg ? -v : v, 0, null, null);
            }
            if (!integral) {
                double fast = exactDecimal(start, pos);
                if (!Double.isNaN(fast)) return new Json(FLOAT, null, 0, fast, null, null);
            }
            String s = new String(b, start, len, StandardCharsets.ISO_8859_1);
            if (integral) return Rare.integer(s);
            return new Json(FLOAT, s, 0, Double.parseDouble(s), null, null);
        }

        /** A string token: {@code pos} is at its opening quote and ends after the closing one. */
        private String string() throws Syntax {
            int start = ++pos;
            // fast path: ASCII without escapes
            while (pos < b.length) {
                byte c = b[pos];
                if (c == '"') {
                    pos++;
                    return new String(b, start, pos - 1 - start, StandardCharsets.ISO_8859_1);
                }
                if (c == '\\' || c < 0x20) break;   // also every non-ASCII byte (negative)
                pos++;
            }
            if (sb == null) sb = new StringBuilder();
            sb.setLength(0);
            int run = start;
            while (true) {
                if (pos >= b.length) throw error("unexpected end of input in a string");
                byte c = b[pos];
                if (c == '"') {
                    decodeRun(run, pos);
                    pos++;
                    return sb.toString();
                }
                if (c >= 0 && c < 0x20) throw error("control character " + describe(c)
                        + " in a string (it must be escaped)");
                if (c != '\\') {
                    pos++;
                    continue;
                }
                decodeRun(run, pos);
                pos++;
                if (pos >= b.length) throw error("unexpected end of input in a string");
                byte e = b[pos++];
                switch (e) {
                    case '"' -> sb.append('"');
                    case '\\' -> sb.append('\\');
                    case '/' -> sb.append('/');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        if (pos + 4 > b.length) throw error("unexpected end of input in a \\u escape");
                        int v = 0;
                        for (int i = 0; i < 4; i++) {
                            int d = Character.digit(b[pos + i], 16);
                            if (d < 0) throw error("invalid \\u escape");
                            v = v * 16 + d;
                        }
                        pos += 4;
                        sb.append((char) v);
                    }
                    default -> {
                        pos--;
                        throw error("invalid escape '\\"
                                + (e >= 0x20 && e < 0x7f ? String.valueOf((char) e) : describe(e)) + "' in a string");
                    }
                }
                run = pos;
            }
        }

        /** Appends bytes [from, to) of a string, strict UTF-8. */
        private void decodeRun(int from, int to) throws Syntax {
            if (from == to) return;
            boolean ascii = true;
            for (int i = from; i < to && ascii; i++) ascii = b[i] >= 0;
            if (ascii) {
                for (int i = from; i < to; i++) sb.append((char) b[i]);
                return;
            }
            Rare.decodeUtf8(this, from, to);
        }
    }

    /**
     * What a header rarely needs, in a class of its own: the exception types these paths catch are
     * loaded (and the code verified) only when one runs, not for every file a fresh JVM reads.
     */
    private static final class Rare {
        private Rare() {}

        /** An integer of 19 or more characters: a long if it fits, else kept as text. */
        static Json integer(String s) {
            try {
                return new Json(INT, null, Long.parseLong(s), 0, null, null);
            } catch (NumberFormatException e) {
                return new Json(INT, s, 0, 0, null, null);
            }
        }

        /** Appends bytes [from, to) of a string holding non-ASCII bytes to {@code p}'s buffer, strict UTF-8. */
        static void decodeUtf8(Parser p, int from, int to) throws Syntax {
            if (p.utf8 == null) {
                p.utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT);
            }
            try {
                CharBuffer cb = p.utf8.reset().decode(ByteBuffer.wrap(p.b, from, to - from));
                p.sb.append(cb);
            } catch (CharacterCodingException e) {
                int at = p.pos;
                p.pos = from;
                Syntax s = p.error("invalid UTF-8 in the string ending at byte " + at);
                s.initCause(e);
                throw s;
            }
        }
    }
}

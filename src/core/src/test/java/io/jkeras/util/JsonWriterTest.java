package io.jkeras.util;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link Json#toBytes()} and {@link Json#toPrettyBytes()} write what Jackson wrote before them
 * ({@code writeValueAsBytes}, plain and with {@code INDENT_OUTPUT}): the same tree is built in both
 * libraries and the bytes compared, so native headers and golden.json files stay byte-identical.
 */
class JsonWriterTest {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final ObjectMapper COMPACT = new ObjectMapper();
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The same tree as our Json, built only through the public builders. */
    private static Json ours(JsonNode n) {
        if (n.isObject()) {
            Json.ObjectBuilder o = Json.object();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                o.put(e.getKey(), ours(e.getValue()));
            }
            return o.build();
        }
        if (n.isArray()) {
            Json.ArrayBuilder a = Json.array();
            for (JsonNode x : n) a.add(ours(x));
            return a.build();
        }
        if (n.isTextual()) return Json.of(n.textValue());
        if (n.isBoolean()) return Json.of(n.booleanValue());
        if (n.isNull()) return Json.nullValue();
        if (n.isFloat()) return Json.of(n.floatValue());
        if (n.isDouble()) return Json.of(n.doubleValue());
        if (n.isIntegralNumber()) return Json.of(n.longValue());
        throw new AssertionError(n.getNodeType());
    }

    private static void assertSameBytes(JsonNode jackson) throws Exception {
        Json j = ours(jackson);
        assertThat(new String(j.toBytes(), StandardCharsets.UTF_8))
                .isEqualTo(new String(COMPACT.writeValueAsBytes(jackson), StandardCharsets.UTF_8));
        assertThat(j.toBytes()).isEqualTo(COMPACT.writeValueAsBytes(jackson));
        assertThat(j.toPrettyBytes()).isEqualTo(PRETTY.writeValueAsBytes(jackson));
    }

    private static final double[] DOUBLES = {1e-5, 0.1, 1e300, -0.0, 0.0, 1.0, -1.5, 1e22, 1e21, 1e7, 1e-3, 1e-4,
            123456789.0,
        1.0 / 3, 2.0 / 3, 4.9e-324, Double.MIN_NORMAL, Double.MAX_VALUE, 0.3, 100.0, 1e-300, 5e-324, 2e-3,
                9007199254740993.0};
    private static final float[] FLOATS = {0.1f, 1e-5f, -0.0f, 1.0f, 3.4028235e38f, 1.4e-45f, 16777217f, 0.3f, 1e10f};
    private static final long[] LONGS = {0, -1, 1, Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE,
            Long.MIN_VALUE};
    private static final String[] STRINGS = {"", "plain", "quote \" backslash \\ slash /", "\b\f\n\r\t",
            "\u0000\u0001\u001f",
        "\u007f\u0080\u00ff", "é日本", "\u2028\u2029", "emoji \uD83D\uDE00 pair", "\uFEFFbom", "\uFFFF", "<tag>&amp;'"};

    @Test
    void scalarsOfEveryKindAreWrittenAsJacksonWritesThem() throws Exception {
        ObjectNode o = F.objectNode();
        ArrayNode d = o.putArray("doubles");
        for (double v : DOUBLES) d.add(v);
        ArrayNode f = o.putArray("floats");
        for (float v : FLOATS) f.add(v);
        ArrayNode l = o.putArray("longs");
        for (long v : LONGS) l.add(v);
        ArrayNode s = o.putArray("strings");
        for (String v : STRINGS) s.add(v);
        for (String v : STRINGS) o.put(v, v.length());
        o.put("t", true).put("f", false).putNull("n");
        assertSameBytes(o);
    }

    @Test
    void everyControlCharacterAndEverySurrogateIsEscapedAsJacksonEscapesIt() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (char c = 0; c < 0x100; c++) sb.append(c);
        sb.append("\uD800\uDC00\uDBFF\uDFFF\uD834\uDD1E");
        ObjectNode o = F.objectNode().put(sb.toString(), sb.toString());
        assertSameBytes(o);
        assertThat(new String(ours(o).toBytes(), StandardCharsets.UTF_8)).contains("\\uD834\\uDD1E")
                .contains("\\u001F");
    }

    @Test
    void nestingAndEmptyContainersAreIndentedAsJacksonIndentsThem() throws Exception {
        ObjectNode o = F.objectNode();
        o.putObject("empty_object");
        o.putArray("empty_array");
        ArrayNode a = o.putArray("objects_in_array");
        a.addObject().put("k", 1).putObject("deeper").putArray("x").add(1).addArray().addObject();
        a.addObject();
        a.add(2);
        a.addArray().addArray();
        o.putObject("o").putObject("p").putObject("q").put("r", "s");
        assertSameBytes(o);
        assertSameBytes(F.arrayNode().add(1).add("x"));
        assertSameBytes(F.objectNode());
        assertSameBytes(F.arrayNode());
    }

    @Test
    void randomTreesAreWrittenAsJacksonWritesThem() throws Exception {
        Random r = new Random(42);
        for (int i = 0; i < 300; i++) assertSameBytes(randomTree(r, 0));
    }

    private static JsonNode randomTree(Random r, int depth) {
        int k = r.nextInt(depth > 4 ? 6 : 8);
        switch (k) {
            case 0: return F.textNode(randomString(r));
            case 1: {
                double v;
                do v = Double.longBitsToDouble(r.nextLong()); while (!Double.isFinite(v));
                return r.nextBoolean() ? F.numberNode(v)
                        : F.numberNode(r.nextGaussian() * Math.pow(10, r.nextInt(40) - 20));
            }
            case 2: {
                float v;
                do v = Float.intBitsToFloat(r.nextInt()); while (!Float.isFinite(v));
                return F.numberNode(v);
            }
            case 3: return r.nextBoolean() ? F.numberNode(r.nextLong()) : F.numberNode(r.nextInt(2000) - 1000);
            case 4: return r.nextBoolean() ? F.booleanNode(r.nextBoolean()) : F.nullNode();
            case 5: return F.textNode("");
            case 6: {
                ObjectNode o = F.objectNode();
                for (int n = r.nextInt(5); n > 0; n--) o.set(randomString(r), randomTree(r, depth + 1));
                return o;
            }
            default: {
                ArrayNode a = F.arrayNode();
                for (int n = r.nextInt(5); n > 0; n--) a.add(randomTree(r, depth + 1));
                return a;
            }
        }
    }

    private static String randomString(Random r) {
        StringBuilder sb = new StringBuilder();
        for (int n = r.nextInt(8); n > 0; n--) {
            int range = r.nextInt(4);
            sb.append((char) switch (range) {
                case 0 -> r.nextInt(0x20);
                case 1 -> 0x20 + r.nextInt(0x60);
                case 2 -> r.nextInt(0x10000);
                default -> 0x80 + r.nextInt(0x800);
            });
        }
        return sb.toString();
    }

    @Test
    void compactAndIndentedOutputHaveTheirDocumentedShape() {
        Json.ObjectBuilder b = Json.object().put("a", 1).put("b", 0.1).put("c", 1e-5);
        b.putObject("d").put("e", "x").putNull("f");
        Json j = b.build();
        Json k = Json.object().put("a", j).put("g", Json.array().add(1).add("y").build())
                .put("h", Json.object().build()).build();
        // the same text Jackson gives (checked above); spelled out here as the format's reference
        assertThat(new String(j.toBytes(), StandardCharsets.UTF_8))
                .isEqualTo("{\"a\":1,\"b\":0.1,\"c\":1.0E-5,\"d\":{\"e\":\"x\",\"f\":null}}");
        String lf = System.lineSeparator();
        assertThat(new String(k.toPrettyBytes(), StandardCharsets.UTF_8)).isEqualTo(String.join(lf, "{",
                "  \"a\" : {", "    \"a\" : 1,", "    \"b\" : 0.1,", "    \"c\" : 1.0E-5,", "    \"d\" : {",
                "      \"e\" : \"x\",", "      \"f\" : null", "    }", "  },", "  \"g\" : [ 1, \"y\" ],",
                        "  \"h\" : { }", "}"));
    }

    @Test
    void nonFiniteNumbersAreRefusedInsteadOfWrittenAsStrings() throws Exception {
        for (double v : new double[]{Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            assertThatThrownBy(() -> Json.of(v)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(Double.toString(v));
            assertThatThrownBy(() -> Json.of((float) v)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> Json.object().put("x", v)).isInstanceOf(IllegalArgumentException.class);
        }
        Json parsed = Json.parse("[1e999]".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(parsed::toBytes).isInstanceOf(IllegalArgumentException.class);
        // Jackson instead quotes them, which no reader of ours takes as a number
        assertThat(COMPACT.writeValueAsString(F.arrayNode().add(Double.NaN))).isEqualTo("[\"NaN\"]");
    }

    @Test
    void aParsedTreeIsWrittenBackAsJacksonWritesItsTree() throws Exception {
        String text = "{\"a\":[1,-0,12345678901234567890,0.5,1E+2,-1.25e-7],\"b\":{\"c\":\"\\u00e9\\ud83d\\ude00\\n"
                + "\"},\"d\":[]}";
        Json j = Json.parse(text.getBytes(StandardCharsets.UTF_8));
        JsonNode n = COMPACT.readTree(text);
        assertThat(j.toBytes()).isEqualTo(COMPACT.writeValueAsBytes(n));
        assertThat(j.toPrettyBytes()).isEqualTo(PRETTY.writeValueAsBytes(n));
    }

    @Test
    void aDecimalValueIsTheNumberAsWritten() throws Exception {
        Json j = Json.parse("[1e-5, 0.1, 1e999, 123.450, -0.0, 7, 99999999999999999999, 0.30000000000000004]"
                .getBytes(StandardCharsets.US_ASCII));
        String[] want = {"0.00001", "0.1", "1E+999", "123.450", "0.0", "7", "99999999999999999999",
                "0.30000000000000004"};
        for (int i = 0; i < want.length; i++) {
            assertThat(j.get(i).decimalValue()).as("%s", j.get(i)).isEqualByComparingTo(want[i]);
        }
        assertThat(Json.of("x").decimalValue()).isNull();
    }
}

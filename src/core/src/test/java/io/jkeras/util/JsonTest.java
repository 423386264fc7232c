package io.jkeras.util;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The native reader's JSON parser, checked against Jackson (the library the writer uses, with the
 * strictness the reader asks for: duplicate keys refused, nesting ≤ 64, nothing after the value)
 * as the oracle: on every header of the frozen fixture files, on thousands of single-byte
 * mutations of them, and on edge cases of the JSON grammar. Both must accept and refuse the same
 * inputs, and accepted inputs must give the same tree.
 */
class JsonTest {
    private static final ObjectMapper JACKSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    static {
        JACKSON.getFactory()
                .setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(Json.MAX_DEPTH).build());
    }

    private static List<byte[]> fixtureHeaders() throws IOException {
        List<byte[]> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("fixtures", "native", "v1.0"))) {
            for (Path p : (Iterable<Path>) s.sorted()::iterator) {
                if (!p.toString().endsWith(".jkm")) continue;
                byte[] f = Files.readAllBytes(p);
                int len = (int) ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).getLong(24);
                out.add(Arrays.copyOfRange(f, 64, 64 + len));
            }
        }
        return out;
    }

    /** Jackson's tree, or null when Jackson refuses the input. */
    private static JsonNode jackson(byte[] b) {
        try {
            JsonNode n = JACKSON.readTree(b);
            return n == null || n.isMissingNode() ? null : n;
        } catch (IOException e) {
            return null;
        }
    }

    private static Json ours(byte[] b) {
        try {
            return Json.parse(b);
        } catch (Json.Syntax e) {
            return null;
        }
    }

    /**
     * A description of a tree holding each value's type, its scalar value (numbers: exact long
     * value when it has one, the double's bits) and the key order: equal descriptions mean the
     * reader sees what Jackson sees.
     */
    private static void sig(Json a, StringBuilder sb) {
        if (a.isObject()) {
            sb.append('{');
            for (Map.Entry<String, Json> e : a.fields()) {
                sb.append(e.getKey()).append('=');
                sig(e.getValue(), sb);
                sb.append(',');
            }
            sb.append('}');
        } else if (a.isArray()) {
            sb.append('[');
            for (Json x : a) {
                sig(x, sb);
                sb.append(',');
            }
            sb.append(']');
        } else if (a.isTextual()) {
            sb.append("S:").append(a.asText());
        } else if (a.isBoolean()) {
            sb.append("B:").append(a.booleanValue());
        } else if (a.isNull()) {
            sb.append("null");
        } else {
            sb.append(a.isIntegralNumber() ? "I:" : "F:").append(a.canConvertToLong() ? a.longValue() : "-")
                    .append(a.canConvertToInt() ? ":int" : "")
                    .append(':').append(Double.doubleToRawLongBits(a.doubleValue()));
        }
    }

    private static void sig(JsonNode j, StringBuilder sb) {
        if (j.isObject()) {
            sb.append('{');
            for (Iterator<Map.Entry<String, JsonNode>> it = j.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                sb.append(e.getKey()).append('=');
                sig(e.getValue(), sb);
                sb.append(',');
            }
            sb.append('}');
        } else if (j.isArray()) {
            sb.append('[');
            for (JsonNode x : j) {
                sig(x, sb);
                sb.append(',');
            }
            sb.append(']');
        } else if (j.isTextual()) {
            sb.append("S:").append(j.asText());
        } else if (j.isBoolean()) {
            sb.append("B:").append(j.booleanValue());
        } else if (j.isNull()) {
            sb.append("null");
        } else {
            boolean integral = j.isIntegralNumber();
            sb.append(integral ? "I:" : "F:").append(integral && j.canConvertToLong() ? j.longValue() : "-")
                    .append(integral && j.canConvertToInt() ? ":int" : "").append(':')
                    .append(Double.doubleToRawLongBits(j.doubleValue()));
        }
    }

    private static void assertSame(Json a, JsonNode j, String where) {
        StringBuilder x = new StringBuilder(), y = new StringBuilder();
        sig(a, x);
        sig(j, y);
        assertThat(x.toString()).as(where).isEqualTo(y.toString());
        assertThat(a.toString()).as(where).isEqualTo(j.toString());
    }

    private static void agree(byte[] b, String what) {
        JsonNode j = jackson(b);
        Json a = ours(b);
        assertThat(a != null)
                .as(what + ": accepted by Jackson " + (j != null) + ", input "
                + new String(b, StandardCharsets.ISO_8859_1))
                .isEqualTo(j != null);
        if (j != null) assertSame(a, j, what);
    }

    @Test
    void fixtureHeadersParseAsJacksonParsesThem() throws IOException {
        List<byte[]> hs = fixtureHeaders();
        assertThat(hs).hasSizeGreaterThan(5);
        for (int i = 0; i < hs.size(); i++) {
            assertThat(jackson(hs.get(i))).as("header " + i).isNotNull();
            agree(hs.get(i), "header " + i);
        }
    }

    @Test
    void singleByteMutationsAreAcceptedAndRefusedAsJacksonDoes() throws IOException {
        Random r = new Random(20261129);
        // bytes that matter to JSON's grammar, and random ones; positions 0-3 are left alone
        // because Jackson guesses the encoding (UTF-16/32, BOM) from them and the reader does not
        byte[] interesting = "{}[]\",:\\-+.eE0159tfnul \t\n\r/x".getBytes(StandardCharsets.US_ASCII);
        int n = 0;
        for (byte[] h : fixtureHeaders()) {
            for (int k = 0; k < 400; k++) {
                byte[] b = h.clone();
                int pos = 4 + r.nextInt(b.length - 4);
                b[pos] = r.nextBoolean() ? interesting[r.nextInt(interesting.length)] : (byte) r.nextInt(256);
                agree(b, "mutation at " + pos);
                n++;
            }
        }
        assertThat(n).isGreaterThan(2000);
    }

    @Test
    void grammarEdgeCasesAgreeWithJackson() {
        String[] cases = {
            "{}", "[]", " {\"a\" : [ 1 , -0 , 2.5e-3 , 1E+2 , true , false , null ] } ", "[9223372036854775807]",
            "[9223372036854775808]", "[-9223372036854775808]", "[-9223372036854775809]",
                    "[2147483647, 2147483648, -2147483649]",
            "[123456789012345678901234567890]", "[1.0]", "[1e400]", "[-1e-400]",
                    "[0.1, 3.141592653589793, 1.7976931348623157e308]",
            "[01]", "[-]", "[1.]", "[.5]", "[+1]", "[1e]", "[1e+]", "[NaN]", "[Infinity]", "[0x10]", "[1 2]", "[1,]",
                    "[,1]",
            "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "{'a':1}", "{\"a\":1,\"a\":2}", "{\"a\":{\"b\":1},\"b\":{\"b\":2}}",
            "[\"\\u00e9\\n\\t\\\"\\\\\\/\\b\\f\\r\"]", "[\"\\ud83d\\ude00\"]", "[\"\\x\"]", "[\"\\u12\"]", "[\"a\tb\"]",
                    "[\"é ü 漢\"]",
            "[tru]", "[truex]", "[nul]", "[null1]", "{} {}", "{}x", "{} ", "[] //", "", " ", "[", "{", "[\"abc",
                    "\"text\"", "12",
            "true", "null",
        };
        for (String c : cases) agree(c.getBytes(StandardCharsets.UTF_8), "case " + c);
    }

    @Test
    void invalidUtf8IsRefusedAsJacksonRefusesIt() {
        byte[][] cases = {
            {'[', '"', (byte) 0xc3, '"', ']'}, {'[', '"', (byte) 0xff, '"', ']'},
                    {'[', '"', (byte) 0xe2, (byte) 0x82, '"', ']'},
            {'[', '"', (byte) 0xc3, (byte) 0xa9, '"', ']'},
                    {'[', '"', (byte) 0xf0, (byte) 0x9f, (byte) 0x98, (byte) 0x80, '"', ']'},
            {'[', '"', (byte) 0x80, '"', ']'},
        };
        for (byte[] c : cases) agree(c, "bytes " + Arrays.toString(c));
    }

    @Test
    void nestingIsLimitedAtTheSameDepthAsJackson() {
        for (int depth : new int[]{Json.MAX_DEPTH - 1, Json.MAX_DEPTH, Json.MAX_DEPTH + 1, 1000}) {
            String s = "[".repeat(depth) + "]".repeat(depth);
            agree(s.getBytes(StandardCharsets.US_ASCII), "depth " + depth);
            String o = "{\"a\":".repeat(depth - 1) + "{}" + "}".repeat(depth - 1);
            agree(o.getBytes(StandardCharsets.US_ASCII), "object depth " + depth);
        }
        assertThatThrownBy(()
                -> Json.parse(("[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1))
                        .getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(Json.Syntax.class).hasMessageContaining("nesting depth");
    }

    @Test
    void errorsNameTheProblemAndTheByte() {
        assertThatThrownBy(() -> Json.parse("{\"a\":1,\"a\":2}".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(Json.Syntax.class).hasMessageContaining("duplicate key \"a\" at byte 7");
        assertThatThrownBy(() -> Json.parse("{}x".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(Json.Syntax.class).hasMessageContaining("after the JSON value at byte 2");
    }

    @Test
    void missingValuesBehaveAsTheReaderExpects() throws Json.Syntax {
        Json o = Json.parse("{\"a\":\"x\",\"n\":3}".getBytes(StandardCharsets.US_ASCII));
        assertThat(o.get("b")).isNull();
        assertThat(o.path("b").isMissing()).isTrue();
        assertThat(o.path("b").asText()).isEmpty();
        assertThat(o.path("b").asText("dflt")).isEqualTo("dflt");
        assertThat(o.path("a").path("x").isMissing()).isTrue();
        assertThat(o.get("n").get(0)).isNull();
        assertThat(o.get("n").asText()).isEqualTo("3");
    }

    /** Decimal numbers, on the parser's exact fast path and off it, give Double.parseDouble's value bit for bit. */
    @Test
    void decimalNumbersParseToTheCorrectlyRoundedDouble() throws Json.Syntax {
        Random r = new Random(11);
        // the fast path's limits: 15 significant digits, decimal exponents of +-22, and just past them
        List<String> numbers = new java.util.ArrayList<>(
                List.of("0.0", "-0.0", "0.1", "0.2", "0.3", "1.5e-3", "2.5E+2", "1E5", "1e22", "1e23",
                "9.007199254740993", "123456789012345.6", "0.1234567890123456", "-1.0e-22", "4.9e-324",
                        "1.7976931348623157e308",
                "0.30000000000000004", "123456789012345e22", "123456789012345e23", "1234567890123456e22",
                        "999999999999999e-22",
                "0.000000000000000000001", "0.0000000000000000000001", "0.00000000000000000000001",
                        "1.000000000000000e-7",
                "0.123456789012345e-7", "7e-22", "7e-23", "12345.678901234e+007", "0e5", "-0e-5"));
        for (int k = 0; k < 20000; k++) {
            StringBuilder sb = new StringBuilder();
            if (r.nextBoolean()) sb.append('-');
            int intDigits = 1 + r.nextInt(9), fracDigits = 1 + r.nextInt(12);
            sb.append(1 + r.nextInt(9));
            for (int d = 1; d < intDigits; d++) sb.append(r.nextInt(10));
            sb.append('.');
            for (int d = 0; d < fracDigits; d++) sb.append(r.nextInt(10));
            if (r.nextInt(3) == 0) sb.append(r.nextBoolean() ? 'e' : 'E').append(r.nextBoolean() ? "-" : "")
                    .append(r.nextInt(40));
            numbers.add(r.nextInt(5) == 0 ? "0.000" + sb.toString().replaceAll("[-.]", "").replaceAll("[eE].*", "")
                    : sb.toString());
        }
        for (String n : numbers) {
            double got = Json.parse(("[" + n + "]").getBytes(StandardCharsets.US_ASCII)).get(0).doubleValue();
            assertThat(Double.doubleToRawLongBits(got)).as(n)
                    .isEqualTo(Double.doubleToRawLongBits(Double.parseDouble(n)));
        }
    }
}

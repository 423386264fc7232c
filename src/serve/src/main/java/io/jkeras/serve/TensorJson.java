package io.jkeras.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.jkeras.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/** Tensors to and from JSON: flat data with a shape (KServe v2), nested lists (TensorFlow Serving). */
final class TensorJson {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private TensorJson() {}

    /** The KServe v2 datatypes a request may use; each value is converted to float32. */
    static boolean knownDatatype(String d) {
        return "FP32".equals(d) || "FP64".equals(d) || "INT32".equals(d) || "INT64".equals(d);
    }

    /**
     * A v2 tensor: {@code data} flat (or nested, read row-major) with {@code shape}; integers checked for the
     * integer datatypes.
     */
    static Tensor fromV2(String what, JsonNode shape, String datatype, JsonNode data) {
        int[] s = shapeOf(what, shape);
        long n = 1;
        for (int d : s) n *= d;
        if (!knownDatatype(datatype)) {
            throw new HttpProblem(400, what + ": datatype " + datatype + " is not supported; use FP32, FP64, INT32"
                    + " or INT64");
        }
        if (data == null || !data.isArray()) throw new HttpProblem(400, what + ": 'data' must be an array");
        float[] v = new float[(int) n];
        int[] pos = {0};
        flatten(what, data, v, pos, datatype.startsWith("INT"));
        if (pos[0] != n) {
            throw new HttpProblem(400, what + ": shape " + shape + " holds " + n + " values, 'data' holds " + pos[0]);
        }
        return new Tensor(s, v);
    }

    /** A v2 {@code shape}: non-negative integer sizes, batch first, of at most about 2^31 values in all. */
    private static int[] shapeOf(String what, JsonNode shape) {
        if (shape == null || !shape.isArray() || shape.size() == 0) {
            throw new HttpProblem(400, what + ": 'shape' must be a non-empty array of sizes, batch first");
        }
        int[] s = new int[shape.size()];
        long n = 1;
        for (int i = 0; i < s.length; i++) {
            JsonNode d = shape.get(i);
            if (!d.canConvertToInt() || !d.isIntegralNumber() || d.asInt() < 0) {
                throw new HttpProblem(400, what + ": shape " + shape + " must hold non-negative integers");
            }
            s[i] = d.asInt();
            n *= s[i];
            if (n > Integer.MAX_VALUE - 8) throw new HttpProblem(400, what + ": shape " + shape + " is too large");
        }
        return s;
    }

    /**
     * A v2 tensor whose values come as raw little-endian bytes after the JSON request (KServe's binary tensor data
     * extension): {@code size} bytes from {@code binary}, the shape's element count times the datatype's width.
     */
    static Tensor fromV2Binary(String what, JsonNode shape, String datatype, JsonNode data, JsonNode size,
                               java.nio.ByteBuffer binary) {
        if (binary == null) {
            throw new HttpProblem(400, what + ": parameters.binary_data_size needs the header"
                    + " Inference-Header-Content-Length and the binary data after the JSON");
        }
        if (data != null) throw new HttpProblem(400, what + ": give either 'data' or parameters.binary_data_size");
        int[] s = shapeOf(what, shape);
        if (!knownDatatype(datatype)) {
            throw new HttpProblem(400, what + ": datatype " + datatype + " is not supported; use FP32, FP64, INT32"
                    + " or INT64");
        }
        int width = datatype.equals("FP32") || datatype.equals("INT32") ? 4 : 8;
        long n = 1;
        for (int d : s) n *= d;
        if (!size.canConvertToLong() || !size.isIntegralNumber() || size.asLong() != n * width) {
            throw new HttpProblem(400, what + ": parameters.binary_data_size is " + size + "; shape "
                    + Tensor.shapeString(s) + " of " + datatype + " needs " + n * width + " bytes");
        }
        if (binary.remaining() < n * width) {
            throw new HttpProblem(400, what + ": " + n * width + " bytes of binary data declared, "
                    + binary.remaining() + " left in the body");
        }
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) {
            switch (datatype) {
                case "FP32" -> v[i] = binary.getFloat();
                case "FP64" -> v[i] = (float) binary.getDouble();
                case "INT32" -> v[i] = binary.getInt();
                default -> v[i] = binary.getLong();
            }
        }
        return new Tensor(s, v);
    }

    private static void flatten(String what, JsonNode a, float[] v, int[] pos, boolean integer) {
        for (JsonNode e : a) {
            if (e.isArray()) {
                flatten(what, e, v, pos, integer);
                continue;
            }
            if (!e.isNumber()) throw new HttpProblem(400, what + ": 'data' holds " + e + ", not a number");
            if (integer && !e.isIntegralNumber()) {
                throw new HttpProblem(400, what + ": 'data' holds " + e + ", not an integer of the declared datatype");
            }
            if (pos[0] >= v.length) {   // counted only, to report the total
                pos[0]++;
                continue;
            }
            v[pos[0]++] = (float) e.asDouble();
        }
    }

    /** The flat data of a tensor as a JSON array of float32 values. */
    static ArrayNode flat(Tensor t) {
        ArrayNode a = F.arrayNode(t.size());
        for (float f : t.data()) a.add(f);
        return a;
    }

    /** The flat data of a tensor as a JSON array of float64 values (each float32 widened exactly). */
    static ArrayNode flatDouble(Tensor t) {
        ArrayNode a = F.arrayNode(t.size());
        for (float f : t.data()) a.add((double) f);
        return a;
    }

    static ArrayNode shape(int[] s) {
        ArrayNode a = F.arrayNode(s.length);
        for (int d : s) a.add(d);
        return a;
    }

    /** A nested list (TensorFlow Serving): its shape read from the nesting, which must be rectangular. */
    static Tensor fromNested(String what, JsonNode n) {
        List<Integer> dims = new ArrayList<>();
        JsonNode e = n;
        while (e.isArray()) {
            dims.add(e.size());
            if (e.size() == 0) break;
            e = e.get(0);
        }
        int[] s = dims.stream().mapToInt(Integer::intValue).toArray();
        long size = 1;
        for (int d : s) size *= d;
        if (size > Integer.MAX_VALUE - 8) throw new HttpProblem(400, what + " is too large");
        float[] v = new float[(int) size];
        int[] pos = {0};
        nested(what, n, s, 0, v, pos);
        return new Tensor(s, v);
    }

    private static void nested(String what, JsonNode n, int[] s, int depth, float[] v, int[] pos) {
        if (depth == s.length) {
            if (!n.isNumber()) throw new HttpProblem(400, what + " holds " + abbreviate(n) + ", not a number");
            v[pos[0]++] = (float) n.asDouble();
            return;
        }
        if (!n.isArray() || n.size() != s[depth]) {
            throw new HttpProblem(400, what + " is not rectangular: at depth " + depth + " a list of " + s[depth]
                    + " was expected, found " + abbreviate(n));
        }
        for (JsonNode c : n) nested(what, c, s, depth + 1, v, pos);
    }

    private static String abbreviate(JsonNode n) {
        String s = n.toString();
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }

    /** Rows {@code [from, to)} of the batch of {@code t} as nested lists. */
    static JsonNode nested(Tensor t) {
        return nested(t.data(), t.shape(), 0, 0);
    }

    /** Sample {@code b} of {@code t} (without the batch axis) as nested lists, or a number. */
    static JsonNode sample(Tensor t, int b) {
        int[] s = t.shape();
        int per = 1;
        for (int i = 1; i < s.length; i++) per *= s[i];
        return nested(t.data(), s, 1, b * per);
    }

    private static JsonNode nested(float[] d, int[] s, int depth, int off) {
        if (depth == s.length) return F.numberNode(d[off]);
        ArrayNode a = F.arrayNode(s[depth]);
        int stride = 1;
        for (int i = depth + 1; i < s.length; i++) stride *= s[i];
        for (int i = 0; i < s[depth]; i++) a.add(nested(d, s, depth + 1, off + i * stride));
        return a;
    }

    /** Stacks samples (each without the batch axis) into one batch, refusing samples of different shapes. */
    static Tensor stack(String what, List<Tensor> samples) {
        int[] s0 = samples.get(0).shape();
        int per = samples.get(0).size();
        float[] v = new float[per * samples.size()];
        for (int i = 0; i < samples.size(); i++) {
            if (!java.util.Arrays.equals(samples.get(i).shape(), s0)) {
                throw new HttpProblem(400, what + ": instance " + i + " has shape "
                        + Tensor.shapeString(samples.get(i).shape()) + ", instance 0 " + Tensor.shapeString(s0));
            }
            System.arraycopy(samples.get(i).data(), 0, v, i * per, per);
        }
        int[] s = new int[s0.length + 1];
        s[0] = samples.size();
        System.arraycopy(s0, 0, s, 1, s0.length);
        return new Tensor(s, v);
    }
}

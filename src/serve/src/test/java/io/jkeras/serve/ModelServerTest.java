package io.jkeras.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jkeras.JKeras;
import io.jkeras.model.Model;
import io.jkeras.npy.Npy;
import io.jkeras.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** The server over real HTTP (java.net.http) on an ephemeral loopback port, against Model.predict. */
class ModelServerTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static Model seq;
    static Model two;
    static Model tokens;
    static Model stateful;
    static Model bidir;
    static ModelServer server;

    static Model load(String fixture) { return JKeras.load(Path.of("fixtures/keras3", fixture, "model.h5")); }

    static Tensor x(String fixture, int i) { return Npy.read(Path.of("fixtures/keras3", fixture, "x" + i + ".npy"))
            .tensor(); }

    @BeforeAll
    static void start() throws Exception {
        seq = load("lstm_return_sequences");
        two = load("graph_two_in_two_out");
        tokens = load("embedding_lstm");
        stateful = load("lstm_stateful");
        bidir = load("bidir_lstm_concat");
        Map<String, Model> m = new LinkedHashMap<>();
        m.put("seq", seq);
        m.put("two", two);
        m.put("tokens", tokens);
        m.put("stateful", stateful);
        m.put("bidir", bidir);
        server = ModelServer.start(m, ModelServer.Options.defaults().withPort(0).withMaxBodyBytes(1 << 20));
    }

    @AfterAll
    static void stop() { server.stop(Duration.ZERO); }

    record Answer(int status, JsonNode body) {}

    static Answer call(ModelServer s, String method, String path, String body, String... headers) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path))
                    .timeout(Duration.ofSeconds(60));
            if (headers.length > 0) b.headers(headers);
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
            HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode n = r.headers().firstValue("Content-Type").orElse("").startsWith("application/json")
                    ? JSON.readTree(r.body()) : JSON.getNodeFactory().textNode(r.body());
            return new Answer(r.statusCode(), n);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** A POST of raw bytes (KServe's binary tensor data extension). */
    static Answer postBytes(ModelServer s, String path, byte[] body, String... headers) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path))
                    .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
            if (headers.length > 0) b.headers(headers);
            HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), JSON.readTree(r.body()));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /**
     * A v2 request in the binary tensor data extension: the JSON (each input declaring
     * {@code parameters.binary_data_size}, no {@code data}), then each input's little-endian values; returns the body
     * and the JSON part's length for the {@code Inference-Header-Content-Length} header.
     */
    static Object[] binaryRequest(String name, Tensor t, String datatype) {
        int width = datatype.equals("FP32") || datatype.equals("INT32") ? 4 : 8;
        ObjectNode in = JSON.createObjectNode().put("name", name).put("datatype", datatype);
        ArrayNode shape = in.putArray("shape");
        for (int d : t.shape()) shape.add(d);
        in.putObject("parameters").put("binary_data_size", t.size() * width);
        byte[] head = v2Request(in).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(head.length + t.size() * width)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN).put(head);
        for (float f : t.data()) {
            switch (datatype) {
                case "FP32" -> b.putFloat(f);
                case "FP64" -> b.putDouble(f);
                case "INT32" -> b.putInt((int) f);
                default -> b.putLong((long) f);
            }
        }
        return new Object[]{b.array(), head.length};
    }

    @Test
    void v2InferTakesBinaryTensorDataForEachDatatype() {
        binaryInferEqualsPredict("seq", seq, x("lstm_return_sequences", 0), "FP32", "FP64");
        binaryInferEqualsPredict("tokens", tokens, x("embedding_lstm", 0), "INT32", "INT64");
    }

    /** {@code x} sent to model {@code name} in the binary tensor data extension, as each datatype, gives predict. */
    private static void binaryInferEqualsPredict(String name, Model m, Tensor x, String... datatypes) {
        Tensor want = m.predict(x)[0];
        for (String dt : datatypes) {
            Object[] r = binaryRequest(m.inputs().get(0).name(), x, dt);
            Answer a = postBytes(server, "/v2/models/" + name + "/infer", (byte[]) r[0],
                    "Inference-Header-Content-Length", String.valueOf(r[1]));
            assertThat(a.status()).as(dt + ": " + a.body()).isEqualTo(200);
            JsonNode o = a.body().get("outputs").get(0);
            assertSame(o.get("shape"), o.get("data"), want);
        }
    }

    static Answer post(String path, Object body, String... headers) {
        return call(server, "POST", path, body instanceof String ? (String) body : JSON.valueToTree(body).toString(),
                headers);
    }

    static ObjectNode v2Input(String name, Tensor t, String datatype) {
        ObjectNode o = JSON.createObjectNode().put("name", name).put("datatype", datatype);
        ArrayNode s = o.putArray("shape");
        for (int d : t.shape()) s.add(d);
        ArrayNode d = o.putArray("data");
        for (float f : t.data()) {
            if (datatype.startsWith("INT")) d.add((long) f);
            else if (datatype.equals("FP64")) d.add((double) f);
            else d.add(f);
        }
        return o;
    }

    static ObjectNode v2Request(ObjectNode... inputs) {
        ObjectNode r = JSON.createObjectNode();
        ArrayNode a = r.putArray("inputs");
        for (ObjectNode i : inputs) a.add(i);
        return r;
    }

    static float[] floats(JsonNode a) {
        List<Float> l = new ArrayList<>();
        flatten(a, l);
        float[] f = new float[l.size()];
        for (int i = 0; i < f.length; i++) f[i] = l.get(i);
        return f;
    }

    private static void flatten(JsonNode a, List<Float> l) {
        if (a.isArray()) for (JsonNode e : a) flatten(e, l);
        else l.add(a.floatValue());
    }

    static int[] ints(JsonNode a) {
        int[] s = new int[a.size()];
        for (int i = 0; i < s.length; i++) s[i] = a.get(i).asInt();
        return s;
    }

    /** A float32 travels through JSON as its shortest decimal and comes back the same float. */
    static void assertSame(JsonNode shape, JsonNode data, Tensor want) {
        if (shape != null) assertThat(ints(shape)).containsExactly(want.shape());
        assertThat(floats(data)).containsExactly(want.data());
    }

    @Test
    void v2InferEqualsPredictForEachDatatype() {
        Tensor xs = x("lstm_return_sequences", 0);
        Tensor want = seq.predict(xs)[0];
        for (String dt : new String[]{"FP32", "FP64"}) {
            Answer a = post("/v2/models/seq/infer", v2Request(v2Input(seq.inputs().get(0).name(), xs, dt)));
            assertThat(a.status()).as(a.body().toString()).isEqualTo(200);
            JsonNode o = a.body().get("outputs").get(0);
            assertThat(o.get("datatype").asText()).isEqualTo("FP32");
            assertSame(o.get("shape"), o.get("data"), want);
        }
        Tensor xt = x("embedding_lstm", 0);
        Tensor wantT = tokens.predict(xt)[0];
        for (String dt : new String[]{"INT32", "INT64"}) {
            Answer a = post("/v2/models/tokens/infer", v2Request(v2Input(tokens.inputs().get(0).name(), xt, dt)));
            assertThat(a.status()).as(a.body().toString()).isEqualTo(200);
            assertSame(a.body().get("outputs").get(0).get("shape"), a.body().get("outputs").get(0).get("data"), wantT);
        }
    }

    @Test
    void v2InferTakesSeveralInputsAndReturnsTheSelectedOutputs() {
        Tensor a0 = x("graph_two_in_two_out", 0), a1 = x("graph_two_in_two_out", 1);
        Tensor[] want = two.predict(a0, a1);
        ObjectNode req = v2Request(v2Input(two.inputs().get(1).name(), a1, "FP32"),
                v2Input(two.inputs().get(0).name(), a0, "FP32"));
        Answer all = post("/v2/models/two/infer", req);
        assertThat(all.status()).as(all.body().toString()).isEqualTo(200);
        assertThat(all.body().get("outputs")).hasSize(2);
        for (int k = 0; k < 2; k++) {
            JsonNode o = all.body().get("outputs").get(k);
            assertThat(o.get("name").asText()).isEqualTo(two.outputs().get(k).name());
            assertSame(o.get("shape"), o.get("data"), want[k]);
        }
        req.putArray("outputs").addObject().put("name", two.outputs().get(1).name());
        req.put("id", "r-7");
        Answer one = post("/v2/models/two/infer", req);
        assertThat(one.body().get("id").asText()).isEqualTo("r-7");
        assertThat(one.body().get("outputs")).hasSize(1);
        assertSame(null, one.body().get("outputs").get(0).get("data"), want[1]);
    }

    @Test
    void v2OutputsComeInTheModelsFp32OrInFp64WhenARequestOutputAsksForIt() {
        Tensor a0 = x("graph_two_in_two_out", 0), a1 = x("graph_two_in_two_out", 1);
        Tensor[] want = two.predict(a0, a1);
        ObjectNode req = v2Request(v2Input(two.inputs().get(0).name(), a0, "FP32"),
                v2Input(two.inputs().get(1).name(), a1, "FP32"));
        ArrayNode outs = req.putArray("outputs");
        outs.addObject().put("name", two.outputs().get(0).name()).putObject("parameters").put("datatype", "FP64");
        outs.addObject().put("name", two.outputs().get(1).name()).putObject("parameters").put("datatype", "FP32");
        Answer a = post("/v2/models/two/infer", req);
        assertThat(a.status()).as(a.body().toString()).isEqualTo(200);
        JsonNode fp64 = a.body().get("outputs").get(0), fp32 = a.body().get("outputs").get(1);
        assertThat(fp64.get("datatype").asText()).isEqualTo("FP64");
        assertThat(ints(fp64.get("shape"))).containsExactly(want[0].shape());
        double[] widened = new double[want[0].size()];
        for (int i = 0; i < widened.length; i++) widened[i] = want[0].data()[i];
        double[] got = new double[fp64.get("data").size()];
        for (int i = 0; i < got.length; i++) got[i] = fp64.get("data").get(i).doubleValue();
        assertThat(got).containsExactly(widened);
        assertThat(fp32.get("datatype").asText()).isEqualTo("FP32");
        assertSame(fp32.get("shape"), fp32.get("data"), want[1]);
    }

    @Test
    void v2MetadataAndHealthDescribeTheModels() {
        assertThat(call(server, "GET", "/v2/health/live", null).body().get("live").asBoolean()).isTrue();
        assertThat(call(server, "GET", "/v2/health/ready", null).body().get("ready").asBoolean()).isTrue();
        JsonNode md = call(server, "GET", "/v2/models/two", null).body();
        assertThat(md.get("name").asText()).isEqualTo("two");
        for (int i = 0; i < 2; i++) {
            JsonNode in = md.get("inputs").get(i);
            assertThat(in.get("name").asText()).isEqualTo(two.inputs().get(i).name());
            assertThat(ints(in.get("shape"))).containsExactly(two.inputs().get(i).shape());
            assertThat(in.get("datatype").asText()).isEqualTo("FP32");
            assertThat(md.get("outputs").get(i).get("name").asText()).isEqualTo(two.outputs().get(i).name());
        }
        assertThat(call(server, "GET", "/v2/models/tokens", null).body().get("inputs").get(0).get("datatype")
                .asText()).isEqualTo("INT32");
    }

    static JsonNode nested(Tensor t) {
        return JSON.valueToTree(t.rank() == 3 ? t.toArray3() : t.toArray2());
    }

    @Test
    void tfServingRowAndColumnarFormsEqualPredict() {
        Tensor xs = x("lstm_return_sequences", 0);
        Tensor want = seq.predict(xs)[0];
        ObjectNode rows = JSON.createObjectNode();
        rows.set("instances", nested(xs));
        Answer a = post("/v1/models/seq:predict", rows);
        assertThat(a.status()).as(a.body().toString()).isEqualTo(200);
        assertThat(a.body().get("predictions")).hasSize(xs.dim(0));
        assertSame(null, a.body().get("predictions"), want);
        ObjectNode cols = JSON.createObjectNode();
        cols.set("inputs", nested(xs));
        Answer c = post("/v1/models/seq:predict", cols);
        assertSame(null, c.body().get("outputs"), want);

        Tensor a0 = x("graph_two_in_two_out", 0), a1 = x("graph_two_in_two_out", 1);
        Tensor[] w2 = two.predict(a0, a1);
        String n0 = two.inputs().get(0).name(), n1 = two.inputs().get(1).name();
        ObjectNode named = JSON.createObjectNode();
        named.putObject("inputs").set(n0, nested(a0));
        ((ObjectNode) named.get("inputs")).set(n1, nested(a1));
        Answer m = post("/v1/models/two:predict", named);
        assertThat(m.status()).as(m.body().toString()).isEqualTo(200);
        for (int k = 0; k < 2; k++) {
            assertSame(null, m.body().get("outputs").get(two.outputs().get(k).name()), w2[k]);
        }
        ObjectNode inst = JSON.createObjectNode();
        ArrayNode list = inst.putArray("instances");
        float[][][] r0 = a0.toArray3(), r1 = a1.toArray3();
        for (int b = 0; b < a0.dim(0); b++) {
            list.addObject().<ObjectNode>set(n0, JSON.valueToTree(r0[b])).set(n1, JSON.valueToTree(r1[b]));
        }
        Answer p = post("/v1/models/two:predict", inst);
        assertThat(p.body().get("predictions")).hasSize(a0.dim(0));
        for (int k = 0; k < 2; k++) {
            List<Float> got = new ArrayList<>();
            for (JsonNode row : p.body().get("predictions")) flatten(row.get(two.outputs().get(k).name()), got);
            assertThat(got).containsExactlyElementsOf(boxed(w2[k].data()));
        }
        JsonNode status = call(server, "GET", "/v1/models/two", null).body();
        assertThat(status.get("model_version_status").get(0).get("state").asText()).isEqualTo("AVAILABLE");
    }

    @Test
    void tfServingMetadataDescribesTheServingDefaultSignatureAsTfServingWritesIt() {
        for (String path : new String[]{"/v1/models/two/metadata", "/v1/models/two/versions/1/metadata"}) {
            Answer a = call(server, "GET", path, null);
            assertThat(a.status()).as(path + " " + a.body()).isEqualTo(200);
            JsonNode spec = a.body().get("model_spec");
            assertThat(spec.get("name").asText()).isEqualTo("two");
            assertThat(spec.get("version").asText()).isEqualTo("1");
            JsonNode sig = a.body().at("/metadata/signature_def/signature_def/serving_default");
            assertThat(sig.get("method_name").asText()).isEqualTo("tensorflow/serving/predict");
            for (int i = 0; i < 2; i++) {
                JsonNode in = sig.get("inputs").get(two.inputs().get(i).name());
                assertThat(in.get("dtype").asText()).isEqualTo("DT_FLOAT");
                assertThat(in.at("/tensor_shape/unknown_rank").asBoolean()).isFalse();
                JsonNode dims = in.at("/tensor_shape/dim");
                int[] want = two.inputs().get(i).shape();
                assertThat(dims).hasSize(want.length);
                for (int d = 0; d < want.length; d++) {   // int64 sizes are strings in protobuf's JSON
                    assertThat(dims.get(d).get("size").isTextual()).isTrue();
                    assertThat(dims.get(d).get("size").asText()).isEqualTo(Integer.toString(want[d]));
                }
                assertThat(sig.get("outputs").has(two.outputs().get(i).name())).isTrue();
            }
        }
        JsonNode tok = call(server, "GET", "/v1/models/tokens/metadata", null).body();
        assertThat(tok.at("/metadata/signature_def/signature_def/serving_default/inputs")
                .elements().next().get("dtype").asText()).isEqualTo("DT_INT32");
    }

    @Test
    void versionAndSignaturePathsOfBothProtocolsReachTheOneVersion() {
        Tensor xs = x("lstm_return_sequences", 0);
        Tensor want = seq.predict(xs)[0];
        ObjectNode rows = JSON.createObjectNode();
        rows.set("instances", nested(xs));
        rows.put("signature_name", "serving_default");
        for (String path : new String[]{"/v1/models/seq:predict", "/v1/models/seq/versions/1:predict"}) {
            Answer a = post(path, rows);
            assertThat(a.status()).as(path + " " + a.body()).isEqualTo(200);
            assertSame(null, a.body().get("predictions"), want);
        }
        assertThat(call(server, "GET", "/v1/models/seq/versions/1", null).body()
                .at("/model_version_status/0/version").asText()).isEqualTo("1");
        ObjectNode v2 = v2Request(v2Input(seq.inputs().get(0).name(), xs, "FP32"));
        Answer a = post("/v2/models/seq/versions/1/infer", v2);
        assertThat(a.status()).as(a.body().toString()).isEqualTo(200);
        assertThat(a.body().get("model_version").asText()).isEqualTo("1");
        assertSame(null, a.body().get("outputs").get(0).get("data"), want);
        assertThat(call(server, "GET", "/v2/models/seq/versions/1", null).body().get("name").asText())
                .isEqualTo("seq");
        assertThat(call(server, "GET", "/v2/models/seq/versions/1/ready", null).body().get("ready").asBoolean())
                .isTrue();
    }

    static List<Float> boxed(float[] f) {
        List<Float> l = new ArrayList<>();
        for (float v : f) l.add(v);
        return l;
    }

    @Test
    void sixtyFourConcurrentClientsOfAHundredRequestsEachGetTheirOwnAnswers() {
        String name = seq.inputs().get(0).name();
        int clients = 64, requests = 100;
        assertTimeoutPreemptively(Duration.ofMinutes(5), () -> {
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            try {
                List<Future<Integer>> done = new ArrayList<>();
                for (int c = 0; c < clients; c++) {
                    final int client = c;
                    done.add(pool.submit(() -> {
                        SplittableRandom rnd = new SplittableRandom(client);
                        int right = 0;
                        for (int r = 0; r < requests; r++) {
                            float[] v = new float[6 * 4];
                            for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextDouble(-2, 2);
                            Tensor xs = new Tensor(new int[]{1, 6, 4}, v);
                            Answer a = post("/v2/models/seq/infer", v2Request(v2Input(name, xs, "FP32")));
                            if (a.status() == 200 && java.util.Arrays.equals(
                                    floats(a.body().get("outputs").get(0).get("data")), seq.predict(xs)[0].data())) {
                                right++;
                            }
                        }
                        return right;
                    }));
                }
                for (Future<Integer> f : done) assertThat(f.get()).isEqualTo(requests);
            } finally {
                pool.shutdownNow();
            }
        });
    }

    /** 20 timesteps, one request each, over a session; evicting and restarting between some of them. */
    @Test
    void aStreamOverTwentyRequestsEqualsOneWholeSequencePredictAcrossEvictionAndRestart(@TempDir Path dir)
            throws Exception {
        SplittableRandom rnd = new SplittableRandom(16);
        float[] v = new float[2 * 20 * 4];
        for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextDouble(-1, 1);
        Tensor whole = new Tensor(new int[]{2, 20, 4}, v);
        Model seq = variableTime(ModelServerTest.seq);
        Tensor want = seq.predict(whole)[0];
        String name = seq.inputs().get(0).name();
        ModelServer s = ModelServer.start(Map.of("seq", seq),
                ModelServer.Options.defaults().withPort(0).withStateDir(dir));
        float[][] perStep = new float[20][];
        try {
            for (int t = 0; t < 20; t++) {
                if (t == 7) {
                    assertThat(s.evictAllSessions()).isEqualTo(1);
                    assertThat(s.liveSessions("seq")).isZero();
                }
                if (t == 13) {   // a new server on the same state directory
                    s.stop(Duration.ZERO);
                    s = ModelServer.start(Map.of("seq", seq), ModelServer.Options.defaults().withPort(0)
                            .withStateDir(dir));
                }
                Tensor step = timestep(whole, t);
                ObjectNode req = v2Request(v2Input(name, step, "FP32"));
                req.putObject("parameters").put("session_id", "sensor-1");
                Answer a = call(s, "POST", "/v2/models/seq/infer", req.toString());
                assertThat(a.status()).as(a.body().toString()).isEqualTo(200);
                perStep[t] = floats(a.body().get("outputs").get(0).get("data"));
            }
            assertThat(call(s, "DELETE", "/v2/models/seq/sessions/sensor-1", null).status()).isEqualTo(200);
            assertThat(call(s, "DELETE", "/v2/models/seq/sessions/sensor-1", null).status()).isEqualTo(404);
        } finally {
            s.stop(Duration.ZERO);
        }
        int units = want.dim(2);
        for (int b = 0; b < 2; b++) {
            for (int t = 0; t < 20; t++) {
                for (int u = 0; u < units; u++) {
                    assertThat(perStep[t][b * units + u]).as("sample %d step %d unit %d", b, t, u)
                            .isCloseTo(want.data()[(b * 20 + t) * units + u], offset(1e-6f));
                }
            }
        }
    }

    /** A causal self-attention streamed a step a request: its key/value cache lives in the session's snapshot. */
    @Test
    void aCausalAttentionStreamOverRequestsEqualsOnePredictAcrossAnEviction(@TempDir Path dir) throws Exception {
        Model att = JKeras.load(Path.of("fixtures/keras3/layers14/attention_causal_self/model.h5"));
        Tensor whole = Npy.read(Path.of("fixtures/keras3/layers14/attention_causal_self/x0.npy")).tensor();
        Tensor want = att.predict(whole)[0];
        int steps = whole.dim(1), units = want.dim(2);
        ModelServer s = ModelServer.start(Map.of("att", att), ModelServer.Options.defaults().withPort(0)
                .withStateDir(dir));
        try {
            for (int t = 0; t < steps; t++) {
                if (t == 2) assertThat(s.evictAllSessions()).isEqualTo(1);
                ObjectNode req = v2Request(v2Input(att.inputs().get(0).name(), timestep(whole, t), "FP32"));
                Answer a = call(s, "POST", "/v2/models/att/infer", req.toString(), "X-Session-Id", "doc-7");
                assertThat(a.status()).as(a.body().toString()).isEqualTo(200);
                float[] got = floats(a.body().get("outputs").get(0).get("data"));
                for (int b = 0; b < whole.dim(0); b++) {
                    for (int u = 0; u < units; u++) {
                        assertThat(got[b * units + u]).as("sample %d step %d unit %d", b, t, u)
                                .isCloseTo(want.data()[(b * steps + t) * units + u], offset(1e-6f));
                    }
                }
            }
        } finally {
            s.stop(Duration.ZERO);
        }
    }

    @Test
    void aReplacedModelAnswersTheNextRequestsAndItsOldSessionsAreDropped() throws Exception {
        Model lstm = load("lstm_default"), gru = load("gru_default");
        Tensor x = x("lstm_default", 0);
        ModelServer s = ModelServer.start(Map.of("m", lstm), ModelServer.Options.defaults().withPort(0));
        try {
            String before = v2Request(v2Input(lstm.inputs().get(0).name(), x, "FP32")).toString();
            Answer a = call(s, "POST", "/v2/models/m/infer", before, "X-Session-Id", "a");
            assertSame(null, a.body().get("outputs").get(0).get("data"), lstm.predict(x)[0]);
            assertThat(s.liveSessions("m")).isEqualTo(1);
            s.replace("m", gru);
            assertThat(s.liveSessions("m")).isZero();
            String after = v2Request(v2Input(gru.inputs().get(0).name(), x, "FP32")).toString();
            Answer b = call(s, "POST", "/v2/models/m/infer", after);
            assertSame(null, b.body().get("outputs").get(0).get("data"), gru.predict(x)[0]);
        } finally {
            s.stop(Duration.ZERO);
        }
    }

    /** {@code m} (one input) with its input's time dimension unknown, so that it predicts 20 timesteps at once. */
    static Model variableTime(Model m) {
        List<io.jkeras.model.Node> nodes = new ArrayList<>(m.nodes());
        io.jkeras.model.Node in = nodes.get(m.inputNodeIds().get(0));
        io.jkeras.layers.InputLayer l = (io.jkeras.layers.InputLayer) in.layer();
        int[] shape = l.shape();
        shape[0] = -1;
        io.jkeras.layers.InputLayer free = new io.jkeras.layers.InputLayer(l.name(), shape, l.batchSize(),
                l.integer());
        nodes.set(in.id(), new io.jkeras.model.Node(in.id(), free, in.inputs(), new int[][]{shape}, in.mask()));
        List<io.jkeras.layers.Layer> layers = new ArrayList<>(m.layers());
        layers.replaceAll(x -> x == l ? free : x);
        return new Model(m.name(), nodes, m.inputNodeIds(), m.outputRefs(), layers, m.metadata());
    }

    /** Timestep t of x (batch, steps, features) as a chunk (batch, 1, features). */
    static Tensor timestep(Tensor x, int t) {
        int b = x.dim(0), n = x.dim(1), f = x.dim(2);
        float[] d = new float[b * f];
        for (int i = 0; i < b; i++) System.arraycopy(x.data(), (i * n + t) * f, d, i * f, f);
        return new Tensor(new int[]{b, 1, f}, d);
    }
}

package io.jkeras.serve;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jkeras.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import static io.jkeras.serve.ModelServerTest.JSON;
import static io.jkeras.serve.ModelServerTest.call;
import static io.jkeras.serve.ModelServerTest.load;
import static io.jkeras.serve.ModelServerTest.v2Input;
import static io.jkeras.serve.ModelServerTest.v2Request;
import static org.assertj.core.api.Assertions.assertThat;

/** Every client mistake: a 4xx with a JSON body naming what was wrong, never a 500 or a stack trace. */
class ServerBadInputTest {
    static ModelServer server;

    @BeforeAll
    static void start() throws Exception {
        Map<String, io.jkeras.model.Model> m = new LinkedHashMap<>();
        m.put("seq", load("lstm_return_sequences"));
        m.put("bidir", load("bidir_lstm_concat"));
        server = ModelServer.start(m, ModelServer.Options.defaults().withPort(0).withMaxBodyBytes(4096));
    }

    @AfterAll
    static void stop() { server.stop(Duration.ZERO); }

    static String input(int[] shape, String datatype, String data) {
        return "{\"inputs\":[{\"name\":\"input_layer\",\"shape\":" + java.util.Arrays.toString(shape)
                + ",\"datatype\":\"" + datatype + "\",\"data\":" + data + "}]}";
    }

    static String zeros(int n) {
        return java.util.Arrays.toString(new float[n]);
    }

    static Stream<Arguments> mistakes() {
        String ok = "/v2/models/seq/infer";
        ObjectNode bidirReq = v2Request(v2Input("input_layer", new Tensor(new int[]{1, 5, 3}, new float[15]),
                "FP32"));
        bidirReq.putObject("parameters").put("session_id", "s1");
        return Stream.of(
                Arguments.of("malformed JSON", "POST", ok, "{\"inputs\": [", 400, "malformed JSON"),
                Arguments.of("not an object", "POST", ok, "[1, 2]", 400, "JSON object"),
                Arguments.of("no inputs", "POST", ok, "{}", 400, "'inputs'"),
                Arguments.of("wrong shape", "POST", ok, input(new int[]{1, 6, 5}, "FP32", zeros(30)), 400,
                        "expects shape"),
                Arguments.of("shape and data disagree", "POST", ok, input(new int[]{1, 6, 4}, "FP32", zeros(23)),
                        400, "holds 24 values, 'data' holds 23"),
                Arguments.of("unknown datatype", "POST", ok, input(new int[]{1, 6, 4}, "FP16", zeros(24)), 400,
                        "datatype FP16 is not supported"),
                Arguments.of("fraction for INT32", "POST", ok, input(new int[]{1, 1, 1}, "INT32", "[0.5]"), 400,
                        "not an integer"),
                Arguments.of("string data", "POST", ok, input(new int[]{1, 1, 1}, "FP32", "[\"a\"]"), 400,
                        "not a number"),
                Arguments.of("NaN under the strict input policy", "POST", ok,
                        input(new int[]{1, 6, 4}, "FP32", zeros(24).replaceFirst("0\\.0", "NaN")), 400,
                        "non-finite inputs are refused"),
                Arguments.of("unknown input", "POST", ok, input(new int[]{1, 6, 4}, "FP32", zeros(24))
                        .replace("input_layer", "x"), 400, "has no input 'x'"),
                Arguments.of("body over the limit", "POST", ok, input(new int[]{1, 600, 4}, "FP32", zeros(2400)),
                        413, "over the limit"),
                Arguments.of("unknown model", "POST", "/v2/models/nope/infer", "{}", 404, "no model named 'nope'"),
                Arguments.of("unknown model (TF)", "POST", "/v1/models/nope:predict", "{}", 404, "no model named"),
                Arguments.of("unknown session", "DELETE", "/v2/models/seq/sessions/ghost", null, 404,
                        "no session 'ghost'"),
                Arguments.of("bad session id", "POST", ok, input(new int[]{1, 1, 4}, "FP32", zeros(4)), 400,
                        "session id"),
                Arguments.of("session on a model that cannot stream", "POST", "/v2/models/bidir/infer",
                        bidirReq.toString(), 400, "Bidirectional"),
                Arguments.of("TF: neither instances nor inputs", "POST", "/v1/models/seq:predict", "{}", 400,
                        "exactly one of 'instances'"),
                Arguments.of("TF: ragged instances", "POST", "/v1/models/seq:predict",
                        "{\"instances\": [[[1, 2, 3, 4], [1, 2]]]}", 400, "not rectangular"),
                Arguments.of("TF: instances of different shapes", "POST", "/v1/models/seq:predict",
                        "{\"instances\": [[[1, 2, 3, 4]], [[1, 2, 3, 4], [1, 2, 3, 4]]]}", 400,
                        "instance 1 has shape"),
                Arguments.of("TF: another signature", "POST", "/v1/models/seq:predict",
                        "{\"signature_name\": \"classify\", \"instances\": [[[1, 2, 3, 4]]]}", 400,
                        "no signature 'classify'; its one signature is serving_default"),
                Arguments.of("TF: unknown version", "POST", "/v1/models/seq/versions/2:predict",
                        "{\"instances\": [[[1, 2, 3, 4]]]}", 404, "has no version '2'; it has one version, 1"),
                Arguments.of("TF: unknown version's metadata", "GET", "/v1/models/seq/versions/7/metadata", null,
                        404, "has no version '7'"),
                Arguments.of("TF: a label", "GET", "/v1/models/seq/labels/stable", null, 404,
                        "no version label 'stable'"),
                Arguments.of("v2: unknown version", "POST", "/v2/models/seq/versions/3/infer",
                        input(new int[]{1, 6, 4}, "FP32", zeros(24)), 404, "has no version '3'"),
                Arguments.of("v2: unknown version's readiness", "GET", "/v2/models/seq/versions/v10/ready", null,
                        404, "has no version 'v10'"),
                Arguments.of("an output datatype that would round", "POST", ok, input(new int[]{1, 6, 4}, "FP32",
                        zeros(24)).replace("}]}", "}], \"outputs\": [{\"name\": \"lstm\", \"parameters\":"
                        + " {\"datatype\": \"INT32\"}}]}"), 400, "output 'lstm': datatype \"INT32\" cannot be"),
                Arguments.of("wrong method", "GET", ok, null, 405, "use POST"),
                Arguments.of("unknown endpoint", "GET", "/v3/what", null, 404, "no such endpoint"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mistakes")
    void aClientMistakeIsA4xxNamingIt(String what, String method, String path, String body, int status,
                                      String says) throws Exception {
        String[] headers = what.equals("bad session id") ? new String[]{"X-Session-Id", "../etc/passwd"}
                : new String[0];
        ModelServerTest.Answer a = call(server, method, path, body, headers);
        assertThat(a.status()).as(a.body().toString()).isEqualTo(status);
        assertThat(a.body().get("error").asText()).contains(says).doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(JSON.writeValueAsString(a.body())).doesNotContain("at io.jkeras");
    }

    /** Mistakes in KServe's binary tensor data extension: each a 400 naming what is wrong. */
    @org.junit.jupiter.api.Test
    void binaryTensorDataMistakesAre400sNamingThem() {
        Tensor x = new Tensor(new int[]{1, 6, 4}, new float[24]);
        Object[] r = ModelServerTest.binaryRequest("input_layer", x, "FP32");
        byte[] body = (byte[]) r[0];
        int head = (int) r[1];
        String ok = "/v2/models/seq/infer", h = "Inference-Header-Content-Length";
        expect(ModelServerTest.postBytes(server, ok, body, h, "twelve"), "is not a number");
        expect(ModelServerTest.postBytes(server, ok, body, h, String.valueOf(body.length + 1)),
                "is not within the body");
        expect(ModelServerTest.postBytes(server, ok, java.util.Arrays.copyOf(body, body.length + 4), h,
                String.valueOf(head)), "4 bytes of binary data follow");
        expect(ModelServerTest.postBytes(server, ok, java.util.Arrays.copyOf(body, body.length - 4), h,
                String.valueOf(head)), "96 bytes of binary data declared, 92 left");
        String json = new String(body, 0, head, java.nio.charset.StandardCharsets.UTF_8);
        expect(ModelServerTest.postBytes(server, ok, json.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                "needs the header Inference-Header-Content-Length");
        byte[] wrongSize = json.replace("\"binary_data_size\":96", "\"binary_data_size\":95")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        expect(ModelServerTest.postBytes(server, ok, wrongSize, h, String.valueOf(wrongSize.length)),
                "needs 96 bytes");
        byte[] both = json.replace("\"parameters\"", "\"data\":[0],\"parameters\"")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        expect(ModelServerTest.postBytes(server, ok, both, h, String.valueOf(both.length)), "either 'data' or");
    }

    private static void expect(ModelServerTest.Answer a, String says) {
        assertThat(a.status()).as(a.body().toString()).isEqualTo(400);
        assertThat(a.body().get("error").asText()).contains(says);
    }
}

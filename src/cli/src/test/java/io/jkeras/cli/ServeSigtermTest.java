package io.jkeras.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jkeras.JKeras;
import io.jkeras.model.Model;
import io.jkeras.model.Session;
import io.jkeras.model.State;
import io.jkeras.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * {@code jkeras serve} as a child process stopped by SIGTERM ({@link Process#destroy()} on Unix): requests in
 * flight finish, new ones are refused, sessions are written to {@code --state-dir}, and the process exits 0.
 * The requests are held in flight by sending half of their bodies, so that nothing depends on how fast the
 * machine is; the timeouts are hang guards only.
 */
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "Process.destroy() is not SIGTERM there")
class ServeSigtermTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FIXTURE = "fixtures/keras3/lstm_return_sequences/model.h5";
    private static final int IN_FLIGHT = 3;
    /** Metric lines: the gauge of requests being answered. */
    private static final Pattern GAUGE = Pattern.compile("(?m)^jkeras_requests_in_flight (\\d+)$");

    /** The child's output, read as it comes (a pipe left unread would block it). */
    static final class Drain {
        private final StringBuffer text = new StringBuffer();

        Drain(InputStream in) {
            Thread t = new Thread(() -> {
                byte[] b = new byte[4096];
                try {
                    for (int n; (n = in.read(b)) >= 0; ) text.append(new String(b, 0, n, StandardCharsets.UTF_8));
                } catch (IOException e) {
                    text.append("[read failed: ").append(e).append(']');
                }
            });
            t.setDaemon(true);
            t.start();
        }

        @Override public String toString() { return text.toString(); }
    }

    /** The test JVM's options that choose jkeras' kernels, so that the child computes as this JVM does. */
    private static List<String> kernelOptions() {
        List<String> o = new ArrayList<>();
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-XX:UseAVX") || a.startsWith("-Djkeras.") || a.startsWith("--add-modules")) o.add(a);
        }
        return o;
    }

    private static String body(Tensor x) {
        StringBuilder d = new StringBuilder();
        for (float f : x.data()) d.append(d.length() == 0 ? "" : ",").append(f);
        return "{\"inputs\":[{\"name\":\"input_layer\",\"shape\":[1,6,4],\"datatype\":\"FP32\",\"data\":[" + d
                + "]}]}";
    }

    private static Tensor input(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[24];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextDouble(-1, 1);
        return new Tensor(new int[]{1, 6, 4}, v);
    }

    /** A request whose headers and first half of the body are sent; {@link #finish} sends the rest. */
    static final class HeldRequest {
        final Socket socket;
        final byte[] rest;

        HeldRequest(int port, String session, String json) throws IOException {
            byte[] b = json.getBytes(StandardCharsets.UTF_8);
            socket = new Socket("127.0.0.1", port);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v2/models/seq/infer HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + b.length + "\r\nX-Session-Id: " + session + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(b, 0, b.length / 2);
            out.flush();
            rest = java.util.Arrays.copyOfRange(b, b.length / 2, b.length);
        }

        /** Sends the rest of the body; the status line and the body of the answer. */
        String[] finish() throws IOException {
            socket.getOutputStream().write(rest);
            socket.getOutputStream().flush();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(all);
            socket.close();
            String r = all.toString(StandardCharsets.UTF_8);
            int end = r.indexOf("\r\n\r\n");
            return new String[]{r.substring(0, r.indexOf("\r\n")), end < 0 ? "" : r.substring(end + 4)};
        }
    }

    /** GET /metrics over a new connection (a refused connection throws ConnectException). */
    private static HttpResponse<String> metrics(int port) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertClose(JsonNode data, Tensor want) {
        assertThat(data).hasSize(want.size());
        for (int i = 0; i < want.size(); i++) {
            assertThat(data.get(i).doubleValue()).as("value " + i).isCloseTo(want.data()[i],
                    org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    @Test
    void sigtermLetsRequestsInFlightFinishRefusesNewOnesWritesSessionsAndExitsZero(@TempDir Path dir) {
        Model model = JKeras.load(Path.of(FIXTURE));
        Path state = dir.resolve("state");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        cmd.addAll(kernelOptions());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.jkeras.cli.Main", "serve", FIXTURE,
                "--name", "seq", "--port", "0", "--state-dir", state.toString(), "--drain", "120"));
        assertTimeoutPreemptively(Duration.ofMinutes(4), () -> {
            Process p = new ProcessBuilder(cmd).start();
            try {
                Drain out = new Drain(p.getInputStream()), err = new Drain(p.getErrorStream());
                Matcher m;
                while (!(m = Pattern.compile("serving seq on http://127\\.0\\.0\\.1:(\\d+)").matcher(out.toString()))
                        .find()) {
                    assertThat(p.isAlive()).as("jkeras serve exited: " + err).isTrue();
                    Thread.sleep(50);
                }
                int port = Integer.parseInt(m.group(1));
                Tensor first = input(1);
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + port + "/v2/models/seq/infer")).header("X-Session-Id", "sensor-1")
                        .POST(HttpRequest.BodyPublishers.ofString(body(first))).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);

                List<HeldRequest> held = new ArrayList<>();
                for (int i = 0; i < IN_FLIGHT; i++) held.add(new HeldRequest(port, "held-" + i, body(input(10 + i))));
                // the server reads a body in the handler: the requests are in flight once the gauge counts them
                // (and the metrics request itself)
                while (true) {
                    Matcher g = GAUGE.matcher(metrics(port).body());
                    assertThat(g.find()).isTrue();
                    if (Integer.parseInt(g.group(1)) >= IN_FLIGHT + 1) break;
                    Thread.sleep(20);
                }

                p.destroy();   // SIGTERM
                while (true) {   // a new request is refused: 503 while draining, then no connection at all
                    try {
                        int status = metrics(port).statusCode();
                        if (status == 503) break;
                        assertThat(status).isEqualTo(200);
                    } catch (ConnectException e) {
                        break;
                    }
                    Thread.sleep(20);
                }
                assertThat(p.isAlive()).as("still draining the requests in flight").isTrue();

                for (int i = 0; i < IN_FLIGHT; i++) {
                    String[] a = held.get(i).finish();
                    assertThat(a[0]).as(a[1]).isEqualTo("HTTP/1.1 200 OK");
                    assertClose(JSON.readTree(a[1]).at("/outputs/0/data"), model.predict(input(10 + i))[0]);
                }
                assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("exited after the drain").isTrue();
                assertThat(p.exitValue()).as(err.toString()).isZero();

                List<String> written = new ArrayList<>();
                try (var files = Files.list(state.resolve("seq"))) {
                    files.forEach(f -> written.add(f.getFileName().toString()));
                }
                assertThat(written).containsExactlyInAnyOrder("sensor-1.state", "held-0.state", "held-1.state",
                        "held-2.state");
                // the snapshot continues the stream where the process left it
                Session resumed = model.newSession(State.fromBytes(Files.readAllBytes(
                        state.resolve("seq").resolve("sensor-1.state"))));
                Session uninterrupted = model.newSession();
                uninterrupted.steps(first);
                Tensor second = input(2);
                Tensor want = uninterrupted.steps(second)[0], got = resumed.steps(second)[0];
                for (int i = 0; i < want.size(); i++) {
                    assertThat(got.data()[i]).isCloseTo(want.data()[i], org.assertj.core.data.Offset.offset(1e-5f));
                }
            } finally {
                p.destroyForcibly();
            }
        });
    }
}

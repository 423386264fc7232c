package io.jkeras.serve;

import io.jkeras.JKeras;
import io.jkeras.model.Model;
import io.jkeras.npy.Npy;
import io.jkeras.tensor.Tensor;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The W1 loopback benchmark (not a test): W1 (LSTM(128), batch 1) through {@code POST /v2/models/w1/infer}
 * over loopback HTTP at 1, 8 and 64 concurrent clients (requests/s, p50, p99), and the overhead over an
 * in-process {@code predict}. Run by {@code tools/serve-bench.sh [artifacts dir]} (or {@code java -cp <serve test
 * and main classes + dependencies> io.jkeras.serve.ServeBenchmark [artifacts dir]} from the repository root).
 * {@code -Dclients=1} runs only the one-client row; {@code -Drequests=N} per client (2000).
 *
 * <p>The one-client overhead is measured paired: requests alternate with in-process predicts of the same input,
 * so that both see the same machine; it prints the p50 of each, their difference and the median of the
 * per-pair differences, and the load average (/proc/loadavg) before and after. Prints Markdown for
 * docs/performance.md.
 */
public final class ServeBenchmark {
    private ServeBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "../shared/bench/artifacts");
        int perClient = Integer.getInteger("requests", 2000);
        Model m = JKeras.load(dir.resolve("w1.h5"));
        Tensor x = Npy.read(dir.resolve("w1_input.npy")).tensor();
        StringBuilder sb = new StringBuilder("{\"inputs\":[{\"name\":\"" + m.inputs().get(0).name() + "\",\"shape\":");
        sb.append(Arrays.toString(x.shape())).append(",\"datatype\":\"FP32\",\"data\":")
                .append(Arrays.toString(x.data())).append("}]}");
        String body = sb.toString();
        long[] local = new long[perClient * 2];
        for (int i = 0; i < local.length; i++) {
            long t0 = System.nanoTime();
            m.predict(x);
            local[i] = System.nanoTime() - t0;
        }
        long[] tail = Arrays.copyOfRange(local, perClient, local.length);
        Arrays.sort(tail);
        double predictP50 = tail[tail.length / 2] / 1e3;
        System.out.printf("in-process predict: p50 %.0f µs%n", predictP50);
        ModelServer s = ModelServer.start(Map.of("w1", m), ModelServer.Options.defaults().withPort(0));
        try {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/v2/models/w1/infer"))
                    .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
            for (int i = 0; i < perClient; i++) client.send(req, HttpResponse.BodyHandlers.ofString());   // warm-up
            System.out.println("load average before: " + loadAverage());
            paired("java.net.http", perClient, m, x, () -> {
                HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) throw new IllegalStateException(r.body());
            });
            try (RawClient raw = new RawClient(s.port(), "/v2/models/w1/infer", body)) {
                for (int i = 0; i < perClient; i++) raw.send();   // warm-up
                paired("raw socket", perClient, m, x, raw::send);
            }
            // the same input as raw float32 bytes after the JSON (KServe's binary tensor data extension)
            Object[] bin = ModelServerTest.binaryRequest(m.inputs().get(0).name(), x, "FP32");
            try (RawClient raw = new RawClient(s.port(), "/v2/models/w1/infer", (byte[]) bin[0],
                    "Inference-Header-Content-Length: " + bin[1] + "\r\n")) {
                for (int i = 0; i < perClient; i++) raw.send();   // warm-up
                paired("raw socket, binary tensor data", perClient, m, x, raw::send);
            }
            System.out.println("load average after: " + loadAverage());
            System.out.println("| clients | requests/s | p50 | p99 | p50 − in-process predict |");
            System.out.println("|---|---|---|---|---|");
            for (int clients : Arrays.stream(System.getProperty("clients", "1,8,64").split(","))
                    .mapToInt(Integer::parseInt).toArray()) {
                ExecutorService pool = Executors.newFixedThreadPool(clients);
                List<Future<long[]>> fs = new ArrayList<>();
                long t0 = System.nanoTime();
                for (int c = 0; c < clients; c++) {
                    fs.add(pool.submit(() -> {
                        long[] lat = new long[perClient];
                        for (int i = 0; i < perClient; i++) {
                            long a = System.nanoTime();
                            HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() != 200) throw new IllegalStateException(r.body());
                            lat[i] = System.nanoTime() - a;
                        }
                        return lat;
                    }));
                }
                long[] all = new long[clients * perClient];
                for (int c = 0; c < clients; c++) System.arraycopy(fs.get(c).get(), 0, all, c * perClient, perClient);
                double secs = (System.nanoTime() - t0) / 1e9;
                pool.shutdown();
                Arrays.sort(all);
                double p50 = all[all.length / 2] / 1e3, p99 = all[(int) (all.length * 0.99)] / 1e3;
                System.out.printf("| %d | %.0f | %.0f µs | %.0f µs | %.0f µs |%n", clients, all.length / secs, p50, p99,
                        p50 - predictP50);
            }
            System.out.println("load average at the end: " + loadAverage());
        } finally {
            s.stop(Duration.ZERO);
        }
    }

    interface Request {
        void send() throws Exception;
    }

    /**
     * One client's requests, each after an in-process predict of the same input: the p50 of each, their
     * difference and the median per-pair difference (the HTTP overhead).
     */
    private static void paired(String client, int n, Model m, Tensor x, Request request) throws Exception {
        long[] http = new long[n], local = new long[n], diff = new long[n];
        for (int i = 0; i < n; i++) {
            long a = System.nanoTime();
            m.predict(x);
            long b = System.nanoTime();
            request.send();
            long c = System.nanoTime();
            local[i] = b - a;
            http[i] = c - b;
            diff[i] = http[i] - local[i];
        }
        Arrays.sort(http);
        Arrays.sort(local);
        Arrays.sort(diff);
        System.out.printf("one client (%s), paired: request p50 %.0f µs, in-process predict p50 %.0f µs,"
                + " difference of p50s %.0f µs, median per-pair difference %.0f µs, request p99 %.0f µs%n",
                client, http[n / 2] / 1e3, local[n / 2] / 1e3, (http[n / 2] - local[n / 2]) / 1e3, diff[n / 2] / 1e3,
                http[(int) (n * 0.99)] / 1e3);
    }

    /**
     * The lightest HTTP/1.1 client: one keep-alive connection, the request written at once, the answer read by
     * its Content-Length; what the server costs without java.net.http's own overhead.
     */
    static final class RawClient implements AutoCloseable {
        private final java.net.Socket socket;
        private final java.io.BufferedInputStream in;
        private final byte[] request;

        RawClient(int port, String path, String body) throws java.io.IOException {
            this(port, path, body.getBytes(java.nio.charset.StandardCharsets.UTF_8), "");
        }

        /** With {@code extraHeaders} ("Name: value\r\n" each), e.g. the binary extension's header length. */
        RawClient(int port, String path, byte[] b, String extraHeaders) throws java.io.IOException {
            socket = new java.net.Socket("127.0.0.1", port);
            socket.setTcpNoDelay(true);
            in = new java.io.BufferedInputStream(socket.getInputStream(), 1 << 16);
            byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + extraHeaders + "Content-Length: " + b.length + "\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            request = new byte[head.length + b.length];
            System.arraycopy(head, 0, request, 0, head.length);
            System.arraycopy(b, 0, request, head.length, b.length);
        }

        void send() throws java.io.IOException {
            socket.getOutputStream().write(request);
            StringBuilder line = new StringBuilder();
            int length = -1;
            String status = null;
            while (true) {   // the status line and headers
                int c = in.read();
                if (c < 0) throw new java.io.EOFException("connection closed");
                if (c != '\n') {
                    if (c != '\r') line.append((char) c);
                    continue;
                }
                if (line.length() == 0) break;
                String h = line.toString();
                if (status == null) status = h;
                else if (h.regionMatches(true, 0, "content-length:", 0, 15)) length = Integer.parseInt(h.substring(15)
                        .trim());
                line.setLength(0);
            }
            if (status == null || !status.contains(" 200 ") || length < 0) throw new IllegalStateException(status);
            in.readNBytes(length);
        }

        @Override public void close() throws java.io.IOException { socket.close(); }
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }
}

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
            long[] http = new long[perClient], local2 = new long[perClient], diff = new long[perClient];
            for (int i = 0; i < perClient; i++) {
                long a = System.nanoTime();
                m.predict(x);
                long b = System.nanoTime();
                HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
                long c = System.nanoTime();
                if (r.statusCode() != 200) throw new IllegalStateException(r.body());
                local2[i] = b - a;
                http[i] = c - b;
                diff[i] = http[i] - local2[i];
            }
            Arrays.sort(http);
            Arrays.sort(local2);
            Arrays.sort(diff);
            System.out.printf("one client, paired: request p50 %.0f µs, in-process predict p50 %.0f µs,"
                    + " difference of p50s %.0f µs, median per-pair difference %.0f µs, p99 request %.0f µs%n",
                    http[perClient / 2] / 1e3, local2[perClient / 2] / 1e3,
                    (http[perClient / 2] - local2[perClient / 2]) / 1e3, diff[perClient / 2] / 1e3,
                    http[(int) (perClient * 0.99)] / 1e3);
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

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }
}

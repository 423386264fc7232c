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
 * in-process {@code predict}. Run from the repository root after {@code mvn -o test-compile -pl src/serve -am}:
 * {@code java -cp <serve test and main classes + dependencies> io.jkeras.serve.ServeBenchmark [artifacts dir]}.
 * Prints a Markdown table for docs/performance.md.
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
            System.out.println("| clients | requests/s | p50 | p99 | p50 − in-process predict |");
            System.out.println("|---|---|---|---|---|");
            for (int clients : new int[]{1, 8, 64}) {
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
        } finally {
            s.stop(Duration.ZERO);
        }
    }
}

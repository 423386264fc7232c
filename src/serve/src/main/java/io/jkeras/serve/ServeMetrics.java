package io.jkeras.serve;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * Prometheus counters per model: requests, errors (by status) and a latency histogram, written in the text
 * exposition format ({@code GET /metrics}).
 */
final class ServeMetrics {
    static final double[] BUCKETS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
        0.5, 1, 2.5, 5, 10};

    private static final class PerModel {
        final AtomicLong requests = new AtomicLong();
        final Map<Integer, AtomicLong> errors = new ConcurrentHashMap<>();
        final AtomicLong[] buckets = new AtomicLong[BUCKETS.length];
        final DoubleAdder seconds = new DoubleAdder();

        PerModel() { for (int i = 0; i < buckets.length; i++) buckets[i] = new AtomicLong(); }
    }

    private final Map<String, PerModel> models = new ConcurrentHashMap<>();

    /** One request to {@code model} (the empty string: none) answered with {@code status} after {@code nanos}. */
    void record(String model, int status, long nanos) {
        PerModel m = models.computeIfAbsent(model, k -> new PerModel());
        m.requests.incrementAndGet();
        if (status >= 400) m.errors.computeIfAbsent(status, k -> new AtomicLong()).incrementAndGet();
        double s = nanos / 1e9;
        m.seconds.add(s);
        for (int i = 0; i < BUCKETS.length; i++) if (s <= BUCKETS[i]) m.buckets[i].incrementAndGet();
    }

    /** The text exposition, with {@code inFlight} requests being answered now (this one included). */
    String text(int inFlight) {
        StringBuilder sb = new StringBuilder();
        sb.append("# HELP jkeras_requests_in_flight Requests being answered now, this one included.\n"
                + "# TYPE jkeras_requests_in_flight gauge\njkeras_requests_in_flight ").append(inFlight).append('\n');
        sb.append("# HELP jkeras_requests_total Requests answered, by model.\n# TYPE jkeras_requests_total counter\n");
        models.forEach((k, m) -> sb.append("jkeras_requests_total{model=\"").append(label(k)).append("\"} ")
                .append(m.requests.get()).append('\n'));
        sb.append("# HELP jkeras_errors_total Requests answered with an error status, by model and status.\n"
                + "# TYPE jkeras_errors_total counter\n");
        models.forEach((k, m) -> m.errors.forEach((st, n) -> sb.append("jkeras_errors_total{model=\"")
                .append(label(k)).append("\",status=\"").append(st).append("\"} ").append(n.get()).append('\n')));
        sb.append("# HELP jkeras_request_duration_seconds Time to answer a request, by model.\n"
                + "# TYPE jkeras_request_duration_seconds histogram\n");
        models.forEach((k, m) -> {
            String l = label(k);
            for (int i = 0; i < BUCKETS.length; i++) {
                sb.append("jkeras_request_duration_seconds_bucket{model=\"").append(l).append("\",le=\"")
                        .append(BUCKETS[i]).append("\"} ").append(m.buckets[i].get()).append('\n');
            }
            long n = m.requests.get();
            sb.append("jkeras_request_duration_seconds_bucket{model=\"").append(l).append("\",le=\"+Inf\"} ")
                    .append(n).append('\n');
            sb.append("jkeras_request_duration_seconds_sum{model=\"").append(l).append("\"} ").append(m.seconds.sum())
                    .append('\n');
            sb.append("jkeras_request_duration_seconds_count{model=\"").append(l).append("\"} ").append(n)
                    .append('\n');
        });
        return sb.toString();
    }

    private static String label(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}

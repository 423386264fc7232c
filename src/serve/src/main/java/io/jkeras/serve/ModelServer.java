package io.jkeras.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.jkeras.exceptions.JKerasException;
import io.jkeras.model.DType;
import io.jkeras.model.Model;
import io.jkeras.model.TensorSpec;
import io.jkeras.tensor.Tensor;
import io.jkeras.util.Version;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP server for jkeras models on the JDK's {@code com.sun.net.httpserver} (no dependency; requests run on
 * virtual threads where the JDK has them, else on a pool). It speaks KServe v2 (the Open Inference Protocol) and
 * TensorFlow Serving REST, keeps a session per client id ({@code X-Session-Id}, or {@code parameters.session_id}
 * in v2) for stateful and streaming models, and answers {@code GET /metrics} in Prometheus' text format. A
 * client's mistake is a 4xx with {@code {"error": "..."}} naming what was wrong, never a 500 or a stack trace.
 */
public final class ModelServer implements AutoCloseable {
    /**
     * @param host          the address to listen on
     * @param port          0: an ephemeral port ({@link #port()})
     * @param sessionIdle   a session idle for longer is evicted to a snapshot
     * @param maxBodyBytes  the largest request body
     * @param maxConcurrent how many requests compute at once; the others wait
     * @param stateDir      where evicted sessions are written, so that a restarted server resumes them; null:
     *                      in memory only
     */
    public record Options(String host, int port, Duration sessionIdle, long maxBodyBytes, int maxConcurrent,
                          Path stateDir) {
        public static Options defaults() {
            return new Options("127.0.0.1", 8500, Duration.ofMinutes(10), 64L << 20,
                    Math.max(2, Runtime.getRuntime().availableProcessors()), null);
        }

        public Options withPort(int p) {
            return new Options(host, p, sessionIdle, maxBodyBytes, maxConcurrent, stateDir);
        }

        public Options withHost(String h) {
            return new Options(h, port, sessionIdle, maxBodyBytes, maxConcurrent, stateDir);
        }

        public Options withSessionIdle(Duration d) {
            return new Options(host, port, d, maxBodyBytes, maxConcurrent, stateDir);
        }

        public Options withMaxBodyBytes(long b) {
            return new Options(host, port, sessionIdle, b, maxConcurrent, stateDir);
        }

        public Options withStateDir(Path d) {
            return new Options(host, port, sessionIdle, maxBodyBytes, maxConcurrent, d);
        }
    }

    /**
     * NaN and Infinity parse (as TensorFlow Serving's JSON does), so that the model's input policy judges them;
     * numbers parse with Jackson's fast (and correctly rounded) double parser, a fifth of the time of a W1 body.
     */
    private static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(com.fasterxml.jackson.core.StreamReadFeature.USE_FAST_DOUBLE_PARSER).build();
    private static final System.Logger LOG = System.getLogger("io.jkeras.serve");
    /** The one version of each model this server has, as both protocols name versions. */
    static final String VERSION = "1";
    /** TensorFlow Serving's default signature, the only one a Keras model exported for serving has. */
    static final String SIGNATURE = "serving_default";

    static {
        // the JDK server writes a response's headers and body separately: with Nagle's algorithm and the
        // client's delayed ACK each response waits ~40 ms. Read once, when the JDK's server is first used;
        // a value set on the command line wins.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    /** By name; a reload replaces an entry, requests already holding the old one finish on it. */
    private final Map<String, ServedModel> models = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<String> names;
    private final Options options;
    private final HttpServer http;
    private final ExecutorService executor;
    private final Semaphore compute;
    private final ServeMetrics metrics = new ServeMetrics();
    private final java.util.concurrent.ScheduledExecutorService evictor;
    private volatile boolean draining;
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger admitted = new java.util.concurrent.atomic.AtomicInteger();

    private ModelServer(Map<String, Model> served, Options o) throws IOException {
        this.options = o;
        for (Map.Entry<String, Model> e : served.entrySet()) {
            models.put(e.getKey(), new ServedModel(e.getKey(), e.getValue(), o.sessionIdle(), o.stateDir()));
        }
        this.names = List.copyOf(served.keySet());
        this.compute = new Semaphore(o.maxConcurrent(), true);
        this.http = HttpServer.create(new InetSocketAddress(o.host(), o.port()), 256);
        this.executor = executor();
        http.setExecutor(executor);
        http.createContext("/", this::handle);
        this.evictor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "jkeras-serve-evictor");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(100, Math.min(60_000, o.sessionIdle().toMillis() / 2));
        evictor.scheduleWithFixedDelay(this::evictIdleSessions, every, every, TimeUnit.MILLISECONDS);
        http.start();
    }

    /**
     * Starts a server for {@code models} (by name, in order) and returns once it listens.
     *
     * @throws IOException when the address cannot be bound
     */
    public static ModelServer start(Map<String, Model> models, Options o) throws IOException {
        if (models.isEmpty()) throw new IllegalArgumentException("no model to serve");
        return new ModelServer(models, o);
    }

    /** Virtual threads when the JDK has them (21+; looked up by reflection, the bytecode is 17), else a pool. */
    private static ExecutorService executor() {
        try {
            return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        } catch (ReflectiveOperationException e) {
            return Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "jkeras-serve");
                t.setDaemon(true);
                return t;
            });
        }
    }

    /** The port the server listens on. */
    public int port() { return http.getAddress().getPort(); }

    /** The names of the served models, in order. */
    public List<String> modelNames() { return names; }

    /**
     * Serves {@code model} under {@code name} from now on, atomically: a request that has already found the
     * old model finishes on it, the next ones run the new one. The sessions of the old model are dropped (their
     * state belongs to its weights); their clients start over.
     *
     * @throws IllegalArgumentException when no model is served under {@code name}
     */
    public void replace(String name, Model model) {
        ServedModel old = models.get(name);
        if (old == null) throw new IllegalArgumentException("no model named '" + name + "' is served");
        models.put(name, new ServedModel(name, model, options.sessionIdle(), options.stateDir()));
        old.sessions.dropAll();
    }

    /** Evicts the sessions idle for longer than the idle time to snapshots; the number evicted. */
    public int evictIdleSessions() {
        int n = 0;
        for (ServedModel m : models.values()) n += m.sessions.evictIdle(false);
        return n;
    }

    /** Evicts every session to its snapshot (as a shutdown does); the number evicted. */
    public int evictAllSessions() {
        int n = 0;
        for (ServedModel m : models.values()) n += m.sessions.evictIdle(true);
        return n;
    }

    /** Sessions of {@code model} live in memory (not evicted). */
    public int liveSessions(String model) { return models.get(model).sessions.live(); }

    /**
     * Stops accepting requests, lets the requests in flight finish (at most {@code drain}), writes every session
     * to the state directory (when there is one) and stops.
     */
    public void stop(Duration drain) {
        draining = true;
        // the JDK server's own stop(delay) also waits for idle keep-alive connections: count requests instead
        long deadline = System.nanoTime() + drain.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        http.stop(0);
        evictor.shutdownNow();
        if (options.stateDir() != null) evictAllSessions();
        executor.shutdown();
    }

    @Override public void close() { stop(Duration.ZERO); }

    /**
     * Counted before the drain check, so that {@link #stop} either sees the request or the request sees the
     * drain; {@code admitted} (the {@code jkeras_requests_in_flight} gauge) counts those past the check, which
     * a drain lets finish.
     */
    private void handle(HttpExchange ex) {
        inFlight.incrementAndGet();
        try {
            if (draining) {
                metrics.record("", send(ex, 503, error("the server is shutting down")), 0);
                return;
            }
            admitted.incrementAndGet();
            try {
                answer(ex);
            } finally {
                admitted.decrementAndGet();
            }
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private void answer(HttpExchange ex) {
        long t0 = System.nanoTime();
        String model = "";
        int status;
        try {
            String path = ex.getRequestURI().getRawPath();
            model = modelOf(path);
            status = route(ex, path, ex.getRequestMethod());
        } catch (HttpProblem p) {
            status = p.status();
            send(ex, status, error(p.getMessage()));
        } catch (JKerasException e) {
            status = 400;
            send(ex, status, error(e.getMessage()));
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "internal error answering " + ex.getRequestURI(), e);
            status = 500;
            send(ex, status, error("internal error: " + e.getClass().getSimpleName()));
        }
        metrics.record(models.containsKey(model) ? model : "", status, System.nanoTime() - t0);
    }

    private static String modelOf(String path) {
        String[] p = path.split("/");
        if (p.length >= 4 && p[2].equals("models")) {
            String n = p[3];
            int colon = n.indexOf(':');
            return java.net.URLDecoder.decode(colon >= 0 ? n.substring(0, colon) : n, StandardCharsets.UTF_8);
        }
        return "";
    }

    private int route(HttpExchange ex, String path, String method) {
        String[] p = path.split("/", -1);
        if (path.equals("/metrics")) {
            expect(method, "GET");
            return sendText(ex, metrics.text(admitted.get()));
        }
        if (path.equals("/v2/health/live") || path.equals("/v2/health/ready")) {
            expect(method, "GET");
            ObjectNode o = JSON.createObjectNode();
            o.put(path.endsWith("live") ? "live" : "ready", true);
            return send(ex, 200, o);
        }
        if (path.equals("/v2") || path.equals("/v2/")) {
            expect(method, "GET");
            ObjectNode o = JSON.createObjectNode().put("name", "jkeras").put("version", Version.jkeras());
            o.putArray("extensions");
            return send(ex, 200, o);
        }
        if (p.length >= 4 && p[1].equals("v2") && p[2].equals("models")) return routeV2(ex, p, method);
        if (p.length >= 4 && p[1].equals("v1") && p[2].equals("models")) {
            int at = routeV1(ex, p, method);
            if (at > 0) return at;
        }
        throw new HttpProblem(404, "no such endpoint: " + method + " " + abbreviate(path));
    }

    /**
     * {@code /v2/models/{name}[/versions/{v}][/ready|/infer]} (the Open Inference Protocol's paths; the version,
     * when given, must be the one this server has: {@link #VERSION}) and {@code /v2/models/{name}/sessions/{id}}.
     */
    private int routeV2(HttpExchange ex, String[] p, String method) {
        ServedModel m = model(modelOf(ex.getRequestURI().getRawPath()));
        int at = 4;
        if (p.length >= 6 && p[4].equals("versions")) {
            checkVersion(m, p[5]);
            at = 6;
        }
        int rest = p.length - at;
        if (rest == 0) {
            expect(method, "GET");
            return send(ex, 200, metadata(m));
        }
        if (rest == 1 && p[at].equals("ready")) {
            expect(method, "GET");
            return send(ex, 200, JSON.createObjectNode().put("name", m.name).put("ready", true));
        }
        if (rest == 1 && p[at].equals("infer")) {
            expect(method, "POST");
            byte[] b = bodyBytes(ex);
            int head = binaryHeaderLength(ex, b.length);
            java.nio.ByteBuffer binary = head < 0 ? null : java.nio.ByteBuffer.wrap(b, head, b.length - head)
                    .slice().order(java.nio.ByteOrder.LITTLE_ENDIAN);
            return send(ex, 200, inferV2(m, json(b, head < 0 ? b.length : head), binary,
                    ex.getRequestHeaders().getFirst("X-Session-Id")));
        }
        if (rest == 2 && at == 4 && p[at].equals("sessions")) {
            expect(method, "DELETE");
            String id = java.net.URLDecoder.decode(p[at + 1], StandardCharsets.UTF_8);
            if (!m.sessions.delete(id)) {
                throw new HttpProblem(404, "model '" + m.name + "' has no session '" + id + "'");
            }
            return send(ex, 200, JSON.createObjectNode().put("deleted", id));
        }
        throw new HttpProblem(404, "no such endpoint: " + method + " " + abbreviate(String.join("/", p)));
    }

    /**
     * TensorFlow Serving's paths ({@code tensorflow_serving/model_servers/http_rest_api_handler.cc}):
     * {@code /v1/models/{name}[/versions/{v}|/labels/{l}]} (status), the same with {@code /metadata}, and with
     * {@code :predict} on the last segment. This server has one version ({@link #VERSION}) and no labels.
     * Returns 0 when the path is none of these.
     */
    private int routeV1(HttpExchange ex, String[] p, String method) {
        String last = p[p.length - 1];
        int colon = p.length == 4 ? -1 : last.indexOf(':');
        String verb = null;
        String[] q = p.clone();
        if (colon >= 0) {
            verb = last.substring(colon + 1);
            q[q.length - 1] = last.substring(0, colon);
        } else if (p.length == 4 && p[3].contains(":")) {
            verb = p[3].substring(p[3].indexOf(':') + 1);
        }
        ServedModel m = model(modelOf(ex.getRequestURI().getRawPath()));
        int at = 4;
        if (q.length >= 6 && q[4].equals("versions")) {
            checkVersion(m, q[5]);
            at = 6;
        } else if (q.length >= 6 && q[4].equals("labels")) {
            String label = java.net.URLDecoder.decode(q[5], StandardCharsets.UTF_8);
            throw new HttpProblem(404, "model '" + m.name + "' has no version label '" + abbreviate(label)
                    + "'; no labels are assigned here: ask for /versions/" + VERSION + " or leave the version out");
        }
        int rest = q.length - at;
        if (verb != null) {
            if (rest != 0) return 0;
            if (!verb.equals("predict")) throw new HttpProblem(404, "unknown method ':" + abbreviate(verb)
                    + "'; TensorFlow Serving REST here answers :predict");
            expect(method, "POST");
            return send(ex, 200, predictTf(m, body(ex), ex.getRequestHeaders().getFirst("X-Session-Id")));
        }
        if (rest == 1 && q[at].equals("metadata")) {
            expect(method, "GET");
            return send(ex, 200, tfMetadata(m));
        }
        if (rest != 0) return 0;
        expect(method, "GET");
        ObjectNode o = JSON.createObjectNode();
        ObjectNode v = o.putArray("model_version_status").addObject();
        v.put("version", VERSION).put("state", "AVAILABLE");
        v.putObject("status").put("error_code", "OK").put("error_message", "");
        return send(ex, 200, o);
    }

    /** The version in a path must be the only one served ({@link #VERSION}); any other is not found. */
    private static void checkVersion(ServedModel m, String raw) {
        String v = java.net.URLDecoder.decode(raw, StandardCharsets.UTF_8);
        if (!v.equals(VERSION)) {
            throw new HttpProblem(404, "model '" + m.name + "' has no version '" + abbreviate(v) + "'; it has one"
                    + " version, " + VERSION);
        }
    }

    private static String abbreviate(String s) { return s.length() > 80 ? s.substring(0, 80) + "…" : s; }

    private static void expect(String method, String allowed) {
        if (!method.equals(allowed)) throw new HttpProblem(405, "method " + method + " is not allowed here; use "
                + allowed);
    }

    private ServedModel model(String name) {
        ServedModel m = models.get(name);
        if (m == null) {
            throw new HttpProblem(404, "no model named '" + abbreviate(name) + "'; this server has "
                    + String.join(", ", names));
        }
        return m;
    }

    private JsonNode body(HttpExchange ex) {
        byte[] b = bodyBytes(ex);
        return json(b, b.length);
    }

    /** The request body, within the size limit. */
    private byte[] bodyBytes(HttpExchange ex) {
        String len = ex.getRequestHeaders().getFirst("Content-Length");
        long max = options.maxBodyBytes();
        if (len != null) {
            long n;
            try {
                n = Long.parseLong(len.trim());
            } catch (NumberFormatException e) {
                throw new HttpProblem(400, "Content-Length '" + abbreviate(len) + "' is not a number");
            }
            if (n > max) throw tooLarge(n);
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (InputStream in = ex.getRequestBody()) {
            byte[] b = new byte[65536];
            for (int r; (r = in.read(b)) >= 0; ) {
                if (buf.size() + (long) r > max) throw tooLarge(buf.size() + (long) r);
                buf.write(b, 0, r);
            }
        } catch (IOException e) {
            throw new HttpProblem(400, "the request body could not be read: " + e.getMessage());
        }
        return buf.toByteArray();
    }

    /** The JSON object in {@code b[0, len)}. */
    private static JsonNode json(byte[] b, int len) {
        try {
            JsonNode n = JSON.readTree(b, 0, len);
            if (n == null || !n.isObject()) throw new HttpProblem(400, "the request body must be a JSON object");
            return n;
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            throw new HttpProblem(400, "malformed JSON: " + String.valueOf(e.getOriginalMessage()).lines().findFirst()
                    .orElse("") + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr()));
        } catch (IOException e) {
            throw new HttpProblem(400, "malformed JSON: " + e.getMessage());
        }
    }

    private HttpProblem tooLarge(long n) {
        return new HttpProblem(413, "the request body of " + (n > options.maxBodyBytes() ? "more than " : "")
                + options.maxBodyBytes() + " bytes is over the limit (" + options.maxBodyBytes() + " bytes)");
    }

    private Tensor[] run(ServedModel m, Tensor[] in, String session) {
        compute.acquireUninterruptibly();
        try {
            return m.run(in, session);
        } finally {
            compute.release();
        }
    }

    private static String sessionId(String header, JsonNode parameters) {
        JsonNode p = parameters == null ? null : parameters.get("session_id");
        if (p != null && !p.isNull()) {
            if (!p.isTextual()) throw new HttpProblem(400, "parameters.session_id must be a string");
            if (header != null && !header.equals(p.asText())) {
                throw new HttpProblem(400, "X-Session-Id and parameters.session_id name different sessions");
            }
            return p.asText();
        }
        return header;
    }

    // ---- KServe v2

    private static ObjectNode metadata(ServedModel m) {
        ObjectNode o = JSON.createObjectNode().put("name", m.name).put("platform", "jkeras");
        o.putArray("versions").add(VERSION);
        ArrayNode in = o.putArray("inputs");
        for (TensorSpec s : m.inputs) spec(in, s.name(), s);
        ArrayNode out = o.putArray("outputs");
        for (int i = 0; i < m.outputs.size(); i++) spec(out, m.outputNames.get(i), m.outputs.get(i));
        return o;
    }

    private static void spec(ArrayNode a, String name, TensorSpec s) {
        a.addObject().put("name", name).put("datatype", s.dtype() == DType.INT32 ? "INT32" : "FP32")
                .set("shape", TensorJson.shape(s.shape()));
    }

    /**
     * The length of the JSON part of a request in KServe's binary tensor data extension (header
     * {@code Inference-Header-Content-Length}: the JSON request, then the inputs' raw little-endian bytes in the
     * order of the inputs that declare {@code parameters.binary_data_size}), or -1 without the header.
     */
    private static int binaryHeaderLength(HttpExchange ex, int bodyLength) {
        String h = ex.getRequestHeaders().getFirst("Inference-Header-Content-Length");
        if (h == null) return -1;
        int n;
        try {
            n = Integer.parseInt(h.trim());
        } catch (NumberFormatException e) {
            throw new HttpProblem(400, "Inference-Header-Content-Length '" + abbreviate(h) + "' is not a number");
        }
        if (n <= 0 || n > bodyLength) {
            throw new HttpProblem(400, "Inference-Header-Content-Length " + n + " is not within the body of "
                    + bodyLength + " bytes");
        }
        return n;
    }

    private ObjectNode inferV2(ServedModel m, JsonNode req, java.nio.ByteBuffer binary, String header) {
        JsonNode inputs = req.get("inputs");
        if (inputs == null || !inputs.isArray() || inputs.size() == 0) {
            throw new HttpProblem(400, "'inputs' must be a non-empty array of tensors");
        }
        Tensor[] in = new Tensor[m.inputs.size()];
        for (JsonNode t : inputs) {
            JsonNode nameNode = t.get("name");
            if (nameNode == null || !nameNode.isTextual()) throw new HttpProblem(400, "every input needs a 'name'");
            String name = nameNode.asText();
            int i = m.inputIndex(name);
            if (i < 0) throw new HttpProblem(400, "model '" + m.name + "' has no input '" + abbreviate(name)
                    + "'; its inputs: " + m.inputList());
            if (in[i] != null) throw new HttpProblem(400, "input '" + name + "' is given twice");
            JsonNode dt = t.get("datatype");
            JsonNode size = t.path("parameters").get("binary_data_size");
            if (size != null) {
                in[i] = TensorJson.fromV2Binary("input '" + name + "'", t.get("shape"), dt == null ? null : dt.asText(),
                        t.get("data"), size, binary);
            } else {
                in[i] = TensorJson.fromV2("input '" + name + "'", t.get("shape"), dt == null ? null : dt.asText(),
                        t.get("data"));
            }
        }
        if (binary != null && binary.hasRemaining()) {
            throw new HttpProblem(400, binary.remaining() + " bytes of binary data follow the inputs that declare "
                    + "parameters.binary_data_size");
        }
        for (int i = 0; i < in.length; i++) {
            if (in[i] == null) throw new HttpProblem(400, "input '" + m.inputs.get(i).name() + "' is missing");
        }
        List<Integer> selected = new ArrayList<>();
        List<String> types = new ArrayList<>();
        JsonNode outs = req.get("outputs");
        if (outs != null && !outs.isNull()) {
            if (!outs.isArray()) throw new HttpProblem(400, "'outputs' must be an array of {\"name\": ...}");
            for (JsonNode o : outs) {
                String name = o.path("name").asText("");
                int k = m.outputNames.indexOf(name);
                if (k < 0) throw new HttpProblem(400, "model '" + m.name + "' has no output '" + abbreviate(name)
                        + "'; its outputs: " + String.join(", ", m.outputNames));
                selected.add(k);
                types.add(outputDatatype(name, o.get("parameters")));
            }
        }
        if (selected.isEmpty()) {
            for (int k = 0; k < m.outputNames.size(); k++) {
                selected.add(k);
                types.add("FP32");
            }
        }
        String session = sessionId(header, req.get("parameters"));
        Tensor[] out = run(m, in, session);
        ObjectNode r = JSON.createObjectNode().put("model_name", m.name).put("model_version", VERSION);
        if (req.hasNonNull("id")) r.set("id", req.get("id"));
        ArrayNode a = r.putArray("outputs");
        for (int i = 0; i < selected.size(); i++) {
            int k = selected.get(i);
            ObjectNode o = a.addObject().put("name", m.outputNames.get(k)).put("datatype", types.get(i));
            o.set("shape", TensorJson.shape(out[k].shape()));
            o.set("data", types.get(i).equals("FP64") ? TensorJson.flatDouble(out[k]) : TensorJson.flat(out[k]));
        }
        if (session != null) r.putObject("parameters").put("session_id", session);
        return r;
    }

    /**
     * The datatype of a requested output. The Open Inference Protocol answers each output in the datatype of the
     * model's tensor (FP32 for every jkeras output) and defines no field to ask for another; as an extension a
     * request output's {@code parameters.datatype} may ask for FP64 (each float32 widened, exactly) or name FP32.
     * Any other is refused: an integer would have to round the model's values.
     */
    private static String outputDatatype(String output, JsonNode parameters) {
        JsonNode d = parameters == null ? null : parameters.get("datatype");
        if (d == null || d.isNull()) return "FP32";
        if (d.isTextual() && (d.asText().equals("FP32") || d.asText().equals("FP64"))) return d.asText();
        throw new HttpProblem(400, "output '" + abbreviate(output) + "': datatype " + abbreviate(d.toString())
                + " cannot be given; the model's output is FP32, and FP64 may be asked for");
    }

    // ---- TensorFlow Serving

    /**
     * TensorFlow Serving's model metadata: {@code GetModelMetadataResponse} as its REST API writes it, a
     * {@code model_spec} and the {@code signature_def} map (one signature, {@link #SIGNATURE}, whose inputs and
     * outputs are the model's, dims as strings and -1 where not fixed, as protobuf's JSON writes int64).
     */
    private static ObjectNode tfMetadata(ServedModel m) {
        ObjectNode o = JSON.createObjectNode();
        o.putObject("model_spec").put("name", m.name).put("signature_name", "").put("version", VERSION);
        ObjectNode sig = o.putObject("metadata").putObject("signature_def").putObject("signature_def")
                .putObject(SIGNATURE);
        ObjectNode in = sig.putObject("inputs");
        for (TensorSpec s : m.inputs) tensorInfo(in, s.name(), s);
        ObjectNode out = sig.putObject("outputs");
        for (int i = 0; i < m.outputs.size(); i++) tensorInfo(out, m.outputNames.get(i), m.outputs.get(i));
        sig.put("method_name", "tensorflow/serving/predict");
        return o;
    }

    private static void tensorInfo(ObjectNode map, String name, TensorSpec s) {
        ObjectNode t = map.putObject(name).put("dtype", s.dtype() == DType.INT32 ? "DT_INT32" : "DT_FLOAT");
        ObjectNode shape = t.putObject("tensor_shape");
        ArrayNode dims = shape.putArray("dim");
        for (int d : s.shape()) dims.addObject().put("size", Integer.toString(d)).put("name", "");
        shape.put("unknown_rank", false);
        t.put("name", name);
    }

    /** A predict request may name the signature: the default one (or none, which means it). */
    private static void checkSignature(ServedModel m, JsonNode req) {
        JsonNode n = req.get("signature_name");
        if (n == null || n.isNull()) return;
        if (!n.isTextual()) throw new HttpProblem(400, "'signature_name' must be a string");
        if (!n.asText().isEmpty() && !n.asText().equals(SIGNATURE)) {
            throw new HttpProblem(400, "model '" + m.name + "' has no signature '" + abbreviate(n.asText())
                    + "'; its one signature is " + SIGNATURE);
        }
    }

    private ObjectNode predictTf(ServedModel m, JsonNode req, String session) {
        checkSignature(m, req);
        JsonNode instances = req.get("instances"), inputs = req.get("inputs");
        if ((instances == null) == (inputs == null)) {
            throw new HttpProblem(400, "the request must hold exactly one of 'instances' (row format) and 'inputs'"
                    + " (columnar format)");
        }
        if (session != null) SessionStore.checkId(session);
        ObjectNode r = JSON.createObjectNode();
        if (instances != null) {
            if (!instances.isArray() || instances.size() == 0) {
                throw new HttpProblem(400, "'instances' must be a non-empty list");
            }
            Tensor[] in = new Tensor[m.inputs.size()];
            for (int i = 0; i < in.length; i++) {
                List<Tensor> samples = new ArrayList<>();
                int k = 0;
                for (JsonNode inst : instances) {
                    JsonNode v = inst;
                    if (inst.isObject()) {
                        v = inst.get(m.inputs.get(i).name());
                        if (v == null) throw new HttpProblem(400, "instance " + k + " has no input '"
                                + m.inputs.get(i).name() + "'; the inputs: " + m.inputList());
                    } else if (in.length > 1) {
                        throw new HttpProblem(400, "model '" + m.name + "' has " + in.length + " inputs: each"
                                + " instance must be an object naming them (" + m.inputList() + ")");
                    }
                    samples.add(TensorJson.fromNested("instance " + k, v));
                    k++;
                }
                in[i] = TensorJson.stack("input '" + m.inputs.get(i).name() + "'", samples);
            }
            Tensor[] out = run(m, in, session);
            ArrayNode preds = r.putArray("predictions");
            for (int b = 0; b < out[0].dim(0); b++) {
                if (out.length == 1) {
                    preds.add(TensorJson.sample(out[0], b));
                } else {
                    ObjectNode o = preds.addObject();
                    for (int k = 0; k < out.length; k++) o.set(m.outputNames.get(k), TensorJson.sample(out[k], b));
                }
            }
            return r;
        }
        Tensor[] in = new Tensor[m.inputs.size()];
        if (inputs.isObject()) {
            for (Iterator<String> it = inputs.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                int i = m.inputIndex(name);
                if (i < 0) throw new HttpProblem(400, "model '" + m.name + "' has no input '" + abbreviate(name)
                        + "'; its inputs: " + m.inputList());
                in[i] = TensorJson.fromNested("input '" + name + "'", inputs.get(name));
            }
            for (int i = 0; i < in.length; i++) {
                if (in[i] == null) throw new HttpProblem(400, "input '" + m.inputs.get(i).name() + "' is missing");
            }
        } else {
            if (in.length > 1) throw new HttpProblem(400, "model '" + m.name + "' has " + in.length + " inputs:"
                    + " 'inputs' must be an object naming them (" + m.inputList() + ")");
            in[0] = TensorJson.fromNested("'inputs'", inputs);
        }
        Tensor[] out = run(m, in, session);
        if (out.length == 1) {
            r.set("outputs", TensorJson.nested(out[0]));
        } else {
            ObjectNode o = r.putObject("outputs");
            for (int k = 0; k < out.length; k++) o.set(m.outputNames.get(k), TensorJson.nested(out[k]));
        }
        return r;
    }

    // ---- responses

    private static ObjectNode error(String message) { return JSON.createObjectNode().put("error", message); }

    private static int send(HttpExchange ex, int status, JsonNode body) {
        try {
            write(ex, status, "application/json", JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "client went away", e);
        }
        return status;
    }

    private static int sendText(HttpExchange ex, String text) {
        try {
            write(ex, 200, "text/plain; version=0.0.4; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "client went away", e);
        }
        return 200;
    }

    private static void write(HttpExchange ex, int status, String type, byte[] b) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(b);
        }
        ex.close();
    }
}

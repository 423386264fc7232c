package io.jkeras.cli;

import io.jkeras.model.Model;
import io.jkeras.serve.ModelServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code jkeras serve MODEL…}: the models over HTTP (KServe v2 and TensorFlow Serving REST, {@link ModelServer})
 * until the process is stopped; SIGTERM (or an interrupt) lets the requests in flight finish, then it exits.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve models over HTTP: KServe v2 (/v2/models/NAME/infer), TensorFlow Serving REST"
                + " (/v1/models/NAME:predict), sessions (X-Session-Id), GET /metrics.")
final class ServeCommand implements Runnable {
    @Parameters(arity = "1..*", paramLabel = "MODEL", description = "Keras model files (.h5, .keras, .jkm) or"
            + " directories holding one.")
    List<Path> models;

    @Option(names = "--name", paramLabel = "NAME", description = "The name of each MODEL in order (default: its"
            + " file name without the extension); give one per model.")
    List<String> names = List.of();

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8500",
            description = "Port to listen on, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--session-idle", paramLabel = "SECONDS", defaultValue = "600",
            description = "A session idle this long is evicted to a snapshot (default: ${DEFAULT-VALUE}).")
    long idleSeconds;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Write evicted sessions here, so that a restarted server resumes them.")
    Path stateDir;

    @Option(names = "--drain", paramLabel = "SECONDS", defaultValue = "30",
            description = "On SIGTERM, wait at most this long for requests in flight (default: ${DEFAULT-VALUE}).")
    long drainSeconds;

    @Option(names = "--watch", description = "Reload a model when its file changes (checked every second); requests"
            + " in flight finish on the old one, a file that does not load leaves the old one served.")
    boolean watch;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        if (!names.isEmpty() && names.size() != models.size()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--name was given " + names.size()
                    + " time(s) for " + models.size() + " model(s); give one name per model, in order");
        }
        new OptionRanges(spec).ints("--port", port, 0, 65535).ints("--session-idle", idleSeconds, 1, 31_536_000)
                .ints("--drain", drainSeconds, 0, 3600);
        Map<String, Model> served = new LinkedHashMap<>();
        for (int i = 0; i < models.size(); i++) {
            ModelArgs a = new ModelArgs();
            a.model = models.get(i);
            String name = names.isEmpty() ? defaultName(models.get(i)) : names.get(i);
            if (served.put(name, a.load()) != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "two models are named '" + name
                        + "'; give each its own with --name");
            }
        }
        ModelServer.Options o = ModelServer.Options.defaults().withHost(host).withPort(port)
                .withSessionIdle(Duration.ofSeconds(idleSeconds)).withStateDir(stateDir);
        ModelServer server;
        try {
            server = ModelServer.start(served, o);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        Thread watcher = watch ? watch(server, served) : null;
        CountDownLatch stopped = new CountDownLatch(1);
        // SIGTERM and SIGINT wake this thread, which drains and returns: the process exits 0. The shutdown hook
        // drains on any other way out (another signal, or where the JVM does not let signals be handled).
        Thread hook = new Thread(() -> {
            server.stop(Duration.ofSeconds(drainSeconds));
            stopped.countDown();
        }, "jkeras-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        Runnable restoreSignals = onSignals(stopped::countDown, "TERM", "INT");
        PrintWriter out = spec.commandLine().getOut();
        out.println("serving " + String.join(", ", served.keySet()) + " on http://" + host + ":" + server.port());
        out.flush();
        boolean interrupted = false;
        try {
            stopped.await();
        } catch (InterruptedException e) {   // stopped from within the JVM (tests): drain as SIGTERM does
            interrupted = true;
        }
        restoreSignals.run();   // a JVM that goes on (a test's) gets its own handling back
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {   // the JVM is shutting down: the hook drains
            return;
        }
        if (watcher != null) watcher.interrupt();
        server.stop(Duration.ofSeconds(drainSeconds));
        if (interrupted) Thread.currentThread().interrupt();
    }

    /**
     * Runs {@code action} on each of the named signals instead of the JVM's default (which exits with 128 + the
     * signal's number); a signal the JVM does not let be handled (e.g. under {@code -Xrs}) keeps its default.
     * Returns what puts the previous handlers back.
     */
    private static Runnable onSignals(Runnable action, String... names) {
        List<Runnable> undo = new java.util.ArrayList<>();
        for (String n : names) {
            try {
                sun.misc.Signal sig = new sun.misc.Signal(n);
                sun.misc.SignalHandler old = sun.misc.Signal.handle(sig, s -> action.run());
                undo.add(() -> sun.misc.Signal.handle(sig, old));
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // keep the default; the shutdown hook drains
            }
        }
        return () -> undo.forEach(Runnable::run);
    }

    /** A daemon thread polling each model's file (size and time) every second and reloading it when it changed. */
    private Thread watch(ModelServer server, Map<String, Model> served) {
        List<String> keys = List.copyOf(served.keySet());
        PrintWriter err = spec.commandLine().getErr();
        String[] seen = new String[keys.size()];   // before the server is announced: a change after it counts
        for (int i = 0; i < seen.length; i++) seen[i] = stamp(models.get(i));
        Thread t = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < seen.length; i++) {
                    String now = stamp(models.get(i));
                    if (now.equals(seen[i])) continue;
                    seen[i] = now;
                    ModelArgs a = new ModelArgs();
                    a.model = models.get(i);
                    try {
                        server.replace(keys.get(i), a.load());
                        err.println("jkeras: reloaded " + keys.get(i));
                    } catch (RuntimeException e) {   // keep serving the old one
                        err.println("jkeras: error: cannot reload " + keys.get(i) + ": "
                                + io.jkeras.text.Printable.escape(String.valueOf(e.getMessage())));
                    }
                    err.flush();
                }
            }
        }, "jkeras-serve-watch");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** What tells a change: the newest modification time and size of the file (or of a directory's files). */
    private static String stamp(Path p) {
        try (var s = Files.isDirectory(p) ? Files.list(p) : java.util.stream.Stream.of(p)) {
            StringBuilder sb = new StringBuilder();
            for (Path f : (Iterable<Path>) s.sorted()::iterator) {
                sb.append(f.getFileName()).append(Files.getLastModifiedTime(f).toMillis()).append('/')
                        .append(Files.size(f)).append(';');
            }
            return sb.toString();
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return "unreadable";
        }
    }

    /** {@code lstm.h5} → {@code lstm}; a directory → its name. */
    static String defaultName(Path p) {
        Path f = p.toAbsolutePath().normalize().getFileName();
        String n = f == null ? "model" : f.toString();
        if (Files.isDirectory(p)) return n;
        if (n.endsWith(".weights.h5")) return n.substring(0, n.length() - ".weights.h5".length());
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}

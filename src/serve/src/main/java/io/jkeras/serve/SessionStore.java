package io.jkeras.serve;

import io.jkeras.model.Model;
import io.jkeras.model.Session;
import io.jkeras.model.State;
import io.jkeras.util.AtomicFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The sessions of one served model, by client id. A session idle for longer than the idle time is evicted to a
 * {@link State} snapshot (its bytes, in memory, and in the state directory when there is one) and resumed from
 * it on the id's next request, so a stream continues across evictions and, with a state directory, across
 * restarts of the server.
 */
final class SessionStore {
    /** What a client id may be: it names a file in the state directory. */
    static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    private static final class Entry {
        Session session;     // null: evicted, see snapshot
        byte[] snapshot;
        long lastUsed;
    }

    private final String modelName;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final long idleNanos;
    private final Path dir;   // null: snapshots in memory only

    SessionStore(String modelName, Duration idle, Path stateDir) {
        this.modelName = modelName;
        this.idleNanos = idle.toNanos();
        this.dir = stateDir == null ? null : stateDir.resolve(modelName);
    }

    static void checkId(String id) {
        if (!ID.matcher(id).matches()) {
            throw new HttpProblem(400, "session id '" + (id.length() > 40 ? id.substring(0, 40) + "…" : id)
                    + "' is not allowed: use 1 to 128 letters, digits, '.', '_' or '-'");
        }
    }

    /** Runs {@code f} on the id's session (made, or resumed from its snapshot), one request at a time per id. */
    <T> T with(String id, Model model, Function<Session, T> f) {
        checkId(id);
        Entry e = entries.computeIfAbsent(id, k -> new Entry());
        synchronized (e) {
            if (e.session == null) {
                byte[] saved = e.snapshot != null ? e.snapshot : read(id);
                e.session = saved == null ? model.newSession() : model.newSession(State.fromBytes(saved));
                e.snapshot = null;
            }
            try {
                return f.apply(e.session);
            } finally {
                e.lastUsed = System.nanoTime();
            }
        }
    }

    /** Forgets the id's session and snapshot; false when there was none. */
    boolean delete(String id) {
        checkId(id);
        Entry e = entries.remove(id);
        boolean onDisk = false;
        if (dir != null) {
            try {
                onDisk = Files.deleteIfExists(dir.resolve(id + ".state"));
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
        return e != null || onDisk;
    }

    /** Evicts every session idle for longer than the idle time (all of them when {@code all}); the number evicted. */
    int evictIdle(boolean all) {
        long now = System.nanoTime();
        int n = 0;
        for (Map.Entry<String, Entry> me : entries.entrySet()) {
            Entry e = me.getValue();
            synchronized (e) {
                if (e.session == null || (!all && now - e.lastUsed < idleNanos)) continue;
                e.snapshot = e.session.snapshot().toBytes();
                e.session = null;
                write(me.getKey(), e.snapshot);
                n++;
            }
        }
        return n;
    }

    /** Forgets every session and snapshot, in memory and in the state directory (the model was replaced). */
    void dropAll() {
        for (String id : entries.keySet()) delete(id);
        if (dir != null && Files.isDirectory(dir)) {
            try (var files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    if (f.getFileName().toString().endsWith(".state")) Files.deleteIfExists(f);
                }
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
    }

    /** Live sessions (not evicted). */
    int live() {
        int n = 0;
        for (Entry e : entries.values()) if (e.session != null) n++;
        return n;
    }

    private byte[] read(String id) {
        if (dir == null) return null;
        Path p = dir.resolve(id + ".state");
        try {
            return Files.exists(p) ? Files.readAllBytes(p) : null;
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read the state of session '" + id + "' of model '" + modelName
                    + "': " + p, ex);
        }
    }

    private void write(String id, byte[] b) {
        if (dir == null) return;
        try {
            Files.createDirectories(dir);
            AtomicFiles.write(dir.resolve(id + ".state"), out -> out.write(b));
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}

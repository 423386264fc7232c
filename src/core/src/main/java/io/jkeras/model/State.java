package io.jkeras.model;

import io.jkeras.exceptions.StateException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The recurrent state of a {@link Session} at one moment ({@link Session#snapshot}), tied to the model it was
 * taken from by the model's {@link Model#fingerprint()}: {@link Model#newSession(State)} resumes it on that
 * model (or an equal one, e.g. after a restart) and refuses it on any other. Immutable.
 *
 * <p>{@link #toBytes()} writes it compactly, little-endian: the magic {@code JKST}, the format
 * {@link #VERSION} (one byte), the fingerprint (32 bytes), the number of carried layers; per layer its node id,
 * its number of state arrays and per array its length in floats (-1: none yet, zeros) and the floats; last a
 * CRC-32C of everything before it. {@link #fromBytes} checks all of it and throws a {@link StateException}
 * saying what is wrong.
 */
public final class State {
    /** The version of the byte format {@link #toBytes()} writes. */
    public static final int VERSION = 1;
    private static final byte[] MAGIC = {'J', 'K', 'S', 'T'};
    private static final int HEADER = MAGIC.length + 1 + 32 + 4;

    private final String fingerprint;
    private final Map<Integer, float[][]> states;

    State(String fingerprint, Map<Integer, float[][]> states) {
        this.fingerprint = fingerprint;
        this.states = Collections.unmodifiableMap(copy(states));
    }

    /** {@link Model#fingerprint()} of the model the state was taken from. */
    public String fingerprint() { return fingerprint; }

    /** The number of layers whose state it carries. */
    public int layerCount() { return states.size(); }

    /** A deep copy of the carried arrays, by node id (what a {@link Session} starts from). */
    Map<Integer, float[][]> states() { return copy(states); }

    private static Map<Integer, float[][]> copy(Map<Integer, float[][]> m) {
        Map<Integer, float[][]> out = new TreeMap<>();
        for (Map.Entry<Integer, float[][]> e : m.entrySet()) {
            float[][] a = e.getValue().clone();
            for (int i = 0; i < a.length; i++) if (a[i] != null) a[i] = a[i].clone();
            out.put(e.getKey(), a);
        }
        return out;
    }

    /** The state as bytes (see the class comment); {@link #fromBytes} reads them back. */
    public byte[] toBytes() {
        long size = HEADER + 4L;
        for (float[][] a : states.values()) {
            size += 8;
            for (float[] s : a) size += 4 + (s == null ? 0 : 4L * s.length);
        }
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(size)).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) VERSION).put(HexFormat.of().parseHex(fingerprint)).putInt(states.size());
        for (Map.Entry<Integer, float[][]> e : states.entrySet()) {
            b.putInt(e.getKey()).putInt(e.getValue().length);
            for (float[] s : e.getValue()) {
                b.putInt(s == null ? -1 : s.length);
                if (s != null) for (float v : s) b.putFloat(v);
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /**
     * Reads what {@link #toBytes()} wrote.
     *
     * @throws StateException when the bytes are not a state, of another version, truncated or damaged
     */
    public static State fromBytes(byte[] bytes) {
        if (bytes.length < HEADER + 4) {
            throw new StateException("state of " + bytes.length + " bytes is too short to be a jkeras state (at least "
                    + (HEADER + 4) + ")");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[MAGIC.length];
        b.get(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new StateException("bytes are not a jkeras state: they start with "
                    + HexFormat.of().formatHex(magic) + ", a state with 4a4b5354 ('JKST')");
        }
        int version = b.get() & 0xff;
        if (version != VERSION) {
            throw new StateException("state format version " + version + " is not supported; this jkeras reads"
                    + " version " + VERSION);
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        int stored = ByteBuffer.wrap(bytes, bytes.length - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (stored != (int) crc.getValue()) {
            throw new StateException("state is damaged: its checksum " + Integer.toHexString(stored)
                    + " does not match its contents (" + Integer.toHexString((int) crc.getValue()) + ")");
        }
        byte[] fp = new byte[32];
        b.get(fp);
        int layers = b.getInt();
        int end = bytes.length - 4;
        Map<Integer, float[][]> states = new TreeMap<>();
        try {
            if (layers < 0 || layers > (end - b.position()) / 8) throw bad("a count of " + layers + " layers");
            for (int i = 0; i < layers; i++) {
                int node = b.getInt(), n = b.getInt();
                if (node < 0 || states.containsKey(node)) throw bad("node id " + node);
                if (n < 0 || n > (end - b.position()) / 4) throw bad(n + " state arrays for node " + node);
                float[][] a = new float[n][];
                for (int j = 0; j < n; j++) {
                    int len = b.getInt();
                    if (len < -1 || len > (end - b.position()) / 4) throw bad("an array of " + len + " floats");
                    if (len >= 0) {
                        a[j] = new float[len];
                        for (int k = 0; k < len; k++) a[j][k] = b.getFloat();
                    }
                }
                states.put(node, a);
            }
        } catch (java.nio.BufferUnderflowException e) {
            throw bad("fewer bytes than its contents announce");
        }
        if (b.position() != end) throw bad((end - b.position()) + " bytes after its contents");
        return new State(HexFormat.of().formatHex(fp), states);
    }

    private static StateException bad(String what) {
        return new StateException("state is malformed: it holds " + what);
    }
}

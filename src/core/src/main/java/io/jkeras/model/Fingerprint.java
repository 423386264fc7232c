package io.jkeras.model;

import io.jkeras.kernels.Activation;
import io.jkeras.layers.Layer;
import io.jkeras.layers.LayerEncoder;
import io.jkeras.layers.Weight;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * {@link Model#fingerprint()}: SHA-256 over every node (its layer as the native format encodes it, options and
 * weights bit for bit, and its connections), each value tagged with its key so that no two graphs collide by
 * concatenation.
 */
final class Fingerprint implements LayerEncoder {
    private final MessageDigest md;

    private Fingerprint(MessageDigest md) { this.md = md; }

    static String of(List<Node> nodes) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
        Fingerprint f = new Fingerprint(md);
        f.text("jkeras-model-fingerprint-1");
        for (Node n : nodes) {
            f.put("node", n.id());
            f.layer("layer", n.layer());
            for (Node.Ref r : n.inputs()) f.put("in", new int[]{r.node(), r.index()});
            if (n.mask() != null) f.put("mask", new int[]{n.mask().node(), n.mask().index()});
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private void text(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        integer(b.length);
        md.update(b);
    }

    private void integer(long v) {
        for (int i = 56; i >= 0; i -= 8) md.update((byte) (v >>> i));
    }

    @Override public void put(String key, int v) { text(key); integer(v); }

    @Override public void put(String key, boolean v) { text(key); integer(v ? 1 : 0); }

    @Override public void put(String key, double v) { text(key); integer(Double.doubleToLongBits(v)); }

    @Override public void put(String key, String v) { text(key); text(v == null ? "\0null" : v); }

    @Override public void put(String key, int[] v) {
        text(key);
        integer(v == null ? -1 : v.length);
        if (v != null) for (int x : v) integer(x);
    }

    @Override public void putNull(String key) { text(key); text("\0null"); }

    @Override public void putFloat(String key, float v) { text(key); integer(Float.floatToIntBits(v)); }

    @Override public void activation(String key, Activation a) { text(key); text(String.valueOf(a)); }

    @Override public void weights(List<Weight> ws) {
        text("weights");
        integer(ws.size());
        for (Weight w : ws) {
            text(w.name());
            put("shape", w.shape());
            float[] v = w.values();
            byte[] b = new byte[v.length * 4];
            for (int i = 0; i < v.length; i++) {
                int bits = Float.floatToRawIntBits(v[i]);
                b[4 * i] = (byte) (bits >>> 24);
                b[4 * i + 1] = (byte) (bits >>> 16);
                b[4 * i + 2] = (byte) (bits >>> 8);
                b[4 * i + 3] = (byte) bits;
            }
            md.update(b);
        }
    }

    @Override public void layer(String key, Layer inner) {
        text(key);
        text(inner.typeName());
        text(inner.name());
        inner.encode(this);
    }
}

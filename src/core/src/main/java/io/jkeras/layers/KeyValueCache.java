package io.jkeras.layers;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.tensor.Tensor;

/**
 * The keys and values a causal attention layer ({@code use_causal_mask=True}) has seen while a streaming
 * {@code Session} feeds it chunk by chunk: query {@code i} of the whole sequence attends to keys {@code j ≤ i}
 * only (Keras' causal mask, {@code row_index >= col_index}: keras/src/layers/attention/attention.py
 * {@code _calculate_score_mask}, multi_head_attention.py {@code _compute_causal_mask}), so a chunk's queries need
 * the keys of the earlier chunks and of their own, never later ones. Carried as the layer's state, three arrays:
 * the keys {@code (B, T, keyWidth)} and values {@code (B, T, valueWidth)} kept, batch first, and {@code {queries
 * seen, keys dropped, B}} (a sliding window drops the keys no later query can reach). The counts are exact floats
 * up to 2^24 steps, the longest stream.
 */
final class KeyValueCache {
    /** How many state arrays the layer carries. */
    static final int ARRAYS = 3;
    private static final int MAX_STEPS = 1 << 24;

    private final int batch, steps, queriesSeen, dropped;
    private final float[] keys, values;

    private KeyValueCache(int batch, int steps, int queriesSeen, int dropped, float[] keys, float[] values) {
        this.batch = batch;
        this.steps = steps;
        this.queriesSeen = queriesSeen;
        this.dropped = dropped;
        this.keys = keys;
        this.values = values;
    }

    /**
     * The cache in {@code state} (nulls: empty) followed by a chunk of {@code k} keys {@code (B, k, keyWidth)} and
     * values {@code (B, k, valueWidth)}.
     */
    static KeyValueCache append(String layer, float[][] state, int batch, float[] k, int keyWidth, float[] v,
                                int valueWidth, int chunk) {
        int past = 0, seen = 0, dropped = 0;
        if (state[0] != null) {
            float[] n = state[2];
            if (n == null || n.length != 3 || n[2] != batch || state[1] == null
                    || state[0].length % (batch * keyWidth) != 0
                    || state[1].length != state[0].length / keyWidth * valueWidth) {
                throw new InputException(null, layer, null, "the key/value cache of this stream does not fit a batch"
                        + " of " + batch + " (was the batch size changed mid-stream?)");
            }
            past = state[0].length / (batch * keyWidth);
            seen = (int) n[0];
            dropped = (int) n[1];
        }
        if ((long) dropped + past + chunk > MAX_STEPS) {
            throw new InputException(null, layer, null, "a causal attention stream is limited to " + MAX_STEPS
                    + " timesteps; reset the session");
        }
        int t = past + chunk;
        return new KeyValueCache(batch, t, seen, dropped, concat(state[0], past, k, chunk, batch, keyWidth, t),
                concat(state[1], past, v, chunk, batch, valueWidth, t));
    }

    private static float[] concat(float[] cache, int past, float[] x, int chunk, int batch, int w, int t) {
        float[] out = new float[batch * t * w];
        for (int b = 0; b < batch; b++) {
            if (past > 0) System.arraycopy(cache, b * past * w, out, b * t * w, past * w);
            System.arraycopy(x, b * chunk * w, out, (b * t + past) * w, chunk * w);
        }
        return out;
    }

    /** Steps held (the earlier ones kept and the chunk's). */
    int steps() { return steps; }

    /** The keys held, {@code (B, steps, keyWidth)}. */
    float[] keys() { return keys; }

    /** The values held, {@code (B, steps, valueWidth)}. */
    float[] values() { return values; }

    /**
     * Which (query i of a chunk of {@code tq}, key j held) pairs attend, {@code (B, tq, steps)}: the key is not
     * later than the query and, with a sliding {@code window} (0: none), less than {@code window} steps before it
     * (multi_head_attention.py {@code _compute_sliding_window_mask}: {@code |i - j| < window}).
     */
    boolean[] keep(int tq, int window) {
        boolean[] keep = new boolean[batch * tq * steps];
        for (int i = 0; i < tq; i++) {
            long qi = (long) queriesSeen + i;
            for (int j = 0; j < steps; j++) {
                long kj = (long) dropped + j;
                keep[i * steps + j] = kj <= qi && (window == 0 || qi - kj < window);
            }
        }
        for (int b = 1; b < batch; b++) System.arraycopy(keep, 0, keep, b * tq * steps, tq * steps);
        return keep;
    }

    /**
     * Writes the cache back into {@code state} after a chunk of {@code tq} queries, dropping the keys no later
     * query can reach through a sliding {@code window} (0: none, every key is kept).
     */
    void store(float[][] state, int tq, int keyWidth, int valueWidth, int window) {
        int seen = queriesSeen + tq;
        int drop = window == 0 ? 0 : Math.max(0, Math.min(steps, seen - window + 1 - dropped));
        int t = steps - drop;
        state[0] = tail(keys, keyWidth, drop, t);
        state[1] = tail(values, valueWidth, drop, t);
        state[2] = new float[]{seen, dropped + drop, batch};
    }

    private float[] tail(float[] a, int w, int drop, int t) {
        if (drop == 0) return a;
        float[] out = new float[batch * t * w];
        for (int b = 0; b < batch; b++) System.arraycopy(a, (b * steps + drop) * w, out, b * t * w, t * w);
        return out;
    }

    /**
     * Refuses masked inputs: where Keras masks every key of a query (a padded query, or one whose earlier keys are
     * all padding) its softmax weighs every timestep alike, later ones included, which a stream has not seen.
     */
    static void refuseMasks(Layer l, Tensor... inputs) {
        for (Tensor t : inputs) {
            if (t != null && t.mask() != null) {
                throw new UnsupportedModelException(null, l.name(), null, l.typeName() + " with use_causal_mask"
                        + " streams unmasked inputs only: where a padding mask hides every earlier key of a query,"
                        + " Keras weighs all timesteps alike, later ones included, so the model cannot be fed one"
                        + " timestep at a time (Session.step); use predict on whole sequences");
            }
        }
    }
}

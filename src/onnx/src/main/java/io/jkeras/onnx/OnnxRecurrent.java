package io.jkeras.onnx;

import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.layers.Bidirectional;
import io.jkeras.layers.CudnnRecurrent;
import io.jkeras.layers.Gru;
import io.jkeras.layers.Lstm;
import io.jkeras.layers.Recurrent;
import io.jkeras.layers.RecurrentOptions;
import io.jkeras.layers.SimpleRnn;
import io.jkeras.layers.Weight;
import io.jkeras.onnx.proto.OnnxProtos.AttributeProto;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * SimpleRNN, LSTM and GRU (also inside Bidirectional) as ONNX's fused {@code RNN}, {@code LSTM} and
 * {@code GRU} operators, never a {@code Loop} or {@code Scan}.
 *
 * <p>Layouts. Keras stores {@code kernel (I, G·H)}, {@code recurrent_kernel (H, G·H)} and {@code bias}
 * with the gates side by side (LSTM i|f|c|o, GRU z|r|h); ONNX wants {@code W (dirs, G·H, I)},
 * {@code R (dirs, G·H, H)} and {@code B (dirs, 2·G·H)} = input bias | recurrent bias, LSTM gates in
 * the order i|o|f|c, GRU z|r|h (the same as Keras). A GRU with reset_after (Keras 2.3+'s default)
 * is ONNX's {@code linear_before_reset=1}, its two bias rows going to Wb and Rb; without it
 * {@code linear_before_reset=0} and its one bias is Wb. The operators run with layout 0
 * ({@code X (T, B, I)}, {@code Y (T, dirs, B, H)}) between Transposes, which ONNX Runtime folds.
 *
 * <p>go_backwards is {@code direction="reverse"}: ONNX then returns Y in the input's time order,
 * while Keras returns the sequence in its processing order (last timestep first,
 * keras/src/layers/rnn/rnn.py and backend rnn(), go_backwards), so the sequence is reversed after.
 *
 * <p>Masks (Embedding mask_zero, Masking, an explicit mask argument) of any pattern: each sample's kept
 * timesteps are moved to the front, the operator runs over them with {@code sequence_lens} = their
 * count, and the outputs are put back where Keras has them ({@link Masked}).
 */
final class OnnxRecurrent {
    private OnnxRecurrent() {}

    /** LSTM: ONNX gate k is Keras gate LSTM_ORDER[k] (ONNX i, o, f, c; Keras i, f, c, o). */
    private static final int[] LSTM_ORDER = {0, 3, 1, 2};

    /** One direction's weights in ONNX's layout and its attributes. */
    record Cell(String op, int gates, int units, int inputSize, float[] w, float[] r, float[] b,
                List<OnnxActivations.Recurrent> activations, int linearBeforeReset) {
        boolean sameKind(Cell o) {
            return op.equals(o.op) && gates == o.gates && units == o.units && inputSize == o.inputSize
                    && activations.equals(o.activations) && linearBeforeReset == o.linearBeforeReset;
        }
    }

    static Recurrent unwrap(Recurrent r) {
        return r instanceof CudnnRecurrent ? ((CudnnRecurrent) r).inner() : r;
    }

    /** The ONNX form of one recurrent layer; refuses what ONNX cannot express, naming {@code layer}. */
    static Cell cell(Recurrent layer) {
        Recurrent r = unwrap(layer);
        List<Weight> ws = r.weights();
        int h = r.units(), in = r.inputSize();
        if (r instanceof Lstm) {
            Lstm l = (Lstm) r;
            List<OnnxActivations.Recurrent> acts = List.of(
                    OnnxActivations.recurrent(l.recurrentActivation(), layer.name()),
                    OnnxActivations.recurrent(l.activation(), layer.name()),
                    OnnxActivations.recurrent(l.activation(), layer.name()));
            float[] b = l.useBias() ? bias(gates(ws.get(2).values(), 1, 4, h, LSTM_ORDER), null) : null;
            return new Cell("LSTM", 4, h, in, gates(ws.get(0).values(), in, 4, h, LSTM_ORDER),
                    gates(ws.get(1).values(), h, 4, h, LSTM_ORDER), b, acts, -1);
        }
        int[] same3 = {0, 1, 2};
        if (r instanceof Gru) {
            Gru gr = (Gru) r;
            List<OnnxActivations.Recurrent> acts = List.of(
                    OnnxActivations.recurrent(gr.recurrentActivation(), layer.name()),
                    OnnxActivations.recurrent(gr.activation(), layer.name()));
            float[] b = null;
            if (gr.useBias()) {
                float[] kb = ws.get(2).values();
                int gh = 3 * h;
                b = gr.resetAfter() ? bias(Arrays.copyOfRange(kb, 0, gh), Arrays.copyOfRange(kb, gh, 2 * gh))
                        : bias(kb, null);
            }
            return new Cell("GRU", 3, h, in, gates(ws.get(0).values(), in, 3, h, same3),
                    gates(ws.get(1).values(), h, 3, h, same3), b, acts, gr.resetAfter() ? 1 : 0);
        }
        if (r instanceof SimpleRnn) {
            SimpleRnn s = (SimpleRnn) r;
            int[] one = {0};
            float[] b = s.useBias() ? bias(ws.get(2).values(), null) : null;
            return new Cell("RNN", 1, h, in, gates(ws.get(0).values(), in, 1, h, one),
                    gates(ws.get(1).values(), h, 1, h, one), b,
                    List.of(OnnxActivations.recurrent(s.activation(), layer.name())), -1);
        }
        throw new UnsupportedModelException(null, layer.name(), null, layer.typeName()
                + " has no ONNX operator (ONNX has RNN, LSTM and GRU only; a Loop is never written)");
    }

    /** Keras {@code (rows, G·H)} with gates side by side to ONNX {@code (G·H, rows)}, gates in {@code order}. */
    static float[] gates(float[] m, int rows, int g, int h, int[] order) {
        float[] out = new float[g * h * rows];
        for (int k = 0; k < g; k++) {
            for (int u = 0; u < h; u++) {
                int src = order[k] * h + u;
                for (int i = 0; i < rows; i++) out[(k * h + u) * rows + i] = m[i * g * h + src];
            }
        }
        return out;
    }

    /** ONNX's B: the input bias then the recurrent one (zeros when null). */
    private static float[] bias(float[] wb, float[] rb) {
        float[] b = new float[2 * wb.length];
        System.arraycopy(wb, 0, b, 0, wb.length);
        if (rb != null) System.arraycopy(rb, 0, b, wb.length, rb.length);
        return b;
    }

    /** The names the operator's outputs got: Y (T, dirs, B, H), Y_h (dirs, B, H), Y_c (LSTM). */
    record Outputs(String y, String yh, String yc) {}

    /**
     * Writes one fused node over {@code xtbi (T, B, I)} for the cells of its directions (one, or two
     * for {@code bidirectional}).
     */
    static Outputs node(OnnxExport ex, String name, List<Cell> dirs, String direction, String xtbi, String seqLens,
                        String initH, String initC) {
        OnnxGraph g = ex.graph();
        Cell c = dirs.get(0);
        int d = dirs.size(), gh = c.gates * c.units;
        float[] w = new float[d * gh * c.inputSize], r = new float[d * gh * c.units];
        boolean anyBias = false;
        for (Cell x : dirs) anyBias |= x.b != null;
        float[] b = anyBias ? new float[d * 2 * gh] : null;
        List<OnnxActivations.Recurrent> acts = new ArrayList<>();
        for (int i = 0; i < d; i++) {
            Cell x = dirs.get(i);
            System.arraycopy(x.w, 0, w, i * x.w.length, x.w.length);
            System.arraycopy(x.r, 0, r, i * x.r.length, x.r.length);
            if (x.b != null) System.arraycopy(x.b, 0, b, i * 2 * gh, 2 * gh);
            acts.addAll(x.activations);
        }
        List<String> in = new ArrayList<>(List.of(xtbi,
                g.floats(name + "/W", new long[]{d, gh, c.inputSize}, w),
                g.floats(name + "/R", new long[]{d, gh, c.units}, r),
                b == null ? "" : g.floats(name + "/B", new long[]{d, 2L * gh}, b),
                seqLens == null ? "" : seqLens,
                initH == null ? "" : initH));
        if ("LSTM".equals(c.op)) in.add(initC == null ? "" : initC);
        while (in.get(in.size() - 1).isEmpty()) in.remove(in.size() - 1);
        List<AttributeProto> attrs = new ArrayList<>();
        attrs.add(OnnxGraph.attr("hidden_size", (long) c.units));
        attrs.add(OnnxGraph.attr("direction", direction));
        OnnxActivations.attributes(acts, attrs);
        if (c.linearBeforeReset >= 0) attrs.add(OnnxGraph.attr("linear_before_reset", (long) c.linearBeforeReset));
        String p = name + "/" + c.op;   // not <layer>/Y_h: a stateful layer's graph output has that name
        String[] outs = "LSTM".equals(c.op) ? new String[]{p + "_Y", p + "_Y_h", p + "_Y_c"}
                : new String[]{p + "_Y", p + "_Y_h"};
        String[] o = g.ops(c.op, outs, in, attrs.toArray(new AttributeProto[0]));
        return new Outputs(o[0], o[1], o.length > 2 ? o[2] : null);
    }

    /**
     * What a mask becomes. Keras skips a masked step: the state carries over, and the step's output is
     * the previous step's (backend rnn(): {@code where(mask, output, prev_output)}, prev_output starting
     * at zeros) or zeros under zero_output_for_mask. ONNX's operators skip only the steps past
     * {@code sequence_lens}. So the kept steps of each sample are moved to the front, in time order
     * ({@code order}: TopK over {@code mask·T + (T-1-t)}, keys that never tie), the operator runs over
     * them with sequence_lens = their count, and each timestep's output is gathered back from the
     * compacted sequence: for the forward direction the output of the last kept step at or before t
     * (compacted index cumsum(mask)[t] - 1), for the backward one of the first kept step at or after t
     * (cumsum(mask)[t] - mask[t]); none there gives zeros. Any mask (left padding, holes) comes out as
     * Keras computes it.
     *
     * @param lens  ONNX's sequence_lens (int32, (B,))
     * @param any   (bool, (B,)) whether the sample keeps a step at all: without one, Keras' last output
     *              is zeros and its states the initial ones, while ONNX Runtime's are undefined
     * @param kept  (float, (B, 1)) the kept steps of each sample
     * @param order (int64, (B, T)) the timesteps in compacted order
     * @param cum   (float, (B, T)) cumsum(mask) along time
     */
    record Masked(String mask, String lens, String any, String kept, String order, String cum) {
        /** {@code x} (B, T, I) with each sample's kept steps first, in time order. */
        String compact(OnnxGraph g, String x, String name) {
            String idx = g.op("Expand", name + "/order_bti", List.of(g.unsqueeze(order, name + "/order_bt1", 2),
                    g.op("Shape", name + "/x_shape", List.of(x))));
            return g.op("GatherElements", name + "/kept_first", List.of(x, idx), OnnxGraph.attr("axis", 1L));
        }

        /**
         * Keras' returned sequence from the operator's compacted one, {@code y} (B, T, H) for one direction
         * or (B, T, 2, H) for both ({@code backward} and {@code zeroMasked} per direction).
         */
        String spread(OnnxGraph g, String y, boolean[] backward, boolean[] zeroMasked, String name) {
            String[] idx = new String[backward.length], ok = new String[backward.length];
            for (int d = 0; d < backward.length; d++) {
                String p = name + (backward.length == 1 ? "" : d == 0 ? "/forward" : "/backward");
                String at = backward[d] ? g.binary("Sub", cum, mask, p + "/first_kept_from_t")
                        : g.binary("Sub", cum, g.scalar(p + "/one_f", 1f), p + "/last_kept_to_t");
                ok[d] = backward[d] ? g.binary("Less", at, kept, p + "/kept_from_t")
                        : g.binary("Greater", cum, g.scalar(p + "/zero_f", 0f), p + "/kept_to_t");
                if (zeroMasked[d]) ok[d] = g.binary("And", ok[d], g.unary("Cast", mask, p + "/mask_b",
                        OnnxGraph.attr("to", 9L)), p + "/kept_and_not_masked");
                idx[d] = g.unary("Cast", g.op("Where", p + "/gather_at_f", List.of(ok[d], at,
                        g.scalar(p + "/zero_at", 0f))), p + "/gather_at", OnnxGraph.attr("to", 7L));
            }
            String i = idx[0], k = ok[0];
            if (backward.length == 2) {   // (B, T) per direction to (B, T, 2)
                i = g.op("Concat", name + "/gather_at_dirs", List.of(g.unsqueeze(idx[0], name + "/gather_at_f3", 2),
                        g.unsqueeze(idx[1], name + "/gather_at_b3", 2)), OnnxGraph.attr("axis", 2L));
                k = g.op("Concat", name + "/kept_dirs", List.of(g.unsqueeze(ok[0], name + "/kept_f3", 2),
                        g.unsqueeze(ok[1], name + "/kept_b3", 2)), OnnxGraph.attr("axis", 2L));
            }
            long last = backward.length + 1;
            String shape = g.op("Shape", name + "/y_shape", List.of(y));
            String at = g.op("Expand", name + "/gather_index", List.of(g.unsqueeze(i, name + "/gather_at_h", last),
                    shape));
            String got = g.op("GatherElements", name + "/spread", List.of(y, at), OnnxGraph.attr("axis", 1L));
            return g.op("Where", name + "/keras_sequence", List.of(g.unsqueeze(k, name + "/kept_h", last), got,
                    g.scalar(name + "/zero_out", 0f)));
        }

        /** {@code y} (B, ...) of rank {@code rank}: where the sample keeps no step, {@code instead} (null: 0). */
        String lastOrInitial(OnnxGraph g, String y, int rank, String instead, String name) {
            long[] axes = new long[rank - 1];
            for (int i = 0; i < axes.length; i++) axes[i] = i + 1;
            return g.op("Where", name + "/kept_only", List.of(g.unsqueeze(any, name + "/any_b", axes), y,
                    instead != null ? instead : g.scalar(name + "/zero_out", 0f)));
        }
    }

    static Masked masked(OnnxExport ex, String mask, String name) {
        OnnxGraph g = ex.graph();
        String kept = g.op("ReduceSum", name + "/kept_steps", List.of(mask, g.longs("axes", 1)),
                OnnxGraph.attr("keepdims", 1L));
        String lens = g.unary("Cast", g.squeeze(kept, name + "/kept", 1), name + "/sequence_lens",
                OnnxGraph.attr("to", 6L));
        String steps = g.op("Gather", name + "/timesteps", List.of(g.op("Shape", name + "/mask_shape", List.of(mask)),
                g.longs(name + "/time_axis", 1)), OnnxGraph.attr("axis", 0L));
        String t = g.unary("Cast", g.op("Range", name + "/t", List.of(g.intScalar(name + "/zero", 7, 0),
                g.squeeze(steps, name + "/steps", 0), g.intScalar(name + "/one", 7, 1))), name + "/t_float",
                OnnxGraph.attr("to", 1L));
        String tf = g.unary("Cast", steps, name + "/steps_f", OnnxGraph.attr("to", 1L));
        // kept steps score T + (T-1-t), masked ones T-1-t: distinct, descending in compacted order
        String key = g.binary("Add", g.binary("Mul", mask, tf, name + "/kept_score"), g.binary("Sub",
                g.binary("Sub", tf, g.scalar(name + "/one_f", 1f), name + "/last_t"), t, name + "/earlier_first"),
                name + "/order_key");
        String[] top = g.ops("TopK", new String[]{name + "/order_keys", name + "/order"}, List.of(key, steps),
                OnnxGraph.attr("axis", 1L), OnnxGraph.attr("largest", 1L), OnnxGraph.attr("sorted", 1L));
        String cum = g.op("CumSum", name + "/kept_to_t_count", List.of(mask, g.intScalar(name + "/time", 7, 1)));
        String any = g.binary("Greater", g.squeeze(kept, name + "/kept_b", 1), g.scalar(name + "/zero_f", 0f),
                name + "/any_kept");
        return new Masked(mask, lens, any, kept, top[1], cum);
    }

    /**
     * One recurrent layer (not wrapped): its Keras outputs, the sequence or last output, then the
     * final states when return_state. {@code initStates} are Keras initial_state tensors (B, H)
     * (empty when none).
     */
    static OnnxValue[] layer(OnnxExport ex, Recurrent layer, OnnxValue x, List<String> initStates) {
        OnnxGraph g = ex.graph();
        String name = layer.name();
        RecurrentOptions o = layer.options();
        Cell c = cell(layer);
        Masked m = x.mask() == null ? null : masked(ex, x.mask(), name);
        String xt = input(g, x, m, name);
        String[] init = initialStates(ex, layer, 1, c, initStates, List.of());
        Outputs y = node(ex, name, List.of(c), o.goBackwards() ? "reverse" : "forward", xt, m == null ? null
                : m.lens(), init[0], init[1]);
        if (layer.stateful()) ex.stateOutputs(name, y.yh(), y.yc());
        String hLast = g.squeeze(y.yh(), name + "/h", 0);
        List<OnnxValue> out = new ArrayList<>();
        if (o.returnSequences() && !o.goBackwards() && m == null) {
            String tm = g.squeeze(y.y(), name + "/sequence_tbh", 1);
            out.add(new OnnxValue(g.transpose(tm, name + "/sequence", 1, 0, 2), null, false, tm));
        } else if (o.returnSequences()) {
            String seq = g.squeeze(g.transpose(y.y(), name + "/Y_btdh", 2, 0, 1, 3), name + "/sequence", 2);
            if (m != null) seq = m.spread(g, seq, new boolean[]{o.goBackwards()},
                    new boolean[]{o.zeroOutputForMask()}, name);
            if (o.goBackwards()) seq = g.reverse(seq, name + "/processing_order", 1);
            out.add(new OnnxValue(seq, x.mask(), false));
        } else {
            out.add(OnnxValue.of(m == null ? hLast : m.lastOrInitial(g, hLast, 2, null, name + "/last")));
        }
        if (o.returnState()) {
            out.add(OnnxValue.of(finalState(g, m, hLast, init[0], name + "/h_final")));
            if (y.yc() != null) out.add(OnnxValue.of(finalState(g, m, g.squeeze(y.yc(), name + "/c", 0), init[1],
                    name + "/c_final")));
        }
        return out.toArray(new OnnxValue[0]);
    }

    /**
     * A final state (B, H) of one direction: with a mask, a sample that keeps no step ends in its
     * initial state ({@code init}, (1, B, H); null: zeros).
     */
    private static String finalState(OnnxGraph g, Masked m, String s, String init, String name) {
        if (m == null) return s;
        return m.lastOrInitial(g, s, 2, init == null ? null : g.squeeze(init, name + "/initial", 0), name);
    }

    /** The operator's input (T, B, I): with a mask, each sample's kept steps first ({@link Masked#compact}). */
    private static String input(OnnxGraph g, OnnxValue x, Masked m, String name) {
        if (m == null) return timeMajor(g, x, name);
        return g.transpose(m.compact(g, x.name(), name), name + "/X", 1, 0, 2);
    }

    /** {@code x} as (T, B, I): the time-major form a recurrent operator left, else a Transpose. */
    private static String timeMajor(OnnxGraph g, OnnxValue x, String name) {
        return x.timeMajor() != null ? x.timeMajor() : g.transpose(x.name(), name + "/X", 1, 0, 2);
    }

    /**
     * The initial_h and initial_c inputs of the node: graph inputs for a stateful layer, Keras
     * initial_state tensors (per direction, concatenated), or none.
     */
    private static String[] initialStates(OnnxExport ex, io.jkeras.layers.Layer layer, int dirs, Cell c,
                                          List<String> first, List<String> second) {
        OnnxGraph g = ex.graph();
        String name = layer.name();
        boolean lstm = "LSTM".equals(c.op);
        if (layer.stateful()) {
            if (!first.isEmpty()) throw new UnsupportedModelException(null, name, null,
                    "a stateful layer called with initial_state is not exported to ONNX");
            return ex.stateInputs(name, dirs, c.units, lstm);
        }
        if (first.isEmpty()) return new String[]{null, null};
        String[] out = new String[2];
        for (int s = 0; s < (lstm ? 2 : 1); s++) {
            String role = s == 0 ? "initial_h" : "initial_c";
            String a = g.unsqueeze(first.get(s), name + "/" + role, 0);
            out[s] = dirs == 1 ? a : g.op("Concat", name + "/" + role, List.of(a,
                    g.unsqueeze(second.get(s), name + "/" + role + "_backward", 0)), OnnxGraph.attr("axis", 0L));
        }
        return out;
    }

    /**
     * A Bidirectional layer. When both directions are the same kind of cell, the forward one reads
     * forwards and the backward one backwards (Keras' own wrapping), one node with
     * {@code direction="bidirectional"}; otherwise (a custom backward_layer that reads forwards, an inner
     * go_backwards) one node per direction. Keras' merges: concat (forward first), sum, ave, mul,
     * or none (two outputs); then the states of the forward and the backward layer.
     */
    static OnnxValue[] bidirectional(OnnxExport ex, Bidirectional bi, OnnxValue x, List<String> initStates) {
        Recurrent fw = bi.forwardLayer(), bw = bi.backwardLayer();
        RecurrentOptions fo = fw.options(), bo = bw.options();
        Cell cf = cell(fw), cb = cell(bw);
        boolean seq = fo.returnSequences();
        int fs = fw.stateCount();
        List<String> fInit = initStates.isEmpty() ? List.of() : initStates.subList(0, fs);
        List<String> bInit = initStates.isEmpty() ? List.of() : initStates.subList(fs, initStates.size());
        boolean fused = cf.sameKind(cb) && !fo.goBackwards() && bo.goBackwards() && seq == bo.returnSequences()
                && fo.returnState() == bo.returnState();
        if (!fused) return bidirectionalApart(ex, bi, x, fInit, bInit);
        OnnxGraph g = ex.graph();
        String name = bi.name();
        Masked m = x.mask() == null ? null : masked(ex, x.mask(), name);
        String xt = input(g, x, m, name);
        String[] init = initialStates(ex, bi, 2, cf, fInit, bInit);
        Outputs y = node(ex, name, List.of(cf, cb), "bidirectional", xt, m == null ? null : m.lens(), init[0],
                init[1]);
        if (bi.stateful()) ex.stateOutputs(name, y.yh(), y.yc());
        List<OnnxValue> out = new ArrayList<>();
        // the two directions on one axis: (B, T, 2, H) for a sequence, (B, 2, H) for the last outputs
        String both = seq ? g.transpose(y.y(), name + "/Y_btdh", 2, 0, 1, 3) : g.transpose(y.yh(), name + "/h_bdh",
                1, 0, 2);
        if (m != null) both = seq ? m.spread(g, both, new boolean[]{false, true}, new boolean[]{fo.zeroOutputForMask(),
                bo.zeroOutputForMask()}, name) : m.lastOrInitial(g, both, 3, null, name + "/last");
        long axis = seq ? 2 : 1;
        String mask = seq ? x.mask() : null;
        switch (bi.merge()) {
        case CONCAT:
            if (seq && mask == null) {   // (T, 2, B, H) -> (T, B, 2, H) -> (T, B, 2H), forward then backward
                String tm = g.reshape(g.transpose(y.y(), name + "/Y_tbdh", 0, 2, 1, 3), name + "/concat_tbh", 0, 0,
                        -1);
                out.add(new OnnxValue(g.transpose(tm, name + "/concat", 1, 0, 2), null, false, tm));
                break;
            }
            out.add(new OnnxValue(seq ? g.reshape(both, name + "/concat", 0, 0, -1) : g.reshape(both,
                    name + "/concat", 0, -1), mask, false));
            break;
        case SUM: case AVE: case MUL: {
            String op = bi.merge() == Bidirectional.Merge.SUM ? "ReduceSum" : bi.merge() == Bidirectional.Merge.AVE
                    ? "ReduceMean" : "ReduceProd";
            String merged = "ReduceSum".equals(op)
                    ? g.op(op, name + "/merged", List.of(both, g.longs("axes", axis)), OnnxGraph.attr("keepdims", 0L))
                    : g.op(op, name + "/merged", List.of(both), OnnxGraph.ints("axes", axis),
                    OnnxGraph.attr("keepdims", 0L));
            out.add(new OnnxValue(merged, mask, false));
            break;
        }
        default: {   // NONE: the forward and the backward output
            String[] parts = g.ops("Split", new String[]{name + "/forward_part", name + "/backward_part"},
                    List.of(both), OnnxGraph.attr("axis", axis));
            out.add(new OnnxValue(g.squeeze(parts[0], name + "/forward", axis), mask, false));
            out.add(new OnnxValue(g.squeeze(parts[1], name + "/backward", axis), mask, false));
        }
        }
        if (fo.returnState()) {
            String[] hs = g.ops("Split", new String[]{name + "/h_forward", name + "/h_backward"}, List.of(y.yh()),
                    OnnxGraph.attr("axis", 0L));
            String[] cs = y.yc() == null ? null : g.ops("Split", new String[]{name + "/c_forward",
                    name + "/c_backward"}, List.of(y.yc()), OnnxGraph.attr("axis", 0L));
            String[] ih = init[0] == null ? null : g.ops("Split", new String[]{name + "/initial_h_forward",
                    name + "/initial_h_backward"}, List.of(init[0]), OnnxGraph.attr("axis", 0L));
            String[] ic = init[1] == null ? null : g.ops("Split", new String[]{name + "/initial_c_forward",
                    name + "/initial_c_backward"}, List.of(init[1]), OnnxGraph.attr("axis", 0L));
            for (int dir = 0; dir < 2; dir++) {
                out.add(OnnxValue.of(finalState(g, m, g.squeeze(hs[dir], hs[dir] + "_bh", 0), ih == null ? null
                        : ih[dir], hs[dir] + "_final")));
                if (cs != null) out.add(OnnxValue.of(finalState(g, m, g.squeeze(cs[dir], cs[dir] + "_bh", 0),
                        ic == null ? null : ic[dir], cs[dir] + "_final")));
            }
        }
        return out.toArray(new OnnxValue[0]);
    }

    /** A Bidirectional whose directions differ: each layer on its own, the backward sequence flipped, merged. */
    private static OnnxValue[] bidirectionalApart(OnnxExport ex, Bidirectional bi, OnnxValue x, List<String> fInit,
                                                  List<String> bInit) {
        if (bi.stateful()) throw new UnsupportedModelException(null, bi.name(), null,
                "a stateful Bidirectional whose directions differ is not exported to ONNX");
        OnnxGraph g = ex.graph();
        String name = bi.name();
        OnnxValue[] f = layer(ex, bi.forwardLayer(), x, fInit);
        OnnxValue[] b = layer(ex, bi.backwardLayer(), x, bInit);
        boolean seq = bi.forwardLayer().options().returnSequences();
        String mask = seq ? x.mask() : null;
        String bo = seq ? g.reverse(b[0].name(), name + "/backward_in_time_order", 1) : b[0].name();
        List<OnnxValue> out = new ArrayList<>();
        switch (bi.merge()) {
        case CONCAT:
            out.add(new OnnxValue(g.op("Concat", name + "/concat", List.of(f[0].name(), bo),
                    OnnxGraph.attr("axis", -1L)), mask, false));
            break;
        case SUM: out.add(new OnnxValue(g.binary("Add", f[0].name(), bo, name + "/sum"), mask, false)); break;
        case MUL: out.add(new OnnxValue(g.binary("Mul", f[0].name(), bo, name + "/mul"), mask, false)); break;
        case AVE:
            out.add(new OnnxValue(g.binary("Mul", g.binary("Add", f[0].name(), bo, name + "/sum"),
                    g.scalar(name + "/half", 0.5f), name + "/ave"), mask, false));
            break;
        default:
            out.add(new OnnxValue(f[0].name(), mask, false));
            out.add(new OnnxValue(bo, mask, false));
        }
        out.addAll(Arrays.asList(f).subList(1, f.length));
        out.addAll(Arrays.asList(b).subList(1, b.length));
        return out.toArray(new OnnxValue[0]);
    }
}

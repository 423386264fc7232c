package io.jkeras.model;

import io.jkeras.exceptions.StateException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.fixtures.FixtureCase;
import io.jkeras.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Session.step/steps against whole-sequence predict on every fixtures/keras3 and fixtures/keras3/layers14 model,
 * and State snapshots.
 */
class StreamingTest {
    private static final double TOL = 1e-6;

    static List<FixtureCase> cases() {
        List<FixtureCase> out = new ArrayList<>();
        for (FixtureCase c : FixtureCase.all("keras3")) if (!c.name().startsWith("act_")) out.add(c);
        out.addAll(FixtureCase.all("keras3/layers14"));
        return out;
    }

    /** Timesteps {@code [from, to)} of every input. */
    static Tensor[] slice(Tensor[] x, int from, int to) {
        Tensor[] out = new Tensor[x.length];
        for (int i = 0; i < x.length; i++) out[i] = sliceTime(x[i], from, to);
        return out;
    }

    static Tensor sliceTime(Tensor x, int from, int to) {
        int[] s = x.shape();
        int inner = 1;
        for (int d = 2; d < s.length; d++) inner *= s[d];
        int[] t = s.clone();
        t[1] = to - from;
        float[] d = new float[s[0] * (to - from) * inner];
        for (int b = 0; b < s[0]; b++) {
            System.arraycopy(x.data(), (b * s[1] + from) * inner, d, b * (to - from) * inner, (to - from) * inner);
        }
        return new Tensor(t, d);
    }

    /** Step {@code t} of each input without the time axis. */
    static Tensor[] at(Tensor[] x, int t) {
        Tensor[] out = new Tensor[x.length];
        for (int i = 0; i < x.length; i++) {
            Tensor s = sliceTime(x[i], t, t + 1);
            int[] sh = s.shape();
            int[] r = new int[sh.length - 1];
            r[0] = sh[0];
            System.arraycopy(sh, 2, r, 1, sh.length - 2);
            out[i] = new Tensor(r, s.data());
        }
        return out;
    }

    private static Tensor[] inputs(FixtureCase c, int batch) {
        Tensor[] in = new Tensor[c.inputs()];
        for (int i = 0; i < in.length; i++) in[i] = c.x(batch, i);
        return in;
    }

    /** {@code got} equals step t of {@code whole} (or {@code whole} itself when it has no time axis). */
    private static void assertStep(String what, Tensor got, Tensor whole, int t, boolean last) {
        if (got.rank() == whole.rank()) {
            if (!last) return;   // a static output is only compared at the end of the sequence
            assertClose(what, got, whole);
            return;
        }
        assertClose(what + " step " + t, got, at(new Tensor[]{whole}, t)[0]);
    }

    private static void assertClose(String what, Tensor got, Tensor want) {
        assertThat(got.shape()).as(what + " shape").containsExactly(want.shape());
        double max = 0;
        for (int i = 0; i < got.size(); i++) max = Math.max(max, Math.abs((double) got.data()[i] - want.data()[i]));
        assertThat(max).as(what + " max |step - predict|").isLessThanOrEqualTo(TOL);
    }

    /**
     * The fixtures whose model cannot stream: a Bidirectional, a go_backwards layer, a Conv1D, or (listed) a
     * layer that mixes timesteps or a decoder over a repeated final state.
     */
    private static boolean refusable(FixtureCase c) {
        String fixture = c.name();
        if (isLayers14(c)) return !streams14(fixture);
        return fixture.startsWith("bidir_") || fixture.contains("go_backwards") || fixture.startsWith("conv1d_")
                || fixture.contains("_bidir_") || Set.of("graph_variable_time", "merge_concatenate_time",
                "stack_encoder_decoder", "stack_lstm_flatten_dense", "stack_permute_lstm", "stack_reshape_lstm",
                "stack_softmax_axis1").contains(fixture);
    }

    private static boolean isLayers14(FixtureCase c) { return c.dir().getParent().getFileName().toString()
            .equals("layers14"); }

    /**
     * The layers14 fixtures that stream: forward ConvLSTMs (recurrent, carrying h and c), layer/RMS/unit
     * normalization over the feature axes, TimeDistributed CNNs (LRCN), nested models of per-timestep layers and
     * causal attention (use_causal_mask, a key/value cache) without returned scores or padding masks.
     * The others convolve, pool, crop, pad or resize along the time axis, attend over it (Attention,
     * MultiHeadAttention without use_causal_mask or returning its scores, Dot, a custom attention layer), normalize
     * over it (GroupNormalization, LayerNormalization or UnitNormalization with axis 1), or run backwards.
     */
    private static boolean streams14(String f) {
        return f.startsWith("convlstm") && !f.contains("go_backwards") && !f.equals("convlstm2d_after_td_conv2d")
                || f.startsWith("layer_norm_") && !Set.of("layer_norm_axes_1_2", "layer_norm_axis1",
                "layer_norm_axes_1_3", "layer_norm_rms_scaling_axes_3_1").contains(f)
                || f.startsWith("rms_norm_") || f.startsWith("nested_")
                || f.startsWith("td_") && !f.equals("td_td_dense") || f.startsWith("causal_")
                || Set.of("unit_norm_default", "composite_convlstm2d_forecaster", "composite_layernorm_lstm",
                "composite_lrcn", "composite_lrcn_batchnorm", "lstm_layer_norm_seq", "spatial_dropout2d_cf",
                "attention_causal_self", "mha_causal", "composite_lstm_causal_mha_block")
                .contains(f);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void stepByStepEqualsWholeSequencePredictOrIsRefusedNamingTheLayer(FixtureCase c) {
        Model m = c.load();
        Session s = m.newSession();
        Session whole = m.newSession();
        for (int b = 0; b < c.batches(); b++) {
            Tensor[] x = inputs(c, b);
            Tensor[] want = c.stateful() ? whole.predict(x) : m.predict(x);
            if (!c.stateful()) s.reset();
            int steps = x[0].dim(1);
            for (int t = 0; t < steps; t++) {
                Tensor[] got;
                try {
                    got = s.step(at(x, t));
                } catch (UnsupportedModelException e) {
                    assertThat(refusable(c)).as(c.name() + " refused: " + e.getMessage()).isTrue();
                    assertThat(m.layers()).extracting(l -> l.name()).contains(e.layer());
                    assertThat(e.getMessage()).contains("Session.step");
                    return;
                }
                assertThat(refusable(c)).as(c.name() + " streams").isFalse();
                for (int o = 0; o < want.length; o++) {
                    assertStep(c.name() + " batch " + b + " output " + o, got[o], want[o], t, t == steps - 1);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void chunksOfAnySizeAndASnapshotRestoredFromBytesContinueTheUninterruptedRun(FixtureCase c) {
        Model m = c.load();
        if (refusable(c)) return;
        Session plain = m.newSession();
        Session chunked = m.newSession();
        for (int b = 0; b < c.batches(); b++) {
            Tensor[] x = inputs(c, b);
            Tensor[] want = plain.steps(x);
            Tensor[] head = new Tensor[x.length], tail = new Tensor[x.length];
            for (int i = 0; i < x.length; i++) {   // each input cut in its middle (inputs may differ in length)
                head[i] = sliceTime(x[i], 0, x[i].dim(1) / 2);
                tail[i] = sliceTime(x[i], x[i].dim(1) / 2, x[i].dim(1));
            }
            Tensor[] first = chunked.steps(head);
            byte[] saved = chunked.snapshot().toBytes();
            chunked.steps(tail);      // the session goes on; the snapshot does not move
            chunked = m.newSession(State.fromBytes(saved));
            Tensor[] second = chunked.steps(tail);
            for (int o = 0; o < want.length; o++) {
                if (first[o].rank() >= 2 && first[o].dim(1) < want[o].dim(1)) {   // a timed output, of any rank
                    int len = want[o].dim(1), cut = len / 2;
                    assertClose(c.name() + " first chunk " + o, first[o], sliceTime(want[o], 0, cut));
                    assertClose(c.name() + " second chunk " + o, second[o], sliceTime(want[o], cut, len));
                } else {
                    assertClose(c.name() + " output " + o, second[o], want[o]);
                }
            }
        }
    }

    private static Model model(String fixture) {
        for (FixtureCase c : cases()) if (c.name().equals(fixture)) return c.load();
        throw new IllegalArgumentException(fixture);
    }

    @Test
    void stepRefusalNamesTheLayerThatNeedsLaterTimesteps() {
        assertThatThrownBy(() -> model("bidir_lstm_concat").newSession().step(new float[][]{{0, 0, 0}}))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("layer 'bidirectional': Bidirectional also runs backwards");
        assertThatThrownBy(() -> model("stack_lstm_flatten_dense").newSession().steps(
                new Tensor(new int[]{1, 1, 3}, new float[3])))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("layer 'flatten': Flatten");
        assertThatThrownBy(() -> model("stack_encoder_decoder").newSession().steps(
                new Tensor(new int[]{1, 1, 3}, new float[3])))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("layer 'lstm_1'").hasMessageContaining("without return_sequences");
        Tensor anyStep = new Tensor(new int[]{1, 1, 3}, new float[3]);   // refused before it is read
        assertThatThrownBy(() -> model("mha_cross").newSession().steps(anyStep, anyStep))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("layer 'mha': MultiHeadAttention attends over the timesteps of its inputs"
                        + " without use_causal_mask");
        assertThatThrownBy(() -> model("mha_use_gate_sliding_window_causal").newSession().steps(anyStep, anyStep))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("layer 'mha': MultiHeadAttention returns its attention scores");
        Tensor tokens = new Tensor(new int[]{1, 1}, new float[]{3});
        assertThatThrownBy(() -> model("mha_masked_causal").newSession().steps(tokens, tokens))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("layer 'mha': MultiHeadAttention with use_causal_mask streams unmasked inputs");
        assertThatThrownBy(() -> model("layer_norm_axis1").newSession().steps(anyStep))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("LayerNormalization normalizes over the time axis");
        assertThatThrownBy(() -> model("custom_attention_lstm").newSession().steps(anyStep))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("layer 'temporal_attention'").hasMessageContaining("custom layer");
    }

    @Test
    void aCausalAttentionsKeyValueCacheGrowsWithTheStreamUnlessASlidingWindowBoundsIt() {
        Tensor step = new Tensor(new int[]{1, 3}, new float[]{0.5f, -1f, 0.25f});
        Session open = model("mha_causal").newSession(), window = model("causal_mha_gate_window").newSession();
        List<Integer> openSizes = new ArrayList<>(), windowSizes = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            open.step(step, step);
            window.step(step, step);
            openSizes.add(open.snapshot().toBytes().length);
            windowSizes.add(window.snapshot().toBytes().length);
        }
        assertThat(openSizes).isSorted().doesNotHaveDuplicates();
        // sliding_window 3: after the second step the cache holds the 2 keys a later query can reach
        assertThat(windowSizes.subList(1, 6)).containsOnly(windowSizes.get(1));
        assertThat(windowSizes.get(1)).isGreaterThan(windowSizes.get(0));
    }

    @Test
    void aCausalAttentionStreamRefusesAnotherBatchSizeMidStream() {
        Session s = model("attention_causal_self").newSession();
        s.step(new Tensor(new int[]{2, 3}, new float[6]));
        assertThatThrownBy(() -> s.step(new Tensor(new int[]{1, 3}, new float[3])))
                .isInstanceOf(io.jkeras.exceptions.InputException.class)
                .hasMessageContaining("layer 'attention'").hasMessageContaining("batch of 1");
    }

    private static byte[] midStreamState(Model m) {
        Session s = m.newSession();
        s.step(new float[][]{{0.5f, -0.25f, 1f}, {1f, 2f, 3f}});
        return s.snapshot().toBytes();
    }

    @Test
    void stateOfAnotherModelIsRefusedByItsFingerprint() {
        Model lstm = model("lstm_stateful");
        State st = State.fromBytes(midStreamState(lstm));
        assertThat(st.fingerprint()).isEqualTo(lstm.fingerprint()).hasSize(64);
        assertThat(model("lstm_stateful").fingerprint()).as("same file, loaded again").isEqualTo(lstm.fingerprint());
        Model gru = model("gru_stateful");
        assertThat(gru.fingerprint()).isNotEqualTo(lstm.fingerprint());
        assertThatThrownBy(() -> gru.newSession(st)).isInstanceOf(StateException.class)
                .hasMessageContaining("taken from another model").hasMessageContaining("'" + gru.name() + "'");
    }

    @Test
    void damagedTruncatedOrForeignBytesAreRefusedSayingWhy() {
        byte[] ok = midStreamState(model("lstm_stateful"));
        byte[] flipped = ok.clone();
        flipped[ok.length / 2] ^= 1;
        assertThatThrownBy(() -> State.fromBytes(flipped)).isInstanceOf(StateException.class)
                .hasMessageContaining("checksum");
        assertThatThrownBy(() -> State.fromBytes(Arrays.copyOf(ok, ok.length - 9)))
                .isInstanceOf(StateException.class).hasMessageContaining("state is damaged");
        assertThatThrownBy(() -> State.fromBytes(new byte[5])).isInstanceOf(StateException.class)
                .hasMessageContaining("too short");
        byte[] png = ok.clone();
        png[0] = (byte) 0x89;
        assertThatThrownBy(() -> State.fromBytes(png)).isInstanceOf(StateException.class)
                .hasMessageContaining("not a jkeras state");
        byte[] v2 = ok.clone();
        v2[4] = 2;
        assertThatThrownBy(() -> State.fromBytes(v2)).isInstanceOf(StateException.class)
                .hasMessageContaining("version 2 is not supported");
    }

    @Test
    void aSnapshotIsDetachedFromTheSessionThatGoesOn() {
        Model m = model("lstm_stateful");
        Session s = m.newSession();
        s.step(new float[][]{{0.5f, -0.25f, 1f}, {1f, 2f, 3f}});
        State st = s.snapshot();
        byte[] before = st.toBytes();
        s.step(new float[][]{{1f, 1f, 1f}, {1f, 1f, 1f}});
        assertThat(st.toBytes()).isEqualTo(before);
        assertThat(st.layerCount()).isEqualTo(1);
    }
}

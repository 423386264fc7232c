package io.jkeras.layers;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The engine's tiled gate layout: packing is a pure, invertible column permutation plus zero padding. */
class GatePanelTest {

    static Stream<Arguments> layouts() {
        return IntStream.of(1, 15, 16, 17, 33, 128).boxed().flatMap(u ->
                IntStream.of(1, 3, 4).boxed().flatMap(g ->
                        IntStream.of(1, 5).mapToObj(r -> Arguments.of(u, g, r))));
    }

    /** Bit patterns a plain float copy must preserve: signed zeros, NaN payloads, infinities, subnormals. */
    static final int[] SPECIAL_BITS = {
        0x80000000, 0x00000000, 0x7fc00000, 0x7fc12345, 0xffc00001, 0x7f800001, 0xff812345,
        0x7f800000, 0xff800000, 0x00000001, 0x807fffff, 0x7f7fffff
    };

    @ParameterizedTest(name = "units={0} gates={1} rows={2}")
    @MethodSource("layouts")
    void packThenUnpackIsBitExact(int units, int gates, int rows) {
        GatePanel p = new GatePanel(units, gates);
        SplittableRandom rnd = new SplittableRandom(units * 131L + gates * 7L + rows);
        float[] w = new float[rows * gates * units];
        for (int i = 0; i < w.length; i++) {
            w[i] = i < SPECIAL_BITS.length ? Float.intBitsToFloat(SPECIAL_BITS[i])
                    : Float.intBitsToFloat(rnd.nextInt());
        }
        float[] packed = p.pack(w, rows);
        assertThat(packed).hasSize(rows * p.width());
        float[] back = p.unpack(packed, rows);
        assertThat(back).hasSize(w.length);
        for (int i = 0; i < w.length; i++) {
            assertThat(Float.floatToRawIntBits(back[i])).as("element %d", i).isEqualTo(Float.floatToRawIntBits(w[i]));
        }
        // every element lands where column() says
        for (int r = 0; r < rows; r++) {
            for (int g = 0; g < gates; g++) {
                for (int u = 0; u < units; u++) {
                    assertThat(Float.floatToRawIntBits(packed[r * p.width() + p.column(g, u)]))
                            .isEqualTo(Float.floatToRawIntBits(w[r * gates * units + g * units + u]));
                }
            }
        }
    }

    @ParameterizedTest(name = "units={0} gates={1} rows={2}")
    @MethodSource("layouts")
    void columnIsABijectionOntoTheNonPaddedColumnsAndPaddingIsZero(int units, int gates, int rows) {
        GatePanel p = new GatePanel(units, gates);
        int tiles = (units + GatePanel.BLOCK - 1) / GatePanel.BLOCK;
        assertThat(p.tiles()).isEqualTo(tiles);
        assertThat(p.width()).isEqualTo(tiles * gates * GatePanel.BLOCK);
        assertThat(p.units()).isEqualTo(units);
        assertThat(p.gates()).isEqualTo(gates);

        int[] owner = new int[p.width()];
        java.util.Arrays.fill(owner, -1);
        for (int g = 0; g < gates; g++) {
            for (int u = 0; u < units; u++) {
                int c = p.column(g, u);
                assertThat(c).as("column(%d,%d)", g, u).isBetween(0, p.width() - 1);
                assertThat(owner[c]).as("column %d claimed twice", c).isEqualTo(-1);
                owner[c] = g * units + u;
                // tile j = u / B holds every gate of units [jB, (j+1)B)
                assertThat(c / (gates * GatePanel.BLOCK)).isEqualTo(u / GatePanel.BLOCK);
                assertThat(c % GatePanel.BLOCK).isEqualTo(u % GatePanel.BLOCK);
            }
        }
        long used = java.util.Arrays.stream(owner).filter(o -> o >= 0).count();
        assertThat(used).isEqualTo((long) gates * units);
        // the unused columns are exactly the units past H in the last tile
        for (int c = 0; c < p.width(); c++) {
            int unit = (c / (gates * GatePanel.BLOCK)) * GatePanel.BLOCK + c % GatePanel.BLOCK;
            assertThat(owner[c] < 0).as("column %d padded", c).isEqualTo(unit >= units);
        }

        // padded columns of a packed matrix are +0.0 even when every input is NaN
        float[] w = new float[rows * gates * units];
        java.util.Arrays.fill(w, Float.intBitsToFloat(0xffc00001));
        float[] packed = p.pack(w, rows);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < p.width(); c++) {
                int bits = Float.floatToRawIntBits(packed[r * p.width() + c]);
                if (owner[c] < 0) assertThat(bits).as("padding r=%d c=%d", r, c).isZero();
                else assertThat(bits).isEqualTo(0xffc00001);
            }
        }
    }

    @Test
    void oneGateKeepsColumnOrder() {
        GatePanel p = new GatePanel(40, 1);
        for (int u = 0; u < 40; u++) assertThat(p.column(0, u)).isEqualTo(u);
    }

    @Test
    void rejectsWrongSizesAndNonPositiveDimensions() {
        GatePanel p = new GatePanel(5, 4);
        assertThatThrownBy(() -> p.pack(new float[19], 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> p.unpack(new float[p.width() - 1], 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GatePanel(0, 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GatePanel(4, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}

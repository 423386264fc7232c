package io.jkeras.kernels;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The register tiles of the Vector API product ({@code GemmVector}): the tile height follows the machine's
 * vector registers, and every height gives the same products bit for bit, so the choice changes the speed
 * and never a result (whatever machine or {@code -XX:UseAVX} setting the tests run under).
 */
class GemmTilesTest {

    @BeforeAll
    static void needsTheVectorModule() {
        assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
                "the Vector API kernels need --add-modules jdk.incubator.vector");
    }

    @ParameterizedTest(name = "{0} registers")
    @ValueSource(ints = {16, 32})
    void tileKeepsItsAccumulatorsTheVectorsOfBAndTheBroadcastInRegisters(int registers) {
        int rows = GemmVector.rowsFor(registers);
        assertThat(rows * GemmVector.NV + GemmVector.NV + 1).isLessThanOrEqualTo(registers);
        assertThat(rows).isBetween(1, GemmVector.MR);
    }

    @Test
    void thirtyTwoRegistersTakeTheTallestTile() {
        assertThat(GemmVector.rowsFor(32)).isEqualTo(GemmVector.MR);
    }

    @Test
    void theKernelOfThisMachineUsesTheTileForItsRegisters() {
        assertThat(new GemmVector().rowGrain()).isEqualTo(GemmVector.rowsFor(GemmVector.vectorRegisters()));
    }

    @Test
    void tileHeightsWithoutAMethodAreRefused() {
        assertThatThrownBy(() -> new GemmVector(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got 0");
        assertThatThrownBy(() -> new GemmVector(GemmVector.MR + 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[1, " + GemmVector.MR + "]");
    }

    /**
     * Each tile height against the tallest, bit for bit, in every form and with B packed, on row counts
     * that leave every remainder of a tile, and against the double reference.
     */
    @ParameterizedTest(name = "{0} rows")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9})
    void everyTileHeightGivesTheProductsOfTheTallestBitForBit(int rows) {
        Gemm.Kernel tile = new GemmVector(rows), tallest = new GemmVector(GemmVector.MR);
        SplittableRandom rnd = new SplittableRandom(rows);
        for (int op : new int[]{Gemm.NN, Gemm.TN, Gemm.NT}) {
            for (int m : new int[]{1, 2, 7, 31, 65}) {
                for (int n : new int[]{9, 33, 70}) {
                    for (int k : new int[]{1, 40, 257}) {
                        float[] a = random(rnd, m * k), b = random(rnd, k * n), c0 = random(rnd, m * n);
                        int lda = op == Gemm.TN ? m : k, ldb = op == Gemm.NT ? k : n;
                        float[] got = c0.clone(), want = c0.clone(), ref = c0.clone();
                        Gemm.run(tile, op, m, n, k, a, 0, lda, b, 0, ldb, got, 0, n, true, 1);
                        Gemm.run(tallest, op, m, n, k, a, 0, lda, b, 0, ldb, want, 0, n, true, 1);
                        String what = "op " + op + ", " + m + "×" + n + "×" + k;
                        assertThat(got).as(what).isEqualTo(want);
                        reference(op, m, n, k, a, lda, b, ldb, ref);
                        // |a|, |b|, |c| ≤ 1: a float sum of k + 1 terms is off by at most ~(k + 2)·eps·(k + 1)
                        double tol = (k + 2) * 1.2e-7 * (k + 1);
                        for (int i = 0; i < ref.length; i++) {
                            assertThat((double) got[i]).as(what + " at " + i)
                                    .isCloseTo(ref[i], org.assertj.core.data.Offset.offset(tol));
                        }
                        if (op == Gemm.NN) {
                            float[] pb = tallest.pack(n, k, b, 0, ldb), packed = c0.clone(), wantPacked = c0.clone();
                            tile.productPacked(m, n, k, a, 0, lda, pb, packed, 0, n, true);
                            tallest.productPacked(m, n, k, a, 0, lda, pb, wantPacked, 0, n, true);
                            assertThat(packed).as(what + ", B packed").isEqualTo(wantPacked);
                        }
                    }
                }
            }
        }
    }

    private static void reference(int op, int m, int n, int k, float[] a, int lda, float[] b, int ldb, float[] c) {
        if (op == Gemm.NN) Gemm.reference(m, n, k, a, 0, lda, b, 0, ldb, c, 0, n, true);
        else if (op == Gemm.TN) Gemm.referenceAtB(m, n, k, a, 0, lda, b, 0, ldb, c, 0, n, true);
        else Gemm.referenceABt(m, n, k, a, 0, lda, b, 0, ldb, c, 0, n, true);
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (rnd.nextDouble() * 2 - 1);
        return v;
    }
}

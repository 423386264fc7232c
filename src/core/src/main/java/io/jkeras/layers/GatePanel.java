package io.jkeras.layers;

/**
 * The engine's layout for fused gate matrices, chosen for the recurrence.
 *
 * <p>Keras stores a recurrent layer's G gates side by side: columns {@code [g·H, (g+1)·H)} of
 * {@code kernel}, {@code recurrent_kernel} and {@code bias} belong to gate g (LSTM i|f|c|o,
 * GRU z|r|h). The engine reorders the columns into tiles of {@link #BLOCK} units: tile j holds,
 * for each gate g in order, the columns of units {@code [j·B, (j+1)·B)}. Column
 * {@code (j·G + g)·B + u} is gate g of unit {@code j·B + u}. The last tile is padded with zero
 * columns when H is not a multiple of B.
 *
 * <p>Why: one recurrent step is {@code z += h_k · U[k, :]} over k. With this layout the G·B
 * accumulators of one tile are contiguous and hold every gate of B units, so a kernel can keep
 * them in registers for the whole sum over k and apply the gate nonlinearities before writing
 * anything back; a tile is also the unit of work split between threads. The input projection of
 * all timesteps is a single matrix product whose output lands in the same column order, so the
 * time loop adds it to the accumulators without any shuffling.
 *
 * <p>Packing and unpacking are pure copies: unpack(pack(w)) equals w bit for bit.
 */
public final class GatePanel {
    /** Units per tile: one 512-bit vector of float32. */
    public static final int BLOCK = 16;

    private final int units;
    private final int gates;
    private final int tiles;

    public GatePanel(int units, int gates) {
        if (units <= 0) throw new IllegalArgumentException("units must be positive, got " + units);
        if (gates <= 0) throw new IllegalArgumentException("gates must be positive, got " + gates);
        this.units = units;
        this.gates = gates;
        this.tiles = (units + BLOCK - 1) / BLOCK;
    }

    public int units() { return units; }

    public int gates() { return gates; }

    public int tiles() { return tiles; }

    /** Padded row width: tiles · gates · BLOCK. */
    public int width() { return tiles * gates * BLOCK; }

    /** Column of gate g, unit u in the panel layout. */
    public int column(int gate, int unit) {
        return ((unit / BLOCK) * gates + gate) * BLOCK + unit % BLOCK;
    }

    /** Packs a row-major (rows × gates·units) Keras-layout matrix (rows = 1 for a bias). */
    public float[] pack(float[] fused, int rows) {
        int gu = gates * units;
        if (fused.length != rows * gu) {
            throw new IllegalArgumentException("expected " + rows + "×" + gu + " values, got " + fused.length);
        }
        int w = width();
        float[] out = new float[rows * w];
        // one copy per run of BLOCK units: a run is contiguous on both sides
        for (int r = 0; r < rows; r++) {
            for (int g = 0; g < gates; g++) {
                for (int j = 0; j < tiles; j++) {
                    System.arraycopy(fused, r * gu + g * units + j * BLOCK, out, r * w + (j * gates + g) * BLOCK,
                            Math.min(BLOCK, units - j * BLOCK));
                }
            }
        }
        return out;
    }

    /** Inverse of {@link #pack}: back to the row-major (rows × gates·units) fused layout. */
    public float[] unpack(float[] panel, int rows) {
        int w = width();
        if (panel.length != rows * w) {
            throw new IllegalArgumentException("expected " + rows + "×" + w + " values, got " + panel.length);
        }
        int gu = gates * units;
        float[] out = new float[rows * gu];
        for (int r = 0; r < rows; r++) {
            for (int g = 0; g < gates; g++) {
                for (int j = 0; j < tiles; j++) {
                    System.arraycopy(panel, r * w + (j * gates + g) * BLOCK, out, r * gu + g * units + j * BLOCK,
                            Math.min(BLOCK, units - j * BLOCK));
                }
            }
        }
        return out;
    }

    /**
     * Takes {@code packed} as a (rows × width) matrix already in this layout (rows = 1 for a bias),
     * as the native format stores it: checks its length and that every padding column is zero, so
     * that it holds exactly what {@link #pack} of some Keras-layout matrix would, and returns it
     * without copying.
     */
    public float[] adopt(String layer, String weight, float[] packed, int rows) {
        int w = width();
        if (packed == null || packed.length != (long) rows * w) {
            throw new io.jkeras.exceptions.WeightException(null, layer, weight, "expected " + (long) rows * w
                    + " values for " + rows + " row(s) of "
                    + w + " columns in the GatePanel layout (" + units + " units, " + gates + " gate(s), tiles of "
                            + BLOCK + "), got "
                    + (packed == null ? "none" : Integer.toString(packed.length)));
        }
        int used = units - (tiles - 1) * BLOCK;
        if (used < BLOCK) {
            for (int r = 0; r < rows; r++) {
                for (int g = 0; g < gates; g++) {
                    int from = r * w + ((tiles - 1) * gates + g) * BLOCK;
                    for (int c = from + used; c < from + BLOCK; c++) {
                        if (Float.floatToRawIntBits(packed[c]) != 0) {
                            throw new io.jkeras.exceptions.WeightException(null, layer, weight, "holds " + packed[c]
                                    + " in padding column " + (c - r * w)
                                    + " of row " + r + "; padding columns of the GatePanel layout are zero");
                        }
                    }
                }
            }
        }
        return packed;
    }

    /** A (rows × width) matrix of this layout as a weight of that shape; no copy. */
    public Weight matrix(String name, float[] packed,
            int rows) { return new Weight(name, new int[]{rows, width()}, packed); }

    /**
     * A recurrent layer's {@code kernel} (inputSize × width), {@code recurrent_kernel} (units ×
     * width) and, unless null, {@code bias} (width) in this layout, as weights; no copies.
     */
    public java.util.List<Weight> weights(float[] kernel, int inputSize, float[] recurrentKernel, float[] bias) {
        java.util.List<Weight> w = new java.util.ArrayList<>();
        w.add(matrix("kernel", kernel, inputSize));
        w.add(matrix("recurrent_kernel", recurrentKernel, units));
        if (bias != null) w.add(vector("bias", bias));
        return w;
    }

    /** A row of this layout (a bias) as a weight of shape (width); no copy. */
    public Weight vector(String name, float[] packed) { return new Weight(name, new int[]{width()}, packed); }

    /**
     * Applies {@code a} in place to gate {@code g} of one panel row starting at {@code off}: tile
     * by tile for element-wise functions, gathered over all units for row-wise ones (softmax).
     */
    public void activate(io.jkeras.kernels.Activation a, float[] row, int off, int g, float[] scratch) {
        if (a.elementwise()) {
            for (int j = 0; j < tiles; j++) {
                int n = Math.min(BLOCK, units - j * BLOCK);
                io.jkeras.kernels.FastMath.activate(a, row, off + (j * gates + g) * BLOCK, n);
            }
        } else {
            for (int u = 0; u < units; u++) scratch[u] = row[off + column(g, u)];
            a.apply(scratch, 0, units);
            for (int u = 0; u < units; u++) row[off + column(g, u)] = scratch[u];
        }
    }
}

package io.jkeras.kernels;

/**
 * The recurrent product of one timestep, {@code z[zOff, zOff+width) += Σ_k h[hOff + k] · u[k·width, (k+1)·width)}
 * (also the input projection of one row),
 * in two implementations: {@link #SCALAR}, the portable reference (an axpy per row), and a Vector
 * API kernel ({@code VectorProduct}) that holds the accumulators of a tile in vector registers over
 * the whole sum. {@link #BEST} is the vector kernel when the JVM runs with
 * {@code --add-modules jdk.incubator.vector} (Java 17 or later) and {@code -Djkeras.scalar=true} is
 * not set; otherwise, or if the kernel cannot load, the scalar one.
 */
public final class RecurrentKernels {
    /** {@code z[zOff, zOff+width) += Σ_{k<rows} h[hOff+k] · u[k·width ..]}. */
    @FunctionalInterface
    public interface Product {
        void accumulate(float[] h, int hOff, int rows, float[] u, int width, float[] z, int zOff);

        default void accumulate(float[] h, int hOff, int rows, float[] u, int width, float[] z) {
            accumulate(h, hOff, rows, u, width, z, 0);
        }
    }

    public static final Product SCALAR = (h, hOff, rows, u, width, z, zOff) -> {
        for (int k = 0; k < rows; k++) Gemm.axpy(width, h[hOff + k], u, k * width, z, zOff);
    };

    private static final String[] ANNOUNCEMENT = new String[1];
    private static final System.Logger.Level[] ANNOUNCEMENT_LEVEL = {System.Logger.Level.DEBUG};

    public static final Product BEST = announce(load());

    private RecurrentKernels() {}

    /** Which implementation {@link #BEST} is: {@code vector (S_512_BIT)} or {@code scalar}. */
    public static String best() {
        return BEST == SCALAR ? "scalar" : BEST.toString();
    }

    /**
     * Says once, through {@link System.Logger} (logger {@code io.jkeras.kernels}), which kernels
     * run: at DEBUG the kernel, its vector width and the thread count; at WARNING when the scalar
     * fallback runs because the JVM lacks the Vector API module (a service then runs several times
     * slower than it could: add {@code --add-modules jdk.incubator.vector} to its java command).
     */
    private static Product announce(Product p) {
        System.getLogger("io.jkeras.kernels").log(ANNOUNCEMENT_LEVEL[0], ANNOUNCEMENT[0] = announcement(p));
        return p;
    }

    private static String announcement(Product p) {
        String threads = Integer.getInteger("jkeras.threads", Runtime.getRuntime().availableProcessors()) + " thread(s)";
        if (p == SCALAR && !Boolean.getBoolean("jkeras.scalar")
                && ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            ANNOUNCEMENT_LEVEL[0] = System.Logger.Level.WARNING;
            return "jkeras runs its scalar kernels: this JVM lacks the Vector API module; add --add-modules "
                    + "jdk.incubator.vector to the java command for the vector kernels (" + threads + ")";
        }
        return "jkeras kernels: " + (p == SCALAR ? "scalar (-Djkeras.scalar=true)" : p.toString()) + ", " + threads;
    }

    /** The line logged when the kernels were chosen, and its level (WARNING for the fallback forced by a missing module). */
    public static String announced() { return ANNOUNCEMENT_LEVEL[0] + " " + ANNOUNCEMENT[0]; }

    private static Product load() {
        if (Boolean.getBoolean("jkeras.scalar")) return SCALAR;
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) return SCALAR;
        try {
            return (Product) Class.forName("io.jkeras.kernels.VectorProduct").getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return SCALAR;
        }
    }
}

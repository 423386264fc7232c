package io.jkeras.kernels;

/**
 * The one choice of kernels for every fast path: the matrix products ({@link Gemm}), the fused
 * recurrent cells ({@link CellKernels}, forward for inference and training, and backward) and the
 * recurrent product ({@link RecurrentKernels}). Immutable; two instances exist:
 * <ul>
 *   <li>{@link #scalar()}: the portable kernels, on every JVM;</li>
 *   <li>{@link #best()}: the Vector API kernels when the JVM runs with
 *   {@code --add-modules jdk.incubator.vector} and {@code -Djkeras.scalar=true} is not set, otherwise
 *   (or if a vector kernel cannot load on this machine, for that path) the scalar ones. Decided once,
 *   at first use, and announced once through {@link System.Logger} (logger {@code io.jkeras.kernels}):
 *   at DEBUG the kernel, its vector width and the default thread count; at WARNING when the scalar
 *   fallback runs because the module is missing (a service then runs several times slower than it
 *   could: add {@code --add-modules jdk.incubator.vector} to its java command).</li>
 * </ul>
 * A model runs the kernels of its {@link Engine} ({@code Model.withEngine}), so one model can be
 * forced onto the scalar path without a system property.
 */
public final class Kernels {
    /** The system property that forces {@link #best()} to the scalar kernels. */
    public static final String SCALAR_PROPERTY = "jkeras.scalar";

    private static final String VECTOR_MODULE = "jdk.incubator.vector";

    final Gemm.Kernel gemm;
    /** The cell kernels, or null for the vector ones, made at first use ({@link VectorCellsHolder}). */
    private final CellKernels cells;
    private final RecurrentKernels.Product recurrent;

    private Kernels(Gemm.Kernel gemm, CellKernels cells, RecurrentKernels.Product recurrent) {
        this.gemm = gemm;
        this.cells = cells;
        this.recurrent = recurrent;
    }

    /** The portable kernels. */
    public static Kernels scalar() { return Scalar.KERNELS; }

    /** The fastest kernels this JVM can run, chosen once (see the class comment). */
    public static Kernels best() { return Best.KERNELS; }

    private static final class Scalar {
        static final Kernels KERNELS = new Kernels(Gemm.SCALAR, CellKernels.scalar(), RecurrentKernels.SCALAR);
    }

    /**
     * The vector cell kernels, made at first use rather than when the choice is made: layers are built
     * (and their weights packed for {@link Gemm}) when a model loads, and a model loaded in a fresh JVM
     * should pay for initialising these on its first prediction, not in its load.
     */
    private static final class VectorCellsHolder {
        static final CellKernels KERNELS = usable(vector("VectorCells", CellKernels.class, CellKernels.scalar()));

        private static CellKernels usable(CellKernels c) { return c.usable() ? c : CellKernels.scalar(); }
    }

    private static final class Best {
        static final Kernels KERNELS = load();
        static final System.Logger.Level LEVEL = level(KERNELS);
        static final String ANNOUNCEMENT = announce(KERNELS, LEVEL);
    }

    /** The fused recurrent cell kernels (inference and the fused training step). */
    public CellKernels cells() { return cells != null ? cells : VectorCellsHolder.KERNELS; }

    /** The recurrent product of one timestep. */
    public RecurrentKernels.Product recurrent() { return recurrent; }

    /** Whether these are {@link #scalar()} (what {@link #best()} is when the JVM lacks the Vector API module). */
    public boolean isScalar() {
        return this == scalar();
    }

    /** Which kernel each path runs, by path: {@code gemm}, {@code cells}, {@code recurrent}. */
    public java.util.Map<String, String> paths() {
        return java.util.Map.of("gemm", gemm.toString(), "cells", cells().toString(),
                "recurrent", recurrent.toString());
    }

    /** {@code scalar}, or the recurrent kernel's name with its vector width, e.g. {@code vector (S_512_BIT)}. */
    @Override
    public String toString() { return recurrent.toString(); }

    /** The line {@link #best()} logged when it was chosen: the kernels, their vector width and the threads. */
    public static String summary() { return Best.ANNOUNCEMENT; }

    /** The line {@link #best()} logged when it was chosen, prefixed by its level (WARNING for a missing module). */
    public static String announced() { return Best.LEVEL + " " + Best.ANNOUNCEMENT; }

    private static boolean moduleMissing() { return ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty(); }

    private static Kernels load() {
        if (Boolean.getBoolean(SCALAR_PROPERTY) || moduleMissing()) return scalar();
        Gemm.Kernel g = vector("GemmVector", Gemm.Kernel.class, Gemm.SCALAR);
        RecurrentKernels.Product p = vector("VectorProduct", RecurrentKernels.Product.class, RecurrentKernels.SCALAR);
        boolean none = g == Gemm.SCALAR && p == RecurrentKernels.SCALAR;
        return none ? scalar() : new Kernels(g, null, p);
    }

    /** The Vector API implementation {@code name} of this package, or {@code fallback} if it cannot load. */
    private static <T> T vector(String name, Class<T> type, T fallback) {
        try {
            return type.cast(Class.forName("io.jkeras.kernels." + name).getDeclaredConstructor().newInstance());
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return fallback;
        }
    }

    private static System.Logger.Level level(Kernels k) {
        boolean forcedByModule = k.recurrent == RecurrentKernels.SCALAR && !Boolean.getBoolean(SCALAR_PROPERTY)
                && moduleMissing();
        return forcedByModule ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG;
    }

    private static String announce(Kernels k, System.Logger.Level level) {
        String threads = Threads.defaultCount() + " thread(s)";
        String line;
        if (level == System.Logger.Level.WARNING) {
            line = "jkeras runs its scalar kernels: this JVM lacks the Vector API module; add --add-modules "
                    + VECTOR_MODULE + " to the java command for the vector kernels (" + threads + ")";
        } else {
            line = "jkeras kernels: " + (k.recurrent == RecurrentKernels.SCALAR ? "scalar (-Djkeras.scalar=true)" : k)
                    + ", " + threads;
        }
        System.getLogger("io.jkeras.kernels").log(level, line);
        return line;
    }
}

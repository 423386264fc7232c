package io.jkeras.kernels;

/**
 * Per-thread reusable work arrays, so that repeated inference does not allocate its scratch space
 * on every call. An array is taken out of its slot while in use (a nested use of the same slot
 * gets a fresh array) and put back by {@link #release}; arrays larger than {@link #MAX_KEPT}
 * floats are not kept. Contents of a returned array are arbitrary.
 */
public final class Workspace {
    public static final int XP = 0, H = 1, WORK = 2, M = 3;
    /** First of the slots for a recurrent layer's states (one per state). */
    public static final int STATE0 = 4;
    /** A recurrent layer's last output when it returns the sequence. */
    public static final int LAST = 6;
    private static final int SLOTS = 8;

    /** Largest array kept per slot (floats): 4 MiB. */
    public static final long MAX_KEPT = 1L << 20;

    private static final ThreadLocal<Workspace> LOCAL = ThreadLocal.withInitial(Workspace::new);

    private final float[][] slots = new float[SLOTS][];
    /** Arrays of {@code n} array references (a recurrent layer's states), index n; see {@link #arrays}. */
    private final float[][][] arrays = new float[4][][];

    private Workspace() {}

    /** The calling thread's workspace. */
    public static Workspace get() { return LOCAL.get(); }

    /** An array of at least {@code n} floats for {@code slot}. */
    public float[] floats(int slot, long n) {
        float[] a = slots[slot];
        if (a != null && a.length >= n) {
            slots[slot] = null;
            return a;
        }
        if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("work array too large: " + n + " floats");
        return new float[(int) n];
    }

    /** Gives {@code a} back to {@code slot} for later calls on this thread. */
    public void release(int slot, float[] a) {
        if (a.length <= MAX_KEPT) slots[slot] = a;
    }

    /**
     * An array of {@code n} null references, e.g. for a recurrent layer's states; give it back by
     * {@link #release(float[][])}.
     */
    public float[][] arrays(int n) {
        float[][] a = n < arrays.length ? arrays[n] : null;
        if (a == null) return new float[n][];
        arrays[n] = null;
        return a;
    }

    /** Gives {@code a} (from {@link #arrays}) back for later calls on this thread; its references are cleared. */
    public void release(float[][] a) {
        java.util.Arrays.fill(a, null);
        if (a.length < arrays.length) arrays[a.length] = a;
    }
}

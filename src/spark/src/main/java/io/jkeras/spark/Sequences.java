package io.jkeras.spark;

import io.jkeras.exceptions.InputException;

import java.util.List;

/**
 * Reads one cell of an input column into a model input's sample: nested arrays ({@code array<array<float>>} for
 * timesteps × features, as deep as the input's rank), or a flat {@code array<float>} in C order with the input's
 * declared shape (one unknown dimension, e.g. a variable time axis, inferred from the length). Elements may be any
 * Spark number: float, double, int (Embedding ids), long, short, byte. Spark hands arrays over as Java lists,
 * Scala sequences or Java arrays; all are read.
 */
final class Sequences {
    private Sequences() {}

    /** One decoded sample: its values in C order and its shape (batch left out). */
    record Sample(float[] values, int[] shape) {}

    /**
     * Decodes {@code cell} for an input of sample shape {@code dims} (-1 where not fixed). With {@code shortOk},
     * a sequence shorter than a fixed time axis is accepted (it will be padded).
     *
     * @throws BadRow naming what is wrong, for the caller to fail or null the row
     */
    static Sample read(Object cell, int[] dims, boolean shortOk) {
        if (cell == null) throw new BadRow("is null");
        Object[] top = null;
        Object prim = primitive(cell);
        if (prim == null) top = objects(cell);
        boolean nested = dims.length > 1 && prim == null && top.length > 0 && !(top[0] instanceof Number);
        if (nested) return readNested(top, dims, shortOk);
        return readFlat(prim != null ? prim : top, dims, shortOk);
    }

    private static Sample readFlat(Object arr, int[] dims, boolean shortOk) {
        int n = length(arr);
        int known = 1, unknown = -1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0) unknown = i;
            else known *= dims[i];
        }
        int[] shape = dims.clone();
        if (unknown >= 0) {
            if (known == 0 || n % known != 0) {
                throw new BadRow("holds " + n + " values, not a whole number of samples of shape " + shapeOf(dims));
            }
            shape[unknown] = n / known;
        } else if (n != known) {
            int rest = known / Math.max(dims[0], 1);
            if (!(shortOk && rest > 0 && n < known && n % rest == 0)) {
                throw new BadRow("holds " + n + " values, the input's shape " + shapeOf(dims) + " takes " + known);
            }
            shape[0] = n / rest;
        }
        float[] out = new float[n];
        copy(arr, out, 0, "");
        return new Sample(out, shape);
    }

    private static Sample readNested(Object[] top, int[] dims, boolean shortOk) {
        int[] shape = new int[dims.length];
        shape[0] = top.length;
        if (dims[0] >= 0 && top.length != dims[0] && !(shortOk && top.length < dims[0])) {
            throw new BadRow("has " + top.length + " timesteps, the input takes " + dims[0]);
        }
        java.util.Arrays.fill(shape, 1, shape.length, -1);
        long total = top.length;
        for (int k = 1; k < dims.length; k++) total *= Math.max(dims[k], 0);
        float[] out = new float[(int) Math.min(total, Integer.MAX_VALUE)];
        int[] pos = {0};
        out = fill(top, 0, dims, shape, out, pos, "");
        return new Sample(pos[0] == out.length ? out : java.util.Arrays.copyOf(out, pos[0]), shape);
    }

    /** Copies level {@code level} (already unpacked as {@code items}) into out, fixing shape[level+1…] as it goes. */
    private static float[] fill(Object[] items, int level, int[] dims, int[] shape, float[] out, int[] pos,
            String where) {
        boolean leaf = level == dims.length - 2;
        for (int j = 0; j < items.length; j++) {
            String at = where + "[" + j + "]";
            Object item = items[j];
            if (item == null) throw new BadRow("is null at " + at);
            Object arr = primitive(item);
            if (arr == null) arr = objects(item);
            int n = length(arr);
            int want = shape[level + 1];
            if (want < 0) {
                if (dims[level + 1] >= 0 && n != dims[level + 1]) {
                    throw new BadRow("has " + n + " " + axisName(level + 1, dims.length) + " at " + at
                            + ", the input takes " + dims[level + 1]);
                }
                shape[level + 1] = n;
            } else if (n != want) {
                throw new BadRow("is ragged: " + n + " " + axisName(level + 1, dims.length) + " at " + at + ", "
                        + want + " before");
            }
            if (leaf) {
                if (pos[0] + n > out.length) out = java.util.Arrays.copyOf(out, Math.max(out.length * 2, pos[0] + n));
                copy(arr, out, pos[0], at);
                pos[0] += n;
            } else {
                if (arr instanceof Object[] o) out = fill(o, level + 1, dims, shape, out, pos, at);
                else throw new BadRow("holds numbers at " + at + " where the input takes arrays");
            }
        }
        return out;
    }

    private static String axisName(int axis, int rank) {
        if (axis == rank - 1) return "features";
        return axis == 0 ? "timesteps" : "values on axis " + axis;
    }

    static String shapeOf(int[] dims) {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < dims.length; i++) b.append(i > 0 ? ", " : "").append(dims[i] < 0 ? "None" : dims[i]);
        return b.append(dims.length == 1 ? ",)" : ")").toString();
    }

    /** A primitive array behind {@code v} (a Java array or a Scala ArraySeq over one), else null. */
    private static Object primitive(Object v) {
        if (v instanceof float[] || v instanceof double[] || v instanceof int[] || v instanceof long[]) return v;
        if (v instanceof scala.collection.mutable.ArraySeq<?> s) {
            Object a = s.array();
            return a instanceof Object[] ? null : a;
        }
        if (v instanceof scala.collection.immutable.ArraySeq<?> s) {
            Object a = s.unsafeArray();
            return a instanceof Object[] ? null : a;
        }
        return null;
    }

    /** The elements of a list, Scala sequence or object array. */
    private static Object[] objects(Object v) {
        if (v instanceof Object[] a) return a;
        if (v instanceof List<?> l) return l.toArray();
        if (v instanceof scala.collection.mutable.ArraySeq<?> s && s.array() instanceof Object[] a) return a;
        if (v instanceof scala.collection.immutable.ArraySeq<?> s && s.unsafeArray() instanceof Object[] a) return a;
        if (v instanceof scala.collection.Iterable<?> s) {
            List<Object> l = new java.util.ArrayList<>();
            scala.jdk.javaapi.CollectionConverters.asJava(s).forEach(l::add);
            return l.toArray();
        }
        throw new BadRow("holds a " + v.getClass().getSimpleName() + " where the input takes an array");
    }

    private static int length(Object arr) {
        return arr instanceof Object[] o ? o.length : java.lang.reflect.Array.getLength(arr);
    }

    private static void copy(Object arr, float[] out, int at, String where) {
        if (arr instanceof float[] f) {
            System.arraycopy(f, 0, out, at, f.length);
        } else if (arr instanceof double[] d) {
            for (int i = 0; i < d.length; i++) out[at + i] = (float) d[i];
        } else if (arr instanceof int[] d) {
            for (int i = 0; i < d.length; i++) out[at + i] = d[i];
        } else if (arr instanceof long[] d) {
            for (int i = 0; i < d.length; i++) out[at + i] = d[i];
        } else {
            Object[] o = (Object[]) arr;
            for (int i = 0; i < o.length; i++) {
                if (o[i] instanceof Number n) out[at + i] = n.floatValue();
                else if (o[i] == null) throw new BadRow("is null at " + where + "[" + i + "]");
                else throw new BadRow("holds a " + o[i].getClass().getSimpleName() + " at " + where + "[" + i
                        + "] where the input takes numbers");
            }
        }
    }

    /** A cell that cannot be scored; its message completes "column 'x' of row …". */
    static final class BadRow extends InputException {
        private static final long serialVersionUID = 1L;

        BadRow(String detail) { super(detail); }
    }
}

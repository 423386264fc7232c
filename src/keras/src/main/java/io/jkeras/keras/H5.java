package io.jkeras.keras;

import io.jkeras.model.LoadOptions;
import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.exceptions.HdfException;
import io.jkeras.exceptions.ModelFileException;
import io.jkeras.exceptions.ModelFormatException;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The only place that talks to jhdf: opening files, reading string attributes (fixed-length bytes,
 * variable-length UTF-8, scalars and arrays, chunked {@code name0, name1, …} lists) and float
 * datasets. Every jhdf failure becomes a {@link ModelFileException} naming the file.
 */
final class H5 {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    private H5() {}

    /** Refuses a missing file, and names what a directory, FIFO or device given as a model file is (never read). */
    static void requireRegularFile(Path path, String label) {
        String problem = io.jkeras.util.FileKind.problem(path, "a model file");
        if (problem != null) throw new ModelFileException(label, null, null, problem, null);
    }

    static HdfFile open(Path path, String label) {
        requireRegularFile(path, label);
        if (!Files.isReadable(path)) throw new ModelFileException(label, null, null, "file is not readable", null);
        try {
            checkSignature(readHead(path), label);
            long size = Files.size(path);
            if (size <= Integer.MAX_VALUE - 16) {
                // Mapped, as jhdf reads a byte array: a length field claiming gigabytes then fails as
                // out of bounds at once. Through a FileChannel, jhdf would first allocate a buffer of
                // the claimed length and fill what the file has (found by fuzzing: 15 s per object
                // header claiming 2 GB). Nothing is copied; the pages are the file's.
                try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(path,
                        java.nio.file.StandardOpenOption.READ)) {
                    return checkComplete(
                            HdfFile.fromByteBuffer(ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, size)),
                                    label);
                }
            }
            return checkComplete(new HdfFile(path), label);
        } catch (HdfException | IllegalArgumentException | IllegalStateException | IndexOutOfBoundsException
                 | ArithmeticException | java.nio.BufferUnderflowException | OutOfMemoryError e) {
            throw corrupt(label, e);
        } catch (IOException e) {
            throw new ModelFileException(label, null, null, "cannot read: " + e.getMessage(), e);
        }
    }

    static HdfFile open(byte[] bytes, String label) {
        try {
            checkSignature(bytes, label);
            return checkComplete(HdfFile.fromBytes(bytes), label);
        } catch (HdfException | IllegalArgumentException | IllegalStateException | IndexOutOfBoundsException
                 | ArithmeticException | java.nio.BufferUnderflowException | OutOfMemoryError e) {
            throw corrupt(label, e);
        }
    }

    /**
     * Refuses a file shorter than the end-of-file address its superblock records (a partial copy),
     * as the HDF5 library does; jhdf alone would read such a file while its missing tail is unused.
     */
    private static HdfFile checkComplete(HdfFile f, String label) {
        var storage = f.getHdfBackingStorage();
        var sb = storage.getSuperblock();
        long need = sb.getBaseAddressByte() + sb.getEndOfFileAddress();
        long have = storage.size();
        if (sb.getEndOfFileAddress() > 0 && have < need) {
            f.close();
            throw new ModelFileException(label, null, null, "HDF5 file is truncated: it holds " + have
                    + " bytes but its superblock records " + need + "; the file was not copied whole", null);
        }
        return f;
    }

    static byte[] readAll(InputStream in, long limit, String label) {
        try {
            byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (b.length > limit) throw new ModelFileException(label, null, null, "stream is larger than the limit of "
                    + limit + " bytes", null);
            return b;
        } catch (IOException e) {
            throw new ModelFileException(label, null, null, "cannot read stream: " + e.getMessage(), e);
        }
    }

    static boolean isHdf5(byte[] head) {
        if (head.length < SIGNATURE.length) return false;
        for (int i = 0; i < SIGNATURE.length; i++) if (head[i] != SIGNATURE[i]) return false;
        return true;
    }

    /**
     * A jhdf failure as a damaged-file error. OutOfMemoryError is caught only around reads of
     * file structure (headers, heaps, attributes), which are small in any real file: there it means
     * a damaged length field made jhdf allocate a buffer of that length, and nothing is retained.
     */
    static ModelFileException corrupt(String label, Throwable e) {
        String m = e instanceof OutOfMemoryError ? "a header claims a block larger than the available memory"
                : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new ModelFileException(label, null, null, "HDF5 structure is damaged or truncated (" + m + ")", e);
    }

    private static byte[] readHead(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return in.readNBytes(8);
        }
    }

    private static void checkSignature(byte[] head, String label) {
        if (head.length == 0) throw new ModelFileException(label, null, null, "file is empty", null);
        if (!isHdf5(head)) {
            throw new ModelFileException(label, null, null, "not an HDF5 file (no HDF5 signature at offset 0; found "
                    + describeHead(head) + ")", null);
        }
    }

    static String describeHead(byte[] head) {
        if (head.length >= 2 && head[0] == 'P' && head[1] == 'K') return "a zip archive";
        StringBuilder sb = new StringBuilder("bytes");
        for (int i = 0; i < Math.min(8, head.length); i++) sb.append(String.format(" %02x", head[i] & 0xff));
        return sb.toString();
    }

    /** A string attribute (scalar, or a one-element array), or null when absent. */
    static String string(Node node, String name, String label) {
        Attribute a = attribute(node, name, label);
        if (a == null) return null;
        Object d = data(a, label);
        if (d instanceof String s) return s;
        if (d instanceof byte[] b) return new String(b, StandardCharsets.UTF_8);
        if (d != null && d.getClass().isArray() && Array.getLength(d) == 1
                && Array.get(d, 0) instanceof String s) return s;
        throw new ModelFormatException(label, null, null, "attribute '" + name + "' of " + node.getPath()
                + " should be a string, found " + describe(d), null);
    }

    /**
     * A list-of-strings attribute, or null when absent; falls back to the chunked form Keras writes
     * for long lists ({@code name0}, {@code name1}, … concatenated).
     */
    static List<String> strings(Node node, String name, String label) {
        Attribute a = attribute(node, name, label);
        if (a != null) return toStrings(data(a, label), node, name, label);
        if (attribute(node, name + "0", label) == null) return null;
        List<String> out = new ArrayList<>();
        for (int i = 0; ; i++) {
            Attribute c = attribute(node, name + i, label);
            if (c == null) break;
            out.addAll(toStrings(data(c, label), node, name + i, label));
        }
        return out;
    }

    private static List<String> toStrings(Object d, Node node, String name, String label) {
        List<String> out = new ArrayList<>();
        if (d == null) return out;
        if (d instanceof String s) {
            out.add(s);
            return out;
        }
        if (d.getClass().isArray()) {
            int n = Array.getLength(d);
            for (int i = 0; i < n; i++) {
                Object e = Array.get(d, i);
                if (e instanceof String s) out.add(s);
                else if (e instanceof byte[] b) out.add(new String(b, StandardCharsets.UTF_8));
                else if (n == 0) break;
                else throw new ModelFormatException(label, null, null, "attribute '" + name + "' of " + node.getPath()
                            + " should hold strings, found " + describe(e), null);
            }
            return out;
        }
        throw new ModelFormatException(label, null, null, "attribute '" + name + "' of " + node.getPath()
                + " should hold strings, found " + describe(d), null);
    }

    private static Attribute attribute(Node node, String name, String label) {
        try {
            return node.getAttributes().get(name);
        } catch (HdfException | IllegalArgumentException | IllegalStateException | IndexOutOfBoundsException
                 | ArithmeticException | java.nio.BufferUnderflowException | OutOfMemoryError e) {
            throw corrupt(label, e);
        }
    }

    private static Object data(Attribute a, String label) {
        try {
            if (a.isEmpty()) return null;
            return a.getData();
        } catch (HdfException | IllegalArgumentException | IllegalStateException | IndexOutOfBoundsException
                 | ArithmeticException | java.nio.BufferUnderflowException | OutOfMemoryError
                 | UnsupportedOperationException e) {
            throw corrupt(label, e);
        }
    }

    static String describe(Object d) {
        if (d == null) return "nothing";
        if (d.getClass().isArray()) return d.getClass().getComponentType().getSimpleName() + "[" + Array.getLength(d)
                + "]";
        return d.getClass().getSimpleName();
    }

    /**
     * The child node at a '/'-separated path below {@code group}, or null when absent. Links other
     * than hard links (soft and external links) are never followed: they are nodes that are neither
     * groups nor datasets, so no other file is ever opened. A path that enters the same group twice
     * runs through a hard-link cycle, which Keras never writes: refused.
     */
    static Node child(Group group, String path, String label) {
        try {
            Node n = group;
            java.util.Map<Long, String> seen = new java.util.HashMap<>();
            seen.put(group.getAddress(), "");
            StringBuilder walked = new StringBuilder();
            for (String part : path.split("/")) {
                if (part.isEmpty()) continue;
                if (!(n instanceof Group g)) return null;
                n = g.getChildren().get(part);
                if (n == null) return null;
                walked.append(walked.length() > 0 ? "/" : "").append(part);
                if (n instanceof Group cg) {
                    String before = seen.putIfAbsent(cg.getAddress(), walked.toString());
                    if (before != null) {
                        String start = group.getPath().length() > 1 && group.getPath().endsWith("/")
                                ? group.getPath().substring(0, group.getPath().length() - 1) : group.getPath();
                        throw new ModelFormatException(label, null, null, "HDF5 path '" + path + "' below " + start
                                + " reaches at '" + walked + "' the group it already passed at '"
                                + (before.isEmpty() ? start : before) + "': the file's groups form a cycle"
                                + " (a hard link to an enclosing group), which Keras never writes", null);
                    }
                }
            }
            return n;
        } catch (HdfException | IllegalArgumentException | IllegalStateException | IndexOutOfBoundsException
                 | ArithmeticException | java.nio.BufferUnderflowException | OutOfMemoryError e) {
            throw corrupt(label, e);
        }
    }

    /** The dimensions of a dataset. */
    static int[] dims(Dataset ds, String label) {
        try {
            return ds.getDimensions();
        } catch (HdfException | IllegalArgumentException | IllegalStateException | IndexOutOfBoundsException
                 | ArithmeticException | java.nio.BufferUnderflowException | OutOfMemoryError e) {
            throw corrupt(label, e);
        }
    }

    /** All values of a numeric dataset as float32 (float64 rounds to nearest). */
    static float[] floats(Dataset ds, String label, String layer, String weight) {
        Object flat;
        try {
            flat = ds.isScalar() ? new float[]{((Number) ds.getData()).floatValue()} : ds.getDataFlat();
        } catch (HdfException | IllegalArgumentException | IllegalStateException | IndexOutOfBoundsException
                 | ArithmeticException | java.nio.BufferUnderflowException
                 | ClassCastException | UnsupportedOperationException | NegativeArraySizeException e) {
            throw new ModelFileException(label, layer, weight, "cannot read weight data ("
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")", e);
        }
        if (flat instanceof float[] f) return f;
        if (flat instanceof double[] d) {
            float[] f = new float[d.length];
            for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
            return f;
        }
        throw new io.jkeras.exceptions.WeightException(label, layer, weight,
                "weight data must be float32 or float64, found "
                + dtypeName(ds) + " data (" + describe(flat) + ")", null);
    }

    /** The HDF5 element type of a dataset as NumPy names it ({@code int32}, {@code uint8}, …). */
    private static String dtypeName(Dataset ds) {
        try {
            var t = ds.getDataType();
            if (t instanceof io.jhdf.object.datatype.FixedPoint fp) return (fp.isSigned() ? "int" : "uint")
                    + fp.getSize() * 8;
            if (t instanceof io.jhdf.object.datatype.FloatingPoint) return "float" + t.getSize() * 8;
            return t.getClass().getSimpleName() + " (" + t.getSize() + " bytes)";
        } catch (RuntimeException e) {
            return "non-float";
        }
    }

    /** The first bytes of a file (at most {@code n}), after the same checks as {@link #open(Path, String)}. */
    static byte[] head(Path path, int n, String label) {
        requireRegularFile(path, label);
        if (!Files.isReadable(path)) throw new ModelFileException(label, null, null, "file is not readable", null);
        try (InputStream in = Files.newInputStream(path)) {
            return in.readNBytes(n);
        } catch (IOException e) {
            throw new ModelFileException(label, null, null, "cannot read: " + e.getMessage(), e);
        }
    }

    /** A whole file in memory, refusing one larger than {@code limit} bytes. */
    /**
     * A file mapped read-only, for a reader that touches only the parts it needs (a {@code .keras}
     * archive's entries it uses); sized as {@link #readFile}, which it replaces for archives.
     */
    static java.nio.ByteBuffer mapFile(Path path, long limit, String label) {
        try {
            long size = Files.size(path);
            if (size > limit || size > Integer.MAX_VALUE - 16) {
                throw new ModelFileException(label, null, null, "file holds " + size + " bytes, more than the limit of "
                        + Math.min(limit, Integer.MAX_VALUE - 16)
                                + " bytes read into memory (LoadOptions.maxStreamBytes)", null);
            }
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(path,
                    java.nio.file.StandardOpenOption.READ)) {
                return ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, size);
            }
        } catch (IOException e) {
            throw new ModelFileException(label, null, null, "cannot read: " + e.getMessage(), e);
        }
    }

    static byte[] readFile(Path path, long limit, String label) {
        try {
            long size = Files.size(path);
            if (size > limit || size > Integer.MAX_VALUE - 16) {
                throw new ModelFileException(label, null, null, "file holds " + size + " bytes, more than the limit of "
                        + Math.min(limit, Integer.MAX_VALUE - 16)
                                + " bytes read into memory (LoadOptions.maxStreamBytes)", null);
            }
            try (InputStream in = Files.newInputStream(path)) {
                return readAll(in, limit, label);
            }
        } catch (IOException e) {
            throw new ModelFileException(label, null, null, "cannot read: " + e.getMessage(), e);
        }
    }

    /** The children of a group by name (HDF5's order), or an empty map for a non-group. */
    static java.util.Map<String, Node> children(Node node, String label) {
        if (!(node instanceof Group g)) return java.util.Map.of();
        try {
            return g.getChildren();
        } catch (HdfException | IllegalArgumentException | IllegalStateException | IndexOutOfBoundsException
                 | ArithmeticException | java.nio.BufferUnderflowException | OutOfMemoryError e) {
            throw corrupt(label, e);
        }
    }

    /**
     * One weight dataset as a {@link WeightArray}, with the checks every reader applies: no negative
     * dimension, at most {@link LoadOptions#maxWeightElements()} elements, float data whose count
     * matches the shape, and (unless allowed) no NaN or Inf.
     */
    /** HDF5's own filters, which jhdf decodes in pure Java: deflate (gzip), shuffle and the Fletcher32 checksum. */
    private static final java.util.Set<Integer> READABLE_FILTERS = java.util.Set.of(1, 2, 3);

    /**
     * Refuses, by name and before any data is decoded, a dataset compressed with a filter whose codec
     * jkeras does not bundle (LZF, LZ4 and the other registered plugins need libraries, some native;
     * Keras never writes them). Keras' own files use no filter at all.
     */
    static void refuseUnsupportedFilters(Dataset ds, String label, String layer, String weight) {
        // the filter ids straight from the object header: jhdf's own filter registry cannot even start
        // without the codec libraries jkeras leaves out, and its error would name none of them
        java.util.List<io.jhdf.object.message.FilterPipelineMessage.FilterInfo> filters;
        try {
            io.jhdf.ObjectHeader header = ((io.jhdf.AbstractNode) ds).getHeader();
            filters = header.hasMessageOfType(io.jhdf.object.message.FilterPipelineMessage.class)
                    ? header.getMessageOfType(io.jhdf.object.message.FilterPipelineMessage.class).getFilters()
                    : java.util.List.of();
        } catch (RuntimeException | LinkageError e) {
            throw new io.jkeras.exceptions.UnsupportedModelException(label, layer, weight,
                    "has an HDF5 filter pipeline jkeras cannot read (" + e.getMessage()
                            + "); re-save the model with Keras, "
                            + "which writes weights uncompressed", null);
        }
        for (io.jhdf.object.message.FilterPipelineMessage.FilterInfo f : filters) {
            if (READABLE_FILTERS.contains(f.getId())) continue;
            String name = switch (f.getId()) {
                case 4 -> "SZIP";
                case 5 -> "N-bit";
                case 6 -> "scale-offset";
                case 32000 -> "LZF";
                case 32001 -> "Blosc";
                case 32004 -> "LZ4";
                case 32008 -> "bitshuffle";
                case 32015 -> "Zstandard";
                default -> String.valueOf(f.getName());
            };
            throw new io.jkeras.exceptions.UnsupportedModelException(label, layer, weight, "is compressed with the "
                    + name
                    + " filter (HDF5 filter " + f.getId()
                            + "), which jkeras does not decode: it reads uncompressed, gzip "
                    + "(deflate) and shuffle datasets only; re-save the model with Keras, which writes weights"
                            + " uncompressed",
                    null);
        }
    }

    static WeightArray weight(Dataset ds, String layer, String shortName, String path, String label,
            LoadOptions options) {
        int[] dims = dims(ds, label);
        long count = 1;
        for (int d : dims) {
            if (d < 0) throw new io.jkeras.exceptions.WeightException(label, layer, shortName,
                    "negative dimension in shape " + java.util.Arrays.toString(dims), null);
            count *= d;
            if (count > options.maxWeightElements()) {
                throw new io.jkeras.exceptions.WeightException(label, layer, shortName, "shape "
                        + java.util.Arrays.toString(dims)
                        + " exceeds the limit of " + options.maxWeightElements() + " elements per weight", null);
            }
        }
        refuseUnsupportedFilters(ds, label, layer, shortName);
        float[] data = floats(ds, label, layer, shortName);
        if (data.length != count) {
            throw new io.jkeras.exceptions.WeightException(label, layer, shortName, "holds " + data.length
                    + " values but its shape "
                    + io.jkeras.tensor.Tensor.shapeString(dims) + " needs " + count, null);
        }
        if (!options.allowNonFiniteWeights()) {
            for (int i = 0; i < data.length; i++) {
                if (!Float.isFinite(data[i])) {
                    throw new io.jkeras.exceptions.WeightException(label, layer, shortName, "holds " + data[i]
                            + " at flat index " + i
                            + " of shape " + io.jkeras.tensor.Tensor.shapeString(dims)
                            + " (non-finite weights are refused; the file is corrupt or the model diverged)", null);
                }
            }
        }
        return new WeightArray(shortName, path, dims, data);
    }
}

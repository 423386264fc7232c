package io.jkeras.npy;

import io.jkeras.exceptions.InputException;
import io.jkeras.tensor.Tensor;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files (format versions 1.0–3.0), C order. Reads float32, float64, int8–int64,
 * uint8–uint32 and bool of either byte order into float32 tensors (float64 rounds to nearest;
 * integers beyond 2^24 lose precision, which the reader reports); writes little-endian float32.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    /** Largest array read, in elements (2^31 - 1 is Java's array limit). */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    /** An array read from a .npy file: float32 values and the dtype it was stored as. */
    public record Array(Tensor tensor, String dtype) {}

    private Npy() {}

    public static Array read(Path path) {
        return read(path, io.jkeras.model.LoadOptions.DEFAULT);
    }

    /** Reads a file, refusing an array of more than {@code options.maxInputElements()} elements. */
    public static Array read(Path path, io.jkeras.model.LoadOptions options) {
        return read(path, options, shape -> { });
    }

    /**
     * Reads input {@code i} of {@code model} from a file: the shape its header gives is checked
     * against the model's input ({@link io.jkeras.model.Model#checkInputShape}, the message predict
     * gives) before any of its data is read, so a file of the wrong shape costs nothing to refuse.
     */
    public static Array readInput(Path path, io.jkeras.model.Model model, int i) {
        return read(path, io.jkeras.model.LoadOptions.DEFAULT, shape -> model.checkInputShape(i, shape));
    }

    /**
     * Reads a file, refusing an array of more than {@code options.maxInputElements()} elements;
     * {@code checkShape} sees the header's shape before the data is read, and may refuse it.
     */
    public static Array read(Path path, io.jkeras.model.LoadOptions options,
                             java.util.function.Consumer<int[]> checkShape) {
        String label = path.toString();
        String problem = io.jkeras.util.FileKind.problem(path, "a .npy file");
        if (problem != null) throw new InputException(label, null, null, problem);
        try (InputStream in = Files.newInputStream(path)) {
            long max = Math.min(options.maxInputElements(), MAX_ELEMENTS);
            return readChecked(in, label, Files.size(path), max, checkShape);
        } catch (io.jkeras.exceptions.JKerasException e) {
            throw e.in(label, null);
        } catch (IOException e) {
            throw new InputException(label, null, null, "cannot read: " + e.getMessage());
        }
    }

    public static Array read(InputStream in, String label, long available) throws IOException {
        return read(in, label, available, io.jkeras.model.LoadOptions.DEFAULT_MAX_INPUT_ELEMENTS);
    }

    /**
     * Reads a .npy array from a stream holding {@code available} bytes (-1: unknown), refusing from
     * its header alone an array of more than {@code maxElements} elements, or one whose data the
     * stream cannot hold; nothing of the claimed size is allocated before the data has been read.
     */
    public static Array read(InputStream in, String label, long available, long maxElements) {
        try {
            return readChecked(in, label, available, Math.min(maxElements, MAX_ELEMENTS), shape -> { });
        } catch (IOException e) {
            throw new InputException(label, null, null, "cannot read: " + e.getMessage());
        }
    }

    private static Array readChecked(InputStream in, String label, long available, long maxElements,
                                     java.util.function.Consumer<int[]> checkShape) throws IOException {
        byte[] magic = in.readNBytes(8);
        if (magic.length < 8) throw new InputException(label, null, null, "not a .npy file: only " + magic.length
                + " bytes");
        for (int i = 0; i < MAGIC.length; i++) {
            if (magic[i] != MAGIC[i]) throw new InputException(label, null, null,
                    "not a .npy file (no \\x93NUMPY magic)");
        }
        int major = magic[6] & 0xff;
        int headerLen;
        if (major == 1) {
            byte[] b = in.readNBytes(2);
            if (b.length < 2) throw truncated(label);
            headerLen = (b[0] & 0xff) | (b[1] & 0xff) << 8;
        } else if (major == 2 || major == 3) {
            byte[] b = in.readNBytes(4);
            if (b.length < 4) throw truncated(label);
            headerLen = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt();
            if (headerLen < 0 || headerLen > 1 << 20) throw new InputException(label, null, null, "header length "
                    + headerLen + " is out of range");
        } else {
            throw new InputException(label, null, null, ".npy format version " + major
                    + " is not supported; allowed: 1, 2, 3");
        }
        long dataAvailable = available < 0 ? -1 : available - 8 - (major == 1 ? 2 : 4) - headerLen;
        byte[] hb = in.readNBytes(headerLen);
        if (hb.length < headerLen) throw truncated(label);
        String header = new String(hb, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        String descr = group(DESCR, header, label, "descr");
        if ("True".equals(group(FORTRAN, header, label, "fortran_order"))) {
            throw new InputException(label, null, null,
                    "Fortran-order arrays are not supported; save with np.ascontiguousarray");
        }
        String shapeText = group(SHAPE, header, label, "shape").trim();
        List<Integer> dims = new ArrayList<>();
        long count = 1;
        for (String p : shapeText.split(",")) {
            String t = p.trim();
            if (t.isEmpty()) continue;
            long d;
            try {
                d = Long.parseLong(t);
            } catch (NumberFormatException e) {
                throw new InputException(label, null, null, "bad shape in header: (" + shapeText + ")");
            }
            if (d < 0) throw new InputException(label, null, null, "bad dimension " + d + " in shape (" + shapeText
                    + ")");
            count = d > maxElements ? maxElements + 1 : count * d; // count <= maxElements < 2^31: no overflow
            if (count > maxElements) {
                throw new InputException(label, null, null, "shape (" + shapeText
                        + ") is too large: more than the limit of "
                        + maxElements + " elements (LoadOptions.maxInputElements)");
            }
            dims.add((int) d);
        }
        Dtype dt = Dtype.parse(descr, label);
        long bytes = count * dt.size;
        int[] shape = dims.stream().mapToInt(Integer::intValue).toArray();
        checkShape.accept(shape.clone());
        if (dataAvailable >= 0 && bytes > dataAvailable) {
            throw new InputException(label, null, null, "header claims " + bytes + " bytes of data for shape ("
                    + shapeText + ") " + descr
                    + " but the file holds " + dataAvailable + "; it is truncated");
        }
        byte[] raw = in.readNBytes((int) Math.min(bytes, Integer.MAX_VALUE));
        if (raw.length < bytes) {
            throw new InputException(label, null, null, "file is truncated: shape (" + shapeText + ") " + descr
                    + " needs " + bytes
                    + " bytes of data, found " + raw.length);
        }
        ByteBuffer buf = ByteBuffer.wrap(raw).order(dt.order);
        float[] out = new float[(int) count];
        for (int i = 0; i < out.length; i++) out[i] = dt.get(buf, i);
        return new Array(new Tensor(shape, out), dt.name);
    }

    private static InputException truncated(String label) {
        return new InputException(label, null, null, "file is truncated");
    }

    private static String group(Pattern p, String header, String label, String key) {
        Matcher m = p.matcher(header);
        if (!m.find()) throw new InputException(label, null, null, ".npy header has no '" + key + "': "
                + header.trim());
        return m.group(1);
    }

    /** Writes a little-endian float32 C-order array (format 1.0, or 2.0 for very long headers). */
    public static void write(OutputStream out, Tensor t) throws IOException {
        StringBuilder shape = new StringBuilder("(");
        int[] s = t.shape();
        for (int i = 0; i < s.length; i++) shape.append(i > 0 ? ", " : "").append(s[i]);
        if (s.length == 1) shape.append(',');
        shape.append(')');
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
        boolean v2 = MAGIC.length + 2 + 2 + dict.length() + 1 + 63 > 0xffff;
        int pre = MAGIC.length + 2 + (v2 ? 4 : 2);
        int total = pre + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        out.write(MAGIC);
        out.write(v2 ? 2 : 1);
        out.write(0);
        int len = header.length();
        out.write(len & 0xff);
        out.write((len >> 8) & 0xff);
        if (v2) {
            out.write((len >> 16) & 0xff);
            out.write((len >> 24) & 0xff);
        }
        out.write(header.getBytes(StandardCharsets.ISO_8859_1));
        float[] d = t.data();
        ByteBuffer buf = ByteBuffer.allocate(Math.min(d.length, 1 << 16) * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < d.length; ) {
            buf.clear();
            int n = Math.min(d.length - i, buf.capacity() / 4);
            for (int j = 0; j < n; j++) buf.putFloat(d[i + j]);
            out.write(buf.array(), 0, n * 4);
            i += n;
        }
    }

    private enum Kind { FLOAT, INT, UINT, BOOL }

    private record Dtype(String name, Kind kind, int size, ByteOrder order) {
        static Dtype parse(String descr, String label) {
            if (descr.length() < 3) throw unsupported(descr, label);
            char bo = descr.charAt(0);
            ByteOrder order = bo == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            if (bo != '<' && bo != '>' && bo != '|' && bo != '=') throw unsupported(descr, label);
            char k = descr.charAt(1);
            int size;
            try {
                size = Integer.parseInt(descr.substring(2));
            } catch (NumberFormatException e) {
                throw unsupported(descr, label);
            }
            Kind kind = switch (k) {
                case 'f' -> size == 4 || size == 8 ? Kind.FLOAT : null;
                case 'i' -> size == 1 || size == 2 || size == 4 || size == 8 ? Kind.INT : null;
                case 'u' -> size == 1 || size == 2 || size == 4 ? Kind.UINT : null;
                case 'b' -> size == 1 ? Kind.BOOL : null;
                default -> null;
            };
            if (kind == null) throw unsupported(descr, label);
            String name = switch (kind) {
                case FLOAT -> "float" + size * 8;
                case INT -> "int" + size * 8;
                case UINT -> "uint" + size * 8;
                case BOOL -> "bool";
            };
            return new Dtype(name, kind, size, order);
        }

        float get(ByteBuffer b, int i) {
            int p = i * size;
            switch (kind) {
                case FLOAT: return size == 4 ? b.getFloat(p) : (float) b.getDouble(p);
                case BOOL: return b.get(p) != 0 ? 1f : 0f;
                case UINT:
                    return size == 1 ? b.get(p) & 0xff : size == 2 ? b.getShort(p) & 0xffff
                            : (float) (b.getInt(p) & 0xffffffffL);
                default:
                    return size == 1 ? b.get(p) : size == 2 ? b.getShort(p) : size == 4 ? (float) b.getInt(p)
                            : (float) b.getLong(p);
            }
        }

        private static InputException unsupported(String descr, String label) {
            return new InputException(label, null, null, "dtype '" + descr
                    + "' is not supported; allowed: float32, float64, int8-int64, uint8-uint32, bool");
        }
    }
}

package io.jkeras.format;

import io.jkeras.util.Json;
import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.JKerasException;
import io.jkeras.exceptions.ModelFileException;
import io.jkeras.exceptions.ModelFormatException;
import io.jkeras.exceptions.WeightException;
import io.jkeras.golden.Comparison;
import io.jkeras.golden.Tolerance;
import io.jkeras.model.LoadOptions;
import io.jkeras.layers.InputLayer;
import io.jkeras.layers.Layer;
import io.jkeras.layers.Shapes;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.model.Model;
import io.jkeras.model.Node;
import io.jkeras.model.Session;
import io.jkeras.tensor.Tensor;

import java.io.EOFException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the native format (see {@code docs/format.md}). Nothing in the file is trusted before it
 * is checked: the preamble's checksum and version first, then sizes against the real file length
 * (so no allocation exceeds the file), the header's checksum, every padding byte, and each tensor's
 * checksum before its values are used. A damaged file is a {@link ModelFileException} saying where
 * the damage is; a file this reader cannot interpret (a newer major version, an unknown layer type,
 * an inconsistent graph) is a {@link ModelFormatException}.
 */
public final class JkmReader {
    /** Metadata keys the reader derives from the file itself; the writer does not copy them to the header. */
    static final Set<String> DERIVED_METADATA = Set.of("source", "format", "source_file", "source_format",
            "source_sha256", "jkm_version");

    /**
     * @param load      weight limits and whether weights holding NaN or Inf load
     * @param runChecks whether embedded test vectors are run while loading (the default)
     */
    public record Options(LoadOptions load, boolean runChecks) {
        public static final Options DEFAULT = new Options(LoadOptions.DEFAULT, true);

        public Options withLoadOptions(LoadOptions o) { return new Options(o, runChecks); }

        public Options withRunChecks(boolean run) { return new Options(load, run); }
    }

    private JkmReader() {}

    /**
     * The bytes of a file or an array. A file is read with {@link RandomAccessFile} rather than
     * memory-mapped: the weights end up in the engine's heap arrays either way, so mapping saves
     * at most one in-memory copy (warm loads of the two measured within noise of each other),
     * while in a fresh JVM the first {@code FileChannel.map} initialises machinery that costs far
     * more than reading the whole file.
     */
    private interface Source {
        long size();

        /** Reads {@code len} bytes at {@code offset} into {@code dst[off…]}. */
        void read(long offset, byte[] dst, int off, int len) throws IOException;
    }

    private record ArraySource(byte[] bytes) implements Source {
        public long size() { return bytes.length; }

        public void read(long offset, byte[] dst, int off,
                int len) { System.arraycopy(bytes, (int) offset, dst, off, len); }
    }

    /**
     * Reads in pieces of at most {@link #PIECE} bytes: for a larger read the JDK's native code
     * allocates a temporary buffer of the whole length with {@code malloc}, which above 128 KiB is
     * fresh memory from the kernel, page-faulted on every read (1.7 ms of a 3.4 MB model's first
     * load, against 0.5 ms in pieces).
     */
    private record FileSource(RandomAccessFile file, long size) implements Source {
        static final int PIECE = 64 << 10;

        public void read(long offset, byte[] dst, int off, int len) throws IOException {
            file.seek(offset);
            for (int done = 0; done < len; ) {
                int n = Math.min(PIECE, len - done);
                file.readFully(dst, off + done, n);
                done += n;
            }
        }
    }

    /** A file of another file system (a zip file system, an in-memory one). */
    private record ChannelSource(SeekableByteChannel ch, long size) implements Source {
        public void read(long offset, byte[] dst, int off, int len) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(dst, off, len);
            ch.position(offset);
            while (b.hasRemaining()) {
                if (ch.read(b) < 0) throw new EOFException("the file ends at " + ch.position() + " bytes");
            }
        }
    }

    /** Tensors and padding are read through a buffer of at most this many bytes (a multiple of 64). */
    private static final int CHUNK = 1 << 20;

    public static Model read(Path path, Options options) {
        String label = path.toString();
        // a directory, FIFO or device is named, never opened (opening a FIFO would wait for a writer)
        String problem = io.jkeras.util.FileKind.problem(path, "a native model file");
        if (problem != null) throw new ModelFileException(label, null, null, problem, null);
        try {
            if (path.getFileSystem() != FileSystems.getDefault()) {
                try (SeekableByteChannel ch = Files.newByteChannel(path)) {
                    return read(new ChannelSource(ch, ch.size()), label, options);
                }
            }
            try (RandomAccessFile f = open(path, label)) {
                return read(new FileSource(f, f.length()), label, options);
            }
        } catch (NoSuchFileException e) {
            throw new ModelFileException(label, null, null, "no such file", e);
        } catch (IOException e) {
            throw new ModelFileException(label, null, null, "cannot read: " + e, e);
        }
    }

    private static RandomAccessFile open(Path path, String label) throws IOException {
        try {
            return new RandomAccessFile(path.toFile(), "r");
        } catch (IOException e) {   // FileNotFoundException, not named: a fresh JVM would load it to verify this method
            if (!Files.exists(path)) throw new ModelFileException(label, null, null, "no such file", e);
            throw e;
        }
    }

    public static Model read(byte[] bytes, String label, Options options) {
        try {
            return read(new ArraySource(bytes), label, options);
        } catch (IOException e) {
            throw new ModelFileException(label, null, null, "cannot read: " + e, e);
        }
    }

    private static Model read(Source src, String label, Options options) throws IOException {
        try {
            return parse(src, label, options);
        } catch (JKerasException e) {
            throw e.in(label, null);
        } catch (RuntimeException e) {
            throw new ModelFormatException(label, null, null, "malformed native model file (" + e + ")", e);
        }
    }

    /** The tensor table after validation against the file. */
    record TensorInfo(String name, int[] shape, long offset, int nbytes, int crc) {}

    private static Model parse(Source src, String label, Options options) throws IOException {
        long size = src.size();
        byte[] head = new byte[(int) Math.min(size, Jkm.PREAMBLE)];
        src.read(0, head, 0, head.length);
        int m = Math.min(head.length, Jkm.MAGIC.length);
        if (!Arrays.equals(head, 0, m, Jkm.MAGIC, 0, m) || size == 0) {
            throw new ModelFileException(label, null, null, "is not a jkeras native model: it starts with "
                    + hex(head, 8)
                    + ", a .jkm file starts with " + hex(Jkm.MAGIC, 8) + hint(head), null);
        }
        if (size < Jkm.PREAMBLE) {
            throw new ModelFileException(label, null, null, "is truncated: " + size + " bytes, shorter than the "
                    + Jkm.PREAMBLE
                    + "-byte preamble of a .jkm file", null);
        }
        ByteBuffer p = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        int major = p.getShort(8) & 0xffff, minor = p.getShort(10) & 0xffff;
        int storedPre = p.getInt(60);
        int pre = Jkm.preambleCrc(head, 0, 60);
        if (pre != storedPre) {
            throw new ModelFileException(label, null, null, "preamble checksum mismatch (CRC32C stored "
                    + hex32(storedPre) + ", computed "
                    + hex32(pre) + "): the first 64 bytes are damaged"
                    + (major > Jkm.MAJOR || major < Jkm.OLDEST_MAJOR ? " (they claim format version " + major + "."
                            + minor + ")" : ""), null);
        }
        if (major > Jkm.MAJOR) {
            throw new ModelFormatException(label, null, null, "native format version " + major + "." + minor
                    + " is newer than this jkeras ("
                    + io.jkeras.util.Version.jkeras() + ") reads: it reads versions " + readable() + " and writes "
                            + Jkm.MAJOR + "." + Jkm.MINOR
                    + "; upgrade jkeras, or convert the model again with this version", null);
        }
        if (major < Jkm.OLDEST_MAJOR) {
            throw new ModelFormatException(label, null, null, "native format version " + major + "." + minor
                    + " was never released; this jkeras reads versions " + readable(), null);
        }
        if (p.getInt(12) != 0 || p.getInt(52) != 0 || p.getInt(56) != 0) {
            throw new ModelFormatException(label, null, null, "preamble has non-zero reserved fields (flags "
                    + hex32(p.getInt(12))
                    + "), which format version " + major + "." + minor + " does not define", null);
        }
        long headerOffset = p.getLong(16), headerLength = p.getLong(24), dataOffset = p.getLong(32),
                fileLength = p.getLong(40);
        int headerCrc = p.getInt(48);
        if (size != fileLength) {
            if (size < fileLength) {
                throw new ModelFileException(label, null, null, "is truncated: " + size
                        + " bytes, but its preamble says the file has "
                        + fileLength + " bytes; copy the file again", null);
            }
            throw new ModelFileException(label, null, null, "has " + size + " bytes, but its preamble says "
                    + fileLength
                    + ": " + (size - fileLength) + " bytes were appended or the preamble is wrong", null);
        }
        if (headerOffset != Jkm.PREAMBLE) {
            throw new ModelFormatException(label, null, null, "header offset " + headerOffset + " must be "
                    + Jkm.PREAMBLE, null);
        }
        if (headerLength <= 0 || headerLength > fileLength - Jkm.PREAMBLE || headerLength > Jkm.MAX_HEADER_BYTES) {
            throw new ModelFormatException(label, null, null, "header length " + headerLength
                    + " does not fit: the file has "
                    + fileLength + " bytes and a header may have at most " + Jkm.MAX_HEADER_BYTES, null);
        }
        if (dataOffset % Jkm.ALIGN != 0 || dataOffset < Jkm.PREAMBLE + headerLength || dataOffset > fileLength) {
            throw new ModelFormatException(label, null, null, "data offset " + dataOffset + " must be a multiple of "
                    + Jkm.ALIGN
                    + " between the end of the header (" + (Jkm.PREAMBLE + headerLength)
                            + ") and the end of the file (" + fileLength + ")", null);
        }
        byte[] header = new byte[(int) headerLength];
        src.read(Jkm.PREAMBLE, header, 0, header.length);
        java.util.zip.Checksum hsum = Jkm.checksum(major);
        hsum.update(header, 0, header.length);
        int hc = (int) hsum.getValue();
        if (hc != headerCrc) {
            throw new ModelFileException(label, null, null, "header checksum mismatch (" + Jkm.checksumName(major)
                    + " stored " + hex32(headerCrc) + ", computed "
                    + hex32(hc) + "): the JSON header (bytes " + Jkm.PREAMBLE + " to " + (Jkm.PREAMBLE + headerLength)
                            + ") is damaged", null);
        }
        Json root;
        try {
            root = Json.parse(header);
        } catch (Json.Syntax e) {
            throw new ModelFormatException(label, null, null, "header is not valid JSON: " + e.getMessage()
                    + " of the header", e);
        }
        if (!root.isObject()) throw new ModelFormatException(label, null, null, "header is not a JSON object", null);
        if (!"jkeras-native".equals(root.path("format").asText())) {
            throw new ModelFormatException(label, null, null, "header 'format' is " + root.get("format")
                    + ", expected \"jkeras-native\"", null);
        }
        Json v = root.get("version");
        if (v == null || !v.isArray() || v.size() != 2 || v.get(0).asInt(-1) != major || v.get(1).asInt(-1) != minor) {
            throw new ModelFormatException(label, null, null, "header 'version' " + v
                    + " disagrees with the preamble's " + major + "." + minor, null);
        }

        boolean panel = major >= 2;
        if (panel) checkGateLayout(root.get("gate_layout"), label);
        List<TensorInfo> table = tensorTable(root.get("tensors"), Jkm.checksumKey(major), dataOffset, fileLength,
                options.load(), label);
        checkPadding(src, table, Jkm.PREAMBLE + headerLength, dataOffset, fileLength, label);
        float[][] values = new float[table.size()][];
        byte[] chunk = new byte[(int) Math.min(CHUNK, maxBytes(table))];
        for (int i = 0; i < values.length; i++) {
            TensorInfo t = table.get(i);
            float[] f = new float[t.nbytes() / 4];
            java.util.zip.Checksum c = Jkm.checksum(major);
            for (int done = 0; done < t.nbytes(); ) {
                int n = Math.min(chunk.length, t.nbytes() - done);
                src.read(t.offset() + done, chunk, 0, n);
                c.update(chunk, 0, n);
                ByteBuffer.wrap(chunk, 0, n).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f, done / 4, n / 4);
                done += n;
            }
            if ((int) c.getValue() != t.crc()) {
                throw new ModelFileException(label, null, null, "tensor " + i + " '" + t.name() + "' (" + t.nbytes()
                        + " bytes at offset "
                        + t.offset() + "): checksum mismatch (" + Jkm.checksumName(major) + " stored " + hex32(t.crc())
                                + ", computed " + hex32((int) c.getValue())
                        + "): the file is damaged", null);
            }
            values[i] = f;   // used only once its checksum matched
        }
        boolean[] used = new boolean[values.length];
        Model model = buildModel(root, table, values, used, panel, label, options);
        Json checks = root.get("checks");
        if (options.runChecks() && checks != null && !checks.isNull() && !(checks.isArray() && checks.size() == 0)) {
            Checks.run(model, checks, table, values, used, label);
        }
        return model;
    }

    /** "1.x to 2.x": the major versions this reader reads. */
    private static String readable() {
        return Jkm.OLDEST_MAJOR == Jkm.MAJOR ? Jkm.MAJOR + ".x" : Jkm.OLDEST_MAJOR + ".x to " + Jkm.MAJOR + ".x";
    }

    /**
     * Format 2.x stores recurrent tensors in the engine's {@code GatePanel} layout; the header says
     * so, with the tile width, which must be this engine's (a file is never reinterpreted).
     */
    private static void checkGateLayout(Json gl, String label) {
        Json t = gl == null ? null : gl.get("tensors"), b = gl == null ? null : gl.get("block");
        if (t == null || !"panel".equals(t.asText()) || b == null || !b.isIntegralNumber() || !b.canConvertToInt()
                || b.intValue() != io.jkeras.layers.GatePanel.BLOCK) {
            throw new ModelFormatException(label, null, null, "header 'gate_layout' is " + gl
                    + "; format 2.x stores recurrent tensors as"
                    + " {\"tensors\": \"panel\", \"block\": " + io.jkeras.layers.GatePanel.BLOCK + "}", null);
        }
    }

    private static List<TensorInfo> tensorTable(Json ts, String crcKey, long dataOffset, long fileLength,
            LoadOptions lo, String label) {
        if (ts == null || !ts.isArray()) throw new ModelFormatException(label, null, null,
                "header has no 'tensors' array", null);
        List<TensorInfo> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < ts.size(); i++) {
            Json t = ts.get(i);
            String name = t.path("name").isTextual() ? t.path("name").asText() : null;
            if (name == null) throw new ModelFormatException(label, null, null, what(i, null) + " has no string 'name'",
                    null);
            if (!names.add(name)) throw new ModelFormatException(label, null, null, what(i, name)
                    + " appears twice in the tensor table", null);
            if (!"float32".equals(t.path("dtype").asText())) {
                throw new ModelFormatException(label, null, null, what(i, name) + " has dtype " + t.get("dtype")
                        + "; formats 1.x and 2.x store float32 only", null);
            }
            Json sh = t.get("shape");
            if (sh == null || !sh.isArray() || sh.size() > 32) throw new ModelFormatException(label, null, null,
                    what(i, name) + " has no valid 'shape'", null);
            int[] shape = new int[sh.size()];
            long n = 1;
            for (int d = 0; d < shape.length; d++) {
                Json x = sh.get(d);
                if (!x.isIntegralNumber() || !x.canConvertToInt() || x.intValue() < 0) {
                    throw new ModelFormatException(label, null, null, what(i, name) + " has shape " + sh
                            + "; dimensions must be non-negative integers", null);
                }
                shape[d] = x.intValue();
                n = n * shape[d];
                if (n > lo.maxWeightElements()) {
                    throw new ModelFormatException(label, null, null, what(i, name) + " has shape " + sh
                            + ", more than the limit of "
                            + lo.maxWeightElements() + " elements (LoadOptions.maxWeightElements)", null);
                }
            }
            Json off = t.get("offset"), nb = t.get("nbytes"), crc = t.get(crcKey);
            if (off == null || !off.isIntegralNumber() || !off.canConvertToLong() || nb == null
                    || !nb.isIntegralNumber() || !nb.canConvertToLong()) {
                throw new ModelFormatException(label, null, null, what(i, name)
                        + " needs integer 'offset' and 'nbytes'", null);
            }
            long offset = off.longValue(), nbytes = nb.longValue();
            if (nbytes != 4 * n) {
                throw new ModelFormatException(label, null, null, what(i, name) + " has nbytes " + nbytes
                        + " but shape " + sh + " of float32 needs " + 4 * n, null);
            }
            if (offset % Jkm.ALIGN != 0 || offset < dataOffset || offset > fileLength || nbytes > fileLength - offset) {
                throw new ModelFormatException(label, null, null, what(i, name) + " (" + nbytes + " bytes at offset "
                        + offset + ") does not lie within the data section ["
                        + dataOffset + ", " + fileLength + ") at a multiple of " + Jkm.ALIGN, null);
            }
            if (crc == null || !crc.isTextual() || !isHex8(crc.asText())) {
                throw new ModelFormatException(label, null, null, what(i, name) + " needs '" + crcKey
                        + "' as 8 lower-case hex digits, got " + crc, null);
            }
            out.add(new TensorInfo(name, shape, offset, (int) nbytes, (int) Long.parseLong(crc.asText(), 16)));
        }
        return out;
    }

    /** The name of tensor {@code i} in messages (built only when a message is). */
    private static String what(int i, String name) {
        return "tensor " + i + (name != null ? " '" + name + "'" : "");
    }

    /**
     * Every byte outside the preamble, the header and the tensors must be zero, so that no byte of the file goes
     * unchecked.
     */
    private static void checkPadding(Source src, List<TensorInfo> table, long headerEnd, long dataOffset,
            long fileLength, String label)
            throws IOException {
        zeros(src, headerEnd, dataOffset, null, false, label);
        TensorInfo[] sorted = table.toArray(new TensorInfo[0]);
        sortByOffset(sorted);
        long pos = dataOffset;
        TensorInfo prev = null;
        for (TensorInfo t : sorted) {
            if (t.offset() < pos) {
                throw new ModelFormatException(label, null, null, "tensor '" + t.name() + "' at offset " + t.offset()
                        + " overlaps " + after(prev), null);
            }
            zeros(src, pos, t.offset(), prev, true, label);
            pos = t.offset() + t.nbytes();
            prev = t;
        }
        zeros(src, pos, fileLength, prev, true, label);
    }

    /**
     * Sorts by offset, in place. A writer lays tensors out in table order, so the array is usually
     * sorted already: one pass checks that, and only a table out of order is sorted, by a
     * comparator in a class of its own (each class costs a fresh JVM its loading and verifying).
     */
    static void sortByOffset(TensorInfo[] t) {
        for (int i = 1; i < t.length; i++) {
            if (t[i - 1].offset() > t[i].offset()) {
                Arrays.sort(t, ByOffset.INSTANCE);
                return;
            }
        }
    }

    /** Tensors by offset, for a table a writer did not lay out in order. */
    private static final class ByOffset implements java.util.Comparator<TensorInfo> {
        static final ByOffset INSTANCE = new ByOffset();

        public int compare(TensorInfo a, TensorInfo b) { return Long.compare(a.offset(), b.offset()); }
    }

    private static String after(TensorInfo prev) { return prev == null ? "the start of the data section" : "tensor '"
            + prev.name() + "'"; }

    /**
     * The index of the first NaN or infinity in {@code f}, or -1: {@code x - x} is NaN for both and
     * 0 for every finite x. In a fresh JVM this loop runs interpreted until the JIT compiles it (on
     * the stack, after some ten thousand iterations); a body without a call
     * ({@code Float.isFinite}) and one value per iteration (so that compilation comes soon) measured
     * fastest there, unrolled or branch-free variants slower.
     */
    static int firstNonFinite(float[] f) {
        for (int j = 0; j < f.length; j++) {
            float x = f[j];
            if (x - x != 0f) return j;
        }
        return -1;
    }

    private static final byte[] ZEROS = new byte[4096];

    /**
     * Checks that bytes [from, to) are zero: the gap after the header when {@code inData} is false,
     * else the gap after tensor {@code prev} (or the start of the data section).
     */
    private static void zeros(Source src, long from, long to, TensorInfo prev, boolean inData,
            String label) throws IOException {
        byte[] b = new byte[(int) Math.min(ZEROS.length, Math.max(0, to - from))];
        for (long pos = from; pos < to; ) {
            int n = (int) Math.min(b.length, to - pos);
            src.read(pos, b, 0, n);
            int i = Arrays.mismatch(b, 0, n, ZEROS, 0, n);
            if (i >= 0) {
                String where = !inData ? "between the header and the data section"
                        : "after " + after(prev) + (to == src.size() ? " (end of file)" : "");
                throw new ModelFileException(label, null, null, "padding byte at offset " + (pos + i) + " " + where
                        + " is 0x"
                        + String.format("%02x", b[i]) + ", not zero: the file is damaged", null);
            }
            pos += n;
        }
    }

    private static long maxBytes(List<TensorInfo> table) {
        long m = 0;
        for (TensorInfo t : table) m = Math.max(m, t.nbytes());
        return m;
    }

    /**
     * Each tensor serves one weight or one check value: a file cannot make the loader copy one
     * large tensor many times over, so what loading allocates stays bounded by the file's size.
     */
    private static void use(boolean[] used, int i, List<TensorInfo> table, String label) {
        if (used[i]) throw new ModelFormatException(label, null, null, "tensor " + i + " '" + table.get(i).name()
                + "' is referenced twice", null);
        used[i] = true;
    }

    private static Model buildModel(Json root, List<TensorInfo> table, float[][] values, boolean[] used, boolean panel,
            String label,
                                    Options options) {
        Json mj = root.get("model");
        if (mj == null || !mj.isObject()) throw new ModelFormatException(label, null, null,
                "header has no 'model' object", null);
        boolean allowNonFinite = options.load().allowNonFiniteWeights();
        boolean[] checked = new boolean[values.length];
        JkmLayerDecoder.TensorSource tensors = new JkmLayerDecoder.TensorSource() {
            public int count() { return table.size(); }

            public String name(int i) { return table.get(i).name(); }

            public int[] shape(int i) { return table.get(i).shape().clone(); }

            public boolean panelLayout() { return panel; }

            public float[] values(int i) {
                use(used, i, table, label);
                if (!allowNonFinite && !checked[i]) {
                    float[] f = values[i];
                    int j = firstNonFinite(f);
                    if (j >= 0) {
                        throw new WeightException(label, null, table.get(i).name(), "holds " + f[j] + " at flat index "
                                + j
                                + " of shape " + Tensor.shapeString(table.get(i).shape())
                                + "; non-finite weights are refused unless LoadOptions.withAllowNonFiniteWeights(true)",
                                        null);
                    }
                    checked[i] = true;
                }
                return values[i];
            }
        };
        Json lj = array(mj, "layers", label);
        List<Layer> layers = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Json l : lj) {
            Layer layer = JkmLayerDecoder.decode(l, tensors, label, 0);
            if (!names.add(layer.name())) throw new ModelFormatException(label, layer.name(), null,
                    "two layers share this name", null);
            layers.add(layer);
        }
        Json nj = array(mj, "nodes", label);
        List<Node> nodes = new ArrayList<>();
        for (int id = 0; id < nj.size(); id++) {
            Json n = nj.get(id);
            int li = index(n.get("layer"), layers.size(), "node ", id, " 'layer'", label);
            Layer layer = layers.get(li);
            List<Node.Ref> inputs = new ArrayList<>();
            for (Json r : array(n, "inputs", label)) inputs.add(ref(r, nodes, id, label));
            Json mk = n.get("mask");
            Node.Ref mask = mk == null || mk.isNull() ? null : ref(mk, nodes, id, label);
            int[][] in = new int[inputs.size()][];
            for (int i = 0; i < in.length; i++) in[i] = nodes.get(inputs.get(i).node())
                    .outputShapes()[inputs.get(i).index()];
            if (layer instanceof InputLayer != inputs.isEmpty()) {
                throw new ModelFormatException(label, layer.name(), null, "node " + id
                        + (inputs.isEmpty() ? " has no inputs" : " of an input layer has inputs"), null);
            }
            int[][] shapes;
            try {
                shapes = layer.outputShapes(in);
                LoadOptions lo = options.load();
                Shapes.checkLimits(layer.name(), shapes, lo.maxDimension(), lo.maxActivationElements());
            } catch (JKerasException e) {
                throw e.in(label, layer.name());
            }
            Json sj = array(n, "output_shapes", label);
            boolean same = sj.size() == shapes.length;
            for (int i = 0; same && i < shapes.length; i++) same = Arrays.equals(shapes[i], intsOf(sj.get(i)));
            if (!same) {
                throw new ModelFormatException(label, layer.name(), null, "node " + id + " records output shapes " + sj
                        + " but the layer computes "
                        + Arrays.deepToString(shapes) + " from its inputs", null);
            }
            nodes.add(new Node(id, layer, inputs, shapes, mask));
        }
        List<Integer> inputIds = new ArrayList<>();
        for (Json i : array(mj, "inputs", label)) {
            int id = index(i, nodes.size(), "model input", label);
            if (!(nodes.get(id).layer() instanceof InputLayer)) throw new ModelFormatException(label, null, null,
                    "model input node " + id + " is not an input layer", null);
            if (inputIds.contains(id)) throw new ModelFormatException(label, null, null, "model input node " + id
                    + " is listed twice", null);
            inputIds.add(id);
        }
        for (Node n : nodes) {
            // found by fuzzing: an input layer that is not a model input is never fed, and predict failed on it
            if (n.layer() instanceof InputLayer && !inputIds.contains(n.id())) {
                throw new ModelFormatException(label, n.layer().name(), null, "node " + n.id()
                        + " is an input layer but not one of the"
                        + " model's inputs " + inputIds + ": nothing would feed it", null);
            }
        }
        List<Node.Ref> outputs = new ArrayList<>();
        for (Json r : array(mj, "outputs", label)) outputs.add(ref(r, nodes, nodes.size(), label));
        List<Layer> summary = new ArrayList<>();
        for (Json i : array(mj, "summary", label)) summary.add(
                layers.get(index(i, layers.size(), "summary entry", label)));
        Map<String, TrainingConfig> training = TrainingDecoder.decode(mj.get("training"), label);
        // entries: the key-set view's classes are not in the JDK's archive
        for (Map.Entry<String, TrainingConfig> e : training.entrySet()) {
            if (!names.contains(e.getKey())) throw new ModelFormatException(label, e.getKey(), null,
                    "has a training config but no such layer exists", null);
        }
        Json name = mj.get("name");
        return new Model(name != null && name.isTextual() ? name.asText() : "model", nodes, inputIds, outputs, summary,
                metadata(root, label), training);
    }

    private static Map<String, String> metadata(Json root, String label) {
        Map<String, String> md = new LinkedHashMap<>();
        md.put("source", label);
        md.put("format", "jkm");
        Json meta = root.get("metadata");
        if (meta != null && meta.isObject()) {
            for (Map.Entry<String, Json> e : meta.fields()) {
                if (e.getValue().isTextual() && !DERIVED_METADATA.contains(e.getKey())) md.put(e.getKey(), e.getValue()
                        .asText());
            }
        }
        Json s = root.get("source");
        if (s != null && s.isObject()) {
            for (String k : new String[]{"file", "format", "sha256"}) {
                if (s.path(k).isTextual()) md.put("source_".concat(k), s.get(k).asText());
            }
            if (!md.containsKey("keras_version") && s.path("keras_version").isTextual()) md.put("keras_version",
                    s.get("keras_version").asText());
            if (!md.containsKey("backend") && s.path("backend").isTextual()) md.put("backend", s.get("backend")
                    .asText());
        }
        md.put("jkm_version", new StringBuilder().append(root.get("version").get(0).asInt()).append('.')
                .append(root.get("version").get(1).asInt()).toString());
        return md;
    }

    /**
     * Runs embedded test vectors. A class of its own, loaded only for a file that has some: with
     * the session, comparison and exception types it needs, which a fresh JVM would otherwise
     * load and verify for every model.
     */
    private static final class Checks {
        private Checks() {}

        static void run(Model model, Json checks, List<TensorInfo> table, float[][] values, boolean[] used,
                String label) {
            if (!checks.isArray()) throw new ModelFormatException(label, null, null, "'checks' is not an array", null);
            for (int ci = 0; ci < checks.size(); ci++) {
                Json c = checks.get(ci);
                String origin = c.path("origin").asText("unknown");
                String what = "embedded check " + ci + " (outputs from " + origin + ")";
                Json at = c.get("atol"), rt = c.get("rtol");
                if (at == null || !at.isNumber() || rt == null || !rt.isNumber()) {
                    throw new ModelFormatException(label, null, null, what + " needs numbers 'atol' and 'rtol'", null);
                }
                for (Json t : new Json[]{at, rt}) {
                    String problem = Tolerance.strictProblem(t.doubleValue());
                    if (problem != null) {
                        throw new ModelFormatException(label, null, null, what + " has tolerance '"
                                + (t == at ? "atol" : "rtol")
                                + "' " + t.doubleValue() + ": " + problem, null);
                    }
                }
                Session s = model.newSession();
                List<String> failures = new ArrayList<>();
                Json batches = array(c, "batches", label);
                for (int b = 0; b < batches.size(); b++) {
                    Json bj = batches.get(b);
                    Json xs = array(bj, "inputs", label), ys = array(bj, "outputs", label);
                    if (xs.size() != model.inputCount() || ys.size() != model.outputCount()) {
                        throw new ModelFormatException(label, null, null, what + " batch " + b + " has " + xs.size()
                                + " input(s) and " + ys.size()
                                + " output(s); the model takes " + model.inputCount() + " and gives "
                                        + model.outputCount(), null);
                    }
                    Tensor[] x = new Tensor[xs.size()];
                    for (int i = 0; i < x.length; i++) x[i] = tensor(xs.get(i), table, values, used, label);
                    Tensor[] y;
                    try {
                        y = s.predict(x);
                    } catch (InputException e) {
                        throw new EmbeddedCheckException(label, what + " cannot run batch " + b + ": "
                                + e.getMessage());
                    }
                    for (int o = 0; o < y.length; o++) {
                        Comparison cmp = Comparison.of("batch " + b + " output " + o + " '" + model.outputName(o) + "'",
                                y[o],
                                tensor(ys.get(o), table, values, used, label), at.doubleValue(), rt.doubleValue());
                        if (!cmp.passed()) failures.add(cmp.describe());
                    }
                }
                if (!failures.isEmpty()) {
                    throw new EmbeddedCheckException(label, what + " fails: this jkeras ("
                            + io.jkeras.util.Version.jkeras()
                            + ") no longer computes the outputs stored with the model: " + String.join("; ", failures));
                }
            }
        }

        private static Tensor tensor(Json idx, List<TensorInfo> table, float[][] values, boolean[] used, String label) {
            int i = index(idx, table.size(), "check tensor", label);
            use(used, i, table, label);
            return new Tensor(table.get(i).shape(), values[i]);
        }
    }

    private static Json array(Json parent, String key, String label) {
        Json a = parent == null ? null : parent.get(key);
        if (a == null || !a.isArray()) throw new ModelFormatException(label, null, null, "header has no '" + key
                + "' array where expected", null);
        return a;
    }

    /**
     * As {@link #index(Json, int, String, String)}, the description {@code prefix + num + suffix} built only for a
     * message.
     */
    private static int index(Json n, int size, String prefix, int num, String suffix, String label) {
        if (n != null && n.isIntegralNumber() && n.canConvertToInt() && n.intValue() >= 0
                && n.intValue() < size) return n.intValue();
        return index(n, size, prefix + num + suffix, label);
    }

    private static int index(Json n, int size, String what, String label) {
        if (n == null || !n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 0 || n.intValue() >= size) {
            throw new ModelFormatException(label, null, null, what + " " + n + " is not an index below " + size, null);
        }
        return n.intValue();
    }

    private static Node.Ref ref(Json r, List<Node> nodes, int before, String label) {
        if (r == null || !r.isArray() || r.size() != 2) throw new ModelFormatException(label, null, null,
                "a tensor reference must be [node, index], got " + r, null);
        int node = index(r.get(0), Math.min(before, nodes.size()), "referenced node", label);
        int idx = index(r.get(1), nodes.get(node).outputShapes().length, "output index of node ", node, "", label);
        return new Node.Ref(node, idx);
    }

    private static int[] intsOf(Json a) {
        if (a == null || !a.isArray()) return null;
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) {
            if (!a.get(i).isIntegralNumber() || !a.get(i).canConvertToInt()) return null;
            r[i] = a.get(i).intValue();
        }
        return r;
    }


    private static boolean isHex8(String s) {
        if (s.length() != 8) return false;
        for (int i = 0; i < 8; i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) return false;
        }
        return true;
    }

    private static String hex32(int v) { return String.format("%08x", v); }

    private static String hex(byte[] b, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(n, b.length); i++) sb.append(i > 0 ? " " : "").append(String.format("%02x", b[i]));
        return sb.length() == 0 ? "(nothing: the file is empty)" : sb.toString();
    }

    private static String hint(byte[] head) {
        if (head.length >= 4 && head[0] == (byte) 0x89 && head[1] == 'H' && head[2] == 'D' && head[3] == 'F') {
            return " (this is an HDF5 file: a Keras .h5 model loads with JKeras.load)";
        }
        if (head.length >= 2 && head[0] == 'P'
                && head[1] == 'K') return " (this is a zip archive: a Keras .keras model loads with JKeras.load)";
        if (head.length >= 4 && head[0] == (byte) 0x89 && head[1] == 'J' && head[2] == 'K' && head[3] == 'M') {
            return " (the line-end bytes differ: the file was probably copied in text mode; copy it in binary mode)";
        }
        return "";
    }
}

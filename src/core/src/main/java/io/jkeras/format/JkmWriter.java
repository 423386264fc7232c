package io.jkeras.format;

import io.jkeras.util.Sha256;
import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.JKerasException;
import io.jkeras.layers.Layer;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.model.Model;
import io.jkeras.model.Node;
import io.jkeras.tensor.Tensor;
import io.jkeras.util.AtomicFiles;
import io.jkeras.util.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes a {@link Model} in the native format (see {@code docs/format.md}). The output depends only
 * on the model and the options: converting the same model twice gives the same bytes, and a model
 * loaded from a native file is written back unchanged (its source provenance is carried over).
 */
public final class JkmWriter {
    /**
     * @param sourceFile the file the model was loaded from, whose SHA-256 the header records; null
     *                   to use the model's {@code source} metadata when it names an existing file
     * @param checks     test vectors to embed; loading re-runs them
     */
    public record Options(Path sourceFile, List<EmbeddedCheck> checks) {
        public static final Options DEFAULT = new Options(null, List.of());

        public Options {
            checks = List.copyOf(checks);
        }

        public Options withSourceFile(Path p) { return new Options(p, checks); }

        public Options withCheck(EmbeddedCheck c) {
            List<EmbeddedCheck> l = new ArrayList<>(checks);
            l.add(c);
            return new Options(sourceFile, l);
        }
    }

    private JkmWriter() {}

    /** Writes atomically: a temporary file in the same directory, forced to disk, renamed over {@code out}. */
    public static void write(Model model, Path out, Options options) throws IOException {
        Plan plan = plan(model, options);
        AtomicFiles.write(out, plan::writeTo);
    }

    public static void write(Model model, OutputStream out, Options options) throws IOException {
        plan(model, options).writeTo(out);
    }

    /** The whole file in memory. */
    public static byte[] toBytes(Model model, Options options) {
        Plan plan = plan(model, options);
        ByteArrayOutputStream bo = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8, plan.fileLength));
        try {
            plan.writeTo(bo);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bo.toByteArray();
    }

    /** A tensor of the table: its bytes (little-endian float32) and checksum. */
    private record Entry(String name, int[] shape, byte[] bytes, long crc) {}

    private static final class Sink implements JkmLayerEncoder.TensorSink {
        final List<Entry> entries = new ArrayList<>();
        final Set<String> names = new HashSet<>();

        @Override
        public int add(String name, int[] shape, float[] values) {
            if (!names.add(name)) throw new IllegalStateException("two tensors named " + name);
            long n = 1;
            for (int d : shape) {
                if (d < 0) throw new IllegalArgumentException("tensor " + name + " has a negative dimension "
                        + Tensor.shapeString(shape));
                n *= d;
            }
            if (n != values.length) throw new IllegalArgumentException("tensor " + name + " "
                    + Tensor.shapeString(shape) + " holds " + values.length + " values");
            if (4L * values.length > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("tensor " + name
                    + " is larger than 2 GiB");
            ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(values); // raw bits: NaN payloads are kept
            java.util.zip.Checksum crc = Jkm.checksum(Jkm.MAJOR);
            crc.update(b.array(), 0, b.capacity());
            entries.add(new Entry(name, shape.clone(), b.array(), crc.getValue()));
            return entries.size() - 1;
        }
    }

    /** Everything to write, with the layout fixed. */
    private static final class Plan {
        byte[] preamble;
        byte[] header;
        long dataOffset;
        long[] offsets;
        List<Entry> entries;
        long fileLength;

        void writeTo(OutputStream out) throws IOException {
            out.write(preamble);
            out.write(header);
            long pos = Jkm.PREAMBLE + header.length;
            byte[] zeros = new byte[Jkm.ALIGN];
            for (int i = 0; i < entries.size(); i++) {
                pos = pad(out, pos, offsets[i], zeros);
                out.write(entries.get(i).bytes);
                pos += entries.get(i).bytes.length;
            }
            pad(out, pos, fileLength, zeros);
        }

        private static long pad(OutputStream out, long pos, long to, byte[] zeros) throws IOException {
            while (pos < to) {
                int n = (int) Math.min(zeros.length, to - pos);
                out.write(zeros, 0, n);
                pos += n;
            }
            return pos;
        }
    }

    static long align(long x) { return (x + Jkm.ALIGN - 1) / Jkm.ALIGN * Jkm.ALIGN; }

    private static Plan plan(Model model, Options options) {
        Sink sink = new Sink();
        Json.ObjectBuilder root = Json.object();
        root.put("format", "jkeras-native");
        root.putArray("version").add(Jkm.MAJOR).add(Jkm.MINOR);
        root.put("writer", "jkeras " + io.jkeras.util.Version.jkeras());
        root.put("source", source(model, options));
        Json.ObjectBuilder meta = root.putObject("metadata");
        for (Map.Entry<String, String> e : model.metadata().entrySet()) {
            if (!JkmReader.DERIVED_METADATA.contains(e.getKey()) && e.getValue() != null) meta.put(e.getKey(),
                    e.getValue());
        }
        Json.ObjectBuilder gl = root.putObject("gate_layout");
        gl.put("tensors", "panel");
        gl.put("block", io.jkeras.layers.GatePanel.BLOCK);
        gl.put("description",
                "kernels, recurrent kernels and biases of recurrent layers are stored in the engine's GatePanel layout:"
                + " tiles of 'block' units; column (j*G + g)*block + u is gate g (in the order of the layer's"
                        + " 'gates', G of them) of"
                + " unit j*block + u; the last tile is padded with zero columns; a GRU reset_after bias is (2,"
                        + " width), input row first");
        Json.ObjectBuilder gates = gl.putObject("gates");
        gates.put("SimpleRnn", "h");
        gates.put("Lstm", "i|f|c|o");
        gates.put("Gru", "z|r|h");

        // the layer table, in order of first use by a node; the summary refers to it by index
        Map<Layer, Integer> index = new IdentityHashMap<>();
        List<Layer> table = new ArrayList<>();
        for (Node n : model.nodes()) if (index.putIfAbsent(n.layer(), table.size()) == null) table.add(n.layer());
        for (Layer l : model.layers()) if (index.putIfAbsent(l, table.size()) == null) table.add(l);
        Set<String> names = new HashSet<>();
        for (Layer l : table) {
            if (!names.add(l.name())) throw new IllegalArgumentException("model has two layers named " + l.name());
        }

        Json.ObjectBuilder m = root.putObject("model");
        m.put("name", model.name());
        Json.ArrayBuilder ins = m.putArray("inputs");
        for (int id : model.inputNodeIds()) ins.add(id);
        Json.ArrayBuilder outs = m.putArray("outputs");
        for (Node.Ref r : model.outputRefs()) outs.add(ref(r));
        Json.ArrayBuilder summary = m.putArray("summary");
        for (Layer l : model.layers()) summary.add(index.get(l));
        Json.ArrayBuilder layers = m.putArray("layers");
        for (Layer l : table) {
            try {
                layers.add(JkmLayerEncoder.encode(l, l.name(), sink));
            } catch (JKerasException e) {
                throw e.in(model.metadata().get("source"), l.name());
            }
        }
        Json.ArrayBuilder nodes = m.putArray("nodes");
        for (Node n : model.nodes()) {
            Json.ObjectBuilder o = nodes.addObject();
            o.put("layer", index.get(n.layer()));
            Json.ArrayBuilder in = o.putArray("inputs");
            for (Node.Ref r : n.inputs()) in.add(ref(r));
            if (n.mask() == null) o.putNull("mask");
            else o.put("mask", ref(n.mask()));
            Json.ArrayBuilder shapes = o.putArray("output_shapes");
            for (int[] s : n.outputShapes()) shapes.add(ints(s));
        }
        Json.ObjectBuilder training = m.putObject("training");
        for (Map.Entry<String, TrainingConfig> e : new TreeMap<>(model.trainingConfigs()).entrySet()) {
            training.put(e.getKey(), TrainingCodec.encode(e.getKey(), e.getValue()));
        }

        Json.ArrayBuilder checks = root.putArray("checks");
        for (int c = 0; c < options.checks().size(); c++) checks.add(check(model, options.checks().get(c), c, sink));

        // tensors: the data section starts at the first multiple of 64 after the header; the header's
        // length depends on the offsets it lists, so lay out until the start no longer moves
        long dataOffset = align(Jkm.PREAMBLE + 1);
        byte[] header;
        long[] offsets;
        while (true) {
            offsets = new long[sink.entries.size()];
            long pos = dataOffset;
            Json.ArrayBuilder ts = Json.array();
            for (int i = 0; i < offsets.length; i++) {
                Entry e = sink.entries.get(i);
                offsets[i] = pos;
                Json.ObjectBuilder t = ts.addObject();
                t.put("name", e.name());
                t.put("dtype", "float32");
                t.put("shape", ints(e.shape()));
                t.put("offset", pos);
                t.put("nbytes", e.bytes().length);
                t.put(Jkm.checksumKey(Jkm.MAJOR), String.format("%08x", e.crc()));
                pos = align(pos + e.bytes().length);
            }
            root.put("tensors", ts.build());
            header = root.build().toBytes();
            long need = align(Jkm.PREAMBLE + header.length);
            if (need <= dataOffset) break;
            dataOffset = need;
        }
        Plan p = new Plan();
        p.header = header;
        p.dataOffset = dataOffset;
        p.offsets = offsets;
        p.entries = sink.entries;
        long end = dataOffset;
        if (offsets.length > 0) end = align(offsets[offsets.length - 1] + sink.entries.get(offsets.length - 1).bytes()
                .length);
        p.fileLength = end;
        java.util.zip.Checksum hc = Jkm.checksum(Jkm.MAJOR);
        hc.update(header, 0, header.length);
        p.preamble = preamble(header.length, dataOffset, end, hc.getValue());
        return p;
    }

    static byte[] preamble(long headerLength, long dataOffset, long fileLength, long headerCrc) {
        ByteBuffer b = ByteBuffer.allocate(Jkm.PREAMBLE).order(ByteOrder.LITTLE_ENDIAN);
        b.put(Jkm.MAGIC);
        b.putShort(8, (short) Jkm.MAJOR);
        b.putShort(10, (short) Jkm.MINOR);
        b.putInt(12, 0);
        b.putLong(16, Jkm.PREAMBLE);
        b.putLong(24, headerLength);
        b.putLong(32, dataOffset);
        b.putLong(40, fileLength);
        b.putInt(48, (int) headerCrc);
        b.putInt(60, Jkm.preambleCrc(b.array(), 0, 60));
        return b.array();
    }

    private static Json source(Model model, Options options) {
        Map<String, String> md = model.metadata();
        Json.ObjectBuilder s = Json.object();
        boolean fromJkm = "jkm".equals(md.get("format"));
        String file, format, sha = null;
        if (fromJkm) {
            file = md.get("source_file");
            format = md.get("source_format");
            sha = md.get("source_sha256");
        } else {
            String src = md.get("source");
            file = src == null ? null : fileName(src);
            format = md.get("format");
        }
        Path p = options.sourceFile();
        if (p == null && !fromJkm && md.get("source") != null) {
            try {
                Path q = Path.of(md.get("source"));
                if (Files.isRegularFile(q)) p = q;
            } catch (RuntimeException ignored) {
                // a label that is not a path (a stream's name)
            }
        }
        if (p != null) {
            file = fileName(p.toString());
            try {
                sha = Sha256.of(p);
            } catch (IOException e) {
                throw new io.jkeras.exceptions.ModelFileException(p.toString(), null, null,
                        "cannot read the source file to hash it: " + e.getMessage(), e);
            }
        }
        s.put("file", file);
        s.put("format", format);
        s.put("keras_version", md.get("keras_version"));
        s.put("backend", md.get("backend"));
        s.put("sha256", sha);
        return s.build();
    }

    private static String fileName(String p) {
        int i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
        return i < 0 ? p : p.substring(i + 1);
    }

    private static Json check(Model model, EmbeddedCheck c, int ci, Sink sink) {
        Json.ObjectBuilder o = Json.object();
        o.put("origin", c.origin());
        o.put("atol", c.atol());
        o.put("rtol", c.rtol());
        Json.ArrayBuilder batches = o.putArray("batches");
        for (int b = 0; b < c.batches(); b++) {
            Tensor[] x = c.inputs().get(b), y = c.outputs().get(b);
            if (x.length != model.inputCount() || y.length != model.outputCount()) {
                throw new InputException("embedded check batch " + b + " has " + x.length + " input(s) and " + y.length
                        + " output(s); the model takes " + model.inputCount() + " and gives " + model.outputCount());
            }
            Json.ObjectBuilder bo = batches.addObject();
            Json.ArrayBuilder xi = bo.putArray("inputs");
            for (int i = 0; i < x.length; i++) xi.add(
                    sink.add("check" + ci + "/batch" + b + "/x" + i, x[i].shape(), x[i].data()));
            Json.ArrayBuilder yi = bo.putArray("outputs");
            for (int i = 0; i < y.length; i++) yi.add(
                    sink.add("check" + ci + "/batch" + b + "/y" + i, y[i].shape(), y[i].data()));
        }
        return o.build();
    }

    private static Json ref(Node.Ref r) { return Json.array().add(r.node()).add(r.index()).build(); }

    private static Json ints(int[] s) {
        Json.ArrayBuilder a = Json.array();
        for (int x : s) a.add(x);
        return a.build();
    }
}

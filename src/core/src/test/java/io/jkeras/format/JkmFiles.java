package io.jkeras.format;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * Test helper: takes a valid native file apart and lays it out again after editing its header or
 * tensors, with every checksum recomputed, so that tests reach the checks behind the checksums.
 */
final class JkmFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JkmFiles() {}

    static ObjectNode header(byte[] file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int len = (int) b.getLong(24);
        return (ObjectNode) JSON.readTree(Arrays.copyOfRange(file, 64, 64 + len));
    }

    /** The raw bytes of each tensor, in table order. */
    static List<byte[]> tensors(byte[] file) throws IOException {
        List<byte[]> out = new ArrayList<>();
        for (var t : header(file).get("tensors")) {
            int off = (int) t.get("offset").asLong(), n = (int) t.get("nbytes").asLong();
            out.add(Arrays.copyOfRange(file, off, off + n));
        }
        return out;
    }

    /**
     * Edits the header (and the tensors' bytes in place), then lays the file out again with valid checksums and
     * offsets.
     */
    static byte[] rewrite(byte[] file, Consumer<ObjectNode> editHeader, Consumer<List<byte[]>> editTensors, int major,
            int minor)
            throws IOException {
        ObjectNode h = header(file);
        List<byte[]> ts = tensors(file);
        editHeader.accept(h);
        editTensors.accept(ts);
        ArrayNode table = (ArrayNode) h.get("tensors");
        long data = 128;
        byte[] hb;
        while (true) {
            long pos = data;
            for (int i = 0; i < ts.size(); i++) {
                ObjectNode t = (ObjectNode) table.get(i);
                if (!t.has("keep_offset")) t.put("offset", pos);
                java.util.zip.Checksum c = checksum(major);
                c.update(ts.get(i), 0, ts.get(i).length);
                if (!t.has("keep_crc")) {
                    t.remove(List.of("crc32", "crc32c"));
                    t.put(major >= 2 ? "crc32" : "crc32c", String.format("%08x", c.getValue()));
                }
                pos = JkmWriter.align(pos + ts.get(i).length);
            }
            hb = JSON.writeValueAsBytes(h);
            if (JkmWriter.align(64 + hb.length) <= data) break;
            data = JkmWriter.align(64 + hb.length);
        }
        long end = data;
        for (int i = 0; i < ts.size(); i++) {
            if (!table.get(i).has("keep_offset")) end = Math.max(end,
                    JkmWriter.align(table.get(i).get("offset").asLong() + ts.get(i).length));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        java.util.zip.Checksum hc = checksum(major);
        hc.update(hb, 0, hb.length);
        byte[] pre = JkmWriter.preamble(hb.length, data, end, hc.getValue());
        ByteBuffer p = ByteBuffer.wrap(pre).order(ByteOrder.LITTLE_ENDIAN);
        p.putShort(8, (short) major);
        p.putShort(10, (short) minor);
        fixPreambleCrc(pre);
        byte[] f = new byte[(int) end];
        System.arraycopy(pre, 0, f, 0, 64);
        System.arraycopy(hb, 0, f, 64, hb.length);
        for (int i = 0; i < ts.size(); i++) {
            long off = table.get(i).get("offset").asLong();
            if (off >= 0 && off + ts.get(i).length <= f.length) System.arraycopy(ts.get(i), 0, f, (int) off, ts.get(i)
                    .length);
        }
        out.write(f);
        return out.toByteArray();
    }

    /** {@code file} with its header edited, keeping the format version it has. */
    static byte[] rewrite(byte[] file, Consumer<ObjectNode> editHeader) throws IOException {
        com.fasterxml.jackson.databind.JsonNode version = header(file).get("version");
        return rewrite(file, editHeader, t -> {}, version.get(0).asInt(), version.get(1).asInt());
    }

    /**
     * The header's and tensors' checksum of format {@code major}, from the JDK, independently of
     * the format code: CRC32 from 2.0, CRC32C before.
     */
    static java.util.zip.Checksum checksum(int major) { return major >= 2 ? new java.util.zip.CRC32() : new CRC32C(); }

    /** Recomputes the preamble checksum (CRC32C in every version) after the preamble was edited. */
    static void fixPreambleCrc(byte[] f) {
        CRC32C c = new CRC32C();
        c.update(f, 0, 60);
        ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putInt(60, (int) c.getValue());
    }
}

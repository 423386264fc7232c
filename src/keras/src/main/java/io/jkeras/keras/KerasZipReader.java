package io.jkeras.keras;

import io.jkeras.model.LoadOptions;
import io.jkeras.exceptions.ModelFileException;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads a zip archive (a Keras {@code .keras} file, memory-mapped or held in memory) the way
 * Python's {@code zipfile}, which Keras uses, does: entries are found through the central
 * directory at the end of the archive, and each wanted entry is decompressed from its local
 * header. Entries that are not wanted are listed but never read: of a mapped file, their pages are
 * never touched (an archive with a 1 GiB unused asset costs nothing). Nothing is extracted to disk. Refused with a
 * {@link ModelFileException}: entry names that are absolute or
 * contain {@code ..}, the same name twice, more entries than {@link LoadOptions#maxArchiveEntries},
 * encrypted or multi-disk archives, and zip bombs: entries whose declared or actual size exceeds
 * {@link LoadOptions#maxArchiveBytes} or whose expansion exceeds
 * {@link LoadOptions#maxCompressionRatio}. Sizes are enforced by counting decompressed bytes as
 * they are produced; the sizes in the headers are only checked against them afterwards, with the
 * CRC-32.
 */
public final class KerasZipReader {
    /** Below this size an entry is never called a bomb, whatever its ratio (JSON compresses well). */
    static final long RATIO_FLOOR_BYTES = 1L << 20;
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 16;
    private static final int EOCD_SIG = 0x06054b50;
    private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
    private static final int ZIP64_EOCD_SIG = 0x06064b50;
    private static final int CENTRAL_SIG = 0x02014b50;
    private static final int LOCAL_SIG = 0x04034b50;

    /** The archive's entry names in central-directory order and the contents of the entries read. */
    public record Archive(List<String> names, Map<String, byte[]> contents) {
        public boolean has(String name) { return names.contains(name); }

        public byte[] get(String name) { return contents.get(name); }
    }

    private KerasZipReader() {}

    /** True for the signatures a zip archive starts with: a local header, or an empty archive. */
    public static boolean isZip(byte[] head) {
        if (head == null || head.length < 4 || head[0] != 'P' || head[1] != 'K') return false;
        return (head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6) || (head[2] == 7 && head[3] == 8);
    }

    /**
     * Lists every entry of {@code zip} (validating all names and declared sizes) and decompresses the
     * {@code wanted} ones that are present.
     */
    public static Archive read(byte[] zip, String label, LoadOptions options, Set<String> wanted) {
        return read(ByteBuffer.wrap(zip), label, options, wanted);
    }

    /** As {@link #read(byte[], String, LoadOptions, Set)}, from a buffer (e.g. a mapped file) of at most 2 GiB. */
    public static Archive read(ByteBuffer zip, String label, LoadOptions options, Set<String> wanted) {
        return new Parser(zip, label, options).read(wanted);
    }

    private record Entry(String name, int flags, int method, long crc, long compressedSize, long size,
                         long localOffset) {}

    private static final class Parser {
        final ByteBuffer b;
        final int length;
        final String label;
        final LoadOptions o;
        long budget;

        Parser(ByteBuffer b, String label, LoadOptions o) {
            this.b = b.duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
            this.length = b.limit();
            this.label = label;
            this.o = o;
            this.budget = o.maxArchiveBytes();
        }

        Archive read(Set<String> wanted) {
            List<Entry> entries = centralDirectory();
            List<String> names = new ArrayList<>();
            for (Entry e : entries) names.add(e.name);
            Map<String, byte[]> contents = new LinkedHashMap<>();
            for (Entry e : entries) {
                if (wanted.contains(e.name)) contents.put(e.name, extract(e));
            }
            return new Archive(Collections.unmodifiableList(names), Collections.unmodifiableMap(contents));
        }

        private ModelFileException fail(String detail) {
            return new ModelFileException(label, null, null, detail, null);
        }

        private int u16(long at) {
            check(at, 2);
            int i = (int) at;
            return b.getShort(i) & 0xffff;
        }

        private long u32(long at) {
            check(at, 4);
            int i = (int) at;
            return b.getInt(i) & 0xffffffffL;
        }

        private long u64(long at) {
            long lo = u32(at);
            long hi = u32(at + 4);
            if (hi < 0 || hi > 0x7fffffffL) throw fail(
                    "a zip64 field holds an impossible value: the archive is damaged");
            return lo | hi << 32;
        }

        private void check(long at, long n) {
            if (at < 0 || n < 0 || at + n > length) {
                throw fail("zip structure points past the end of the archive (offset " + at + ", archive size "
                        + length + "): the file is truncated or damaged");
            }
        }

        /** A copy of {@code n} bytes at {@code at}, checked to lie within the archive. */
        private byte[] bytes(long at, long n) {
            check(at, n);
            byte[] out = new byte[(int) n];
            b.get((int) at, out);
            return out;
        }

        /** The end-of-central-directory record, searched from the end as zipfile does. */
        private List<Entry> centralDirectory() {
            int eocd = -1;
            for (int i = length - 22; i >= Math.max(0, length - 22 - 65535); i--) {
                if (b.get(i) == 'P' && b.get(i + 1) == 'K' && b.get(i + 2) == 5 && b.get(i + 3) == 6
                        && i + 22 + u16(i + 20) <= length) {
                    eocd = i;
                    break;
                }
            }
            if (eocd < 0) {
                throw fail("a zip archive (not an HDF5 file) without an end-of-central-directory record: the archive"
                        + " is truncated or damaged; a Keras .keras file must be copied whole");
            }
            if (u16(eocd + 4) != 0 || u16(eocd + 6) != 0) throw fail(
                    "multi-disk (spanned) zip archives are not supported");
            long count = u16(eocd + 10);
            long cdSize = u32(eocd + 12);
            long cdOffset = u32(eocd + 16);
            long location = eocd;
            if (count == 0xffff || cdSize == 0xffffffffL || cdOffset == 0xffffffffL) {
                int loc = eocd - 20;
                if (loc >= 0 && u32(loc) == ZIP64_LOCATOR_SIG) {
                    long z = u64(loc + 8);
                    check(z, 56);
                    if (u32(z) != ZIP64_EOCD_SIG) throw fail(
                            "zip64 end-of-central-directory record not found where its locator points");
                    count = u64(z + 32);
                    cdSize = u64(z + 40);
                    cdOffset = u64(z + 48);
                    location = z;
                }
            }
            if (count > o.maxArchiveEntries()) {
                throw fail("the zip archive lists " + count + " entries, more than the limit of "
                        + o.maxArchiveEntries()
                        + " (LoadOptions.maxArchiveEntries); a Keras .keras file holds config.json, metadata.json,"
                        + " model.weights.h5 and its assets");
            }
            // An archive with data before it (e.g. a prepended stub) shifts every offset, as zipfile allows.
            long concat = location - cdSize - cdOffset;
            long start = cdOffset + concat;
            check(start, cdSize);
            List<Entry> out = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            long p = start;
            long end = start + cdSize;
            while (p < end) {
                if (u32(p) != CENTRAL_SIG) throw fail("damaged zip central directory (bad entry signature at offset "
                        + p + ")");
                int flags = u16(p + 8);
                int method = u16(p + 10);
                long crc = u32(p + 16);
                long csize = u32(p + 20);
                long size = u32(p + 24);
                int nameLen = u16(p + 28);
                int extraLen = u16(p + 30);
                int commentLen = u16(p + 32);
                long offset = u32(p + 42);
                check(p + 46, (long) nameLen + extraLen + commentLen);
                byte[] raw = bytes(p + 46, nameLen);
                String name = new String(raw, (flags & 0x800) != 0 ? StandardCharsets.UTF_8 : cp437());
                // zip64 extra field: the 8-byte values of the fields that hold 0xffffffff, in this order
                long x = p + 46 + nameLen;
                long xEnd = x + extraLen;
                while (x + 4 <= xEnd) {
                    int id = u16(x);
                    int len = u16(x + 2);
                    if (id == 1) {
                        long q = x + 4;
                        if (size == 0xffffffffL) { size = u64(q); q += 8; }
                        if (csize == 0xffffffffL) { csize = u64(q); q += 8; }
                        if (offset == 0xffffffffL) { offset = u64(q); }
                    }
                    x += 4 + len;
                }
                if (out.size() >= o.maxArchiveEntries()) {
                    throw fail("the zip archive holds more than " + o.maxArchiveEntries()
                            + " entries (LoadOptions.maxArchiveEntries)");
                }
                checkName(name);
                if (!seen.add(name)) {
                    throw fail("the zip archive holds two entries named '" + name + "'; refusing an ambiguous archive"
                            + " (Keras writes each entry once)");
                }
                if ((flags & 1) != 0) throw fail("zip entry '" + name + "' is encrypted; Keras archives never are");
                long limit = entryLimit();
                if (size > limit) {
                    throw fail("zip entry '" + name + "' declares " + size + " bytes, more than the limit of " + limit
                            + " bytes (LoadOptions.maxArchiveBytes)");
                }
                if (size > RATIO_FLOOR_BYTES && size > (long) o.maxCompressionRatio() * csize) {
                    throw bomb(name, size, csize, "declares");
                }
                out.add(new Entry(name, flags, method, crc, csize, size, offset + concat));
                p += 46L + nameLen + extraLen + commentLen;
            }
            if (out.size() != count && count != 0xffff) {
                throw fail("the zip end record announces " + count + " entries but the central directory holds "
                        + out.size() + ": the archive is damaged");
            }
            return out;
        }

        private long entryLimit() { return Math.min(budget, MAX_ARRAY); }

        private ModelFileException bomb(String name, long size, long csize, String verb) {
            return fail("zip entry '" + name + "' " + verb + " " + size + " bytes from " + csize + " stored bytes,"
                    + " an expansion above the limit of " + o.maxCompressionRatio()
                            + "x (LoadOptions.maxCompressionRatio):"
                    + " refusing a potential zip bomb; Keras stores its entries uncompressed");
        }

        private void checkName(String name) {
            if (name.isEmpty()) throw fail("the zip archive holds an entry with an empty name");
            if (name.indexOf('\0') >= 0) throw fail("zip entry name '" + name.replace('\0', '?')
                    + "' contains a NUL character");
            boolean absolute = name.startsWith("/") || name.startsWith("\\")
                    || (name.length() >= 2 && name.charAt(1) == ':' && Character.isLetter(name.charAt(0)));
            if (absolute) {
                throw fail("zip entry '" + name + "' has an absolute path; entries of a Keras archive are relative"
                        + " (config.json, metadata.json, model.weights.h5, assets/...)");
            }
            for (String part : name.split("[/\\\\]")) {
                if (part.equals("..")) {
                    throw fail("zip entry '" + name
                            + "' contains '..' (a path leaving the archive); refusing the archive");
                }
            }
        }

        private byte[] extract(Entry e) {
            long at = e.localOffset;
            check(at, 30);
            if (u32(at) != LOCAL_SIG) throw fail("zip entry '" + e.name + "': no local header at offset " + at
                    + ": the archive is damaged");
            int nameLen = u16(at + 26);
            int extraLen = u16(at + 28);
            String local = new String(bytes(at + 30, nameLen), (e.flags & 0x800) != 0 ? StandardCharsets.UTF_8
                    : cp437());
            if (!local.equals(e.name)) {
                throw fail("zip entry '" + e.name + "' is named '" + local
                        + "' in its local header: the archive is damaged or crafted");
            }
            long data = at + 30 + nameLen + extraLen;
            check(data, e.compressedSize);
            long limit = entryLimit();
            long ratioLimit = Math.max(RATIO_FLOOR_BYTES, (long) o.maxCompressionRatio() * e.compressedSize);
            byte[] out;
            if (e.method == 0) {
                if (e.compressedSize > limit) {
                    throw fail("zip entry '" + e.name + "' stores " + e.compressedSize
                            + " bytes, more than the limit of "
                            + limit + " bytes (LoadOptions.maxArchiveBytes)");
                }
                out = bytes(data, e.compressedSize);
            } else if (e.method == 8) {
                out = inflate(e, (int) data, limit, ratioLimit);
            } else {
                throw fail("zip entry '" + e.name + "' uses compression method " + e.method
                        + "; only stored (0) and deflated (8) entries are read, which is what Keras writes");
            }
            budget -= out.length;
            if (out.length != e.size) {
                throw fail("zip entry '" + e.name + "' holds " + out.length + " bytes but its header declares " + e.size
                        + ": the archive is damaged");
            }
            CRC32 crc = new CRC32();
            crc.update(out);
            if (crc.getValue() != e.crc) throw fail("zip entry '" + e.name
                    + "' fails its CRC-32 check: the archive is damaged");
            return out;
        }

        private byte[] inflate(Entry e, int data, long limit, long ratioLimit) {
            long bound = Math.min(limit, ratioLimit);
            Inflater inf = new Inflater(true);
            try {
                // zlib's raw ("nowrap") mode may want one byte past the data to report the end.
                if (data + e.compressedSize < length) {
                    inf.setInput(b.slice(data, (int) e.compressedSize + 1));
                } else {
                    inf.setInput(java.util.Arrays.copyOf(bytes(data, e.compressedSize), (int) e.compressedSize + 1));
                }
                byte[] out = new byte[(int) Math.max(1, Math.min(Math.max(e.size, 1024), Math.min(bound, 1 << 20)))];
                int n = 0;
                while (!inf.finished()) {
                    if (n == out.length) {
                        if (n >= bound) {
                            // The buffer holds the most we allow: one more byte proves the entry too large.
                            if (inf.inflate(new byte[1]) > 0) {
                                if (n >= limit) {
                                    throw fail("zip entry '" + e.name + "' decompresses to more than " + limit
                                            + " bytes (LoadOptions.maxArchiveBytes): refusing a potential zip bomb");
                                }
                                throw bomb(e.name, n, e.compressedSize, "decompresses to more than");
                            }
                            stalled(inf, e);
                            continue;
                        }
                        out = java.util.Arrays.copyOf(out, (int) Math.min(bound, Math.max(1024L, 2L * out.length)));
                    }
                    int k = inf.inflate(out, n, out.length - n);
                    n += k;
                    if (k == 0) stalled(inf, e);
                }
                return n == out.length ? out : java.util.Arrays.copyOf(out, n);
            } catch (DataFormatException ex) {
                throw new ModelFileException(label, null, null, "zip entry '" + e.name + "' is not valid DEFLATE data ("
                        + ex.getMessage() + "): the archive is damaged", ex);
            } finally {
                inf.end();
            }
        }

        /** After an inflate call that produced nothing: the data must be complete, or more must follow. */
        private void stalled(Inflater inf, Entry e) {
            if (inf.finished()) return;
            if (inf.needsDictionary()) throw fail("zip entry '" + e.name
                    + "' needs a preset dictionary: not a valid zip entry");
            if (inf.needsInput()) throw fail("zip entry '" + e.name
                    + "' is truncated (its compressed data ends early)");
        }
    }

    private static Charset cp437() {
        try {
            return Charset.forName("IBM437");
        } catch (RuntimeException e) {
            return StandardCharsets.ISO_8859_1;
        }
    }
}

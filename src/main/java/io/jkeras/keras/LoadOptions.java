package io.jkeras.keras;

/**
 * Limits and switches for loading.
 *
 * @param allowNonFiniteWeights load weights holding NaN or Inf instead of refusing them
 * @param maxWeightElements     the largest number of elements one weight may claim
 * @param maxStreamBytes        the largest model read into memory: from an InputStream, or a
 *                              {@code .keras} zip archive (which is always read whole, never
 *                              extracted to disk)
 * @param maxArchiveEntries     the most entries a {@code .keras} archive may list (Keras writes 3,
 *                              plus any assets)
 * @param maxArchiveBytes       the most bytes the entries read from one archive may decompress
 *                              to, counted while decompressing (headers are not trusted)
 * @param maxCompressionRatio   an entry that decompresses to more than this many times its stored
 *                              size (and to more than 1 MiB) is refused as a zip bomb; Keras
 *                              stores its entries uncompressed, and DEFLATE of real weights
 *                              gains little
 */
public record LoadOptions(boolean allowNonFiniteWeights, long maxWeightElements, long maxStreamBytes,
                          int maxArchiveEntries, long maxArchiveBytes, int maxCompressionRatio) {
    public static final LoadOptions DEFAULT = new LoadOptions(false, 1L << 28, 1L << 31, 10_000, 1L << 31, 100);

    public LoadOptions {
        if (maxWeightElements <= 0 || maxStreamBytes <= 0 || maxArchiveEntries <= 0 || maxArchiveBytes <= 0
                || maxCompressionRatio <= 0) {
            throw new IllegalArgumentException("load limits must be positive");
        }
    }

    /** The first three limits; the archive limits take their defaults. */
    public LoadOptions(boolean allowNonFiniteWeights, long maxWeightElements, long maxStreamBytes) {
        this(allowNonFiniteWeights, maxWeightElements, maxStreamBytes, 10_000, 1L << 31, 100);
    }

    public LoadOptions withAllowNonFiniteWeights(boolean allow) {
        return new LoadOptions(allow, maxWeightElements, maxStreamBytes, maxArchiveEntries, maxArchiveBytes, maxCompressionRatio);
    }

    public LoadOptions withMaxStreamBytes(long bytes) {
        return new LoadOptions(allowNonFiniteWeights, maxWeightElements, bytes, maxArchiveEntries, maxArchiveBytes, maxCompressionRatio);
    }

    public LoadOptions withMaxArchiveEntries(int entries) {
        return new LoadOptions(allowNonFiniteWeights, maxWeightElements, maxStreamBytes, entries, maxArchiveBytes, maxCompressionRatio);
    }

    public LoadOptions withMaxArchiveBytes(long bytes) {
        return new LoadOptions(allowNonFiniteWeights, maxWeightElements, maxStreamBytes, maxArchiveEntries, bytes, maxCompressionRatio);
    }

    public LoadOptions withMaxCompressionRatio(int ratio) {
        return new LoadOptions(allowNonFiniteWeights, maxWeightElements, maxStreamBytes, maxArchiveEntries, maxArchiveBytes, ratio);
    }
}

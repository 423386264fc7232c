package io.jkeras.model;

/**
 * Limits and switches for loading. Every file is untrusted input: each limit is checked against
 * what a header or config <em>claims</em> before anything of that size is allocated, and a file
 * over a limit is refused with an error naming the limit (e.g. {@code LoadOptions.maxLayers}).
 * The defaults ({@link #DEFAULT}) admit every real Keras recurrent model by a wide margin; raise
 * a limit with its {@code with…} method for an unusual file.
 *
 * @param allowNonFiniteWeights load weights holding NaN or Inf instead of refusing them
 * @param maxWeightElements     the largest number of elements one weight may claim (HDF5
 *                              dataset dimensions); default 2^28 (1 GiB of float32)
 * @param maxStreamBytes        the largest model read into memory from an InputStream, or
 *                              {@code .keras} zip archive (mapped: only the entries the model uses
 *                              are read; never extracted to disk); default 2 GiB
 * @param maxArchiveEntries     the most entries a {@code .keras} archive may list (Keras writes 3,
 *                              plus any assets); default 10,000
 * @param maxArchiveBytes       the most bytes the entries read from one archive may decompress
 *                              to, counted while decompressing (headers are not trusted); default
 *                              2 GiB
 * @param maxCompressionRatio   an entry that decompresses to more than this many times its stored
 *                              size (and to more than 1 MiB) is refused as a zip bomb; Keras
 *                              stores its entries uncompressed, and DEFLATE of real weights
 *                              gains little; default 100
 * @param maxConfigBytes        the largest model config JSON (an architecture file, a
 *                              {@code model_config} attribute, a {@code config.json} entry), in
 *                              bytes (UTF-8) or, for an attribute, characters; default 16 MiB
 * @param maxJsonTokens         the most JSON tokens (values, names, brackets) a config may hold,
 *                              counted while parsing, so a config of millions of tiny values is
 *                              refused before its tree is built; default 4,000,000 (a Keras 3
 *                              layer takes 100 to 250)
 * @param maxJsonDepth          the deepest nesting of JSON arrays and objects in a config; default
 *                              200 (Keras configs nest about 10 levels deep)
 * @param maxLayers             the most layers a model config (or a nested model in it) may list,
 *                              checked before any layer is built; default 10,000
 * @param maxInputElements      the largest {@code .npy} array read, in elements, checked against
 *                              its header's shape before reading; default 2^28 (1 GiB of float32)
 * @param maxDimension          the largest dimension a config gives (units, filters, kernel sizes,
 *                              repeat counts, target shapes) or a layer computes for an output,
 *                              checked before anything of that size is allocated or looped over;
 *                              default 2^20 (1,048,576: real recurrent models stay below 2^17 units,
 *                              timesteps or vocabulary entries per dimension a layer computes)
 * @param maxActivationElements the most elements one sample of any layer output may hold (known
 *                              dimensions; the unknown ones are checked, with the batch, when the
 *                              model runs); default 2^26 (256 MiB of float32 per sample)
 */
public record LoadOptions(boolean allowNonFiniteWeights, long maxWeightElements, long maxStreamBytes,
                          int maxArchiveEntries, long maxArchiveBytes, int maxCompressionRatio,
                          long maxConfigBytes, long maxJsonTokens, int maxJsonDepth, int maxLayers,
                          long maxInputElements, int maxDimension, long maxActivationElements) {
    public static final long DEFAULT_MAX_WEIGHT_ELEMENTS = 1L << 28;
    public static final long DEFAULT_MAX_STREAM_BYTES = 1L << 31;
    public static final int DEFAULT_MAX_ARCHIVE_ENTRIES = 10_000;
    public static final long DEFAULT_MAX_ARCHIVE_BYTES = 1L << 31;
    public static final int DEFAULT_MAX_COMPRESSION_RATIO = 100;
    public static final long DEFAULT_MAX_CONFIG_BYTES = 16L << 20;
    public static final long DEFAULT_MAX_JSON_TOKENS = 4_000_000;
    public static final int DEFAULT_MAX_JSON_DEPTH = 200;
    public static final int DEFAULT_MAX_LAYERS = 10_000;
    public static final long DEFAULT_MAX_INPUT_ELEMENTS = 1L << 28;
    public static final int DEFAULT_MAX_DIMENSION = 1 << 20;
    public static final long DEFAULT_MAX_ACTIVATION_ELEMENTS = 1L << 26;

    public static final LoadOptions DEFAULT = new LoadOptions(false, DEFAULT_MAX_WEIGHT_ELEMENTS, DEFAULT_MAX_STREAM_BYTES);

    public LoadOptions {
        if (maxWeightElements <= 0 || maxStreamBytes <= 0 || maxArchiveEntries <= 0 || maxArchiveBytes <= 0
                || maxCompressionRatio <= 0 || maxConfigBytes <= 0 || maxJsonTokens <= 0 || maxJsonDepth <= 0
                || maxLayers <= 0 || maxInputElements <= 0 || maxDimension <= 0 || maxActivationElements <= 0) {
            throw new IllegalArgumentException("load limits must be positive");
        }
    }

    /** The first six limits; the config and input limits take their defaults. */
    public LoadOptions(boolean allowNonFiniteWeights, long maxWeightElements, long maxStreamBytes,
                       int maxArchiveEntries, long maxArchiveBytes, int maxCompressionRatio) {
        this(allowNonFiniteWeights, maxWeightElements, maxStreamBytes, maxArchiveEntries, maxArchiveBytes, maxCompressionRatio,
                DEFAULT_MAX_CONFIG_BYTES, DEFAULT_MAX_JSON_TOKENS, DEFAULT_MAX_JSON_DEPTH, DEFAULT_MAX_LAYERS,
                DEFAULT_MAX_INPUT_ELEMENTS, DEFAULT_MAX_DIMENSION, DEFAULT_MAX_ACTIVATION_ELEMENTS);
    }

    /** The first three limits; the others take their defaults. */
    public LoadOptions(boolean allowNonFiniteWeights, long maxWeightElements, long maxStreamBytes) {
        this(allowNonFiniteWeights, maxWeightElements, maxStreamBytes, DEFAULT_MAX_ARCHIVE_ENTRIES, DEFAULT_MAX_ARCHIVE_BYTES,
                DEFAULT_MAX_COMPRESSION_RATIO);
    }

    public LoadOptions withAllowNonFiniteWeights(boolean allow) {
        return new LoadOptions(allow, maxWeightElements, maxStreamBytes, maxArchiveEntries, maxArchiveBytes,
                maxCompressionRatio, maxConfigBytes, maxJsonTokens, maxJsonDepth, maxLayers, maxInputElements,
                maxDimension, maxActivationElements);
    }

    public LoadOptions withMaxWeightElements(long elements) {
        return new LoadOptions(allowNonFiniteWeights, elements, maxStreamBytes, maxArchiveEntries, maxArchiveBytes,
                maxCompressionRatio, maxConfigBytes, maxJsonTokens, maxJsonDepth, maxLayers, maxInputElements,
                maxDimension, maxActivationElements);
    }

    public LoadOptions withMaxStreamBytes(long bytes) {
        return new LoadOptions(allowNonFiniteWeights, maxWeightElements, bytes, maxArchiveEntries, maxArchiveBytes,
                maxCompressionRatio, maxConfigBytes, maxJsonTokens, maxJsonDepth, maxLayers, maxInputElements,
                maxDimension, maxActivationElements);
    }

    public LoadOptions withMaxArchiveEntries(int entries) {
        return new LoadOptions(allowNonFiniteWeights, maxWeightElements, maxStreamBytes, entries, maxArchiveBytes,
                maxCompressionRatio, maxConfigBytes, maxJsonTokens, maxJsonDepth, maxLayers, maxInputElements,
                maxDimension, maxActivationElements);
    }

    public LoadOptions withMaxArchiveBytes(long bytes) {
        return new LoadOptions(allowNonFiniteWeights, maxWeightElements, maxStreamBytes, maxArchiveEntries, bytes,
                maxCompressionRatio, maxConfigBytes, maxJsonTokens, maxJsonDepth, maxLayers, maxInputElements,
                maxDimension, maxActivationElements);
    }

    public LoadOptions withMaxCompressionRatio(int ratio) {
        return new LoadOptions(allowNonFiniteWeights, maxWeightElements, maxStreamBytes, maxArchiveEntries,
                maxArchiveBytes, ratio, maxConfigBytes, maxJsonTokens, maxJsonDepth, maxLayers, maxInputElements,
                maxDimension, maxActivationElements);
    }

    public LoadOptions withMaxConfigBytes(long bytes) {
        return new LoadOptions(allowNonFiniteWeights, maxWeightElements, maxStreamBytes, maxArchiveEntries,
                maxArchiveBytes, maxCompressionRatio, bytes, maxJsonTokens, maxJsonDepth, maxLayers, maxInputElements,
                maxDimension, maxActivationElements);
    }

    public LoadOptions withMaxJsonTokens(long tokens) {
        return new LoadOptions(allowNonFiniteWeights, maxWeightElements, maxStreamBytes, maxArchiveEntries,
                maxArchiveBytes, maxCompressionRatio, maxConfigBytes, tokens, maxJsonDepth, maxLayers,
                maxInputElements, maxDimension, maxActivationElements);
    }

    public LoadOptions withMaxJsonDepth(int depth) {
        return new LoadOptions(allowNonFiniteWeights, maxWeightElements, maxStreamBytes, maxArchiveEntries,
                maxArchiveBytes, maxCompressionRatio, maxConfigBytes, maxJsonTokens, depth, maxLayers,
                maxInputElements, maxDimension, maxActivationElements);
    }

    public LoadOptions withMaxLayers(int layers) {
        return new LoadOptions(allowNonFiniteWeights, maxWeightElements, maxStreamBytes, maxArchiveEntries,
                maxArchiveBytes, maxCompressionRatio, maxConfigBytes, maxJsonTokens, maxJsonDepth, layers,
                maxInputElements, maxDimension, maxActivationElements);
    }

    public LoadOptions withMaxInputElements(long elements) {
        return new LoadOptions(allowNonFiniteWeights, maxWeightElements, maxStreamBytes, maxArchiveEntries,
                maxArchiveBytes, maxCompressionRatio, maxConfigBytes, maxJsonTokens, maxJsonDepth, maxLayers,
                elements, maxDimension, maxActivationElements);
    }

    public LoadOptions withMaxDimension(int dimension) {
        return new LoadOptions(allowNonFiniteWeights, maxWeightElements, maxStreamBytes, maxArchiveEntries,
                maxArchiveBytes, maxCompressionRatio, maxConfigBytes, maxJsonTokens, maxJsonDepth, maxLayers,
                maxInputElements, dimension, maxActivationElements);
    }

    public LoadOptions withMaxActivationElements(long elements) {
        return new LoadOptions(allowNonFiniteWeights, maxWeightElements, maxStreamBytes, maxArchiveEntries,
                maxArchiveBytes, maxCompressionRatio, maxConfigBytes, maxJsonTokens, maxJsonDepth, maxLayers,
                maxInputElements, maxDimension, elements);
    }
}

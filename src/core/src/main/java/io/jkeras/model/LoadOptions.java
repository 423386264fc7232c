package io.jkeras.model;

/**
 * Limits and switches for loading. Every file is untrusted input: each limit is checked against
 * what a header or config <em>claims</em> before anything of that size is allocated, and a file
 * over a limit is refused with an error naming the limit (e.g. {@code LoadOptions.maxLayers}).
 * The defaults ({@link #DEFAULT}) admit every real Keras recurrent model by a wide margin; raise
 * a limit for an unusual file with the {@link Builder} (the {@code with…} methods are shortcuts for
 * changing one value):
 *
 * <pre>{@code
 * LoadOptions o = LoadOptions.builder().maxLayers(50_000).allowNonFiniteWeights(true).build();
 * LoadOptions p = o.toBuilder().maxStreamBytes(4L << 30).build();
 * }</pre>
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
 * @param customLayers          implementations of custom Keras layer classes, tried before those
 *                              {@link java.util.ServiceLoader} finds ({@link Builder#customLayer}); default none
 */
public record LoadOptions(boolean allowNonFiniteWeights, long maxWeightElements, long maxStreamBytes,
                          int maxArchiveEntries, long maxArchiveBytes, int maxCompressionRatio,
                          long maxConfigBytes, long maxJsonTokens, int maxJsonDepth, int maxLayers,
                          long maxInputElements, int maxDimension, long maxActivationElements,
                          java.util.List<io.jkeras.layers.CustomLayerFactory> customLayers) {
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

    public static final LoadOptions DEFAULT = new LoadOptions(false, DEFAULT_MAX_WEIGHT_ELEMENTS,
            DEFAULT_MAX_STREAM_BYTES);

    /** Checks every limit; an error names the first one that is not positive. */
    public LoadOptions {
        positive("maxWeightElements", maxWeightElements);
        positive("maxStreamBytes", maxStreamBytes);
        positive("maxArchiveEntries", maxArchiveEntries);
        positive("maxArchiveBytes", maxArchiveBytes);
        positive("maxCompressionRatio", maxCompressionRatio);
        positive("maxConfigBytes", maxConfigBytes);
        positive("maxJsonTokens", maxJsonTokens);
        positive("maxJsonDepth", maxJsonDepth);
        positive("maxLayers", maxLayers);
        positive("maxInputElements", maxInputElements);
        positive("maxDimension", maxDimension);
        positive("maxActivationElements", maxActivationElements);
        customLayers = java.util.List.copyOf(customLayers);
    }

    /** Every limit, without custom layer implementations. */
    public LoadOptions(boolean allowNonFiniteWeights, long maxWeightElements, long maxStreamBytes,
                       int maxArchiveEntries, long maxArchiveBytes, int maxCompressionRatio,
                       long maxConfigBytes, long maxJsonTokens, int maxJsonDepth, int maxLayers,
                       long maxInputElements, int maxDimension, long maxActivationElements) {
        this(allowNonFiniteWeights, maxWeightElements, maxStreamBytes, maxArchiveEntries, maxArchiveBytes,
                maxCompressionRatio, maxConfigBytes, maxJsonTokens, maxJsonDepth, maxLayers, maxInputElements,
                maxDimension, maxActivationElements, java.util.List.of());
    }

    private static void positive(String option, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException("LoadOptions." + option + " must be positive; found " + value);
        }
    }

    /** A builder holding the defaults ({@link #DEFAULT}). */
    public static Builder builder() { return DEFAULT.toBuilder(); }

    /** A builder holding these options, to change some of them. */
    public Builder toBuilder() { return new Builder(this); }

    /** The first six limits; the config and input limits take their defaults. */
    public LoadOptions(boolean allowNonFiniteWeights, long maxWeightElements, long maxStreamBytes,
                       int maxArchiveEntries, long maxArchiveBytes, int maxCompressionRatio) {
        this(allowNonFiniteWeights, maxWeightElements, maxStreamBytes, maxArchiveEntries, maxArchiveBytes,
                maxCompressionRatio,
                DEFAULT_MAX_CONFIG_BYTES, DEFAULT_MAX_JSON_TOKENS, DEFAULT_MAX_JSON_DEPTH, DEFAULT_MAX_LAYERS,
                DEFAULT_MAX_INPUT_ELEMENTS, DEFAULT_MAX_DIMENSION, DEFAULT_MAX_ACTIVATION_ELEMENTS);
    }

    /** The first three limits; the others take their defaults. */
    public LoadOptions(boolean allowNonFiniteWeights, long maxWeightElements, long maxStreamBytes) {
        this(allowNonFiniteWeights, maxWeightElements, maxStreamBytes, DEFAULT_MAX_ARCHIVE_ENTRIES,
                DEFAULT_MAX_ARCHIVE_BYTES,
                DEFAULT_MAX_COMPRESSION_RATIO);
    }

    /** Convenience for {@code toBuilder().allowNonFiniteWeights(allow).build()}. */
    public LoadOptions withAllowNonFiniteWeights(boolean allow) {
        return toBuilder().allowNonFiniteWeights(allow).build();
    }

    /** Convenience for {@code toBuilder().maxWeightElements(elements).build()}. */
    public LoadOptions withMaxWeightElements(long elements) {
        return toBuilder().maxWeightElements(elements).build();
    }

    /** Convenience for {@code toBuilder().maxStreamBytes(bytes).build()}. */
    public LoadOptions withMaxStreamBytes(long bytes) {
        return toBuilder().maxStreamBytes(bytes).build();
    }

    /** Convenience for {@code toBuilder().maxArchiveEntries(entries).build()}. */
    public LoadOptions withMaxArchiveEntries(int entries) {
        return toBuilder().maxArchiveEntries(entries).build();
    }

    /** Convenience for {@code toBuilder().maxArchiveBytes(bytes).build()}. */
    public LoadOptions withMaxArchiveBytes(long bytes) {
        return toBuilder().maxArchiveBytes(bytes).build();
    }

    /** Convenience for {@code toBuilder().maxCompressionRatio(ratio).build()}. */
    public LoadOptions withMaxCompressionRatio(int ratio) {
        return toBuilder().maxCompressionRatio(ratio).build();
    }

    /** Convenience for {@code toBuilder().maxConfigBytes(bytes).build()}. */
    public LoadOptions withMaxConfigBytes(long bytes) {
        return toBuilder().maxConfigBytes(bytes).build();
    }

    /** Convenience for {@code toBuilder().maxJsonTokens(tokens).build()}. */
    public LoadOptions withMaxJsonTokens(long tokens) {
        return toBuilder().maxJsonTokens(tokens).build();
    }

    /** Convenience for {@code toBuilder().maxJsonDepth(depth).build()}. */
    public LoadOptions withMaxJsonDepth(int depth) {
        return toBuilder().maxJsonDepth(depth).build();
    }

    /** Convenience for {@code toBuilder().maxLayers(layers).build()}. */
    public LoadOptions withMaxLayers(int layers) {
        return toBuilder().maxLayers(layers).build();
    }

    /** Convenience for {@code toBuilder().maxInputElements(elements).build()}. */
    public LoadOptions withMaxInputElements(long elements) {
        return toBuilder().maxInputElements(elements).build();
    }

    /** Convenience for {@code toBuilder().maxDimension(dimension).build()}. */
    public LoadOptions withMaxDimension(int dimension) {
        return toBuilder().maxDimension(dimension).build();
    }

    /** Convenience for {@code toBuilder().maxActivationElements(elements).build()}. */
    public LoadOptions withMaxActivationElements(long elements) {
        return toBuilder().maxActivationElements(elements).build();
    }

    /**
     * Builds {@link LoadOptions}: starts from {@link LoadOptions#DEFAULT} ({@link #builder()}) or from
     * given options ({@link #toBuilder()}); each setter refuses a limit that is not positive, naming it.
     *
     * <pre>{@code
     * LoadOptions o = LoadOptions.builder().maxLayers(50_000).allowNonFiniteWeights(true).build();
     * }</pre>
     */
    public static final class Builder {
        private boolean allowNonFiniteWeights;
        private long maxWeightElements;
        private long maxStreamBytes;
        private int maxArchiveEntries;
        private long maxArchiveBytes;
        private int maxCompressionRatio;
        private long maxConfigBytes;
        private long maxJsonTokens;
        private int maxJsonDepth;
        private int maxLayers;
        private long maxInputElements;
        private int maxDimension;
        private long maxActivationElements;
        private final java.util.List<io.jkeras.layers.CustomLayerFactory> customLayers = new java.util.ArrayList<>();

        private Builder(LoadOptions o) {
            allowNonFiniteWeights = o.allowNonFiniteWeights;
            maxWeightElements = o.maxWeightElements;
            maxStreamBytes = o.maxStreamBytes;
            maxArchiveEntries = o.maxArchiveEntries;
            maxArchiveBytes = o.maxArchiveBytes;
            maxCompressionRatio = o.maxCompressionRatio;
            maxConfigBytes = o.maxConfigBytes;
            maxJsonTokens = o.maxJsonTokens;
            maxJsonDepth = o.maxJsonDepth;
            maxLayers = o.maxLayers;
            maxInputElements = o.maxInputElements;
            maxDimension = o.maxDimension;
            maxActivationElements = o.maxActivationElements;
            customLayers.addAll(o.customLayers);
        }

        public Builder allowNonFiniteWeights(boolean allowNonFiniteWeights) {
            this.allowNonFiniteWeights = allowNonFiniteWeights;
            return this;
        }

        public Builder maxWeightElements(long maxWeightElements) {
            positive("maxWeightElements", maxWeightElements);
            this.maxWeightElements = maxWeightElements;
            return this;
        }

        public Builder maxStreamBytes(long maxStreamBytes) {
            positive("maxStreamBytes", maxStreamBytes);
            this.maxStreamBytes = maxStreamBytes;
            return this;
        }

        public Builder maxArchiveEntries(int maxArchiveEntries) {
            positive("maxArchiveEntries", maxArchiveEntries);
            this.maxArchiveEntries = maxArchiveEntries;
            return this;
        }

        public Builder maxArchiveBytes(long maxArchiveBytes) {
            positive("maxArchiveBytes", maxArchiveBytes);
            this.maxArchiveBytes = maxArchiveBytes;
            return this;
        }

        public Builder maxCompressionRatio(int maxCompressionRatio) {
            positive("maxCompressionRatio", maxCompressionRatio);
            this.maxCompressionRatio = maxCompressionRatio;
            return this;
        }

        public Builder maxConfigBytes(long maxConfigBytes) {
            positive("maxConfigBytes", maxConfigBytes);
            this.maxConfigBytes = maxConfigBytes;
            return this;
        }

        public Builder maxJsonTokens(long maxJsonTokens) {
            positive("maxJsonTokens", maxJsonTokens);
            this.maxJsonTokens = maxJsonTokens;
            return this;
        }

        public Builder maxJsonDepth(int maxJsonDepth) {
            positive("maxJsonDepth", maxJsonDepth);
            this.maxJsonDepth = maxJsonDepth;
            return this;
        }

        public Builder maxLayers(int maxLayers) {
            positive("maxLayers", maxLayers);
            this.maxLayers = maxLayers;
            return this;
        }

        public Builder maxInputElements(long maxInputElements) {
            positive("maxInputElements", maxInputElements);
            this.maxInputElements = maxInputElements;
            return this;
        }

        public Builder maxDimension(int maxDimension) {
            positive("maxDimension", maxDimension);
            this.maxDimension = maxDimension;
            return this;
        }

        public Builder maxActivationElements(long maxActivationElements) {
            positive("maxActivationElements", maxActivationElements);
            this.maxActivationElements = maxActivationElements;
            return this;
        }

        /**
         * Adds the implementation of custom Keras layer classes ({@link io.jkeras.layers.CustomLayerFactory}),
         * tried before the ones {@link java.util.ServiceLoader} finds, in the order added.
         */
        public Builder customLayer(io.jkeras.layers.CustomLayerFactory factory) {
            customLayers.add(java.util.Objects.requireNonNull(factory, "factory"));
            return this;
        }

        public LoadOptions build() {
            return new LoadOptions(allowNonFiniteWeights, maxWeightElements, maxStreamBytes, maxArchiveEntries,
                    maxArchiveBytes, maxCompressionRatio, maxConfigBytes, maxJsonTokens, maxJsonDepth, maxLayers,
                    maxInputElements, maxDimension, maxActivationElements, customLayers);
        }
    }
}

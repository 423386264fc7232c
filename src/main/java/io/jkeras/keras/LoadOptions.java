package io.jkeras.keras;

/**
 * Limits and switches for loading.
 *
 * @param allowNonFiniteWeights load weights holding NaN or Inf instead of refusing them
 * @param maxWeightElements     the largest number of elements one weight may claim
 * @param maxStreamBytes        the largest model read from an InputStream
 */
public record LoadOptions(boolean allowNonFiniteWeights, long maxWeightElements, long maxStreamBytes) {
    public static final LoadOptions DEFAULT = new LoadOptions(false, 1L << 28, 1L << 31);

    public LoadOptions withAllowNonFiniteWeights(boolean allow) {
        return new LoadOptions(allow, maxWeightElements, maxStreamBytes);
    }
}

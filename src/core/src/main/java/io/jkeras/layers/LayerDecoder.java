package io.jkeras.layers;

import io.jkeras.exceptions.ModelFormatException;
import io.jkeras.kernels.Activation;

import java.util.List;

/**
 * What a layer class's static {@code decode(LayerDecoder)} reads its configuration and weights
 * from (the native format implements it, see {@link LayerTypes}). Every missing or mistyped value
 * is a {@link ModelFormatException} naming the file, the layer and the key; every weight the file
 * lists for the layer must be one the decoder asked for.
 */
public interface LayerDecoder {
    /** The layer's name. */
    String name();

    /**
     * Whether recurrent layers' tensors are in the engine's {@code GatePanel} layout (format 2.x)
     * rather than Keras' (1.x).
     */
    boolean panelLayout();

    /**
     * Columns of a recurrent layer's gate matrices in this file: gates·units in Keras' layout
     * (format 1.x), the {@code GatePanel} width (whole tiles) in the engine's (2.x).
     */
    int gateColumns(int units, int gates);

    /** An error about this layer's entry, to throw. */
    ModelFormatException error(String detail);

    boolean isNull(String key);

    /** Whether the config has {@code key} (for keys added in later versions of a layer's entry). */
    boolean has(String key);

    int integer(String key);

    boolean bool(String key);

    double doubleValue(String key);

    /** A float32 value, or one of the strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}. */
    float floatValue(String key);

    String string(String key);

    /** An array of at most 64 32-bit integers. */
    int[] ints(String key);

    /**
     * The constant of {@code values} (an enum's {@code values()}) named by config {@code key}. Takes
     * the array rather than the class: {@code Class.getEnumConstants} and {@code Enum.valueOf} go
     * through reflection, whose first use costs a fresh JVM milliseconds.
     */
    <E> E enumValue(String key, E[] values);

    /** An engine activation by its enum name; the hard_sigmoid variant was fixed at conversion. */
    Activation activation(String key);

    /** The weights whose names start with {@code prefix}, in file order (BatchNormalization's renorm statistics). */
    List<Weight> weightsStartingWith(String prefix);

    /** A required weight of the given rank. */
    Weight weight(String weightName, int rank);

    /** The weight named so, or null. */
    Weight optionalWeight(String weightName);

    /** All weights, in file order, which must be among {@code names}. */
    List<Weight> weights(String... names);

    void expectShape(Weight w, int... shape);

    void expectNoOtherWeights(String... allowed);

    /** A nested layer under {@code key}. */
    Layer layer(String key);

    /** A nested recurrent layer under {@code key}. */
    Recurrent recurrent(String key);
}

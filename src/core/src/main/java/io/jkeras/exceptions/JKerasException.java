package io.jkeras.exceptions;

import io.jkeras.text.Printable;

/**
 * Base of every error jkeras reports about its input. Each subtype says what a user does about it;
 * the message names the file, the layer and the weight where they are known, what was found and
 * what is allowed. These are user errors: the CLI prints the message alone, without a stack trace.
 * The message is one printable line: the file, layer, weight and detail quote what a file or a
 * request holds, so their control characters are escaped ({@link Printable#escape}); the
 * accessors return them as given.
 */
public class JKerasException extends RuntimeException {
    private final String file;
    private final String layer;
    private final String weight;
    private final String detail;

    public JKerasException(String file, String layer, String weight, String detail, Throwable cause) {
        super(compose(file, layer, weight, detail), cause);
        this.file = file;
        this.layer = layer;
        this.weight = weight;
        this.detail = detail;
    }

    public JKerasException(String detail) {
        this(null, null, null, detail, null);
    }

    /** The file the error is about, or null. */
    public String file() { return file; }

    /** The Keras layer name the error is about, or null. */
    public String layer() { return layer; }

    /** The Keras weight name (e.g. {@code kernel}) the error is about, or null. */
    public String weight() { return weight; }

    /** The message without the file, layer and weight prefix. */
    public String detail() { return detail; }

    /**
     * The same error, of the same type, with the file (and the layer, when this one names none)
     * filled in; returns this when there is nothing to add.
     */
    public JKerasException in(String file, String layer) {
        String f = this.file != null ? this.file : file;
        String l = this.layer != null ? this.layer : layer;
        if (java.util.Objects.equals(f, this.file) && java.util.Objects.equals(l, this.layer)) return this;
        JKerasException e;
        if (this instanceof ModelFileException) e = new ModelFileException(f, l, weight, detail, getCause());
        else if (this instanceof ModelFormatException) e = new ModelFormatException(f, l, weight, detail, getCause());
        else if (this instanceof UnsupportedModelException) e = new UnsupportedModelException(f, l, weight, detail,
                getCause());
        else if (this instanceof WeightException) e = new WeightException(f, l, weight, detail, getCause());
        else if (this instanceof InputException) e = new InputException(f, l, weight, detail, getCause());
        else if (this instanceof NumericException) e = new NumericException(f, l, weight, detail, getCause());
        else e = new JKerasException(f, l, weight, detail, getCause());
        e.setStackTrace(getStackTrace());
        return e;
    }

    static String compose(String file, String layer, String weight, String detail) {
        StringBuilder sb = new StringBuilder();
        if (file != null) sb.append(Printable.escape(file)).append(": ");
        if (layer != null) sb.append("layer '").append(Printable.escape(layer)).append("'");
        if (weight != null) sb.append(layer != null ? " " : "").append("weight '").append(Printable.escape(weight))
                .append("'");
        if (layer != null || weight != null) sb.append(": ");
        sb.append(Printable.escape(detail));
        return sb.toString();
    }
}

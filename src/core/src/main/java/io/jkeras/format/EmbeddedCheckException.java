package io.jkeras.format;

import io.jkeras.exceptions.ModelFormatException;

/**
 * A native file's embedded test vectors no longer match what this jkeras computes from the
 * file's weights: the message gives, per output, the largest error, where it is and how many
 * values are out of tolerance. Either the engine changed its numbers or the file was produced from
 * a different model than its vectors.
 */
public class EmbeddedCheckException extends ModelFormatException {
    public EmbeddedCheckException(String file, String detail) {
        super(file, null, null, detail, null);
    }
}

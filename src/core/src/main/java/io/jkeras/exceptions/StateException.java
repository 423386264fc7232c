package io.jkeras.exceptions;

/**
 * Saved session state ({@code io.jkeras.model.State}) that cannot be resumed: bytes that are not a state, of
 * an unknown version, damaged (checksum), or taken from another model (fingerprint). The message says which.
 */
public class StateException extends JKerasException {
    public StateException(String detail) {
        super(null, null, null, detail, null);
    }
}

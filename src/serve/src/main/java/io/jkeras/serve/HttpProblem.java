package io.jkeras.serve;

/**
 * A request the server refuses: the HTTP status (4xx for a client's mistake) and a one-line message naming what
 * was wrong, sent as {@code {"error": message}}.
 */
final class HttpProblem extends RuntimeException {
    private final int status;

    HttpProblem(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    int status() { return status; }
}

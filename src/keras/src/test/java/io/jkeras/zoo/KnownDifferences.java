package io.jkeras.zoo;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code src/test/resources/zoo-known-differences.json}: DERIVED-NumPy references that jkeras is
 * allowed to differ from, each with its evidence: a list of
 * {@code {"file": <zoo-relative path>, "reason": <why the NumPy oracle is wrong, not jkeras>,
 * "max_error_seen": <largest error observed>}}. Only DERIVED-NumPy mismatches up to 1.1 ×
 * max_error_seen are excused; ORIGINAL and Keras-3 DERIVED references never are. Keep it empty
 * unless there is evidence.
 */
public record KnownDifferences(List<Entry> entries) {
    public record Entry(String file, String reason, double maxErrorSeen) {}

    public static KnownDifferences load() {
        List<Entry> out = new ArrayList<>();
        try (InputStream in = KnownDifferences.class.getResourceAsStream("/zoo-known-differences.json")) {
            if (in == null) return new KnownDifferences(out);
            JsonNode root = Zoo.JSON.readTree(in);
            for (JsonNode n : root) {
                String file = n.path("file").asText(null);
                String reason = n.path("reason").asText("");
                if (file == null || reason.isBlank() || !n.path("max_error_seen").isNumber()) {
                    throw new IllegalStateException(
                            "zoo-known-differences.json: every entry needs file, reason and max_error_seen: " + n);
                }
                out.add(new Entry(file, reason, n.path("max_error_seen").asDouble()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new KnownDifferences(out);
    }

    public Entry find(String file) {
        for (Entry e : entries) if (e.file().equals(file)) return e;
        return null;
    }
}

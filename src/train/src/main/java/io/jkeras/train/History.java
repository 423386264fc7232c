package io.jkeras.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Per-epoch metrics of a fit, as Keras' {@code History.history}: metric name → one value per epoch. */
public final class History {
    private final Map<String, List<Double>> values = new LinkedHashMap<>();

    public void add(Map<String, Double> epochMetrics) {
        epochMetrics.forEach((k, v) -> values.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
    }

    /** The values of one metric, e.g. {@code loss} or {@code val_loss}; empty when absent. */
    public List<Double> get(String metric) {
        return Collections.unmodifiableList(values.getOrDefault(metric, List.of()));
    }

    public Map<String, List<Double>> asMap() { return Collections.unmodifiableMap(values); }

    public int epochs() { return values.isEmpty() ? 0 : values.values().iterator().next().size(); }
}

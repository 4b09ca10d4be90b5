package dev.convj.runtime.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a model file holds: the architecture as text (opaque here; the DSL writes and reads it), the weights by
 * parameter name in order, and free-form metadata such as the epochs trained or the test accuracy.
 */
public record SavedModel(String architecture, Map<String, float[]> weights, Map<String, String> metadata) {

    public SavedModel {
        if (architecture == null) {
            throw new IllegalArgumentException("a saved model needs its architecture");
        }
        weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    public SavedModel(String architecture, Map<String, float[]> weights) {
        this(architecture, weights, Map.of());
    }
}

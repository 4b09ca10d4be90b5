package dev.convj.onnx.imports;

import dev.convj.dsl.Network;
import java.util.Map;

/**
 * An ONNX model as a ConvJ network (no loss) and its weights by parameter name, batch-norm running statistics
 * included: what {@code Trainer.Builder.weights} and model files take.
 */
public record ImportedModel(Network network, Map<String, float[]> weights, int opset, String producer) {
    public ImportedModel {
        weights = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(weights));
    }
}

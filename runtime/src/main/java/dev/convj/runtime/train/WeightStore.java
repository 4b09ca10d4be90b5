package dev.convj.runtime.train;

import dev.convj.graph.ModelGraph;
import dev.convj.graph.Node;
import java.util.AbstractList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's weights by parameter name, in graph order, followed by its running statistics (the inference graph's
 * parameters that no optimizer trains): the arrays the executables read and the optimizer updates in place.
 */
final class WeightStore {
    private final Map<String, float[]> values = new LinkedHashMap<>();
    private final List<String> parameterNames;
    /** Parameters of the inference graph that no optimizer trains (running statistics), in graph order. */
    private final List<String> stateNames;
    private final List<float[]> trainable = new AbstractList<>() {
        @Override
        public float[] get(int i) {
            return values.get(parameterNames.get(i));
        }

        @Override
        public int size() {
            return parameterNames.size();
        }
    };

    /** Zeroed arrays for the parameters of the training graph {@code probe} and the running statistics of {@code inference}. */
    WeightStore(ModelGraph probe, ModelGraph inference) {
        this.parameterNames = probe.parameters().stream().map(Node::name).toList();
        this.stateNames = inference.parameters().stream().map(Node::name)
                .filter(n -> !parameterNames.contains(n)).toList();
        for (Node p : probe.parameters()) {
            values.put(p.name(), new float[p.shape().size()]);
        }
        for (Node p : inference.parameters()) {
            if (stateNames.contains(p.name())) {
                values.put(p.name(), new float[p.shape().size()]);
            }
        }
    }

    /** The live arrays by name (weights, then running statistics). */
    Map<String, float[]> values() {
        return values;
    }

    /** The trained parameters' arrays, in {@link #parameterNames()} order: what the optimizer updates. */
    List<float[]> trainable() {
        return trainable;
    }

    List<String> parameterNames() {
        return parameterNames;
    }

    List<String> stateNames() {
        return stateNames;
    }

    /** A copy of every array, by name. */
    Map<String, float[]> copy() {
        Map<String, float[]> copy = new LinkedHashMap<>();
        values.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }

    /** Replaces every weight and running statistic; names and sizes must match the model's parameters exactly. */
    void set(Map<String, float[]> given) {
        for (String name : given.keySet()) {
            if (!values.containsKey(name)) {
                throw new IllegalArgumentException("the model has no parameter '" + name + "'; it has "
                        + values.keySet());
            }
        }
        for (String name : values.keySet()) {
            float[] v = given.get(name);
            if (v == null) {
                throw new IllegalArgumentException("no value for " + (stateNames.contains(name)
                        ? "the running statistic '" + name + "' (a model saved without it cannot run at inference)"
                        : "parameter '" + name + "'"));
            }
            float[] dst = values.get(name);
            if (v.length != dst.length) {
                throw new IllegalArgumentException("parameter '" + name + "' holds " + dst.length + " values, got "
                        + v.length);
            }
            System.arraycopy(v, 0, dst, 0, v.length);
        }
    }
}

package dev.convj.runtime;

import dev.convj.graph.Graph;
import dev.convj.graph.Node;
import dev.convj.graph.ParamInit;
import dev.convj.graph.ops.Parameter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Materializes a graph's parameters from their {@link ParamInit} rules; the same seed gives the same weights. */
public final class Initializer {
    private Initializer() {}

    /** One tensor per parameter, in graph order, drawn from a generator seeded with {@code seed}. */
    public static Map<String, Tensor> initialize(Graph graph, long seed) {
        Random random = new Random(seed);
        Map<String, Tensor> weights = new LinkedHashMap<>();
        for (Node n : graph.parameters()) {
            weights.put(n.name(), draw((Parameter) n.op(), random));
        }
        return weights;
    }

    private static Tensor draw(Parameter p, Random random) {
        ParamInit init = p.init();
        if (init instanceof ParamInit.Uniform u) {
            return Tensor.uniform(p.shape(), -u.bound(), u.bound(), random);
        }
        if (init instanceof ParamInit.Normal n) {
            return Tensor.generate(p.shape(), i -> n.std() * random.nextGaussian());
        }
        return Tensor.fill(p.shape(), ((ParamInit.Constant) init).value());
    }
}

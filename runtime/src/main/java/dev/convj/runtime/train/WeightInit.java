package dev.convj.runtime.train;

import dev.convj.graph.Graph;
import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import dev.convj.runtime.Initializer;
import dev.convj.runtime.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * How a training run initializes a graph's weights, seeded. {@link #DEFAULT} follows each parameter's own
 * {@link dev.convj.graph.ParamInit} (PyTorch's U(±1/√fan_in) for the DSL's layers); the others are PyTorch's
 * {@code nn.init} schemes applied to every weight of rank ≥ 2, with fans computed as {@code
 * _calculate_fan_in_and_fan_out} does (fan_in = shape[1]·receptive field, fan_out = shape[0]·receptive field),
 * and biases (rank 1) set to zero. Parameters of rank below 2 whose own rule is a constant (batch normalization's
 * scale 1 and shift 0, running mean 0 and variance 1) keep that constant under every scheme.
 */
public enum WeightInit {
    DEFAULT,
    /** kaiming_uniform_(nonlinearity='relu'): U(±√2·√(3/fan_in)). */
    KAIMING_UNIFORM,
    /** kaiming_normal_(nonlinearity='relu'): N(0, 2/fan_in). */
    KAIMING_NORMAL,
    /** xavier_uniform_: U(±√(6/(fan_in+fan_out))). */
    XAVIER_UNIFORM,
    /** xavier_normal_: N(0, 2/(fan_in+fan_out)). */
    XAVIER_NORMAL;

    /** One array per parameter of {@code graph}, in graph order; the same seed gives the same weights. */
    public Map<String, float[]> initialize(Graph graph, long seed) {
        Map<String, float[]> out = new LinkedHashMap<>();
        if (this == DEFAULT) {
            Initializer.initialize(graph, seed).forEach((name, t) -> out.put(name, toFloats(t)));
            return out;
        }
        Random random = new Random(seed);
        for (Node p : graph.parameters()) {
            Shape s = p.shape();
            float[] w = new float[s.size()];
            if (s.rank() >= 2) {
                int receptive = s.size() / (s.dim(0) * s.dim(1));
                double fanIn = (double) s.dim(1) * receptive, fanOut = (double) s.dim(0) * receptive;
                switch (this) {
                    case KAIMING_UNIFORM -> uniform(w, Math.sqrt(2) * Math.sqrt(3 / fanIn), random);
                    case KAIMING_NORMAL -> normal(w, Math.sqrt(2) / Math.sqrt(fanIn), random);
                    case XAVIER_UNIFORM -> uniform(w, Math.sqrt(6 / (fanIn + fanOut)), random);
                    case XAVIER_NORMAL -> normal(w, Math.sqrt(2 / (fanIn + fanOut)), random);
                    default -> throw new AssertionError(this);
                }
            } else if (((dev.convj.graph.ops.Parameter) p.op()).init() instanceof dev.convj.graph.ParamInit.Constant c) {
                java.util.Arrays.fill(w, (float) c.value());
            }
            out.put(p.name(), w);
        }
        return out;
    }

    private static void uniform(float[] w, double bound, Random random) {
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (-bound + 2 * bound * random.nextDouble());
        }
    }

    private static void normal(float[] w, double std, Random random) {
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (std * random.nextGaussian());
        }
    }

    static float[] toFloats(Tensor t) {
        float[] f = new float[t.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) t.get(i);
        }
        return f;
    }

    /** Parses a command-line name: default, kaiming, kaiming-normal, xavier, xavier-normal. */
    public static WeightInit parse(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "default", "pytorch" -> DEFAULT;
            case "kaiming", "he", "kaiming-uniform" -> KAIMING_UNIFORM;
            case "kaiming-normal", "he-normal" -> KAIMING_NORMAL;
            case "xavier", "glorot", "xavier-uniform" -> XAVIER_UNIFORM;
            case "xavier-normal", "glorot-normal" -> XAVIER_NORMAL;
            default -> throw new IllegalArgumentException("unknown initialization '" + name
                    + "'; use default, kaiming, kaiming-normal, xavier or xavier-normal");
        };
    }
}

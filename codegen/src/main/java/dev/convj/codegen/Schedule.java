package dev.convj.codegen;

import dev.convj.codegen.plan.ConvAlgorithm;
import java.util.Map;
import java.util.TreeMap;

/**
 * How generated code runs, kept apart from what it computes: the number of threads a compiled graph splits its
 * loops across, the smallest elementwise loop worth splitting, and the convolution algorithms forced per node
 * (by node name; the others are chosen by {@link dev.convj.codegen.plan.ConvCostModel}). GEMM blocking and the
 * vector width live in {@link dev.convj.codegen.kernels.Gemm}.
 *
 * @param threads          threads per compiled graph (the calling thread included)
 * @param parallelMinimum  elementwise loops shorter than this run on the calling thread alone
 * @param algorithms       convolution algorithms forced per node name
 */
public record Schedule(int threads, int parallelMinimum, Map<String, ConvAlgorithm> algorithms) {

    public Schedule {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be ≥ 1, got " + threads);
        }
        if (parallelMinimum < 1) {
            throw new IllegalArgumentException("parallelMinimum must be ≥ 1, got " + parallelMinimum);
        }
        algorithms = java.util.Collections.unmodifiableMap(new TreeMap<>(algorithms));
    }

    /** One thread per available processor. */
    public static Schedule defaults() {
        return threads(Runtime.getRuntime().availableProcessors());
    }

    public static Schedule threads(int threads) {
        return new Schedule(threads, 1 << 15, Map.of());
    }

    /** This schedule with node {@code node} computed by {@code algorithm} (an error at generation if it cannot). */
    public Schedule withAlgorithm(String node, ConvAlgorithm algorithm) {
        Map<String, ConvAlgorithm> forced = new TreeMap<>(algorithms);
        forced.put(node, algorithm);
        return new Schedule(threads, parallelMinimum, forced);
    }

    /** What of this schedule changes the generated source, for cache keys: empty for the defaults. */
    public String sourceKey() {
        StringBuilder s = new StringBuilder();
        if (parallelMinimum != 1 << 15) {
            s.append("p").append(parallelMinimum);
        }
        algorithms.forEach((node, a) -> s.append(s.length() == 0 ? "" : ",").append(node).append('=').append(a.label()));
        return s.toString();
    }
}

package dev.convj.runtime;

import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.convj.graph.DType;
import dev.convj.graph.Graph;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import dev.convj.graph.ops.AvgPool;
import dev.convj.graph.ops.MaxPool;
import dev.convj.graph.ops.Op;
import dev.convj.graph.ops.PoolGeometry;
import java.util.ArrayList;
import java.util.List;
import org.quicktheories.core.Gen;

/**
 * A random 2-D pooling for property tests: window, stride and symmetric padding per axis (padding at most half
 * the window, as PyTorch requires), ceil mode, and for average pooling whether padding counts in the divisor.
 */
public record PoolCase(int batch, int channels, List<Integer> input, List<Integer> kernel, List<Integer> stride,
                       List<Integer> padding, boolean ceilMode, boolean countIncludePad, long seed) {

    public static Gen<PoolCase> gen() {
        return in -> {
            int batch = integers().between(1, 2).generate(in);
            int channels = integers().between(1, 3).generate(in);
            List<Integer> n = new ArrayList<>(), k = new ArrayList<>(), s = new ArrayList<>(), p = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                int kernel = integers().between(1, 3).generate(in);
                int pad = integers().between(0, kernel / 2).generate(in);
                int slack = integers().between(0, 4).generate(in);
                k.add(kernel);
                p.add(pad);
                s.add(integers().between(1, 3).generate(in));
                n.add(Math.max(1, kernel - 2 * pad + slack));
            }
            boolean ceil = booleans().all().generate(in);
            boolean include = booleans().all().generate(in);
            return new PoolCase(batch, channels, n, k, s, p, ceil, include, longs().all().generate(in));
        };
    }

    public PoolGeometry geometry() {
        return new PoolGeometry(kernel, stride, padding, ceilMode);
    }

    public Shape xShape() {
        return Shape.concat(List.of(batch, channels), input);
    }

    /** Window o covers [o·s − p, o·s − p + k); the PyTorch rule for which windows exist, one window at a time. */
    public List<Integer> expectedOutput() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            int n = input.get(i), k = kernel.get(i), s = stride.get(i), p = padding.get(i);
            int count = 0;
            while (true) {
                int o = count, start = o * s - p;
                boolean exists = ceilMode
                        ? (o == 0 || (o - 1) * s + k < n + 2 * p) && start < n
                        : start + k <= n + p;
                if (!exists) {
                    break;
                }
                count++;
            }
            out.add(count);
        }
        return out;
    }

    public Op op(boolean max) {
        return max ? new MaxPool(geometry()) : new AvgPool(geometry(), countIncludePad);
    }

    /** x → pool → loss = sum(pool · r). Node names: x, pool, loss, loss.r. */
    public Graph graph(boolean max) {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", xShape(), DType.F32);
        Node y = b.apply("pool", op(max), x);
        return b.output(TestGraphs.weightedSum(b, y, "loss")).build();
    }
}

package dev.convj.runtime.interp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import dev.convj.graph.DType;
import dev.convj.graph.Graph;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import dev.convj.graph.ops.AvgPool;
import dev.convj.graph.ops.AvgPoolBackward;
import dev.convj.graph.ops.MaxPool;
import dev.convj.graph.ops.MaxPoolBackward;
import dev.convj.graph.ops.MaxPoolSelect;
import dev.convj.runtime.PoolCase;
import dev.convj.runtime.Tensor;
import dev.convj.runtime.TestGraphs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Properties of the pooling reference kernels over random windows, strides, paddings and ceil mode. */
class PoolKernelPropertiesTest {
    private static final long SEED = 777L;

    /** PyTorch's pooling stated directly: the window's members in the input, and the divisor for averages. */
    private static Tensor naivePool(PoolCase k, Tensor x, boolean max) {
        Shape out = Shape.concat(List.of(k.batch(), k.channels()), k.expectedOutput());
        int h = k.input().get(0), w = k.input().get(1);
        double[] y = new double[out.size()];
        int at = 0;
        for (int n = 0; n < k.batch(); n++) {
            for (int c = 0; c < k.channels(); c++) {
                for (int oi = 0; oi < out.dim(2); oi++) {
                    for (int oj = 0; oj < out.dim(3); oj++) {
                        int i0 = oi * k.stride().get(0) - k.padding().get(0);
                        int j0 = oj * k.stride().get(1) - k.padding().get(1);
                        double best = Double.NEGATIVE_INFINITY, sum = 0;
                        int members = 0;
                        for (int i = Math.max(i0, 0); i < Math.min(i0 + k.kernel().get(0), h); i++) {
                            for (int j = Math.max(j0, 0); j < Math.min(j0 + k.kernel().get(1), w); j++) {
                                best = Math.max(best, x.at(n, c, i, j));
                                sum += x.at(n, c, i, j);
                                members++;
                            }
                        }
                        // count_include_pad: the window clipped to the padded input, [−p, n + p)
                        int spanI = Math.min(i0 + k.kernel().get(0), h + k.padding().get(0)) - i0;
                        int spanJ = Math.min(j0 + k.kernel().get(1), w + k.padding().get(1)) - j0;
                        assertTrue(members > 0, "empty window in " + k);
                        y[at++] = max ? best : sum / (k.countIncludePad() ? spanI * spanJ : members);
                    }
                }
            }
        }
        return Tensor.wrap(out, y);
    }

    @Test
    void shapeRuleAndValuesAgreeWithPyTorchDefinition() {
        qt().withFixedSeed(SEED).withExamples(60).withShrinkCycles(200).forAll(PoolCase.gen()).checkAssert(k -> {
            for (boolean max : new boolean[] {true, false}) {
                Graph g = k.graph(max);
                Shape expected = Shape.concat(List.of(k.batch(), k.channels()), k.expectedOutput());
                assertEquals(expected, g.node("pool").shape(), "shape rule for " + k);
                Map<String, Tensor> feeds = TestGraphs.randomFeeds(g, k.seed());
                Tensor y = TestGraphs.run(g, feeds, "pool");
                assertEquals(expected, y.shape());
                double diff = y.maxAbsDiff(naivePool(k, feeds.get("x"), max));
                assertTrue(diff <= 1e-14, (max ? "max " : "avg ") + k + " differs by " + diff);
            }
        });
    }

    /**
     * The backward ops are the adjoints of the forward ones: ⟨avgPool(x), y⟩ = ⟨x, avgPoolBackward(y)⟩ and
     * ⟨select(x, v), y⟩ = ⟨v, maxPoolBackward(x, y)⟩; and maxPool(x) = select(x, x).
     */
    @Test
    void backwardOpsAreAdjoints() {
        qt().withFixedSeed(SEED + 1).withExamples(60).withShrinkCycles(200).forAll(PoolCase.gen()).checkAssert(k -> {
            GraphBuilder b = new GraphBuilder();
            Node x = b.input("x", k.xShape(), DType.F64);
            Node v = b.input("v", k.xShape(), DType.F64);
            Node pooled = b.apply("max", new MaxPool(k.geometry()), x);
            Node y = b.input("y", pooled.shape(), DType.F64);
            b.apply("avg", new AvgPool(k.geometry(), k.countIncludePad()), x);
            b.apply("avg_bwd", new AvgPoolBackward(k.geometry(), k.countIncludePad(), k.input()), y);
            b.apply("select", new MaxPoolSelect(k.geometry()), x, v);
            b.apply("select_self", new MaxPoolSelect(k.geometry()), x, x);
            b.apply("max_bwd", new MaxPoolBackward(k.geometry()), x, y);
            Graph g = b.build();
            Map<String, Tensor> feeds = TestGraphs.randomFeeds(g, k.seed());
            Map<String, Tensor> out = ReferenceInterpreter.float64().run(g, feeds,
                    List.of("max", "avg", "avg_bwd", "select", "select_self", "max_bwd"));
            assertEquals(out.get("max"), out.get("select_self"), "maxPool(x) = select(x, x) for " + k);
            assertEquals(TestGraphs.dot(out.get("avg"), feeds.get("y")),
                    TestGraphs.dot(feeds.get("x"), out.get("avg_bwd")), 1e-12, "avg pool adjoint for " + k);
            assertEquals(TestGraphs.dot(out.get("select"), feeds.get("y")),
                    TestGraphs.dot(feeds.get("v"), out.get("max_bwd")), 1e-12, "max pool adjoint for " + k);
        });
    }
}

package dev.convj.runtime.check;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.convj.graph.DType;
import dev.convj.graph.Graph;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.Node;
import dev.convj.graph.ParamInit;
import dev.convj.graph.Shape;
import dev.convj.graph.autodiff.Autodiff;
import dev.convj.graph.autodiff.GradientGraph;
import dev.convj.graph.ops.AvgPool;
import dev.convj.graph.ops.Conv;
import dev.convj.graph.ops.ConvGeometry;
import dev.convj.graph.ops.Dense;
import dev.convj.graph.ops.MaxPool;
import dev.convj.graph.ops.PoolGeometry;
import dev.convj.graph.ops.Reshape;
import dev.convj.graph.ops.Tanh;
import dev.convj.runtime.Tensor;
import dev.convj.runtime.TestGraphs;
import dev.convj.runtime.interp.ReferenceInterpreter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Gradients of gradients: a loss built from the gradient nodes of a small conv + max pool + average pool + dense
 * network is differentiated again and checked by finite differences. This runs the gradient rules of the
 * gradient ops themselves (transposed convolution, weight gradient, pooling backward ops, matrix products,
 * broadcasts and reductions, tanh's derivative).
 */
class SecondOrderGradientTest {

    /**
     * x [1,2,6,6] → conv 3×3 (stride s, asymmetric padding: 1 before and 0 after the rows, 0 before and 2 after
     * the columns) → tanh → max pool 2 (ceil mode) → avg pool 2 (pad 1, padding not counted) → dense → tanh.
     */
    static Graph network(int stride) {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(1, 2, 6, 6), DType.F32);
        Node w1 = b.parameter("conv.w", Shape.of(3, 2, 3, 3), new ParamInit.Uniform(1));
        Node b1 = b.parameter("conv.b", Shape.of(3), new ParamInit.Uniform(1));
        ConvGeometry cg = new ConvGeometry(List.of(stride, stride), List.of(1, 0), List.of(0, 2), List.of(1, 1), 1);
        Node conv = b.apply("conv", new Conv(cg), x, w1, b1);
        Node act = b.apply("act", new Tanh(), conv);
        Node max = b.apply("max", new MaxPool(new PoolGeometry(List.of(2, 2), List.of(2, 2), List.of(0, 0), true)),
                act);
        Node avg = b.apply("avg", new AvgPool(new PoolGeometry(List.of(2, 2), List.of(1, 1), List.of(1, 1), false),
                false), max);
        int features = avg.shape().size();
        Node flat = b.apply("flat", new Reshape(Shape.of(1, features)), avg);
        Node w2 = b.parameter("fc.w", Shape.of(4, features), new ParamInit.Uniform(1));
        Node b2 = b.parameter("fc.b", Shape.of(4), new ParamInit.Uniform(1));
        Node out = b.apply("out", new Tanh(), b.apply("fc", new Dense(), flat, w2, b2));
        return b.output(TestGraphs.weightedSum(b, out, "loss")).build();
    }

    /** loss2 = Σ_t sum(dloss/dt · v_t) over the input and every parameter, with random v_t. */
    static Graph secondOrder(Graph forward) {
        return TestGraphs.withGradientLoss(forward, "loss", List.of("x", "conv.w", "conv.b", "fc.w", "fc.b"), "loss2");
    }

    @Test
    void gradientOfGradientsPassesTheCheck() {
        qt().withFixedSeed(99).withExamples(6).withShrinkCycles(20)
                .forAll(integers().between(1, 2), longs().all()).checkAssert((stride, seed) -> {
                    Graph g = secondOrder(network(stride));
                    Map<String, Tensor> feeds = TestGraphs.randomFeeds(g, seed);
                    GradientCheckReport report = GradientCheck.check(g, "loss2", feeds,
                            GradientCheck.Options.defaults());
                    assertTrue(report.passed(), "stride " + stride + "\n" + report);
                    // not vacuous: the loss depends on x through the second derivatives of tanh and the conv
                    GradientGraph again = Autodiff.gradients(g, "loss2", List.of("x", "conv.w"));
                    Map<String, Tensor> grads = ReferenceInterpreter.float64().run(
                            again.graph(), feeds, List.of(again.gradientOf("x").name(),
                                    again.gradientOf("conv.w").name()));
                    for (Tensor t : grads.values()) {
                        assertTrue(TestGraphs.maxAbs(t) > 1e-3, "second-order gradient is zero: " + t);
                    }
                });
    }
}

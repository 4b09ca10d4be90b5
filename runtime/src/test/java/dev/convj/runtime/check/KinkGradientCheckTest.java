package dev.convj.runtime.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.graph.DType;
import dev.convj.graph.Graph;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.Node;
import dev.convj.graph.ParamInit;
import dev.convj.graph.Shape;
import dev.convj.graph.autodiff.Autodiff;
import dev.convj.graph.autodiff.GradientGraph;
import dev.convj.graph.ops.MaxPool;
import dev.convj.graph.ops.Mul;
import dev.convj.graph.ops.PoolGeometry;
import dev.convj.graph.ops.Relu;
import dev.convj.graph.ops.Scale;
import dev.convj.graph.ops.Sum;
import dev.convj.runtime.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Central differences that straddle a ReLU or max-pool switch are retaken or set aside, never called failures. */
class KinkGradientCheckTest {

    /** loss = Σ c·relu(t) with c = (1, 2, 3). */
    private static Graph reluGraph() {
        GraphBuilder b = new GraphBuilder();
        Node t = b.parameter("t", Shape.of(3), new ParamInit.Uniform(1));
        Node c = b.input("c", Shape.of(3), DType.F32);
        Node y = b.apply("y", new Relu(), t);
        b.output(b.apply("loss", new Sum(List.of(0)), b.apply("cy", new Mul(), c, y)));
        return b.build();
    }

    /** t1 sits 3e-7 from ReLU's switch (inside ±1e-6, outside ±1e-7); t2 sits on it. */
    private static Map<String, Tensor> reluFeeds() {
        return Map.of("t", Tensor.of(Shape.of(3), 0.5, 3e-7, 0.0), "c", Tensor.of(Shape.of(3), 1, 2, 3));
    }

    @Test
    void aReluInputNearZeroIsRetakenWithASmallerStepAndOneAtZeroIsSetAside() {
        GradientCheckReport report = GradientCheck.check(reluGraph(), "loss", List.of("t"), reluFeeds(),
                GradientCheck.Options.defaults());
        assertTrue(report.passed(), report.toString());
        GradientCheckReport.Entry e = report.entries().get(0);
        assertEquals(1, e.refined());
        assertEquals(1, e.nonDifferentiable());
        assertTrue(e.maxAbsError() < 1e-8, report.toString());
        assertTrue(report.toString().contains("  t: 1 of 3 taken with a smaller ε (±ε crossed a ReLU or max-pool switch);"
                + " 1 non-differentiable here (a switch within ±ε/100), not compared\n"), report.toString());
        assertTrue(report.toString().endsWith("PASSED: all 1 gradients agree\n"), report.toString());
    }

    @Test
    void aWrongGradientStillFailsNearAKink() {
        Graph g = reluGraph();
        GradientGraph right = Autodiff.gradients(g, "loss", List.of("t"));
        GraphBuilder b = new GraphBuilder(right.graph());
        b.output(b.apply("t.grad.wrong", new Scale(1.01), right.gradientOf("t")));
        GradientGraph wrong = new GradientGraph(b.build(), "loss", Map.of("t", "t.grad.wrong"));
        GradientCheckReport report = GradientCheck.check(g, wrong, List.of("t"), reluFeeds(),
                GradientCheck.Options.defaults());
        assertFalse(report.passed(), report.toString());
        // The worst coordinate is the one retaken with ε/10: its numeric slope is the true 2.
        assertTrue(report.toString().contains(
                "FAIL at [1]: analytic 2.02000 vs numeric 2.00000 (gradient node t.grad.wrong)"), report.toString());
    }

    @Test
    void aMaxPoolWindowWhoseTopTwoAreCloseIsRetakenWithASmallerStep() {
        GraphBuilder b = new GraphBuilder();
        Node p = b.parameter("p", Shape.of(1, 1, 2, 2), new ParamInit.Uniform(1));
        Node pooled = b.apply("pool", new MaxPool(new PoolGeometry(List.of(2, 2), List.of(2, 2), List.of(0, 0),
                false)), p);
        b.output(b.apply("loss", new Sum(List.of(0, 1, 2, 3)), pooled));
        Graph g = b.build();
        // The top two differ by 4e-7: ±1e-6 on either swaps the winner, ±1e-7 does not.
        Map<String, Tensor> feeds = Map.of("p", Tensor.of(Shape.of(1, 1, 2, 2), 0.1, 0.1 + 4e-7, -1, -1));
        GradientCheckReport report = GradientCheck.check(g, "loss", List.of("p"), feeds,
                GradientCheck.Options.defaults());
        assertTrue(report.passed(), report.toString());
        assertEquals(2, report.entries().get(0).refined());
        assertEquals(0, report.entries().get(0).nonDifferentiable());
    }
}

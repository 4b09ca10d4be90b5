package dev.convj.graph.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.graph.DType;
import dev.convj.graph.Graph;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.Node;
import dev.convj.graph.ParamInit;
import dev.convj.graph.Shape;
import dev.convj.graph.autodiff.Autodiff;
import dev.convj.graph.ops.Dense;
import dev.convj.graph.ops.Relu;
import dev.convj.graph.ops.SoftmaxCrossEntropy;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DotExportTest {

    static Graph dense() {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(2, 3), DType.F32);
        Node w = b.parameter("fc1.weight", Shape.of(4, 3), new ParamInit.Uniform(1));
        Node bias = b.parameter("fc1.bias", Shape.of(4), new ParamInit.Uniform(1));
        Node fc = b.apply("fc1", new Dense(), x, w, bias);
        Node r = b.apply("relu1", new Relu(), fc);
        Node labels = b.input("labels", Shape.of(2), DType.I32);
        b.output(b.apply("loss", new SoftmaxCrossEntropy(), r, labels));
        return b.build();
    }

    @Test
    void forwardGraphHasClustersShapesAndKinds() {
        String dot = DotExport.of(dense());
        assertTrue(dot.startsWith("digraph convj {\n"));
        assertTrue(dot.contains("subgraph cluster_0 {\n    label=\"fc1\";"), dot);
        assertTrue(dot.contains("n3 [label=\"fc1\\ndense\""), dot);
        assertTrue(dot.contains("n1 [label=\"fc1.weight\\nf32[4,3]\""), dot);
        assertTrue(dot.contains("n3 -> n4 [label=\"[2,4]\"];"), dot);
        assertTrue(!dot.contains("dashed"), "no gradient node, nothing dashed");
        assertEquals(dot, DotExport.of(dense()), "deterministic");
    }

    @Test
    void gradientNodesAreStyledApartAndHighlightsMarked() {
        Graph g = Autodiff.gradients(dense(), "loss").graph();
        String dot = DotExport.of(g, DotExport.Options.defaults().withHighlight(Set.of("fc1.weight.grad")));
        assertTrue(dot.contains("label=\"fc1 (gradients)\""), dot);
        Node grad = g.node("fc1.weight.grad");
        String line = dot.lines().filter(l -> l.strip().startsWith("n" + grad.id() + " [")).findFirst().orElseThrow();
        assertTrue(line.contains("label=\"fc1.weight.grad\\n"), line);
        assertTrue(line.contains("style=\"rounded,filled,dashed\", color=\"#c0392b\""), line);
        assertTrue(line.contains("penwidth=3, color=\"#ff0000\""), line);
        assertEquals("conv1", DotExport.prefix("conv1.weight.grad"));
        assertEquals("x", DotExport.prefix("x.grad@conv1"));
    }
}

package dev.convj.codegen.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.graph.DType;
import dev.convj.graph.Graph;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.Node;
import dev.convj.graph.ParamInit;
import dev.convj.graph.Shape;
import dev.convj.graph.autodiff.Autodiff;
import dev.convj.graph.ops.Conv;
import dev.convj.graph.ops.ConvGeometry;
import dev.convj.graph.ops.ConvTranspose;
import dev.convj.graph.ops.Dense;
import dev.convj.graph.ops.Mul;
import dev.convj.graph.ops.Relu;
import dev.convj.graph.ops.ReluBackward;
import dev.convj.graph.ops.Reshape;
import dev.convj.graph.ops.Sigmoid;
import dev.convj.graph.ops.Sum;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The execution plan's roles (fed, inlined, alias, fused epilogue, computed) and the memory plan's buffer sharing. */
class ExecutionAndMemoryPlanTest {

    /** x → conv → relu → reshape → dense → sigmoid · 2 → sum: one of each role. */
    private static Graph graph() {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(2, 1, 6, 6), DType.F32);
        Node w = b.parameter("w", Shape.of(3, 1, 3, 3), new ParamInit.Uniform(0.3));
        Node conv = b.apply("conv", new Conv(new ConvGeometry(List.of(1, 1), List.of(0, 0), List.of(0, 0),
                List.of(1, 1), 1)), x, w);
        Node relu = b.apply("relu", new Relu(), conv);
        Node flat = b.apply("flat", new Reshape(Shape.of(2, 48)), relu);
        Node fw = b.parameter("fw", Shape.of(4, 48), new ParamInit.Uniform(0.3));
        Node fc = b.apply("fc", new Dense(), flat, fw);
        Node s = b.apply("s", new Sigmoid(), fc);
        Node two = b.input("two", Shape.of(2, 4), DType.F32);
        Node scaled = b.apply("scaled", new Mul(), s, two);
        b.output(b.apply("loss", new Sum(List.of(0, 1)), scaled));
        return b.build();
    }

    @Test
    void everyNodeGetsTheRoleThatRealizesIt() {
        Graph g = graph();
        ExecutionPlan plan = ExecutionPlan.of(g);
        assertEquals(ExecutionPlan.Role.FED, plan.role(g.node("x")));
        assertEquals(ExecutionPlan.Role.FED, plan.role(g.node("w")));
        assertEquals(ExecutionPlan.Role.COMPUTED, plan.role(g.node("conv")));
        assertEquals(ExecutionPlan.Role.EPILOGUE, plan.role(g.node("relu")), "the ReLU runs in the conv's epilogue");
        assertEquals(g.node("relu").id(), plan.epilogueOf(g.node("conv")));
        assertEquals(ExecutionPlan.Role.ALIAS, plan.role(g.node("flat")));
        assertEquals(g.node("relu"), plan.storage(g.node("flat")), "the reshape reads the ReLU's buffer");
        assertEquals(g.node("relu"), plan.storage(g.node("conv")), "the conv writes into its epilogue's buffer");
        assertEquals(ExecutionPlan.Role.INLINED, plan.role(g.node("s")), "sigmoid inlined into its one consumer");
        assertEquals(ExecutionPlan.Role.COMPUTED, plan.role(g.node("loss")));
        assertEquals(List.of("conv", "fc", "scaled", "loss"), plan.schedule().stream().map(Node::name).toList());
    }

    @Test
    void buffersAreSharedOnlyBetweenNodesWhoseLifetimesDoNotOverlap() {
        Graph g = graph();
        ExecutionPlan plan = ExecutionPlan.of(g);
        MemoryPlan memory = MemoryPlan.of(plan);
        int x = memory.bufferOf(g.node("x").id()), relu = memory.bufferOf(g.node("relu").id());
        int fc = memory.bufferOf(g.node("fc").id()), scaled = memory.bufferOf(g.node("scaled").id());
        int loss = memory.bufferOf(g.node("loss").id());
        assertEquals(-1, memory.bufferOf(g.node("s").id()), "an inlined node has no buffer");
        assertEquals(relu, memory.bufferOf(g.node("flat").id()), "an alias shares its operand's buffer");
        // fed buffers are never reused; the ReLU's buffer is read by fc, so fc cannot take it
        assertNotEquals(x, relu);
        assertNotEquals(relu, fc);
        // scaled is written after fc's last read of relu, but relu's buffer is of another size; never fc's (read by
        // scaled)
        assertNotEquals(fc, scaled);
        assertNotEquals(relu, scaled, "a value takes only a buffer of its own size");
        assertNotEquals(scaled, loss, "loss reads scaled");
        for (MemoryPlan.Buffer buffer : memory.buffers()) {
            for (Node n : g.nodes()) {
                if (memory.bufferOf(n.id()) == buffer.index()) {
                    assertTrue(buffer.size() >= n.shape().size(), n.name() + " fits its buffer");
                }
            }
        }
    }

    /** x → three 1×1 convolutions of one size → sum: the third may take the first's buffer once the second read it. */
    @Test
    void aValueTakesTheBufferOfAnEarlierValueOfItsSize() {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(2, 3, 4, 4), DType.F32);
        ConvGeometry pointwise = new ConvGeometry(List.of(1, 1), List.of(0, 0), List.of(0, 0), List.of(1, 1), 1);
        Node previous = x;
        for (String name : List.of("a", "b", "c")) {
            Node w = b.parameter(name + ".w", Shape.of(3, 3, 1, 1), new ParamInit.Uniform(0.3));
            previous = b.apply(name, new Conv(pointwise), previous, w);
        }
        b.output(b.apply("loss", new Sum(List.of(0, 1, 2, 3)), previous));
        Graph g = b.build();
        MemoryPlan memory = MemoryPlan.of(ExecutionPlan.of(g));
        int first = memory.bufferOf(g.node("a").id()), second = memory.bufferOf(g.node("b").id());
        assertNotEquals(first, second, "b reads a");
        assertEquals(first, memory.bufferOf(g.node("c").id()), "a's buffer is free once b has read it");
        assertEquals(7, memory.buffers().size(), "x, the three filters, loss, and two shared buffers");
    }

    @Test
    void aReluBackwardIsComputedByTheInputGradientBeforeItWhenItsCodeCan() {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(2, 2, 6, 6), DType.F32);
        ConvGeometry same = new ConvGeometry(List.of(1, 1), List.of(1, 1), List.of(1, 1), List.of(1, 1), 1);
        Node w1 = b.parameter("w1", Shape.of(3, 2, 3, 3), new ParamInit.Uniform(0.3));
        Node w2 = b.parameter("w2", Shape.of(4, 3, 3, 3), new ParamInit.Uniform(0.3));
        Node h = b.apply("h", new Relu(), b.apply("conv1", new Conv(same), x, w1));
        b.output(b.apply("loss", new Sum(List.of(0, 1, 2, 3)), b.apply("conv2", new Conv(same), h, w2)));
        Graph g = Autodiff.gradients(b.build(), "loss", List.of("w1", "w2")).graph();
        Node mask = g.nodes().stream().filter(n -> n.op() instanceof ReluBackward).findFirst().orElseThrow();
        Node gradient = g.node(mask.inputs().get(0));
        assertTrue(gradient.op() instanceof ConvTranspose, gradient.toString());

        ExecutionPlan fused = ExecutionPlan.of(g, conv -> false, wg -> false, n -> n.op() instanceof ConvTranspose);
        assertEquals(ExecutionPlan.Role.EPILOGUE, fused.role(mask));
        assertEquals(mask.id(), fused.epilogueOf(gradient));
        assertEquals(mask, fused.storage(gradient), "the input gradient stores the masked values in the mask's buffer");
        assertTrue(fused.schedule().contains(gradient) && !fused.schedule().contains(mask));

        ExecutionPlan apart = ExecutionPlan.of(g, conv -> false, wg -> false, n -> false);
        assertEquals(ExecutionPlan.Role.COMPUTED, apart.role(mask), "the input gradient's code cannot mask");
        assertEquals(-1, apart.epilogueOf(gradient));
    }
}

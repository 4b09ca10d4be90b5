package dev.convj.graph.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.graph.DType;
import dev.convj.graph.Graph;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.Node;
import dev.convj.graph.ParamInit;
import dev.convj.graph.Shape;
import dev.convj.graph.ShapeException;
import dev.convj.graph.ops.Add;
import dev.convj.graph.ops.Conv;
import dev.convj.graph.ops.ConvGeometry;
import dev.convj.graph.ops.Dense;
import dev.convj.graph.ops.Mul;
import dev.convj.graph.ops.Sum;
import dev.convj.graph.viz.TextDump;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shape of the graphs autodiff builds, and its refusals. */
class AutodiffTest {

    /** x [2,3] → dense (w [4,3]) → sum over both axes. */
    static Graph denseSum() {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(2, 3), DType.F32);
        Node w = b.parameter("w", Shape.of(4, 3), new ParamInit.Uniform(0.5));
        Node fc = b.apply("fc", new Dense(), x, w);
        return b.output(b.apply("loss", new Sum(List.of(0, 1)), fc)).build();
    }

    /** dL/dx is not asked for, so the dense rule's matmul(fc.grad, w) is pruned from the gradient graph. */
    @Test
    void gradientGraphDump() {
        GradientGraph gg = Autodiff.gradients(denseSum(), "loss");
        String expected = ""
                + "  x: f32[2,3] = input\n"
                + "  w: f32[4,3] = parameter  init=uniform(±0.5)\n"
                + "  fc: f32[2,4] = dense(x, w)\n"
                + "  loss: f32[] = sum(fc)  axes=[0,1]\n"
                + "∇ loss.grad: f32[] = fill  value=1\n"
                + "∇ loss.bwd: f32[1,1] = reshape(loss.grad)  shape=[1,1]\n"
                + "∇ fc.grad: f32[2,4] = broadcast_to(loss.bwd)  shape=[2,4]\n"
                + "∇ w.grad: f32[4,3] = matmul(fc.grad, x)  transpose_a\n"
                + "outputs: loss, w.grad\n";
        assertEquals(expected, gg.graph().toText());
        assertEquals("w.grad", gg.gradientOf("w").name());
        assertEquals(List.of("w"), gg.differentiated());
        assertEquals("loss", gg.loss());
    }

    @Test
    void severalConsumersAreSummedUnderNamedContributions() {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(3), DType.F32);
        Node sq = b.apply("sq", new Mul(), x, x);
        Node y = b.apply("y", new Add(), sq, x);
        b.output(b.apply("loss", new Sum(List.of(0)), y));
        GradientGraph gg = Autodiff.gradients(b.build(), "loss", List.of("x"));
        // x feeds sq twice and y once: three contributions, summed left to right.
        String expected = ""
                + "  x: f32[3] = input\n"
                + "  sq: f32[3] = mul(x, x)\n"
                + "  y: f32[3] = add(sq, x)\n"
                + "  loss: f32[] = sum(y)  axes=[0]\n"
                + "∇ loss.grad: f32[] = fill  value=1\n"
                + "∇ loss.bwd: f32[1] = reshape(loss.grad)  shape=[1]\n"
                + "∇ y.grad: f32[3] = broadcast_to(loss.bwd)  shape=[3]\n"
                + "∇ x.grad@sq: f32[3] = mul(y.grad, x)\n"
                + "∇ x.grad@sq_2: f32[3] = mul(y.grad, x)\n"
                + "∇ x.grad.partial: f32[3] = add(y.grad, x.grad@sq)\n"
                + "∇ x.grad: f32[3] = add(x.grad.partial, x.grad@sq_2)\n"
                + "outputs: loss, x.grad\n";
        assertEquals(expected, gg.graph().toText());
        assertEquals("x.grad", gg.gradientOf("x").name());
    }

    @Test
    void unusedLeafGetsAZeroGradient() {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(3), DType.F32);
        b.parameter("unused", Shape.of(2, 2), new ParamInit.Constant(1));
        b.output(b.apply("loss", new Sum(List.of(0)), x));
        GradientGraph gg = Autodiff.gradients(b.build(), "loss");
        Node g = gg.gradientOf("unused");
        assertEquals("fill", g.op().kind());
        assertEquals("∇ unused.grad: f32[2,2] = fill  value=0", TextDump.line(gg.graph(), g));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> gg.gradientOf("x"));
        assertEquals("no gradient was derived for 'x'; derived: [unused]", e.getMessage());
    }

    @Test
    void refusesANonScalarLoss() {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(1, 1, 5, 5), DType.F32);
        Node w = b.parameter("conv.weight", Shape.of(2, 1, 3, 3), new ParamInit.Uniform(1));
        b.output(b.apply("conv", new Conv(ConvGeometry.unit(2)), x, w));
        ShapeException e = assertThrows(ShapeException.class, () -> Autodiff.gradients(b.build(), "conv"));
        assertEquals("conv (conv2d): the loss must be a float scalar to differentiate, got f32[1,2,3,3];"
                + " reduce it with sum or mean first", e.getMessage());
    }

    @Test
    void refusesANonLeaf() {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(1, 1, 5, 5), DType.F32);
        Node w = b.parameter("conv.weight", Shape.of(2, 1, 3, 3), new ParamInit.Uniform(1));
        Node conv = b.apply("conv", new Conv(ConvGeometry.unit(2)), x, w);
        b.output(b.apply("loss", new Sum(List.of(0, 1, 2, 3)), conv));
        Graph g = b.build();
        ShapeException e = assertThrows(ShapeException.class,
                () -> Autodiff.gradients(g, "loss", List.of("conv.weight", "conv")));
        assertEquals("conv (conv2d): cannot differentiate with respect to f32[1,2,3,3]; only parameters and float"
                + " inputs are differentiable leaves", e.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> Autodiff.gradients(g, "loss", List.of("conv1.weight")));
        assertTrue(missing.getMessage().startsWith("the graph has no node named 'conv1.weight'"),
                missing.getMessage());
    }

    @Test
    void refusesAnIntegerInput() {
        GraphBuilder b = new GraphBuilder();
        b.input("labels", Shape.of(4), DType.I32);
        Node x = b.input("x", Shape.of(4), DType.F32);
        b.output(b.apply("loss", new Sum(List.of(0)), x));
        ShapeException e = assertThrows(ShapeException.class,
                () -> Autodiff.gradients(b.build(), "loss", List.of("labels")));
        assertTrue(e.getMessage().startsWith("labels (input): cannot differentiate with respect to i32[4]"),
                e.getMessage());
    }
}

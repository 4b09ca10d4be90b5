package dev.convj.graph.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.graph.DType;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.Node;
import dev.convj.graph.ParamInit;
import dev.convj.graph.Shape;
import dev.convj.graph.ShapeException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bad layers fail when the node is added, with a message that names the layer, the op and the shapes. */
class ShapeErrorsTest {
    private static final ParamInit INIT = new ParamInit.Uniform(0.1);

    private static void assertContains(String message, String... fragments) {
        for (String f : fragments) {
            assertTrue(message.contains(f), "expected «" + f + "» in: " + message);
        }
    }

    private static ConvGeometry geometry(int stride, int pad, int dilation, int groups) {
        return new ConvGeometry(List.of(stride, stride), List.of(pad, pad), List.of(pad, pad),
                List.of(dilation, dilation), groups);
    }

    @Test
    void kernelLargerThanThePaddedInput() {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(1, 1, 4, 4), DType.F32);
        Node w = b.parameter("conv2.weight", Shape.of(2, 1, 5, 5), INIT);
        ShapeException e = assertThrows(ShapeException.class,
                () -> b.apply("conv2", new Conv(ConvGeometry.unit(2)), x, w));
        assertTrue(e.getMessage().startsWith("conv2 (conv2d): kernel 5×5 with dilation 1×1 does not fit input 4×4"
                + " padded by [(0,0),(0,0)]"), e.getMessage());
        assertContains(e.getMessage(), "floor((4+0+0-1·4-1)/1)+1 = 0");
        assertTrue(!b.has("conv2"), "the failed node must not be added");
    }

    @Test
    void dilatedKernelThatDoesNotFitEvenWithPadding() {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(1, 2, 3, 6), DType.F32);
        Node w = b.parameter("w", Shape.of(2, 2, 3, 3), INIT);
        ShapeException e = assertThrows(ShapeException.class,
                () -> b.apply("atrous", new Conv(geometry(1, 0, 2, 1)), x, w));
        assertContains(e.getMessage(), "atrous (conv2d)", "does not fit input 3×6", "kernel 3×3",
                "dilation 2×2", "spatial axis 0", "floor((3+0+0-2·2-1)/1)+1 = -1");
    }

    @Test
    void poolingWindowLargerThanTheInput() {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(1, 3, 2, 2), DType.F32);
        ShapeException e = assertThrows(ShapeException.class, () -> b.apply("pool1",
                new MaxPool(new PoolGeometry(List.of(3, 3), List.of(1, 1), List.of(0, 0), false)), x));
        assertContains(e.getMessage(), "pool1 (max_pool2d): pooling window 3×3 does not fit input 2×2",
                "floor((2+2·0-3)/1)+1 = 0");
    }

    @Test
    void strideAndDilationMustBePositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> geometry(0, 0, 1, 1));
        assertEquals("stride must be ≥ 1, got [0, 0]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ConvGeometry(List.of(1, -2), List.of(0, 0),
                List.of(0, 0), List.of(1, 1), 1));
        assertEquals("stride must be ≥ 1, got [1, -2]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> geometry(1, 0, 0, 1));
        assertEquals("dilation must be ≥ 1, got [0, 0]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> geometry(1, -1, 1, 1));
        assertEquals("padding must be ≥ 0, got [-1, -1] before and [-1, -1] after", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> geometry(1, 0, 1, 0));
        assertEquals("groups must be ≥ 1, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ConvGeometry(List.of(1, 1), List.of(0),
                List.of(0, 0), List.of(1, 1), 1));
        assertContains(e.getMessage(), "must all name the same number");
    }

    @Test
    void channelsNotDivisibleByGroups() {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(1, 3, 5, 5), DType.F32);
        Node w = b.parameter("convg.weight", Shape.of(4, 1, 3, 3), INIT);
        ShapeException e = assertThrows(ShapeException.class,
                () -> b.apply("convg", new Conv(geometry(1, 0, 1, 2)), x, w));
        assertEquals("convg (conv2d): input x f32[1,3,5,5] has 3 channels, which 2 groups do not divide;"
                + " choose groups that divide 3", e.getMessage());
    }

    @Test
    void filtersNotDivisibleByGroups() {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(1, 4, 5, 5), DType.F32);
        Node w = b.parameter("convg.weight", Shape.of(3, 2, 3, 3), INIT);
        ShapeException e = assertThrows(ShapeException.class,
                () -> b.apply("convg", new Conv(geometry(1, 0, 1, 2)), x, w));
        assertEquals("convg (conv2d): weight convg.weight f32[3,2,3,3] has 3 filters, which 2 groups do not divide;"
                + " choose a filter count divisible by 2", e.getMessage());
    }

    @Test
    void weightChannelsMustMatchTheGroupWidth() {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(1, 4, 5, 5), DType.F32);
        Node w = b.parameter("convg.weight", Shape.of(4, 4, 3, 3), INIT);
        ShapeException e = assertThrows(ShapeException.class,
                () -> b.apply("convg", new Conv(geometry(1, 0, 1, 2)), x, w));
        assertEquals("convg (conv2d): input x f32[1,4,5,5] has 4 channels in 2 group(s), so the weight needs 2"
                + " input channels per filter, but convg.weight f32[4,4,3,3] has 4", e.getMessage());
    }

    @Test
    void biasOfTheWrongLength() {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(1, 1, 5, 5), DType.F32);
        Node w = b.parameter("conv1.weight", Shape.of(6, 1, 3, 3), INIT);
        Node bias = b.parameter("conv1.bias", Shape.of(5), INIT);
        ShapeException e = assertThrows(ShapeException.class,
                () -> b.apply("conv1", new Conv(ConvGeometry.unit(2)), x, w, bias));
        assertEquals("conv1 (conv2d): bias conv1.bias f32[5] must have shape [6], one value per output channel",
                e.getMessage());
    }

    @Test
    void convInputOfTheWrongRank() {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(1, 28, 28), DType.F32);
        Node w = b.parameter("conv1.weight", Shape.of(6, 1, 5, 5), INIT);
        ShapeException e = assertThrows(ShapeException.class,
                () -> b.apply("conv1", new Conv(ConvGeometry.unit(2)), x, w));
        assertEquals("conv1 (conv2d): input x must have rank 4 (N,C,H,W), got f32[1,28,28]", e.getMessage());
    }

    @Test
    void denseInputSizeMismatch() {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(2, 12), DType.F32);
        Node w = b.parameter("fc.weight", Shape.of(4, 10), INIT);
        ShapeException e = assertThrows(ShapeException.class, () -> b.apply("fc", new Dense(), x, w));
        assertEquals("fc (dense): input x f32[2,12] has 12 features but weight fc.weight f32[4,10] expects 10;"
                + " make the previous layer produce 10 features or declare this layer for 12", e.getMessage());
    }

    @Test
    void denseInputNotFlattened() {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(2, 3, 4), DType.F32);
        Node w = b.parameter("fc.weight", Shape.of(4, 12), INIT);
        ShapeException e = assertThrows(ShapeException.class, () -> b.apply("fc", new Dense(), x, w));
        assertEquals("fc (dense): input x must have rank 2 (N,features; flatten it first), got f32[2,3,4]",
                e.getMessage());
    }

    @Test
    void elementwiseShapesMustBeEqual() {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(2, 3), DType.F32);
        Node y = b.input("y", Shape.of(3, 2), DType.F32);
        ShapeException e = assertThrows(ShapeException.class, () -> b.apply("sum", new Add(), x, y));
        assertEquals("sum (add): operands must have equal shapes, got x f32[2,3] and y f32[3,2]"
                + " (broadcast one explicitly with broadcastTo)", e.getMessage());
    }

    @Test
    void labelsMustBeIntegers() {
        GraphBuilder b = new GraphBuilder();
        Node logits = b.input("logits", Shape.of(4, 10), DType.F32);
        Node labels = b.input("labels", Shape.of(4), DType.F32);
        ShapeException e = assertThrows(ShapeException.class,
                () -> b.apply("loss", new SoftmaxCrossEntropy(), logits, labels));
        assertEquals("loss (softmax_cross_entropy): labels labels must be i32 class indices, got f32[4]",
                e.getMessage());
        Node short3 = b.input("labels3", Shape.of(3), DType.I32);
        e = assertThrows(ShapeException.class, () -> b.apply("loss", new SoftmaxCrossEntropy(), logits, short3));
        assertEquals("loss (softmax_cross_entropy): logits f32[4,10] and labels i32[3] must have the same batch size",
                e.getMessage());
    }
}

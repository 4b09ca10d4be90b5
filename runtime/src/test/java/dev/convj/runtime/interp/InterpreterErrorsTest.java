package dev.convj.runtime.interp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.convj.graph.DType;
import dev.convj.graph.Graph;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.Node;
import dev.convj.graph.ParamInit;
import dev.convj.graph.Shape;
import dev.convj.graph.ShapeException;
import dev.convj.graph.autodiff.Autodiff;
import dev.convj.graph.autodiff.GradientGraph;
import dev.convj.graph.ops.Conv;
import dev.convj.graph.ops.ConvGeometry;
import dev.convj.graph.ops.SoftmaxCrossEntropy;
import dev.convj.runtime.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Bad feeds fail with a message naming the node, the expected and the given values. */
class InterpreterErrorsTest {

    private static Graph conv() {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(1, 1, 5, 5), DType.F32);
        Node w = b.parameter("conv1.weight", Shape.of(2, 1, 3, 3), new ParamInit.Uniform(1));
        return b.output(b.apply("conv1", new Conv(ConvGeometry.unit(2)), x, w)).build();
    }

    private static Graph crossEntropy() {
        GraphBuilder b = new GraphBuilder();
        Node logits = b.input("logits", Shape.of(2, 3), DType.F32);
        Node labels = b.input("labels", Shape.of(2), DType.I32);
        return b.output(b.apply("loss", new SoftmaxCrossEntropy(), logits, labels)).build();
    }

    private static final Tensor WEIGHT = Tensor.fill(Shape.of(2, 1, 3, 3), 0.5);
    private static final Tensor LOGITS = Tensor.of(Shape.of(2, 3), 1, 2, 3, 3, 2, 1);

    @Test
    void wrongShapeNamesTheInputAndBothShapes() {
        ShapeException e = assertThrows(ShapeException.class, () -> ReferenceInterpreter.float64().run(conv(),
                Map.of("x", Tensor.zeros(Shape.of(1, 1, 4, 4)), "conv1.weight", WEIGHT), "conv1"));
        assertEquals("x (input): fed a tensor of shape [1,1,4,4] but the graph declares f32[1,1,5,5]", e.getMessage());
    }

    @Test
    void wrongBatchSuggestsRebuilding() {
        ShapeException e = assertThrows(ShapeException.class, () -> ReferenceInterpreter.float64().run(conv(),
                Map.of("x", Tensor.zeros(Shape.of(8, 1, 5, 5)), "conv1.weight", WEIGHT), "conv1"));
        assertEquals("x (input): fed a tensor of shape [8,1,5,5] but the graph declares f32[1,1,5,5];"
                + " rebuild the graph for batch 8", e.getMessage());
    }

    @Test
    void wrongParameterShape() {
        ShapeException e = assertThrows(ShapeException.class, () -> ReferenceInterpreter.float64().run(conv(),
                Map.of("x", Tensor.zeros(Shape.of(1, 1, 5, 5)), "conv1.weight", Tensor.zeros(Shape.of(2, 3, 3))),
                "conv1"));
        assertEquals("conv1.weight (parameter): fed a tensor of shape [2,3,3] but the graph declares f32[2,1,3,3]",
                e.getMessage());
    }

    @Test
    void missingFeed() {
        ShapeException e = assertThrows(ShapeException.class, () -> ReferenceInterpreter.float64().run(conv(),
                Map.of("x", Tensor.zeros(Shape.of(1, 1, 5, 5))), "conv1"));
        assertEquals("conv1.weight (parameter): no value was fed for f32[2,1,3,3]; feeds given: [x]", e.getMessage());
    }

    @Test
    void labelOutsideTheClasses() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReferenceInterpreter
                .float64().run(crossEntropy(), Map.of("logits", LOGITS, "labels", Tensor.of(Shape.of(2), 0, 3)),
                        "loss"));
        assertEquals("loss (softmax_cross_entropy): label 3 at batch index 1 is not a class index in [0, 3) (i32 labels)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ReferenceInterpreter.float64().run(crossEntropy(),
                Map.of("logits", LOGITS, "labels", Tensor.of(Shape.of(2), -1, 2)), "loss"));
        assertEquals("loss (softmax_cross_entropy): label -1 at batch index 0 is not a class index in [0, 3) (i32 labels)", e.getMessage());
    }

    @Test
    void labelOutsideTheClassesInTheGradientGraph() {
        // the gradient's one-hot of the labels checks them too, naming its own node
        GradientGraph gg = Autodiff.gradients(crossEntropy(), "loss", List.of("logits"));
        Node oneHot = gg.graph().nodes().stream().filter(n -> n.op().kind().equals("one_hot")).findFirst()
                .orElseThrow();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReferenceInterpreter
                .float64().run(gg.graph(), Map.of("logits", LOGITS, "labels", Tensor.of(Shape.of(2), 1, 7)),
                        oneHot.name()));
        assertEquals(oneHot.name() + " (one_hot): label 7 at batch index 1 is not a class index in [0, 3) (i32 labels)",
                e.getMessage());
    }

    @Test
    void nonIntegerLabel() {
        ShapeException e = assertThrows(ShapeException.class, () -> ReferenceInterpreter.float64().run(
                crossEntropy(), Map.of("logits", LOGITS, "labels", Tensor.of(Shape.of(2), 1, 1.5)), "loss"));
        assertEquals("labels (input): element 1 is 1.5, not an integer as i32[2] requires", e.getMessage());
    }

    @Test
    void validLabelsGiveTheCrossEntropy() {
        // −log softmax([1,2,3])[2] and −log softmax([3,2,1])[0] are both log(1 + e^-1 + e^-2)
        Tensor loss = ReferenceInterpreter.float64().run(crossEntropy(),
                Map.of("logits", LOGITS, "labels", Tensor.of(Shape.of(2), 2, 0)), "loss");
        assertEquals(Math.log(1 + Math.exp(-1) + Math.exp(-2)), loss.get(0), 1e-15);
    }
}

package dev.convj.runtime.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.graph.DType;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import dev.convj.graph.ops.Op;
import dev.convj.runtime.Tensor;
import dev.convj.runtime.check.GradientCheck;
import dev.convj.runtime.check.OpGradientCheck;
import dev.convj.runtime.interp.ReferenceInterpreter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Runs one op on tensors through a one-node graph, and checks its gradient rule, for the op tests. */
final class OpHarness {
    private OpHarness() {}

    /** The op applied to float operands, its result shape checked against the shape rule. */
    static Tensor run(Op op, Tensor... args) {
        GraphBuilder b = new GraphBuilder();
        Node[] in = new Node[args.length];
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            boolean integer = args[i].shape().isScalar() && op instanceof dev.convj.graph.ops.Dropout;
            in[i] = b.input("a" + i, args[i].shape(), integer ? DType.I32 : DType.F32);
            feeds.put(in[i].name(), args[i]);
        }
        Node y = b.apply("y", op, in);
        Tensor out = ReferenceInterpreter.float64().run(b.output(y).build(), feeds, "y");
        assertEquals(y.shape(), out.shape(), "shape rule vs interpreter for " + op);
        return out;
    }

    /** Asserts the gradient check of {@code op} on float operands {@code args} passes. */
    static void assertGradients(Op op, Tensor... args) {
        OpGradientCheck.Result r = OpGradientCheck.check(op, Arrays.stream(args).map(Tensor::shape).toList(),
                Arrays.stream(args).map(a -> DType.F32).toList(), List.of(args), GradientCheck.Options.defaults());
        assertTrue(r.passed(), () -> op + " on " + r.operands() + "\n" + r.report());
    }

    static Tensor random(Random random, int... dims) {
        return Tensor.uniform(Shape.of(dims), -1, 1, random);
    }

    /** Σ a ⊙ b. */
    static double dot(Tensor a, Tensor b) {
        assertEquals(a.shape(), b.shape());
        double s = 0;
        for (int i = 0; i < a.size(); i++) {
            s += a.get(i) * b.get(i);
        }
        return s;
    }

    static void assertClose(Tensor expected, Tensor actual, double tolerance) {
        assertEquals(expected.shape(), actual.shape());
        double diff = expected.maxAbsDiff(actual);
        assertTrue(diff <= tolerance, () -> "max difference " + diff + "\nexpected " + expected + "\nactual   " + actual);
    }
}

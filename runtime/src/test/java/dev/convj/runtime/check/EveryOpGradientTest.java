package dev.convj.runtime.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.graph.DType;
import dev.convj.graph.Graph;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.Node;
import dev.convj.graph.ParamInit;
import dev.convj.graph.Shape;
import dev.convj.graph.ops.Add;
import dev.convj.graph.ops.AvgPool;
import dev.convj.graph.ops.AvgPoolBackward;
import dev.convj.graph.ops.BroadcastTo;
import dev.convj.graph.ops.Conv;
import dev.convj.graph.ops.ConvGeometry;
import dev.convj.graph.ops.ConvTranspose;
import dev.convj.graph.ops.ConvWeightGrad;
import dev.convj.graph.ops.Dense;
import dev.convj.graph.ops.Input;
import dev.convj.graph.ops.LogSoftmax;
import dev.convj.graph.ops.MatMul;
import dev.convj.graph.ops.MaxPool;
import dev.convj.graph.ops.MaxPoolBackward;
import dev.convj.graph.ops.MaxPoolSelect;
import dev.convj.graph.ops.Mean;
import dev.convj.graph.ops.Mse;
import dev.convj.graph.ops.Mul;
import dev.convj.graph.ops.OneHot;
import dev.convj.graph.ops.Op;
import dev.convj.graph.ops.Parameter;
import dev.convj.graph.ops.PoolGeometry;
import dev.convj.graph.ops.Relu;
import dev.convj.graph.ops.Reshape;
import dev.convj.graph.ops.Scale;
import dev.convj.graph.ops.Sigmoid;
import dev.convj.graph.ops.Softmax;
import dev.convj.graph.ops.SoftmaxCrossEntropy;
import dev.convj.graph.ops.Step;
import dev.convj.graph.ops.Sub;
import dev.convj.graph.ops.Sum;
import dev.convj.graph.ops.SumTo;
import dev.convj.graph.ops.Tanh;
import dev.convj.runtime.Tensor;
import dev.convj.runtime.TestGraphs;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A gradient-check case for every op of the IR: small fixed graphs that together use every permitted subclass of
 * {@link Op}, each checked to first order and, through a loss built from its gradients, to second order.
 */
class EveryOpGradientTest {

    private record Case(String name, Graph graph, Map<String, Tensor> fixed) {}

    private static Case elementwise() {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(2, 3), DType.F32);
        Node y = b.parameter("y", Shape.of(2, 3), new ParamInit.Uniform(1));
        Node mixed = b.apply("mixed", new Sub(), b.apply("sum", new Add(), x, y), b.apply("prod", new Mul(), x, y));
        Node smooth = b.apply("sig", new Sigmoid(), b.apply("tanh", new Tanh(), b.apply("half", new Scale(0.5), mixed)));
        Node gated = b.apply("gated", new Mul(), b.apply("relu", new Relu(), x), b.apply("step", new Step(), y));
        Node shifted = b.apply("shifted", new Add(), gated, b.fill("c", Shape.of(2, 3), 0.25));
        Node z = b.apply("z", new Mul(), b.apply("z0", new Add(), smooth, shifted), x);
        return new Case("elementwise", b.output(TestGraphs.weightedSum(b, z, "loss")).build(), Map.of());
    }

    private static Case softmaxFamily() {
        GraphBuilder b = new GraphBuilder();
        Node logits = b.input("logits", Shape.of(3, 4), DType.F32);
        Node labels = b.input("labels", Shape.of(3), DType.I32);
        Node ce = b.apply("ce", new SoftmaxCrossEntropy(), logits, labels);
        Node sm = TestGraphs.weightedSum(b, b.apply("sm", new Softmax(1), logits), "sm.loss");
        Node lsm = TestGraphs.weightedSum(b, b.apply("lsm", new LogSoftmax(0), logits), "lsm.loss");
        Node picked = b.apply("picked", new Sum(List.of(0, 1)),
                b.apply("masked", new Mul(), b.apply("onehot", new OneHot(4), labels), logits));
        Node loss = b.apply("loss", new Add(), b.apply("l1", new Add(), ce, sm), b.apply("l2", new Add(), lsm, picked));
        return new Case("softmax family", b.output(loss).build(),
                Map.of("labels", Tensor.of(Shape.of(3), 2, 0, 3)));
    }

    private static Case shapesAndReductions() {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(2, 3, 4), DType.F32);
        Node v = b.parameter("v", Shape.of(4), new ParamInit.Uniform(1));
        Node flat = b.apply("flat", new Reshape(Shape.of(6, 4)), x);
        Node wide = b.apply("wide", new BroadcastTo(Shape.of(6, 4)), v);
        Node prod = b.apply("prod", new Mul(), flat, wide);
        Node folded = b.apply("folded", new SumTo(Shape.of(1, 4)), prod);
        Node mean = b.apply("mean", new Mean(List.of(0)), prod);
        Node rows = b.apply("rows", new Sum(List.of(1)), prod);
        Node mse = b.apply("mse", new Mse(), b.apply("folded_flat", new Reshape(Shape.of(4)), folded), mean);
        Node loss = b.apply("loss", new Add(), mse, TestGraphs.weightedSum(b, rows, "rows.loss"));
        return new Case("shapes and reductions", b.output(loss).build(), Map.of());
    }

    private static Case matrixProducts() {
        GraphBuilder b = new GraphBuilder();
        Node a = b.input("a", Shape.of(3, 2), DType.F32);
        Node c = b.parameter("c", Shape.of(4, 2), new ParamInit.Uniform(1));
        Node d = b.parameter("d", Shape.of(3, 4), new ParamInit.Uniform(1));
        Node ab = b.apply("ab", new MatMul(false, true), a, c);              // [3,4]
        Node atd = b.apply("atd", new MatMul(true, false), a, d);            // [2,4]
        Node e = b.parameter("e", Shape.of(2, 3), new ParamInit.Uniform(1));
        Node tt = b.apply("tt", new MatMul(true, true), ab, e);              // [4,2]
        Node nn = b.apply("nn", new MatMul(false, false), tt, atd);          // [4,4]
        Node fc = b.apply("fc", new Dense(), nn, b.parameter("fc.w", Shape.of(2, 4), new ParamInit.Uniform(1)),
                b.parameter("fc.b", Shape.of(2), new ParamInit.Uniform(1)));
        return new Case("matrix products", b.output(TestGraphs.weightedSum(b, fc, "loss")).build(), Map.of());
    }

    private static Case convolutionFamily() {
        GraphBuilder b = new GraphBuilder();
        ConvGeometry g = new ConvGeometry(List.of(2, 1), List.of(1, 0), List.of(0, 1), List.of(1, 2), 1);
        PoolGeometry p = new PoolGeometry(List.of(2, 2), List.of(2, 1), List.of(1, 0), true);
        Node x = b.input("x", Shape.of(1, 2, 5, 6), DType.F32);
        Node w = b.parameter("w", Shape.of(3, 2, 2, 2), new ParamInit.Uniform(1));
        Node conv = b.apply("conv", new Conv(g), x, w);                                   // [1,3,3,5]
        Node dy = b.input("dy", conv.shape(), DType.F32);
        Node back = b.apply("back", new ConvTranspose(g, List.of(5, 6)), dy, w);        // [1,2,5,6]
        Node wg = b.apply("wg", new ConvWeightGrad(g, List.of(2, 2)), back, conv);       // [3,2,2,2]
        Node max = b.apply("max", new MaxPool(p), conv);
        Node avg = b.apply("avg", new AvgPool(p, true), conv);
        Node sel = b.apply("sel", new MaxPoolSelect(p), conv, b.apply("conv_sq", new Mul(), conv, conv));
        Node mb = b.apply("mb", new MaxPoolBackward(p), conv, b.apply("avg_max", new Mul(), avg, max));
        Node ab = b.apply("ab", new AvgPoolBackward(p, false, List.of(3, 5)), sel);
        Node loss = b.apply("loss", new Add(),
                b.apply("l1", new Add(), TestGraphs.weightedSum(b, wg, "wg.loss"), TestGraphs.weightedSum(b, mb,
                        "mb.loss")), TestGraphs.weightedSum(b, ab, "ab.loss"));
        return new Case("convolution family", b.output(loss).build(), Map.of());
    }

    private static List<Case> cases() {
        return List.of(elementwise(), softmaxFamily(), shapesAndReductions(), matrixProducts(), convolutionFamily());
    }

    /**
     * The gradient of every op's gradient: for each case of {@link OpCases} (which covers every op type, see
     * OpCompletenessTest), Σ y·r is differentiated twice and checked against finite differences.
     */
    @Test
    void secondOrderOfEveryOpCase() {
        long seed = 500;
        for (OpCases.Case c : OpCases.all()) {
            if (c.operands().stream().noneMatch(o -> o.dtype().isFloat())) {
                continue;
            }
            dev.convj.graph.GraphBuilder b = new dev.convj.graph.GraphBuilder();
            List<Node> operands = new java.util.ArrayList<>();
            Map<String, Tensor> fixed = new LinkedHashMap<>();
            java.util.Random random = new java.util.Random(seed++);
            List<String> wrt = new java.util.ArrayList<>();
            for (int i = 0; i < c.operands().size(); i++) {
                OpCases.Operand o = c.operands().get(i);
                Node n = b.input("a" + i, o.shape(), o.dtype());
                operands.add(n);
                fixed.put(n.name(), o.dtype().isFloat() ? Tensor.uniform(o.shape(), o.lo(), o.hi(), random)
                        : Tensor.generate(o.shape(), k -> random.nextInt((int) o.hi())));
                if (o.dtype().isFloat()) {
                    wrt.add(n.name());
                }
            }
            Node y = b.apply("y", c.op(), operands.toArray(Node[]::new));
            Node r = b.input("r", y.shape(), dev.convj.graph.DType.F32);
            fixed.put("r", Tensor.uniform(y.shape(), 0.5, 1.5, random));
            List<Integer> axes = java.util.stream.IntStream.range(0, y.shape().rank()).boxed().toList();
            b.apply("loss", new dev.convj.graph.ops.Sum(axes), b.apply("y_r", new dev.convj.graph.ops.Mul(), y, r));
            Graph g = TestGraphs.withGradientLoss(b.build(), "loss", wrt, "loss2");
            Map<String, Tensor> feeds = new LinkedHashMap<>(TestGraphs.randomFeeds(g, fixed, seed++));
            GradientCheckReport report = GradientCheck.check(g, "loss2", wrt, feeds, GradientCheck.Options.defaults());
            assertTrue(report.passed(), c.op().kind() + " " + c.op().attributes() + " (second order)\n" + report);
        }
    }

    @Test
    void firstOrder() {
        long seed = 1;
        for (Case c : cases()) {
            Map<String, Tensor> feeds = TestGraphs.randomFeeds(c.graph(), c.fixed(), seed++);
            GradientCheckReport report = GradientCheck.check(c.graph(), "loss", feeds,
                    GradientCheck.Options.defaults());
            assertTrue(report.passed(), c.name() + "\n" + report);
        }
    }

    @Test
    void secondOrder() {
        long seed = 100;
        for (Case c : cases()) {
            List<String> wrt = c.graph().nodes().stream()
                    .filter(n -> (n.op() instanceof Input || n.op() instanceof Parameter) && n.dtype().isFloat())
                    .map(Node::name).toList();
            Graph g = TestGraphs.withGradientLoss(c.graph(), "loss", wrt, "loss2");
            Map<String, Tensor> feeds = new LinkedHashMap<>(TestGraphs.randomFeeds(g, c.fixed(), seed++));
            GradientCheckReport report = GradientCheck.check(g, "loss2", feeds, GradientCheck.Options.defaults());
            assertTrue(report.passed(), c.name() + " (second order)\n" + report);
        }
    }
}

package dev.convj.runtime.check;

import dev.convj.graph.DType;
import dev.convj.graph.Graph;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import dev.convj.graph.ops.Mul;
import dev.convj.graph.ops.Op;
import dev.convj.graph.ops.Sum;
import dev.convj.runtime.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Checks one op's gradient rule on its own: for operands a₀…aₖ it builds L = Σ op(a₀…aₖ) ⊙ r with a fixed random
 * projection r and checks dL/d(every float operand) against central differences. Since gradient rules are built
 * from ops that are checked the same way, checking every op checks gradients of gradients too.
 */
public final class OpGradientCheck {
    private OpGradientCheck() {}

    /** The outcome for one op application: the op's kind and attributes, and the report of its operands. */
    public record Result(String opType, String kind, String op, List<Shape> operands, GradientCheckReport report) {
        public boolean passed() {
            return report.passed();
        }

        public double maxRelError() {
            return report.entries().stream().mapToDouble(GradientCheckReport.Entry::maxRelError).max().orElse(0);
        }
    }

    /** Checks {@code op} applied to operands with these values (their shapes and types come from the values' nodes). */
    public static Result check(Op op, List<Shape> shapes, List<DType> types, List<Tensor> values,
                               GradientCheck.Options options) {
        GraphBuilder b = new GraphBuilder();
        Node[] operands = new Node[shapes.size()];
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        List<String> wrt = new ArrayList<>();
        for (int i = 0; i < operands.length; i++) {
            operands[i] = b.input("a" + i, shapes.get(i), types.get(i));
            feeds.put(operands[i].name(), values.get(i));
            if (types.get(i).isFloat()) {
                wrt.add(operands[i].name());
            }
        }
        Node y = b.apply("y", op, operands);
        Node r = b.input("r", y.shape(), DType.F32);
        Random random = new Random(options.seed() ^ 0x5DEECE66DL);
        feeds.put("r", Tensor.uniform(y.shape(), 0.5, 1.5, random));
        List<Integer> all = new ArrayList<>();
        for (int a = 0; a < y.shape().rank(); a++) {
            all.add(a);
        }
        Node loss = b.apply("loss", new Sum(all), b.apply("y_r", new Mul(), y, r));
        Graph g = b.output(loss).build();
        GradientCheckReport report = wrt.isEmpty()
                ? new GradientCheckReport(loss.name(), List.of(), options)
                : GradientCheck.check(g, loss.name(), wrt, feeds, options);
        return new Result(op.getClass().getSimpleName(), op.kind(), (op.kind() + " " + op.attributes()).strip(), List.copyOf(shapes), report);
    }

    /**
     * Checks, node by node, every computed node of {@code graph} (forward and gradient nodes alike), once per distinct
     * op and operand shapes. Float operands get fresh random values in [−1, 1] ([0.5, 1.5] for {@code pow}, which
     * needs positive bases), so that no operand sits on a kink or a tie; integer operands (labels, the step) take
     * their values from a run of the graph on {@code feeds}.
     */
    public static List<Result> checkNodes(Graph graph, Map<String, Tensor> feeds, GradientCheck.Options options) {
        List<String> integerOperands = new ArrayList<>();
        for (Node n : graph.nodes()) {
            if (!n.dtype().isFloat()) {
                integerOperands.add(n.name());
            }
        }
        Map<String, Tensor> integers = dev.convj.runtime.interp.ReferenceInterpreter.float64()
                .run(graph, feeds, integerOperands);
        Random random = new Random(options.seed());
        java.util.Set<String> seen = new java.util.HashSet<>();
        List<Result> results = new ArrayList<>();
        for (Node n : graph.nodes()) {
            if (n.inputs().isEmpty()) {
                continue;
            }
            List<Node> in = graph.inputsOf(n);
            List<Shape> shapes = in.stream().map(Node::shape).toList();
            if (!seen.add(n.op() + " " + shapes)) {
                continue;
            }
            boolean positive = n.op() instanceof dev.convj.graph.ops.Pow;
            List<Tensor> values = new ArrayList<>();
            for (Node operand : in) {
                values.add(operand.dtype().isFloat()
                        ? Tensor.uniform(operand.shape(), positive ? 0.5 : -1, positive ? 1.5 : 1, random)
                        : integers.get(operand.name()));
            }
            results.add(check(n.op(), shapes, in.stream().map(Node::dtype).toList(), values, options));
        }
        return results;
    }
}

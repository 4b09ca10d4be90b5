package dev.convj.runtime.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convj.graph.DType;
import dev.convj.graph.Graph;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.Node;
import dev.convj.graph.autodiff.Autodiff;
import dev.convj.graph.ops.Mul;
import dev.convj.graph.ops.Op;
import dev.convj.graph.ops.Sum;
import dev.convj.runtime.Tensor;
import dev.convj.runtime.check.OpCases;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The completeness test of code generation: every op type of the IR, through the cases that also check its
 * gradient, is compiled forward, with its gradient nodes and with the gradients of those, and equals the float64
 * interpreter on one and on two threads.
 */
class EveryOpCompiledTest {
    private static final GraphCompiler COMPILER = new GraphCompiler(null);

    @Test
    void everyOpCaseCompilesAndMatchesTheInterpreter() {
        Set<Class<?>> compiled = new HashSet<>();
        int index = 0;
        for (OpCases.Case c : OpCases.all()) {
            index++;
            if (c.operands().isEmpty()) {
                compiled.add(c.op().getClass()); // leaves: every compiled graph has them
                continue;
            }
            Graph g = caseGraph(c);
            g.nodes().forEach(n -> compiled.add(n.op().getClass()));
            Map<String, Tensor> feeds = feeds(g, c, index);
            Differential.assertMatches(COMPILER, g, feeds, 1 + index % 2);
        }
        List<String> missing = Arrays.stream(Op.class.getPermittedSubclasses()).filter(t -> !compiled.contains(t))
                .map(Class::getSimpleName).sorted().toList();
        assertEquals(List.of(), missing, "op types never compiled");
    }

    /** a_i → y = op(a…) → L = Σ y·r, its gradients, then the gradient of Σ dL/da_0 · v. */
    private static Graph caseGraph(OpCases.Case c) {
        GraphBuilder b = new GraphBuilder();
        List<Node> operands = new ArrayList<>();
        for (int i = 0; i < c.operands().size(); i++) {
            OpCases.Operand o = c.operands().get(i);
            operands.add(b.input("a" + i, o.shape(), o.dtype()));
        }
        Node y = b.apply("y", c.op(), operands.toArray(Node[]::new));
        Node r = b.input("r", y.shape(), DType.F32);
        Node loss = b.apply("loss", new Sum(axes(y)), b.apply("weighted", new Mul(), y, r));
        b.output(y);
        b.output(loss);
        List<String> wrt = operands.stream().filter(n -> n.dtype().isFloat()).map(Node::name).toList();
        if (wrt.isEmpty()) {
            return b.build();
        }
        Graph first = Autodiff.gradients(b.build(), "loss", wrt).graph();
        GraphBuilder b2 = new GraphBuilder(first);
        Node g0 = first.node(Autodiff.gradients(b.build(), "loss", wrt).gradientOf(wrt.get(0)).name());
        Node v = b2.input("v", g0.shape(), DType.F32);
        b2.output(b2.apply("dot", new Sum(axes(g0)), b2.apply("gv", new Mul(), g0, v)));
        Graph withDot = b2.build();
        List<String> wrt2 = new ArrayList<>(wrt);
        wrt2.add("r");
        return Autodiff.gradients(withDot, "dot", wrt2).graph();
    }

    private static List<Integer> axes(Node n) {
        return IntStream.range(0, n.shape().rank()).boxed().toList();
    }

    private static Map<String, Tensor> feeds(Graph g, OpCases.Case c, long seed) {
        Random random = new Random(seed);
        Map<String, Tensor> feeds = new HashMap<>();
        for (Node in : g.inputs()) {
            if (in.name().startsWith("a")) {
                OpCases.Operand o = c.operands().get(Integer.parseInt(in.name().substring(1)));
                feeds.put(in.name(), o.dtype().isFloat() ? Tensor.uniform(o.shape(), o.lo(), o.hi(), random)
                        : Tensor.generate(o.shape(), i -> random.nextInt((int) o.hi())));
            } else {
                feeds.put(in.name(), Tensor.uniform(in.shape(), -1, 1, random));
            }
        }
        return feeds;
    }
}

package dev.convj.runtime;

import dev.convj.graph.DType;
import dev.convj.graph.Graph;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.Node;
import dev.convj.graph.autodiff.Autodiff;
import dev.convj.graph.autodiff.GradientGraph;
import dev.convj.graph.ops.Add;
import dev.convj.graph.ops.Input;
import dev.convj.graph.ops.Mul;
import dev.convj.graph.ops.Parameter;
import dev.convj.graph.ops.Sum;
import dev.convj.runtime.interp.ReferenceInterpreter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Small helpers shared by the runtime tests: random feeds, weighted-sum losses and running one node. */
public final class TestGraphs {
    private TestGraphs() {}

    /** 0, 1, …, rank−1. */
    public static List<Integer> allAxes(int rank) {
        List<Integer> axes = new ArrayList<>();
        for (int i = 0; i < rank; i++) {
            axes.add(i);
        }
        return axes;
    }

    /**
     * Adds {@code name} = sum(y · r) with a fed random {@code r} (input {@code name + ".r"}), a scalar loss whose
     * gradient dL/dy = r differs at every position.
     */
    public static Node weightedSum(GraphBuilder b, Node y, String name) {
        Node r = b.input(name + ".r", y.shape(), DType.F32);
        Node m = b.apply(name + ".weighted", new Mul(), y, r);
        return b.apply(name, new Sum(allAxes(y.shape().rank())), m);
    }

    /**
     * The graph with a new scalar node {@code lossName} = Σ_t sum(dL/dt · v_t) over {@code wrt}, each v_t a random
     * input {@code "dot." + t + ".r"}: differentiating it again runs the gradient rules of the gradient ops.
     */
    public static Graph withGradientLoss(Graph graph, String loss, List<String> wrt, String lossName) {
        GradientGraph gg = Autodiff.gradients(graph, loss, wrt);
        GraphBuilder b = new GraphBuilder(gg.graph());
        Node total = null;
        for (String t : wrt) {
            Node term = weightedSum(b, gg.gradientOf(t), b.uniqueName("dot." + t));
            total = total == null ? term : b.apply(b.uniqueName(lossName + ".partial"), new Add(), total, term);
        }
        b.rename(total, lossName);
        return b.output(b.node(lossName)).build();
    }

    /** U(−1, 1) for every float input and parameter of {@code graph} that {@code fixed} does not give. */
    public static Map<String, Tensor> randomFeeds(Graph graph, Map<String, Tensor> fixed, long seed) {
        Random random = new Random(seed);
        Map<String, Tensor> feeds = new LinkedHashMap<>(fixed);
        for (Node n : graph.nodes()) {
            boolean leaf = n.op() instanceof Input || n.op() instanceof Parameter;
            if (leaf && n.dtype().isFloat() && !feeds.containsKey(n.name())) {
                feeds.put(n.name(), Tensor.uniform(n.shape(), -1, 1, random));
            }
        }
        return feeds;
    }

    public static Map<String, Tensor> randomFeeds(Graph graph, long seed) {
        return randomFeeds(graph, Map.of(), seed);
    }

    public static Tensor run(Graph graph, Map<String, Tensor> feeds, String node) {
        return ReferenceInterpreter.float64().run(graph, feeds, node);
    }

    /** Σ a·b over all elements. */
    public static double dot(Tensor a, Tensor b) {
        if (!a.shape().equals(b.shape())) {
            throw new IllegalArgumentException("shapes differ: " + a.shape() + " and " + b.shape());
        }
        double s = 0;
        for (int i = 0; i < a.size(); i++) {
            s += a.get(i) * b.get(i);
        }
        return s;
    }

    /** The largest absolute value, to scale tolerances. */
    public static double maxAbs(Tensor t) {
        double m = 0;
        for (int i = 0; i < t.size(); i++) {
            m = Math.max(m, Math.abs(t.get(i)));
        }
        return m;
    }
}

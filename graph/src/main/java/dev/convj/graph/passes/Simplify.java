package dev.convj.graph.passes;

import dev.convj.graph.Graph;
import dev.convj.graph.Node;
import dev.convj.graph.ops.Relu;
import dev.convj.graph.ops.Step;
import java.util.ArrayList;
import java.util.List;

/** Algebraic rewrites that keep every value the same and let later passes do more. */
public final class Simplify {
    private Simplify() {}

    /**
     * Rewrites step(x) to step(relu(x)) where relu(x) exists: the two are equal everywhere, and afterwards x is
     * read only by its ReLU, which can then be fused into x's producer (conv → bias → ReLU in one pass).
     */
    public static Graph stepOfRelu(Graph graph) {
        int[] reluOf = new int[graph.size()];
        java.util.Arrays.fill(reluOf, -1);
        for (Node n : graph.nodes()) {
            if (n.op() instanceof Relu && reluOf[n.inputs().get(0)] < 0) {
                reluOf[n.inputs().get(0)] = n.id();
            }
        }
        List<Node> nodes = new ArrayList<>(graph.nodes());
        boolean changed = false;
        for (Node n : graph.nodes()) {
            if (n.op() instanceof Step) {
                int relu = reluOf[n.inputs().get(0)];
                if (relu >= 0 && relu < n.id()) {
                    nodes.set(n.id(), new Node(n.id(), n.name(), n.op(), List.of(relu), n.shape(), n.dtype(),
                            n.gradient()));
                    changed = true;
                }
            }
        }
        return changed ? new Graph(nodes, graph.outputs().stream().map(Node::id).toList()) : graph;
    }
}

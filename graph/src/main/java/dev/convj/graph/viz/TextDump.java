package dev.convj.graph.viz;

import dev.convj.graph.Graph;
import dev.convj.graph.Node;
import java.util.List;

/**
 * The graph as text, one line per node in topological order, like a jaxpr:
 * <pre>
 *   conv1: f32[1,6,28,28] = conv2d(x, conv1.weight, conv1.bias)  stride=[1,1] pad=[(2,2),(2,2)] …
 * ∇ conv1.weight.grad: f32[6,1,5,5] = conv2d_weight_grad(x, conv1.grad)  …
 * </pre>
 * Gradient nodes are marked with ∇. The format is stable: golden tests and the structural hash rely on it.
 */
public final class TextDump {
    private TextDump() {}

    public static String of(Graph graph) {
        StringBuilder b = new StringBuilder();
        for (Node n : graph.nodes()) {
            b.append(line(graph, n)).append('\n');
        }
        b.append("outputs: ");
        List<Node> outputs = graph.outputs();
        for (int i = 0; i < outputs.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(outputs.get(i).name());
        }
        b.append('\n');
        return b.toString();
    }

    /** The line for one node, also used to label generated code and diagrams. */
    public static String line(Graph graph, Node n) {
        StringBuilder b = new StringBuilder(n.gradient() ? "∇ " : "  ");
        b.append(n.name()).append(": ").append(n.typeString()).append(" = ").append(n.op().kind());
        if (!n.inputs().isEmpty()) {
            // Plain loops rather than streams: the dump feeds the cache key, which a fresh JVM computes cold.
            b.append('(');
            for (int i = 0; i < n.inputs().size(); i++) {
                b.append(i == 0 ? "" : ", ").append(graph.node(n.inputs().get(i)).name());
            }
            b.append(')');
        }
        String attrs = n.op().attributes().strip();
        if (!attrs.isEmpty()) {
            b.append("  ").append(attrs);
        }
        return b.toString();
    }
}

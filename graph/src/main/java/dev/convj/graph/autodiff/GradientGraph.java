package dev.convj.graph.autodiff;

import dev.convj.graph.Graph;
import dev.convj.graph.Node;
import java.util.List;
import java.util.Map;

/**
 * A graph holding the forward nodes and the gradient nodes, with the name of the gradient node of each node
 * that was differentiated.
 */
public record GradientGraph(Graph graph, String loss, Map<String, String> gradientNames) {

    public GradientGraph {
        gradientNames = Map.copyOf(gradientNames);
    }

    /** The node holding dL/d{@code wrt}. */
    public Node gradientOf(String wrt) {
        String name = gradientNames.get(wrt);
        if (name == null) {
            throw new IllegalArgumentException("no gradient was derived for '" + wrt + "'; derived: "
                    + gradientNames.keySet());
        }
        return graph.node(name);
    }

    /** The differentiated nodes, in graph order. */
    public List<String> differentiated() {
        return graph.nodes().stream().map(Node::name).filter(gradientNames::containsKey).toList();
    }
}

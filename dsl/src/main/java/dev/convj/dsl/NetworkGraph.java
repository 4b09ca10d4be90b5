package dev.convj.dsl;

import dev.convj.graph.Graph;
import dev.convj.graph.Node;
import java.util.List;
import java.util.Optional;

/**
 * A network lowered to a graph for one batch size, with the names of its roles: the image input, the network's
 * output (logits), and, when a loss was declared, the target input (labels) and the scalar loss.
 */
public record NetworkGraph(Graph graph, int batch, String input, String output, Optional<String> target,
                           Optional<String> loss, List<Layer> layers) {

    public NetworkGraph {
        layers = List.copyOf(layers);
    }

    /** The loss node's name; fails with a clear message when the network declares no loss. */
    public String lossName() {
        return loss.orElseThrow(() -> new IllegalStateException(
                "the network declares no loss; end it with softmaxCrossEntropy() or mse()"));
    }

    public List<Node> parameters() {
        return graph.parameters();
    }
}

package dev.convj.graph;

import java.util.List;
import java.util.Optional;

/**
 * A model's graph for one batch size, with the names of its roles: the image input, the model's output (logits),
 * when a loss was declared the target input (labels) and the scalar loss, and in a training graph the batch
 * statistics that a trainer folds into running statistics after each step (batch normalization).
 */
public record ModelGraph(Graph graph, int batch, String input, String output, Optional<String> target,
                         Optional<String> loss, List<RunningStatistic> runningStatistics) {

    public ModelGraph {
        runningStatistics = List.copyOf(runningStatistics);
    }

    /** A model graph without running statistics. */
    public ModelGraph(Graph graph, int batch, String input, String output, Optional<String> target,
                      Optional<String> loss) {
        this(graph, batch, input, output, target, loss, List.of());
    }

    /** The loss node's name; fails with a clear message when the model declares no loss. */
    public String lossName() {
        return loss.orElseThrow(() -> new IllegalStateException(
                "the model declares no loss; end it with softmaxCrossEntropy() or mse()"));
    }

    /** The target node's name (labels or regression target). */
    public String targetName() {
        return target.orElseThrow(() -> new IllegalStateException("the model declares no loss, hence no target"));
    }

    public List<Node> parameters() {
        return graph.parameters();
    }
}

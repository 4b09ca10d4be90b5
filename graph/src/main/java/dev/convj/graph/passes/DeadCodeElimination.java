package dev.convj.graph.passes;

import dev.convj.graph.Graph;
import dev.convj.graph.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Removes nodes that no output depends on, renumbering the rest in the same order. */
public final class DeadCodeElimination {
    private DeadCodeElimination() {}

    /** Keeps the ancestors of the graph's outputs and every node for which {@code alwaysKeep} holds. */
    public static Graph prune(Graph graph, Predicate<Node> alwaysKeep) {
        boolean[] live = new boolean[graph.size()];
        for (Node n : graph.nodes()) {
            live[n.id()] = alwaysKeep.test(n);
        }
        graph.outputs().forEach(o -> live[o.id()] = true);
        for (int id = graph.size() - 1; id >= 0; id--) {
            if (live[id]) {
                for (int in : graph.node(id).inputs()) {
                    live[in] = true;
                }
            }
        }
        int[] newId = new int[graph.size()];
        List<Node> kept = new ArrayList<>();
        for (Node n : graph.nodes()) {
            if (!live[n.id()]) {
                newId[n.id()] = -1;
                continue;
            }
            newId[n.id()] = kept.size();
            List<Integer> inputs = n.inputs().stream().map(i -> newId[i]).toList();
            kept.add(new Node(kept.size(), n.name(), n.op(), inputs, n.shape(), n.dtype(), n.gradient()));
        }
        return new Graph(kept, graph.outputs().stream().map(o -> newId[o.id()]).toList());
    }
}

package dev.convj.dsl;

import dev.convj.graph.Node;
import dev.convj.graph.ops.Concat;
import java.util.ArrayList;
import java.util.List;

/**
 * Branches that all read the same input and whose outputs are concatenated along the channel axis, e.g. to pool
 * some channels and not others. The layers of branch i are named {@code name.b<i>.<layer>}.
 */
public record ParallelLayer(String name, List<List<Layer>> branches) implements Layer {

    public ParallelLayer {
        branches = branches.stream().map(List::copyOf).toList();
        if (branches.isEmpty()) {
            throw new IllegalArgumentException(name + " (concat): needs at least one branch");
        }
    }

    /** Prefixes the layers of each branch with this layer's name and the branch number. */
    static ParallelLayer of(String name, List<List<Layer>> branches) {
        List<List<Layer>> named = new ArrayList<>();
        for (int i = 0; i < branches.size(); i++) {
            String prefix = name + ".b" + (i + 1) + ".";
            named.add(branches.get(i).stream().map(l -> l.withName(prefix + l.name())).toList());
        }
        return new ParallelLayer(name, named);
    }

    @Override
    public String kind() {
        return "concat";
    }

    @Override
    public String namePrefix() {
        return "concat";
    }

    @Override
    public Layer withName(String newName) {
        List<List<Layer>> renamed = branches.stream()
                .map(b -> b.stream().map(l -> l.withName(newName + l.name().substring(name.length()))).toList())
                .toList();
        return new ParallelLayer(newName, renamed);
    }

    @Override
    public Node lower(Lowering lowering, Node input) {
        List<Node> outputs = new ArrayList<>();
        for (List<Layer> branch : branches) {
            Node current = input;
            for (Layer layer : branch) {
                current = lowering.lower(layer, current);
            }
            outputs.add(current);
        }
        return lowering.output(this, new Concat(1), outputs.toArray(Node[]::new));
    }
}

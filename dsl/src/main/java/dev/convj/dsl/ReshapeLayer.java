package dev.convj.dsl;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import dev.convj.graph.ops.Reshape;
import java.util.ArrayList;
import java.util.List;

/** Keeps the batch axis and gives the rest new extents, e.g. [N, 8, 4, 4] → [N, 8, 16] to go on in 1-D. */
public record ReshapeLayer(String name, List<Integer> dims) implements Layer {

    public ReshapeLayer {
        dims = List.copyOf(dims);
    }

    @Override
    public String kind() {
        return "reshape";
    }

    @Override
    public String namePrefix() {
        return "reshape";
    }

    @Override
    public Layer withName(String newName) {
        return new ReshapeLayer(newName, dims);
    }

    @Override
    public Node lower(Lowering lowering, Node input) {
        List<Integer> target = new ArrayList<>(List.of(input.shape().dim(0)));
        target.addAll(dims);
        return lowering.output(this, new Reshape(new Shape(target)), input);
    }
}

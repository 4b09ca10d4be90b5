package dev.convj.dsl;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import dev.convj.graph.ops.Reshape;

/** Keeps the batch axis and flattens the rest: [N, C, H, W] → [N, C·H·W]. */
public record FlattenLayer(String name) implements Layer {

    @Override
    public String kind() {
        return "flatten";
    }

    @Override
    public String namePrefix() {
        return "flatten";
    }

    @Override
    public Layer withName(String newName) {
        return new FlattenLayer(newName);
    }

    @Override
    public Node lower(Lowering lowering, Node input) {
        Shape s = input.shape();
        return lowering.output(this, new Reshape(Shape.of(s.dim(0), s.size() / s.dim(0))), input);
    }
}

package dev.convj.graph.ops;

import dev.convj.graph.DType;
import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.List;

/** A value fed at run time: images, labels, targets. */
public record Input(Shape shape, DType dtype) implements Op {
    @Override
    public String kind() {
        return "input";
    }

    @Override
    public Shape inferShape(List<Node> inputs) {
        Checks.arity(inputs, 0, 0, "none");
        return shape;
    }

    @Override
    public DType inferType(List<Node> inputs) {
        return dtype;
    }

    @Override
    public List<Node> gradients(GradientContext g) {
        return List.of();
    }

    @Override
    public <R> R accept(OpVisitor<R> visitor) {
        return visitor.visit(this);
    }
}

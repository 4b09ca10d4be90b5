package dev.convj.graph.ops;

import dev.convj.graph.DType;
import dev.convj.graph.Node;
import dev.convj.graph.ParamInit;
import dev.convj.graph.Shape;
import java.util.List;

/** A trainable tensor (weights, biases), with the rule that initializes it. */
public record Parameter(Shape shape, ParamInit init) implements Op {
    @Override
    public String kind() {
        return "parameter";
    }

    @Override
    public Shape inferShape(List<Node> inputs) {
        Checks.arity(inputs, 0, 0, "none");
        return shape;
    }

    @Override
    public DType inferType(List<Node> inputs) {
        return DType.F32;
    }

    @Override
    public List<Node> gradients(GradientContext g) {
        return List.of();
    }

    @Override
    public String attributes() {
        return "init=" + init;
    }

    @Override
    public <R> R accept(OpVisitor<R> visitor) {
        return visitor.visit(this);
    }
}

package dev.convj.graph.ops;

import dev.convj.graph.DType;
import dev.convj.graph.Fmt;
import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.List;

/** A constant tensor with every element equal to {@code value}, such as the seed dL/dL = 1. */
public record Fill(Shape shape, double value) implements Op {
    @Override
    public String kind() {
        return "fill";
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
        return "value=" + Fmt.num(value);
    }

    @Override
    public <R> R accept(OpVisitor<R> visitor) {
        return visitor.visit(this);
    }
}

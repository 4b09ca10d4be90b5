package dev.convj.graph.ops;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.List;

/** Elementwise a · b of equal shapes. */
public record Mul() implements Op {
    @Override
    public String kind() {
        return "mul";
    }

    @Override
    public Shape inferShape(List<Node> in) {
        return Checks.binary(in);
    }

    @Override
    public List<Node> gradients(GradientContext g) {
        return List.of(g.mul(g.gradOutput(), g.input(1)), g.mul(g.gradOutput(), g.input(0)));
    }

    @Override
    public <R> R accept(OpVisitor<R> visitor) {
        return visitor.visit(this);
    }
}

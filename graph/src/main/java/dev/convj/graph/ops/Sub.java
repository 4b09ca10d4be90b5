package dev.convj.graph.ops;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.List;

/** Elementwise a − b of equal shapes. */
public record Sub() implements Op {
    @Override
    public String kind() {
        return "sub";
    }

    @Override
    public Shape inferShape(List<Node> in) {
        return Checks.binary(in);
    }

    @Override
    public List<Node> gradients(GradientContext g) {
        return List.of(g.gradOutput(), g.scale(-1, g.gradOutput()));
    }

    @Override
    public <R> R accept(OpVisitor<R> visitor) {
        return visitor.visit(this);
    }
}

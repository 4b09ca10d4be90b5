package dev.convj.graph.ops;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.List;

/** The logistic function 1 / (1 + e^−x). */
public record Sigmoid() implements Op {
    @Override
    public String kind() {
        return "sigmoid";
    }

    @Override
    public Shape inferShape(List<Node> in) {
        return Checks.unary(in);
    }

    @Override
    public List<Node> gradients(GradientContext g) {
        // dL/dx = dL/dy · y(1 − y), written as dL/dy · (y − y·y) with the output y.
        Node y = g.node();
        return List.of(g.mul(g.gradOutput(), g.sub(y, g.mul(y, y))));
    }

    @Override
    public <R> R accept(OpVisitor<R> visitor) {
        return visitor.visit(this);
    }
}

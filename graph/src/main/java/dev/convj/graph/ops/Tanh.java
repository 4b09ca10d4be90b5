package dev.convj.graph.ops;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.List;

/** The hyperbolic tangent. */
public record Tanh() implements Op {
    @Override
    public String kind() {
        return "tanh";
    }

    @Override
    public Shape inferShape(List<Node> in) {
        return Checks.unary(in);
    }

    @Override
    public List<Node> gradients(GradientContext g) {
        // dL/dx = dL/dy · (1 − y²) = dL/dy − dL/dy · y · y with the output y.
        Node y = g.node(), dy = g.gradOutput();
        return List.of(g.sub(dy, g.mul(dy, g.mul(y, y))));
    }

    @Override
    public <R> R accept(OpVisitor<R> visitor) {
        return visitor.visit(this);
    }
}

package dev.convj.graph.ops;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.List;

/** The mean squared error mean((prediction − target)²) over every element, as PyTorch's mse_loss. */
public record Mse() implements Op {
    @Override
    public String kind() {
        return "mse";
    }

    @Override
    public Shape inferShape(List<Node> in) {
        Checks.binary(in);
        return Shape.scalar();
    }

    /** dL/dprediction = dL/dy · 2(prediction − target)/count, and its negative for the target. */
    @Override
    public List<Node> gradients(GradientContext g) {
        Shape s = g.input(0).shape();
        Node diff = g.scale(2.0 / s.size(), g.sub(g.input(0), g.input(1)));
        Node dp = g.mul(g.broadcastTo(g.gradOutput(), s), diff);
        return List.of(dp, g.scale(-1, dp));
    }

    @Override
    public <R> R accept(OpVisitor<R> visitor) {
        return visitor.visit(this);
    }
}

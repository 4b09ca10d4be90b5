package dev.convj.graph.ops;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import dev.convj.graph.autodiff.GradientContext;
import java.util.List;

/** max(x, 0). */
public record Relu() implements Op {
    @Override
    public String kind() {
        return "relu";
    }

    @Override
    public Shape inferShape(List<Node> in) {
        return Checks.unary(in);
    }

    @Override
    public List<Node> gradients(GradientContext g) {
        // dL/dx = dL/dy · step(x): the derivative at 0 is taken as 0, as in PyTorch.
        return List.of(g.mul(g.gradOutput(), g.apply(new Step(), g.input(0))));
    }

    @Override
    public <R> R accept(OpVisitor<R> visitor) {
        return visitor.visit(this);
    }
}

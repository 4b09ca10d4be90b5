package dev.convj.graph.ops;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.List;

/** 0 where x < 0, else x, as PyTorch's relu: NaN stays NaN and −0 stays −0. */
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
        // dL/dy where the output is > 0 or NaN, else 0: the derivative at 0 is taken as 0, as in PyTorch.
        return List.of(g.apply(new ReluBackward(), g.gradOutput(), g.node()));
    }

    @Override
    public <R> R accept(OpVisitor<R> visitor) {
        return visitor.visit(this);
    }
}

package dev.convj.graph.ops;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.List;

/** Multiplication by a constant factor. */
public record Scale(double factor) implements Op {
    @Override
    public String kind() {
        return "scale";
    }

    @Override
    public Shape inferShape(List<Node> in) {
        return Checks.unary(in);
    }

    @Override
    public List<Node> gradients(GradientContext g) {
        return List.of(g.scale(factor, g.gradOutput()));
    }

    @Override
    public String attributes() {
        return "factor=" + dev.convj.graph.Fmt.num(factor);
    }

    @Override
    public <R> R accept(OpVisitor<R> visitor) {
        return visitor.visit(this);
    }
}

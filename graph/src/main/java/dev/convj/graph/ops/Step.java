package dev.convj.graph.ops;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.Arrays;
import java.util.List;

/** The Heaviside step: 1 where x > 0, else 0. Its gradient is zero almost everywhere. */
public record Step() implements Op {
    @Override
    public String kind() {
        return "step";
    }

    @Override
    public Shape inferShape(List<Node> in) {
        return Checks.unary(in);
    }

    @Override
    public List<Node> gradients(GradientContext g) {
        return Arrays.asList((Node) null);
    }

    @Override
    public <R> R accept(OpVisitor<R> visitor) {
        return visitor.visit(this);
    }
}

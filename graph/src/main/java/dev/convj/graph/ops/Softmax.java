package dev.convj.graph.ops;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.List;

/** e^x / Σ e^x along {@code axis}, computed with the maximum subtracted for stability. */
public record Softmax(int axis) implements Op {
    @Override
    public String kind() {
        return "softmax";
    }

    @Override
    public Shape inferShape(List<Node> in) {
        Shape x = Checks.unary(in);
        Checks.axes(List.of(axis), x);
        return x;
    }

    /** dL/dx = y ⊙ (dL/dy − Σ_axis dL/dy ⊙ y). */
    @Override
    public List<Node> gradients(GradientContext g) {
        Node y = g.node(), dy = g.gradOutput();
        return List.of(g.mul(y, g.sub(dy, g.sumKeep(g.mul(dy, y), List.of(axis)))));
    }

    @Override
    public String attributes() {
        return "axis=" + axis;
    }

    @Override
    public <R> R accept(OpVisitor<R> visitor) {
        return visitor.visit(this);
    }
}

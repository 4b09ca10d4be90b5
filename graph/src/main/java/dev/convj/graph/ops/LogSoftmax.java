package dev.convj.graph.ops;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.List;

/** x − log Σ e^x along {@code axis}, computed with the maximum subtracted for stability. */
public record LogSoftmax(int axis) implements Op {
    @Override
    public String kind() {
        return "log_softmax";
    }

    @Override
    public Shape inferShape(List<Node> in) {
        Shape x = Checks.unary(in);
        Checks.axes(List.of(axis), x);
        return x;
    }

    /** dL/dx = dL/dy − softmax(x) ⊙ Σ_axis dL/dy. */
    @Override
    public List<Node> gradients(GradientContext g) {
        Node dy = g.gradOutput();
        Node p = g.apply(new Softmax(axis), g.input(0));
        return List.of(g.sub(dy, g.mul(p, g.sumKeep(dy, List.of(axis)))));
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

package dev.convj.graph.ops;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.List;

/** Sums x down to {@code target}, a shape that broadcasts to x's: the adjoint of {@link BroadcastTo}. */
public record SumTo(Shape target) implements Op {
    @Override
    public String kind() {
        return "sum_to";
    }

    @Override
    public Shape inferShape(List<Node> in) {
        Checks.arity(in, 1, 1, "x");
        BroadcastTo.check(target, in.get(0).shape(), "target");
        return target;
    }

    @Override
    public List<Node> gradients(GradientContext g) {
        return List.of(g.broadcastTo(g.gradOutput(), g.input(0).shape()));
    }

    @Override
    public String attributes() {
        return "shape=" + target;
    }

    @Override
    public <R> R accept(OpVisitor<R> visitor) {
        return visitor.visit(this);
    }
}

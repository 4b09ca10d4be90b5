package dev.convj.graph.ops;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.List;

/** The mean over {@code axes}, which disappear from the shape. */
public record Mean(List<Integer> axes) implements Op {
    public Mean {
        axes = List.copyOf(axes);
    }

    @Override
    public String kind() {
        return "mean";
    }

    @Override
    public Shape inferShape(List<Node> in) {
        return Sum.reducedShape(in, axes);
    }

    /** dL/dx = broadcast(dL/dy) / count. */
    @Override
    public List<Node> gradients(GradientContext g) {
        Shape x = g.input(0).shape();
        Node spread = g.broadcastTo(g.reshape(g.gradOutput(), Sum.keptShape(x, axes)), x);
        return List.of(g.scale(1.0 / Sum.count(x, axes), spread));
    }

    @Override
    public String attributes() {
        return "axes=" + ConvGeometry.list(axes);
    }

    @Override
    public <R> R accept(OpVisitor<R> visitor) {
        return visitor.visit(this);
    }
}

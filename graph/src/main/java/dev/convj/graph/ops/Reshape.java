package dev.convj.graph.ops;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.List;

/** The same elements in row-major order under a new shape; flatten is a reshape to [N, rest]. */
public record Reshape(Shape target) implements Op {
    @Override
    public String kind() {
        return "reshape";
    }

    @Override
    public Shape inferShape(List<Node> in) {
        Checks.arity(in, 1, 1, "x");
        Node x = in.get(0);
        if (x.shape().size() != target.size()) {
            throw new IllegalArgumentException("cannot reshape " + x.name() + " " + x.typeString() + " ("
                    + x.shape().size() + " elements) to " + target + " (" + target.size() + " elements)");
        }
        return target;
    }

    @Override
    public List<Node> gradients(GradientContext g) {
        return List.of(g.reshape(g.gradOutput(), g.input(0).shape()));
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

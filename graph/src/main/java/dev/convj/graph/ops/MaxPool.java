package dev.convj.graph.ops;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.List;

/** Max pooling over each window of each channel; padded positions never win. x [N,C,*in] → [N,C,*out]. */
public record MaxPool(PoolGeometry geometry) implements Op {
    @Override
    public String kind() {
        return geometry.kind("max_pool");
    }

    @Override
    public Shape inferShape(List<Node> in) {
        Checks.arity(in, 1, 1, "x");
        return geometry.pooledShape(in.get(0));
    }

    /** dL/dx routes each window's dL/dy to the window's argmax (the first maximum, as in PyTorch). */
    @Override
    public List<Node> gradients(GradientContext g) {
        return List.of(g.apply(new MaxPoolBackward(geometry), g.input(0), g.gradOutput()));
    }

    @Override
    public String attributes() {
        return geometry.attributes();
    }

    @Override
    public <R> R accept(OpVisitor<R> visitor) {
        return visitor.visit(this);
    }
}

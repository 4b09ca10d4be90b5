package dev.convj.graph.ops;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.List;

/**
 * Average pooling, x [N,C,*in] → [N,C,*out]. The divisor is the window clipped to the padded input when
 * {@code countIncludePad} (PyTorch's default), else the number of real input positions in the window.
 */
public record AvgPool(PoolGeometry geometry, boolean countIncludePad) implements Op {
    @Override
    public String kind() {
        return geometry.kind("avg_pool");
    }

    @Override
    public Shape inferShape(List<Node> in) {
        Checks.arity(in, 1, 1, "x");
        return geometry.pooledShape(in.get(0));
    }

    /** Linear: dL/dx spreads each dL/dy evenly over its window, divided by the same divisor. */
    @Override
    public List<Node> gradients(GradientContext g) {
        return List.of(g.apply(new AvgPoolBackward(geometry, countIncludePad, g.input(0).shape().tail(2)),
                g.gradOutput()));
    }

    @Override
    public String attributes() {
        return geometry.attributes() + (countIncludePad ? "" : " exclude_pad");
    }

    @Override
    public <R> R accept(OpVisitor<R> visitor) {
        return visitor.visit(this);
    }
}

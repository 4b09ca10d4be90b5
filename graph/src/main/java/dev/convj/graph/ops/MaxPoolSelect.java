package dev.convj.graph.ops;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * Gathers, for each max-pooling window of x, the value of v at the window's argmax:
 * (x [N,C,*in], v [N,C,*in]) → [N,C,*out]. The adjoint of {@link MaxPoolBackward}; maxPool(x) = select(x, x).
 */
public record MaxPoolSelect(PoolGeometry geometry) implements Op {
    @Override
    public String kind() {
        return geometry.kind("max_pool") + "_select";
    }

    @Override
    public Shape inferShape(List<Node> in) {
        Checks.arity(in, 2, 2, "x, v");
        Checks.sameShape(in.get(0), in.get(1));
        return geometry.pooledShape(in.get(0));
    }

    @Override
    public List<Node> gradients(GradientContext g) {
        return Arrays.asList(null, g.apply(new MaxPoolBackward(geometry), g.input(0), g.gradOutput()));
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

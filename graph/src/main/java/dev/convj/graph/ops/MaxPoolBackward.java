package dev.convj.graph.ops;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * Max pooling's gradient: (x [N,C,*in], dy [N,C,*out]) → [N,C,*in], adding each dy to the position of its
 * window's maximum in x. Ties go to the first maximum in row-major window order, as in PyTorch; overlapping
 * windows that share an argmax accumulate.
 */
public record MaxPoolBackward(PoolGeometry geometry) implements Op {
    @Override
    public String kind() {
        return geometry.kind("max_pool") + "_backward";
    }

    @Override
    public Shape inferShape(List<Node> in) {
        Checks.arity(in, 2, 2, "x, dy");
        Shape pooled = geometry.pooledShape(in.get(0));
        if (!pooled.equals(in.get(1).shape())) {
            throw new IllegalArgumentException("output gradient " + in.get(1).typeString() + " must have the pooled shape "
                    + pooled);
        }
        return in.get(0).shape();
    }

    /** Piecewise linear in dy with the argmax fixed: dL/d(dy) gathers at the argmax; x gets none (zero a.e.). */
    @Override
    public List<Node> gradients(GradientContext g) {
        return Arrays.asList(null, g.apply(new MaxPoolSelect(geometry), g.input(0), g.gradOutput()));
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

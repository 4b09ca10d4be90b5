package dev.convj.graph.ops;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * ReLU's gradient from its output y: dL/dx = dL/dy where y > 0 or y is NaN, else +0, as PyTorch's
 * threshold_backward selects it (a product with step(x) would give 0 at a NaN input, and −0 or NaN where dL/dy is
 * negative, infinite or NaN).
 */
public record ReluBackward() implements Op {
    @Override
    public String kind() {
        return "relu_backward";
    }

    /** (dL/dy, y) of equal shapes. */
    @Override
    public Shape inferShape(List<Node> in) {
        return Checks.binary(in);
    }

    /** Linear in dL/dy with the same mask; piecewise constant in y, whose gradient is zero almost everywhere. */
    @Override
    public List<Node> gradients(GradientContext g) {
        return Arrays.asList(g.apply(new ReluBackward(), g.gradOutput(), g.input(1)), null);
    }

    @Override
    public <R> R accept(OpVisitor<R> visitor) {
        return visitor.visit(this);
    }
}

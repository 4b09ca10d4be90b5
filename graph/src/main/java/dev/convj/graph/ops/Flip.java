package dev.convj.graph.ops;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.List;

/**
 * Reverses x along {@code axes}: y[…, i, …] = x[…, n−1−i, …] on each listed axis, as {@code torch.flip}. Flipping
 * a kernel's spatial axes turns a cross-correlation into a true convolution.
 */
public record Flip(List<Integer> axes) implements Op {
    public Flip {
        axes = List.copyOf(axes);
    }

    @Override
    public String kind() {
        return "flip";
    }

    @Override
    public Shape inferShape(List<Node> in) {
        Shape x = Checks.unary(in);
        Checks.axes(axes, x);
        return x;
    }

    /** A permutation that is its own inverse and adjoint: dL/dx = flip(dL/dy). */
    @Override
    public List<Node> gradients(GradientContext g) {
        return List.of(g.apply(this, g.gradOutput()));
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

package dev.convj.graph.ops;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.List;

/**
 * Repeats x along axes of extent 1 (and new leading axes) to reach {@code target}, NumPy's rule: shapes are
 * aligned at the right and each extent of x is 1 or equal to the target's.
 */
public record BroadcastTo(Shape target) implements Op {
    @Override
    public String kind() {
        return "broadcast_to";
    }

    @Override
    public Shape inferShape(List<Node> in) {
        Checks.arity(in, 1, 1, "x");
        check(in.get(0).shape(), target, in.get(0).name());
        return target;
    }

    /** The adjoint sums the copies back: SumTo(x's shape). */
    @Override
    public List<Node> gradients(GradientContext g) {
        return List.of(g.apply(new SumTo(g.input(0).shape()), g.gradOutput()));
    }

    @Override
    public String attributes() {
        return "shape=" + target;
    }

    @Override
    public <R> R accept(OpVisitor<R> visitor) {
        return visitor.visit(this);
    }

    /** Checks that {@code small} broadcasts to {@code big} under NumPy's rule. */
    static void check(Shape small, Shape big, String name) {
        int offset = big.rank() - small.rank();
        boolean ok = offset >= 0;
        for (int i = 0; ok && i < small.rank(); i++) {
            int s = small.dim(i), b = big.dim(i + offset);
            ok = s == 1 || s == b;
        }
        if (!ok) {
            throw new IllegalArgumentException(name + " of shape " + small + " does not broadcast to " + big
                    + " (aligned at the right, each extent must be 1 or equal)");
        }
    }
}

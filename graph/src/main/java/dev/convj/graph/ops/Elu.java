package dev.convj.graph.ops;

import dev.convj.graph.Fmt;
import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import dev.convj.graph.autodiff.GradientContext;
import java.util.List;

/** The exponential linear unit: x where x > 0, else α(e^x − 1), as PyTorch's elu (default α = 1). */
public record Elu(double alpha) implements Op {
    public Elu {
        if (!Double.isFinite(alpha)) {
            throw new IllegalArgumentException("alpha must be a finite number, got " + alpha);
        }
    }

    @Override
    public String kind() {
        return "elu";
    }

    @Override
    public Shape inferShape(List<Node> in) {
        return Checks.unary(in);
    }

    /**
     * dy/dx is 1 for x > 0 and αe^x = y + α otherwise, so dL/dx = dL/dy·s + (dL/dy − dL/dy·s)·(y + α) with
     * s = step(x). Written with the output y, the rule differentiates again.
     */
    @Override
    public List<Node> gradients(GradientContext g) {
        Node dy = g.gradOutput(), y = g.node();
        Node positive = g.mul(dy, g.apply(new Step(), g.input(0)));
        Node slope = g.add(y, g.apply(new Fill(y.shape(), alpha)));
        return List.of(g.add(positive, g.mul(g.sub(dy, positive), slope)));
    }

    @Override
    public String attributes() {
        return "alpha=" + Fmt.num(alpha);
    }

    @Override
    public <R> R accept(OpVisitor<R> visitor) {
        return visitor.visit(this);
    }
}

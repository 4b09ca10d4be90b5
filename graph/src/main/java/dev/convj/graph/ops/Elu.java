package dev.convj.graph.ops;

import dev.convj.graph.Fmt;
import dev.convj.graph.Node;
import dev.convj.graph.Shape;
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
     * dy/dx is 1 for x > 0 and αe^x otherwise, so dL/dx = dL/dy·s + (dL/dy − dL/dy·s)·slope with s = step(x) and
     * slope = elu(min(x, 0)) + α, which is αe^x where it counts and finite at x = +∞ (y + α would make the unused
     * term 0·∞ = NaN there, where PyTorch gives dL/dy). Built from ops, the rule differentiates again.
     */
    @Override
    public List<Node> gradients(GradientContext g) {
        Node dy = g.gradOutput(), x = g.input(0);
        Node positive = g.mul(dy, g.apply(new Step(), x));
        Node nonPositive = g.scale(-1, g.apply(new Relu(), g.scale(-1, x))); // min(x, 0), NaN staying NaN
        Node slope = g.add(g.apply(this, nonPositive), g.apply(new Fill(x.shape(), alpha)));
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

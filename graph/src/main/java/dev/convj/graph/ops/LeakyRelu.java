package dev.convj.graph.ops;

import dev.convj.graph.Fmt;
import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.List;

/** x where x > 0, else slope·x, as PyTorch's leaky_relu (default slope 0.01). */
public record LeakyRelu(double slope) implements Op {
    public LeakyRelu {
        if (!Double.isFinite(slope)) {
            throw new IllegalArgumentException("the negative slope must be a finite number, got " + slope);
        }
    }

    @Override
    public String kind() {
        return "leaky_relu";
    }

    @Override
    public Shape inferShape(List<Node> in) {
        return Checks.unary(in);
    }

    /** dL/dx = dL/dy · (slope + (1 − slope)·step(x)): 1 for x > 0, slope otherwise (also at 0, as PyTorch). */
    @Override
    public List<Node> gradients(GradientContext g) {
        Node dy = g.gradOutput();
        Node positive = g.mul(dy, g.apply(new Step(), g.input(0)));
        return List.of(g.add(g.scale(slope, dy), g.scale(1 - slope, positive)));
    }

    @Override
    public String attributes() {
        return "slope=" + Fmt.num(slope);
    }

    @Override
    public <R> R accept(OpVisitor<R> visitor) {
        return visitor.visit(this);
    }
}

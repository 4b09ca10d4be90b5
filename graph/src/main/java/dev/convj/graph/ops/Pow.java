package dev.convj.graph.ops;

import dev.convj.graph.Fmt;
import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.List;

/** Elementwise x^p for a constant exponent p, e.g. p = −½ for batch normalization's 1/√(var + ε). */
public record Pow(double exponent) implements Op {
    @Override
    public String kind() {
        return "pow";
    }

    @Override
    public Shape inferShape(List<Node> in) {
        return Checks.unary(in);
    }

    /** dL/dx = dL/dy · p·x^(p−1); for p = 1 simply dL/dy, for p = 0 none (the result is constant). */
    @Override
    public List<Node> gradients(GradientContext g) {
        if (exponent == 0) {
            return java.util.Arrays.asList((Node) null);
        }
        if (exponent == 1) {
            return List.of(g.gradOutput());
        }
        Node slope = g.scale(exponent, g.apply(new Pow(exponent - 1), g.input(0)));
        return List.of(g.mul(g.gradOutput(), slope));
    }

    @Override
    public String attributes() {
        return "exponent=" + Fmt.num(exponent);
    }

    @Override
    public <R> R accept(OpVisitor<R> visitor) {
        return visitor.visit(this);
    }
}

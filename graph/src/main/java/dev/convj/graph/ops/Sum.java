package dev.convj.graph.ops;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.ArrayList;
import java.util.List;

/** The sum over {@code axes}, which disappear from the shape; all axes give a scalar. */
public record Sum(List<Integer> axes) implements Op {
    public Sum {
        axes = List.copyOf(axes);
    }

    @Override
    public String kind() {
        return "sum";
    }

    @Override
    public Shape inferShape(List<Node> in) {
        return reducedShape(in, axes);
    }

    /** dL/dx broadcasts dL/dy back over the summed axes. */
    @Override
    public List<Node> gradients(GradientContext g) {
        return List.of(g.broadcastTo(g.reshape(g.gradOutput(), keptShape(g.input(0).shape(), axes)),
                g.input(0).shape()));
    }

    @Override
    public String attributes() {
        return "axes=" + ConvGeometry.list(axes);
    }

    @Override
    public <R> R accept(OpVisitor<R> visitor) {
        return visitor.visit(this);
    }

    static Shape reducedShape(List<Node> in, List<Integer> axes) {
        Checks.unary(in);
        Shape x = in.get(0).shape();
        Checks.axes(axes, x);
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < x.rank(); i++) {
            if (!axes.contains(i)) {
                out.add(x.dim(i));
            }
        }
        return new Shape(out);
    }

    /** x's shape with the reduced axes kept at extent 1 (keepdims). */
    static Shape keptShape(Shape x, List<Integer> axes) {
        List<Integer> kept = new ArrayList<>(x.dims());
        for (int a : axes) {
            kept.set(a, 1);
        }
        return new Shape(kept);
    }

    /** How many elements each output of a reduction over {@code axes} combines. */
    static int count(Shape x, List<Integer> axes) {
        int n = 1;
        for (int a : axes) {
            n *= x.dim(a);
        }
        return n;
    }
}

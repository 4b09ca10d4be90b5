package dev.convj.graph.ops;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * The positions [start, end) of x along {@code axis}, e.g. channels 2 to 5 of an N,C,H,W tensor with axis 1, as
 * {@code x[:, start:end]} in PyTorch.
 */
public record Slice(int axis, int start, int end) implements Op {
    public Slice {
        if (axis < 0 || start < 0 || end <= start) {
            throw new IllegalArgumentException("a slice needs axis ≥ 0 and 0 ≤ start < end, got axis " + axis
                    + " and [" + start + ", " + end + ")");
        }
    }

    @Override
    public String kind() {
        return "slice";
    }

    @Override
    public Shape inferShape(List<Node> in) {
        Shape x = Checks.unary(in);
        Checks.axes(List.of(axis), x);
        if (end > x.dim(axis)) {
            throw new IllegalArgumentException("slice [" + start + ", " + end + ") of axis " + axis + " is out of range"
                    + " for " + in.get(0).name() + " " + in.get(0).typeString() + ", whose axis " + axis + " has "
                    + x.dim(axis) + " positions");
        }
        return x.with(axis, end - start);
    }

    /** dL/dx puts dL/dy back in place between zeros: concat(zeros, dL/dy, zeros). */
    @Override
    public List<Node> gradients(GradientContext g) {
        Shape x = g.input(0).shape();
        List<Node> parts = new ArrayList<>();
        if (start > 0) {
            parts.add(g.apply(new Fill(x.with(axis, start), 0)));
        }
        parts.add(g.gradOutput());
        if (end < x.dim(axis)) {
            parts.add(g.apply(new Fill(x.with(axis, x.dim(axis) - end), 0)));
        }
        return List.of(parts.size() == 1 ? parts.get(0) : g.apply(new Concat(axis), parts.toArray(Node[]::new)));
    }

    @Override
    public String attributes() {
        return "axis=" + axis + " range=[" + start + "," + end + ")";
    }

    @Override
    public <R> R accept(OpVisitor<R> visitor) {
        return visitor.visit(this);
    }
}

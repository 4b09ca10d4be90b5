package dev.convj.graph.ops;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Joins its operands along {@code axis}, in operand order, as {@code torch.cat}; every other extent must agree.
 * With axis 1 it stacks the channels of several branches.
 */
public record Concat(int axis) implements Op {
    public Concat {
        if (axis < 0) {
            throw new IllegalArgumentException("the concatenation axis must be ≥ 0, got " + axis);
        }
    }

    @Override
    public String kind() {
        return "concat";
    }

    @Override
    public Shape inferShape(List<Node> in) {
        if (in.isEmpty()) {
            throw new IllegalArgumentException("expects at least one operand");
        }
        Node first = in.get(0);
        Checks.floating(first);
        Checks.axes(List.of(axis), first.shape());
        int total = 0;
        for (Node n : in) {
            Checks.floating(n);
            boolean fits = n.shape().rank() == first.shape().rank();
            for (int a = 0; fits && a < n.shape().rank(); a++) {
                fits = a == axis || n.shape().dim(a) == first.shape().dim(a);
            }
            if (!fits) {
                throw new IllegalArgumentException("cannot concatenate " + n.name() + " " + n.typeString() + " with "
                        + first.name() + " " + first.typeString() + " along axis " + axis
                        + ": every other extent must be equal");
            }
            total += n.shape().dim(axis);
        }
        return first.shape().with(axis, total);
    }

    /** dL/d(operand i) is the slice of dL/dy where operand i landed. */
    @Override
    public List<Node> gradients(GradientContext g) {
        List<Node> grads = new ArrayList<>();
        int offset = 0;
        for (int i = 0; i < g.inputCount(); i++) {
            int extent = g.input(i).shape().dim(axis);
            grads.add(g.inputCount() == 1 ? g.gradOutput()
                    : g.apply(new Slice(axis, offset, offset + extent), g.gradOutput()));
            offset += extent;
        }
        return grads;
    }

    @Override
    public String attributes() {
        return "axis=" + axis;
    }

    @Override
    public <R> R accept(OpVisitor<R> visitor) {
        return visitor.visit(this);
    }
}

package dev.convj.graph.ops;

import dev.convj.graph.DType;
import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.List;

/** Shared argument checks for shape rules; each failure message names the operands and their shapes. */
final class Checks {
    private Checks() {}

    static void arity(List<Node> in, int min, int max, String operands) {
        if (in.size() < min || in.size() > max) {
            String count = min == max ? String.valueOf(min) : min + " to " + max;
            throw new IllegalArgumentException("expects " + count + " inputs (" + operands + "), got " + in.size());
        }
    }

    static void rank(Node n, int rank, String role, String layout) {
        if (n.shape().rank() != rank) {
            throw new IllegalArgumentException(role + " " + n.name() + " must have rank " + rank + " (" + layout
                    + "), got " + n.typeString());
        }
    }

    static void sameShape(Node a, Node b) {
        if (!a.shape().equals(b.shape())) {
            throw new IllegalArgumentException("operands must have equal shapes, got " + a.name() + " "
                    + a.typeString() + " and " + b.name() + " " + b.typeString()
                    + " (broadcast one explicitly with broadcastTo)");
        }
    }

    static void floating(Node n) {
        if (!n.dtype().isFloat()) {
            throw new IllegalArgumentException("operand " + n.name() + " must be a float tensor, got " + n.typeString());
        }
    }

    static void axes(List<Integer> axes, Shape shape) {
        for (int a : axes) {
            if (a < 0 || a >= shape.rank()) {
                throw new IllegalArgumentException("axis " + a + " is out of range for shape " + shape);
            }
        }
        if (axes.stream().distinct().count() != axes.size()) {
            throw new IllegalArgumentException("axes " + axes + " repeat an axis");
        }
    }

    static List<Integer> positive(List<Integer> values, String what) {
        for (int v : values) {
            if (v < 1) {
                throw new IllegalArgumentException(what + " must be ≥ 1, got " + values);
            }
        }
        return List.copyOf(values);
    }

    /** Extents ≥ 1, one per spatial axis: a kernel, an input or an output size fixed by an op. */
    static List<Integer> spatial(List<Integer> values, int spatialRank, String what) {
        List<Integer> checked = positive(values, what);
        if (checked.size() != spatialRank) {
            throw new IllegalArgumentException(what + " " + checked + " must name " + spatialRank + " spatial axes");
        }
        return checked;
    }

    static DType floatType(List<Node> in) {
        return in.get(0).dtype().isFloat() ? in.get(0).dtype() : DType.F32;
    }

    /** The shape rule of an elementwise binary op: two float operands of equal shape. */
    static Shape binary(List<Node> in) {
        arity(in, 2, 2, "a, b");
        floating(in.get(0));
        floating(in.get(1));
        sameShape(in.get(0), in.get(1));
        return in.get(0).shape();
    }

    /** The shape rule of an elementwise unary op. */
    static Shape unary(List<Node> in) {
        arity(in, 1, 1, "x");
        floating(in.get(0));
        return in.get(0).shape();
    }
}

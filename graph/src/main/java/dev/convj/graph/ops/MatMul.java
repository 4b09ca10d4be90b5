package dev.convj.graph.ops;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.List;

/** The matrix product op(a)·op(b) of two rank-2 tensors, where op transposes when its flag is set. */
public record MatMul(boolean transposeA, boolean transposeB) implements Op {
    @Override
    public String kind() {
        return "matmul";
    }

    @Override
    public Shape inferShape(List<Node> in) {
        Checks.arity(in, 2, 2, "a, b");
        Node a = in.get(0), b = in.get(1);
        Checks.rank(a, 2, "operand", "rows,columns");
        Checks.rank(b, 2, "operand", "rows,columns");
        int m = a.shape().dim(transposeA ? 1 : 0), ka = a.shape().dim(transposeA ? 0 : 1);
        int kb = b.shape().dim(transposeB ? 1 : 0), n = b.shape().dim(transposeB ? 0 : 1);
        if (ka != kb) {
            throw new IllegalArgumentException("inner sizes differ: " + a.name() + " " + a.typeString()
                    + (transposeA ? "ᵀ" : "") + " · " + b.name() + " " + b.typeString() + (transposeB ? "ᵀ" : ""));
        }
        return Shape.of(m, n);
    }

    /** For C = op(A)·op(B): dA = dC·op(B)ᵀ and dB = op(A)ᵀ·dC, each transposed back when its flag is set. */
    @Override
    public List<Node> gradients(GradientContext g) {
        Node a = g.input(0), b = g.input(1), dc = g.gradOutput();
        Node da = transposeA
                ? g.apply(new MatMul(transposeB, true), b, dc)
                : g.apply(new MatMul(false, !transposeB), dc, b);
        Node db = transposeB
                ? g.apply(new MatMul(true, transposeA), dc, a)
                : g.apply(new MatMul(!transposeA, false), a, dc);
        return List.of(da, db);
    }

    @Override
    public String attributes() {
        return (transposeA ? "transpose_a " : "") + (transposeB ? "transpose_b" : "");
    }

    @Override
    public <R> R accept(OpVisitor<R> visitor) {
        return visitor.visit(this);
    }
}

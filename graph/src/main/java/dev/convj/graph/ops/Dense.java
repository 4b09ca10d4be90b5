package dev.convj.graph.ops;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.ArrayList;
import java.util.List;

/** A fully connected layer as PyTorch's linear: x [N, in], weight [out, in], optional bias [out] → x·wᵀ + b. */
public record Dense() implements Op {
    @Override
    public String kind() {
        return "dense";
    }

    @Override
    public Shape inferShape(List<Node> in) {
        Checks.arity(in, 2, 3, "x, weight, optional bias");
        Node x = in.get(0), w = in.get(1);
        Checks.rank(x, 2, "input", "N,features; flatten it first");
        Checks.rank(w, 2, "weight", "out,in");
        if (x.shape().dim(1) != w.shape().dim(1)) {
            throw new IllegalArgumentException("input " + x.name() + " " + x.typeString() + " has "
                    + x.shape().dim(1) + " features but weight " + w.name() + " " + w.typeString() + " expects "
                    + w.shape().dim(1) + "; make the previous layer produce " + w.shape().dim(1)
                    + " features or declare this layer for " + x.shape().dim(1));
        }
        if (in.size() == 3) {
            Conv.checkBias(in.get(2), w.shape().dim(0));
        }
        return Shape.of(x.shape().dim(0), w.shape().dim(0));
    }

    /** dL/dx = dy·w, dL/dw = dyᵀ·x, dL/db = Σ_n dy. */
    @Override
    public List<Node> gradients(GradientContext g) {
        Node dy = g.gradOutput();
        List<Node> grads = new ArrayList<>();
        grads.add(g.apply(new MatMul(false, false), dy, g.input(1)));
        grads.add(g.apply(new MatMul(true, false), dy, g.input(0)));
        if (g.inputCount() == 3) {
            grads.add(g.apply(new Sum(List.of(0)), dy));
        }
        return grads;
    }

    @Override
    public <R> R accept(OpVisitor<R> visitor) {
        return visitor.visit(this);
    }
}

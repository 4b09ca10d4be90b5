package dev.convj.graph.ops;

import dev.convj.graph.DType;
import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.Arrays;
import java.util.List;

/** Integer labels [N] → one-hot rows [N, classes]. Labels take no gradient. */
public record OneHot(int classes) implements Op {
    public OneHot {
        if (classes < 1) {
            throw new IllegalArgumentException("classes must be ≥ 1, got " + classes);
        }
    }

    @Override
    public String kind() {
        return "one_hot";
    }

    @Override
    public Shape inferShape(List<Node> in) {
        Checks.arity(in, 1, 1, "labels");
        Checks.rank(in.get(0), 1, "labels", "N");
        if (in.get(0).dtype() != DType.I32) {
            throw new IllegalArgumentException("labels " + in.get(0).name() + " must be i32, got "
                    + in.get(0).typeString());
        }
        return Shape.of(in.get(0).shape().dim(0), classes);
    }

    @Override
    public DType inferType(List<Node> inputs) {
        return DType.F32;
    }

    @Override
    public List<Node> gradients(GradientContext g) {
        return Arrays.asList((Node) null);
    }

    @Override
    public String attributes() {
        return "classes=" + classes;
    }

    @Override
    public <R> R accept(OpVisitor<R> visitor) {
        return visitor.visit(this);
    }
}

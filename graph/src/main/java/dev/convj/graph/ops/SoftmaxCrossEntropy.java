package dev.convj.graph.ops;

import dev.convj.graph.DType;
import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * The mean over the batch of −log softmax(logits)[label]: logits [N, K], integer labels [N] → scalar, as
 * PyTorch's cross_entropy with reduction='mean'.
 */
public record SoftmaxCrossEntropy() implements Op {
    @Override
    public String kind() {
        return "softmax_cross_entropy";
    }

    @Override
    public Shape inferShape(List<Node> in) {
        Checks.arity(in, 2, 2, "logits, labels");
        Node logits = in.get(0), labels = in.get(1);
        Checks.rank(logits, 2, "logits", "N,classes");
        Checks.floating(logits);
        Checks.rank(labels, 1, "labels", "N");
        if (labels.dtype() != DType.I32) {
            throw new IllegalArgumentException("labels " + labels.name() + " must be i32 class indices, got "
                    + labels.typeString());
        }
        if (labels.shape().dim(0) != logits.shape().dim(0)) {
            throw new IllegalArgumentException("logits " + logits.typeString() + " and labels "
                    + labels.typeString() + " must have the same batch size");
        }
        return Shape.scalar();
    }

    /** dL/dlogits = dL/dy · (softmax(logits) − onehot(labels)) / N. */
    @Override
    public List<Node> gradients(GradientContext g) {
        Node logits = g.input(0);
        Shape s = logits.shape();
        Node diff = g.sub(g.apply(new Softmax(1), logits), g.apply(new OneHot(s.dim(1)), g.input(1)));
        Node scaled = g.scale(1.0 / s.dim(0), diff);
        return Arrays.asList(g.mul(g.broadcastTo(g.gradOutput(), s), scaled), null);
    }

    @Override
    public DType inferType(List<Node> inputs) {
        return inputs.get(0).dtype();
    }

    @Override
    public <R> R accept(OpVisitor<R> visitor) {
        return visitor.visit(this);
    }
}

package dev.convj.onnx.export;

import dev.convj.graph.Graph;
import dev.convj.graph.Node;
import dev.convj.graph.ops.Add;
import dev.convj.graph.ops.BroadcastTo;
import dev.convj.graph.ops.Fill;
import dev.convj.graph.ops.Mul;
import dev.convj.graph.ops.Parameter;
import dev.convj.graph.ops.Pow;
import dev.convj.graph.ops.Reshape;
import dev.convj.graph.ops.Sub;
import java.util.List;
import java.util.Optional;

/**
 * Batch normalization as an inference graph holds it, recognised so that it is exported as one BatchNormalization
 * node with its four parameters rather than folded:
 * <pre>y = x·bcast(scale) + bcast(β − μ·scale),  scale = γ·(σ² + ε)^−½</pre>
 * with γ, β, μ, σ² parameters of shape [C], ε a constant and bcast a reshape to [1, C, 1, …] then a broadcast.
 */
record BatchNormMatch(Node x, Node gamma, Node beta, Node mean, Node var, double epsilon) {

    /** The match rooted at {@code y}, if {@code y} is the output of such a pattern. */
    static Optional<BatchNormMatch> at(Graph g, Node y) {
        if (!(y.op() instanceof Add) || y.shape().rank() < 2) {
            return Optional.empty();
        }
        Node normalized = g.node(y.inputs().get(0));
        Node shift = spread(g, g.node(y.inputs().get(1)), y);
        if (!(normalized.op() instanceof Mul) || shift == null) {
            return Optional.empty();
        }
        Node x = g.node(normalized.inputs().get(0));
        Node scale = spread(g, g.node(normalized.inputs().get(1)), y);
        if (scale == null || !(scale.op() instanceof Mul) || !(shift.op() instanceof Sub)) {
            return Optional.empty();
        }
        Node gamma = g.node(scale.inputs().get(0));
        Node invStd = g.node(scale.inputs().get(1));
        if (!(invStd.op() instanceof Pow p) || p.exponent() != -0.5) {
            return Optional.empty();
        }
        Node varEps = g.node(invStd.inputs().get(0));
        if (!(varEps.op() instanceof Add)) {
            return Optional.empty();
        }
        Node var = g.node(varEps.inputs().get(0)), eps = g.node(varEps.inputs().get(1));
        Node beta = g.node(shift.inputs().get(0)), meanScaled = g.node(shift.inputs().get(1));
        if (!(meanScaled.op() instanceof Mul) || meanScaled.inputs().get(1) != scale.id()) {
            return Optional.empty();
        }
        Node mean = g.node(meanScaled.inputs().get(0));
        int channels = y.shape().dim(1);
        for (Node v : List.of(gamma, beta, mean, var)) {
            if (!(v.op() instanceof Parameter) || v.shape().rank() != 1 || v.shape().dim(0) != channels) {
                return Optional.empty();
            }
        }
        if (!(eps.op() instanceof Fill f) || f.value() <= 0) {
            return Optional.empty();
        }
        return Optional.of(new BatchNormMatch(x, gamma, beta, mean, var, f.value()));
    }

    /** The per-channel vector v when {@code node} is broadcast(reshape(v → [1, C, 1, …])) to {@code y}'s shape. */
    private static Node spread(Graph g, Node node, Node y) {
        if (!(node.op() instanceof BroadcastTo b) || !b.target().equals(y.shape())) {
            return null;
        }
        Node column = g.node(node.inputs().get(0));
        if (!(column.op() instanceof Reshape r)) {
            return null;
        }
        List<Integer> dims = r.target().dims();
        for (int a = 0; a < dims.size(); a++) {
            if (dims.get(a) != (a == 1 ? y.shape().dim(1) : 1)) {
                return null;
            }
        }
        return dims.size() == y.shape().rank() ? g.node(column.inputs().get(0)) : null;
    }
}

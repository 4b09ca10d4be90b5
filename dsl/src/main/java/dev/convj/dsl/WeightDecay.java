package dev.convj.dsl;

import dev.convj.graph.Roles;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.Node;
import dev.convj.graph.ops.Add;
import dev.convj.graph.ops.Mul;
import dev.convj.graph.ops.Scale;
import dev.convj.graph.ops.Sum;
import java.util.ArrayList;
import java.util.List;

/**
 * L2 weight decay as a term of the loss: loss = data loss + (λ/2)·Σ‖W‖² over the weights (parameters named
 * {@code *.weight} of rank ≥ 2: kernels and dense matrices, not biases or batch-norm scales), so that its gradient
 * λ·W is PyTorch's weight_decay = λ for plain SGD. Nodes: {@code loss.data}, {@code loss.l2}, {@code loss}.
 */
final class WeightDecay {
    private WeightDecay() {}

    static Node addTo(GraphBuilder builder, Node data, double lambda) {
        Node total = null;
        for (Node w : builder.build().parameters()) {
            if (w.shape().rank() < 2 || !w.name().endsWith(".weight")) {
                continue;
            }
            List<Integer> all = new ArrayList<>();
            for (int a = 0; a < w.shape().rank(); a++) {
                all.add(a);
            }
            Node square = builder.apply(w.name() + ".sq", new Mul(), w, w);
            Node norm = builder.apply(w.name() + ".l2", new Sum(all), square);
            total = total == null ? norm : builder.apply(builder.uniqueName("loss.l2_sum"), new Add(), total, norm);
        }
        if (total == null) {
            return builder.rename(data, Roles.LOSS);
        }
        Node penalty = builder.apply("loss.l2", new Scale(lambda / 2), total);
        return builder.apply(Roles.LOSS, new Add(), data, penalty);
    }
}

package dev.convj.graph.autodiff;

import dev.convj.graph.Graph;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.Node;
import dev.convj.graph.ops.Add;
import dev.convj.graph.ops.Mul;
import dev.convj.graph.ops.Sum;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A graph computing Hessian-vector products H·v of a scalar loss by differentiating twice (Pearlmutter's trick in
 * reverse-over-reverse form): with g = ∇L, H·v = ∇(g·v) for a fixed v. It holds the forward nodes, the gradient
 * nodes, one input {@code <w>.tangent} per differentiated tensor w carrying v, and the products as outputs.
 *
 * @param graph     the whole graph
 * @param gradients dL/dw node of each w
 * @param tangents  the input node holding v's part for each w
 * @param products  the node holding (H·v)'s part for each w
 */
public record HessianVectorProduct(Graph graph, Map<String, String> gradients, Map<String, String> tangents,
                                   Map<String, String> products) {

    public HessianVectorProduct {
        gradients = Map.copyOf(gradients);
        tangents = Map.copyOf(tangents);
        products = Map.copyOf(products);
    }

    /** Builds H·v of {@code loss} with respect to {@code wrt} (parameters or float inputs). */
    public static HessianVectorProduct of(Graph graph, String loss, List<String> wrt) {
        GradientGraph first = Autodiff.gradients(graph, loss, wrt);
        GraphBuilder b = new GraphBuilder(first.graph());
        Map<String, String> gradients = new LinkedHashMap<>(), tangents = new LinkedHashMap<>();
        Node dot = null;
        for (String w : wrt) {
            Node param = b.node(w), grad = b.node(first.gradientOf(w).name());
            Node v = b.input(b.uniqueName(w + ".tangent"), param.shape(), param.dtype());
            List<Integer> all = new ArrayList<>();
            for (int a = 0; a < param.shape().rank(); a++) {
                all.add(a);
            }
            Node term = b.apply(b.uniqueName(w + ".grad_dot_v"), new Sum(all),
                    b.apply(b.uniqueName(w + ".grad_v"), new Mul(), grad, v));
            dot = dot == null ? term : b.apply(b.uniqueName("grad_dot_v"), new Add(), dot, term);
            gradients.put(w, grad.name());
            tangents.put(w, v.name());
        }
        if (dot == null) {
            throw new IllegalArgumentException("a Hessian-vector product needs at least one tensor to differentiate");
        }
        GradientGraph second = Autodiff.gradients(b.build(), dot.name(), wrt);
        Map<String, String> products = new LinkedHashMap<>();
        for (String w : wrt) {
            products.put(w, second.gradientOf(w).name());
        }
        return new HessianVectorProduct(second.graph(), gradients, tangents, products);
    }
}

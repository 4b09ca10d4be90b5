package dev.convj.graph.autodiff;

import dev.convj.graph.Graph;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import dev.convj.graph.ShapeException;
import dev.convj.graph.ops.Input;
import dev.convj.graph.ops.GradientContext;
import dev.convj.graph.ops.Op;
import dev.convj.graph.ops.Parameter;
import dev.convj.graph.passes.DeadCodeElimination;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reverse-mode automatic differentiation as a graph-to-graph pass. Walking the nodes in reverse topological order,
 * each op's gradient rule adds ordinary nodes computing dL/d(input) from dL/d(output); contributions from
 * several consumers are summed. Gradient nodes are themselves differentiable, so the pass can run again.
 * <p>Names: dL/dx is {@code x.grad}; when x has several consumers, each contribution is {@code x.grad@consumer}
 * and their sum {@code x.grad}; helper nodes of a rule are {@code consumer.bwd}, {@code consumer.bwd_2}, ….
 */
public final class Autodiff {
    private Autodiff() {}

    /** Differentiates the scalar {@code loss} with respect to each of {@code wrt} (parameters or float inputs). */
    public static GradientGraph gradients(Graph graph, String loss, List<String> wrt) {
        Node lossNode = graph.node(loss);
        if (!lossNode.shape().isScalar() || !lossNode.dtype().isFloat()) {
            throw new ShapeException(loss + " (" + lossNode.op().kind() + "): the loss must be a float scalar to "
                    + "differentiate, got " + lossNode.typeString() + "; reduce it with sum or mean first");
        }
        Set<Integer> targets = new HashSet<>();
        for (String name : wrt) {
            Node n = graph.node(name);
            boolean leaf = n.op() instanceof Parameter || n.op() instanceof Input && n.dtype().isFloat();
            if (!leaf) {
                throw new ShapeException(name + " (" + n.op().kind() + "): cannot differentiate with respect to "
                        + n.typeString() + "; only parameters and float inputs are differentiable leaves");
            }
            targets.add(n.id());
        }
        return new Pass(graph, lossNode, targets).run(wrt);
    }

    /** Differentiates {@code loss} with respect to every parameter of the graph. */
    public static GradientGraph gradients(Graph graph, String loss) {
        return gradients(graph, loss, graph.parameters().stream().map(Node::name).toList());
    }

    private static final class Pass {
        private final Graph graph;
        private final Node loss;
        private final boolean[] relevant;
        private final GraphBuilder builder;
        private final Map<Integer, List<Contribution>> contributions = new LinkedHashMap<>();
        private final Set<Integer> renameable = new HashSet<>();

        private record Contribution(int node, String consumer) {}

        Pass(Graph graph, Node loss, Set<Integer> targets) {
            this.graph = graph;
            this.loss = loss;
            this.relevant = relevantNodes(graph, loss, targets);
            this.builder = new GraphBuilder(graph).gradientMode(true);
        }

        GradientGraph run(List<String> wrt) {
            Node seed = builder.fill(builder.uniqueName(loss.name() + ".grad"), Shape.scalar(), 1.0);
            contributions.put(loss.id(), new ArrayList<>(List.of(new Contribution(seed.id(), "seed"))));
            Map<String, String> names = new LinkedHashMap<>();
            for (int id = loss.id(); id >= 0; id--) {
                if (!relevant[id] || !contributions.containsKey(id)) {
                    continue;
                }
                Node node = graph.node(id);
                Node total = accumulate(node);
                names.put(node.name(), total.name());
                if (node.inputs().isEmpty()) {
                    continue;
                }
                backward(node, total);
            }
            for (String name : wrt) {
                if (!names.containsKey(name)) {
                    // The loss does not depend on it: the gradient is exactly zero.
                    Node n = graph.node(name);
                    names.put(name, builder.fill(builder.uniqueName(name + ".grad"), n.shape(), 0.0).name());
                }
            }
            Map<String, String> result = new LinkedHashMap<>();
            for (String name : wrt) {
                result.put(name, names.get(name));
                builder.output(builder.node(names.get(name)));
            }
            // Rules build the gradient of every operand; those of operands that need none are dropped here.
            Graph pruned = DeadCodeElimination.prune(builder.build(), n -> !n.gradient());
            return new GradientGraph(pruned, loss.name(), result);
        }

        private void backward(Node node, Node gradOutput) {
            List<Node> inputs = graph.inputsOf(node);
            int before = builder.size();
            Context ctx = new Context(node, inputs, gradOutput);
            List<Node> grads = node.op().gradients(ctx);
            for (int id = before; id < builder.size(); id++) {
                renameable.add(id);
            }
            for (int i = 0; i < inputs.size(); i++) {
                Node in = inputs.get(i);
                Node grad = i < grads.size() ? grads.get(i) : null;
                if (!relevant[in.id()] || grad == null) {
                    continue;
                }
                if (!grad.shape().equals(in.shape())) {
                    throw new IllegalStateException("gradient rule of " + node.op().kind() + " gave " + grad.typeString()
                            + " for operand " + in.name() + " " + in.typeString());
                }
                contributions.computeIfAbsent(in.id(), k -> new ArrayList<>())
                        .add(new Contribution(grad.id(), node.name()));
            }
        }

        /** Sums the contributions to dL/d(node) and gives the result its name. */
        private Node accumulate(Node node) {
            List<Contribution> parts = contributions.get(node.id());
            String name = node.name() + ".grad";
            if (parts.size() == 1) {
                return nameFresh(builder.node(parts.get(0).node()), name);
            }
            Node acc = nameFresh(builder.node(parts.get(0).node()), name + "@" + parts.get(0).consumer());
            for (int i = 1; i < parts.size(); i++) {
                Node part = nameFresh(builder.node(parts.get(i).node()), name + "@" + parts.get(i).consumer());
                String sumName = builder.uniqueName(i == parts.size() - 1 ? name : name + ".partial");
                acc = builder.apply(sumName, new dev.convj.graph.ops.Add(), acc, part);
            }
            return acc;
        }

        private Node nameFresh(Node n, String name) {
            if (!renameable.remove(n.id())) {
                return n;
            }
            return builder.rename(n, builder.uniqueName(name));
        }

        private final class Context implements GradientContext {
            private final Node node;
            private final List<Node> inputs;
            private final Node gradOutput;

            Context(Node node, List<Node> inputs, Node gradOutput) {
                this.node = node;
                this.inputs = inputs;
                this.gradOutput = gradOutput;
            }

            @Override
            public Node node() {
                return node;
            }

            @Override
            public Node input(int i) {
                return inputs.get(i);
            }

            @Override
            public int inputCount() {
                return inputs.size();
            }

            @Override
            public Node gradOutput() {
                return gradOutput;
            }

            @Override
            public Node apply(Op op, Node... operands) {
                return builder.apply(builder.uniqueName(node.name() + ".bwd"), op, operands);
            }
        }
    }

    /** Nodes that depend on a target and that the loss depends on: only they need a gradient. */
    private static boolean[] relevantNodes(Graph graph, Node loss, Set<Integer> targets) {
        int n = graph.size();
        boolean[] fromTarget = new boolean[n];
        for (Node node : graph.nodes()) {
            fromTarget[node.id()] = targets.contains(node.id())
                    || node.inputs().stream().anyMatch(i -> fromTarget[i]);
        }
        boolean[] toLoss = new boolean[n];
        toLoss[loss.id()] = true;
        for (int id = loss.id(); id >= 0; id--) {
            if (toLoss[id]) {
                for (int in : graph.node(id).inputs()) {
                    toLoss[in] = true;
                }
            }
        }
        boolean[] relevant = new boolean[n];
        for (int i = 0; i < n; i++) {
            relevant[i] = fromTarget[i] && toLoss[i];
        }
        return relevant;
    }
}

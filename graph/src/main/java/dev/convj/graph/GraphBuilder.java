package dev.convj.graph;

import dev.convj.graph.ops.Fill;
import dev.convj.graph.ops.Input;
import dev.convj.graph.ops.Op;
import dev.convj.graph.ops.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Builds a {@link Graph} node by node, checking each op's shape rule as the node is added. */
public final class GraphBuilder {
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Integer> byName = new HashMap<>();
    private final List<Integer> outputs = new ArrayList<>();
    private boolean gradientMode;

    public GraphBuilder() {}

    /** Starts from the nodes and outputs of {@code graph}. */
    public GraphBuilder(Graph graph) {
        for (Node n : graph.nodes()) {
            nodes.add(n);
            byName.put(n.name(), n.id());
        }
        graph.outputs().forEach(o -> outputs.add(o.id()));
    }

    /** While set, new nodes are marked as gradient nodes. */
    public GraphBuilder gradientMode(boolean on) {
        this.gradientMode = on;
        return this;
    }

    public Node input(String name, Shape shape, DType dtype) {
        return apply(name, new Input(shape, dtype));
    }

    public Node parameter(String name, Shape shape, ParamInit init) {
        return apply(name, new Parameter(shape, init));
    }

    public Node fill(String name, Shape shape, double value) {
        return apply(name, new Fill(shape, value));
    }

    /**
     * Adds a node applying {@code op} to {@code inputs}. A shape or type error becomes a {@link ShapeException}
     * that starts with the node's name and the op, e.g. {@code conv2 (conv2d): ...}.
     */
    public Node apply(String name, Op op, Node... inputs) {
        if (byName.containsKey(name)) {
            throw new ShapeException(name + " (" + op.kind() + "): the graph already has a node named " + name
                    + "; give the layer another name");
        }
        List<Node> in = Arrays.asList(inputs);
        for (Node n : in) {
            if (n.id() >= nodes.size() || nodes.get(n.id()) != n && !nodes.get(n.id()).equals(n)) {
                throw new IllegalArgumentException(name + " (" + op.kind() + "): operand " + n.name()
                        + " is not a node of this graph");
            }
        }
        Shape shape;
        DType dtype;
        try {
            shape = op.inferShape(in);
            dtype = op.inferType(in);
        } catch (ShapeException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new ShapeException(name + " (" + op.kind() + "): " + e.getMessage(), e);
        }
        Node node = new Node(nodes.size(), name, op, in.stream().map(Node::id).toList(), shape, dtype, gradientMode);
        nodes.add(node);
        byName.put(name, node.id());
        return node;
    }

    /** {@code base} if no node has that name yet, else {@code base_2}, {@code base_3}, … */
    public String uniqueName(String base) {
        if (!byName.containsKey(base)) {
            return base;
        }
        for (int i = 2; ; i++) {
            String candidate = base + "_" + i;
            if (!byName.containsKey(candidate)) {
                return candidate;
            }
        }
    }

    public boolean has(String name) {
        return byName.containsKey(name);
    }

    public Node node(String name) {
        Integer id = byName.get(name);
        if (id == null) {
            throw new IllegalArgumentException("no node named '" + name + "'");
        }
        return nodes.get(id);
    }

    public Node node(int id) {
        return nodes.get(id);
    }

    public int size() {
        return nodes.size();
    }

    /** Renames a node; operands refer to nodes by id, so nothing else changes. */
    public Node rename(Node node, String newName) {
        if (node.name().equals(newName)) {
            return node;
        }
        if (byName.containsKey(newName)) {
            throw new IllegalArgumentException("the graph already has a node named " + newName);
        }
        Node renamed = node.renamed(newName);
        nodes.set(node.id(), renamed);
        byName.remove(node.name());
        byName.put(newName, node.id());
        return renamed;
    }

    public GraphBuilder output(Node node) {
        if (!outputs.contains(node.id())) {
            outputs.add(node.id());
        }
        return this;
    }

    public Graph build() {
        return new Graph(nodes, outputs);
    }
}

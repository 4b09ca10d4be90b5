package dev.convj.graph;

import dev.convj.graph.ops.Input;
import dev.convj.graph.ops.Parameter;
import dev.convj.graph.viz.TextDump;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable computation graph: nodes in topological order (every node reads only earlier nodes) and the
 * nodes it produces as outputs. Build one with {@link GraphBuilder}.
 */
public final class Graph {
    private final List<Node> nodes;
    private final List<Integer> outputs;
    private final Map<String, Node> byName;
    /** Memoized {@link #structuralHash()}; a benign race computes the same string twice at worst. */
    private volatile String structuralHash;

    public Graph(List<Node> nodes, List<Integer> outputs) {
        this.nodes = List.copyOf(nodes);
        this.outputs = List.copyOf(outputs);
        this.byName = new LinkedHashMap<>();
        for (int i = 0; i < this.nodes.size(); i++) {
            Node n = this.nodes.get(i);
            if (n.id() != i) {
                throw new IllegalArgumentException("node " + n.name() + " has id " + n.id() + " at position " + i);
            }
            if (byName.put(n.name(), n) != null) {
                throw new IllegalArgumentException("two nodes are named " + n.name());
            }
        }
        for (int o : this.outputs) {
            Objects.checkIndex(o, this.nodes.size());
        }
    }

    public List<Node> nodes() {
        return nodes;
    }

    public int size() {
        return nodes.size();
    }

    public Node node(int id) {
        return nodes.get(id);
    }

    /** The node named {@code name}; the error lists the names there are. */
    public Node node(String name) {
        Node n = byName.get(name);
        if (n == null) {
            throw new IllegalArgumentException("the graph has no node named '" + name + "'; it has "
                    + String.join(", ", byName.keySet()));
        }
        return n;
    }

    public boolean has(String name) {
        return byName.containsKey(name);
    }

    /** The nodes {@code n} reads, in operand order. */
    public List<Node> inputsOf(Node n) {
        List<Node> in = new ArrayList<>(n.inputs().size());
        for (int id : n.inputs()) {
            in.add(nodes.get(id));
        }
        return in;
    }

    public List<Node> outputs() {
        return outputs.stream().map(nodes::get).toList();
    }

    /** Whether node {@code id} is one of the outputs (by id: no streams or record equality, cheap in a cold JVM). */
    public boolean isOutput(int id) {
        return outputs.contains(id);
    }

    /** The trainable parameters, in graph order. */
    public List<Node> parameters() {
        return nodes.stream().filter(n -> n.op() instanceof Parameter).toList();
    }

    /** The values fed at run time, in graph order. */
    public List<Node> inputs() {
        return nodes.stream().filter(n -> n.op() instanceof Input).toList();
    }

    /** The same nodes with another list of outputs. */
    public Graph withOutputs(List<String> names) {
        return new Graph(nodes, names.stream().map(n -> node(n).id()).toList());
    }

    /** One line per node, like a jaxpr; stable, so that it serves golden tests and the structural hash. */
    public String toText() {
        return TextDump.of(this);
    }

    /**
     * A hash of the graph's structure (ops, attributes, shapes, names, wiring), stable across runs and JVMs:
     * the first 16 hex digits of the 128-bit MurmurHash3 of the text dump. Computed once per graph.
     */
    public String structuralHash() {
        String h = structuralHash;
        if (h == null) {
            h = Murmur3.hex128(toText().getBytes(StandardCharsets.UTF_8)).substring(0, 16);
            structuralHash = h;
        }
        return h;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Graph g && nodes.equals(g.nodes) && outputs.equals(g.outputs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(nodes, outputs);
    }

    @Override
    public String toString() {
        return toText();
    }
}

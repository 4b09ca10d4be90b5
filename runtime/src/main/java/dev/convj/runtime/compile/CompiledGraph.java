package dev.convj.runtime.compile;

import dev.convj.codegen.GeneratedGraph;
import dev.convj.graph.DType;
import dev.convj.graph.Graph;
import dev.convj.graph.Node;
import dev.convj.graph.ShapeException;
import dev.convj.graph.ops.Input;
import dev.convj.graph.ops.Parameter;
import dev.convj.runtime.Executable;

/**
 * A graph running as generated code. Inputs are checked here, before any generated loop runs, so that bad
 * input is a clear error and never an index fault inside generated code.
 */
public final class CompiledGraph implements Executable, AutoCloseable {
    private final Graph graph;
    private final GeneratedGraph code;
    private final int threads;
    /** The float nodes that {@link #get} may read, resolved once so that reading allocates nothing. */
    private final java.util.Map<String, float[]> readable = new java.util.HashMap<>();

    CompiledGraph(Graph graph, GeneratedGraph code, int threads) {
        this.graph = graph;
        this.code = code;
        this.threads = threads;
        for (Node n : graph.nodes()) {
            boolean fedOrOutput = n.op() instanceof Input || n.op() instanceof Parameter || graph.isOutput(n.id());
            if (fedOrOutput && n.dtype().isFloat()) {
                readable.put(n.name(), code.floats(n.id()));
            }
        }
    }

    @Override
    public Graph graph() {
        return graph;
    }

    public int threads() {
        return threads;
    }

    /** The generated class's name. */
    public String className() {
        return code.getClass().getName();
    }

    @Override
    public void set(String name, float[] values) {
        Node n = fed(name, values.length, true);
        System.arraycopy(values, 0, code.floats(n.id()), 0, values.length);
    }

    @Override
    public void setInts(String name, int[] values) {
        Node n = fed(name, values.length, false);
        System.arraycopy(values, 0, code.ints(n.id()), 0, values.length);
    }

    /**
     * The buffer of input or parameter {@code name}, for callers that write it in place every step (a trainer's
     * parameters): no copy, no check on later writes.
     */
    public float[] buffer(String name) {
        return code.floats(fed(name, graph.node(name).shape().size(), true).id());
    }

    private Node fed(String name, int length, boolean floats) {
        Node n = graph.node(name);
        if (!(n.op() instanceof Input || n.op() instanceof Parameter)) {
            throw new ShapeException(name + " (" + n.op().kind() + "): only inputs and parameters can be set");
        }
        if (n.dtype().isFloat() != floats) {
            throw new ShapeException(name + ": " + n.typeString() + " is set with "
                    + (n.dtype() == DType.I32 ? "setInts(name, int[])" : "set(name, float[])"));
        }
        if (length != n.shape().size()) {
            throw new ShapeException(name + ": " + n.typeString() + " holds " + n.shape().size()
                    + " values, got an array of " + length
                    + (length % Math.max(1, n.shape().size() / Math.max(1, n.shape().dim(0))) == 0 && n.shape().rank() > 0
                    ? " (a batch of " + length / (n.shape().size() / n.shape().dim(0)) + "? compile the graph for that batch)"
                    : ""));
        }
        return n;
    }

    @Override
    public void run() {
        code.run();
    }

    /** An output, input or parameter; buffers of other nodes are reused within a step and so not readable. */
    @Override
    public float[] get(String name) {
        float[] buffer = readable.get(name);
        if (buffer == null) {
            graph.node(name); // names the nodes there are when there is no such node
            throw new IllegalArgumentException("'" + name + "' is not a float output, input or parameter of the "
                    + "compiled graph; outputs: " + graph.outputs().stream().map(Node::name).toList());
        }
        return buffer;
    }

    @Override
    public void close() {
        code.close();
    }
}

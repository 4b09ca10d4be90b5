package dev.convj.runtime;

import dev.convj.graph.DType;
import dev.convj.graph.Graph;
import dev.convj.graph.Node;
import dev.convj.graph.ShapeException;
import dev.convj.runtime.interp.ReferenceInterpreter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** An {@link Executable} backed by the reference interpreter: slow, obviously correct. */
public final class InterpretedExecutable implements Executable {
    private final Graph graph;
    private final ReferenceInterpreter interpreter;
    private final Map<String, Tensor> feeds = new HashMap<>();
    private final Map<String, float[]> results = new HashMap<>();

    public InterpretedExecutable(Graph graph, ReferenceInterpreter.Precision precision) {
        this.graph = graph;
        this.interpreter = new ReferenceInterpreter(precision);
    }

    @Override
    public Graph graph() {
        return graph;
    }

    @Override
    public void set(String name, float[] values) {
        Node n = checkedFeed(name, values.length, DType.F32);
        feeds.put(name, Tensor.generate(n.shape(), i -> values[i]));
    }

    @Override
    public void setInts(String name, int[] values) {
        Node n = checkedFeed(name, values.length, DType.I32);
        feeds.put(name, Tensor.generate(n.shape(), i -> values[i]));
    }

    private Node checkedFeed(String name, int length, DType type) {
        Node n = graph.node(name);
        if (n.inputs().size() > 0) {
            throw new ShapeException(name + " (" + n.op().kind() + "): only inputs and parameters can be set");
        }
        if (n.dtype().isFloat() != type.isFloat()) {
            throw new ShapeException(name + ": " + n.typeString() + " is set with "
                    + (n.dtype().isFloat() ? "set(name, float[])" : "setInts(name, int[])"));
        }
        if (length != n.shape().size()) {
            throw new ShapeException(name + ": " + n.typeString() + " holds " + n.shape().size()
                    + " values, got an array of " + length);
        }
        return n;
    }

    @Override
    public void run() {
        List<String> outputs = graph.outputs().stream().map(Node::name).toList();
        Map<String, Tensor> values = interpreter.run(graph, feeds, outputs);
        results.clear();
        values.forEach((name, t) -> results.put(name, toFloats(t)));
    }

    @Override
    public float[] get(String name) {
        float[] r = results.get(name);
        if (r != null) {
            return r;
        }
        Tensor fed = feeds.get(name);
        if (fed != null) {
            return toFloats(fed);
        }
        throw new IllegalArgumentException("'" + name + "' is not an output of the graph (outputs: "
                + graph.outputs().stream().map(Node::name).toList() + ") nor a value that was set");
    }

    private static float[] toFloats(Tensor t) {
        float[] f = new float[t.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) t.get(i);
        }
        return f;
    }
}

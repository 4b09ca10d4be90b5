package dev.convj.runtime.interp;

import dev.convj.graph.DType;
import dev.convj.graph.Graph;
import dev.convj.graph.Node;
import dev.convj.graph.ShapeException;
import dev.convj.graph.ops.Input;
import dev.convj.graph.ops.Parameter;
import dev.convj.runtime.Tensor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Executes any graph, forward and gradient nodes alike, with plain loops: the oracle every faster path is tested
 * against. Arithmetic is float64; in {@link Precision#FLOAT32} every node's result (and every feed) is rounded to
 * float32, so results carry float32 storage error without float32 accumulation.
 */
public final class ReferenceInterpreter {

    public enum Precision { FLOAT64, FLOAT32 }

    private final Precision precision;

    public ReferenceInterpreter(Precision precision) {
        this.precision = precision;
    }

    public static ReferenceInterpreter float64() {
        return new ReferenceInterpreter(Precision.FLOAT64);
    }

    public static ReferenceInterpreter float32() {
        return new ReferenceInterpreter(Precision.FLOAT32);
    }

    public Precision precision() {
        return precision;
    }

    /** Evaluates {@code fetch} given values for the inputs and parameters they depend on. */
    public Map<String, Tensor> run(Graph graph, Map<String, Tensor> feeds, Collection<String> fetch) {
        boolean[] needed = new boolean[graph.size()];
        for (String name : fetch) {
            needed[graph.node(name).id()] = true;
        }
        for (int id = graph.size() - 1; id >= 0; id--) {
            if (needed[id]) {
                for (int in : graph.node(id).inputs()) {
                    needed[in] = true;
                }
            }
        }
        Tensor[] values = new Tensor[graph.size()];
        for (Node node : graph.nodes()) {
            if (!needed[node.id()]) {
                continue;
            }
            Tensor value = isFed(node) ? feed(node, feeds) : compute(graph, node, values);
            values[node.id()] = precision == Precision.FLOAT32 && node.dtype().isFloat() ? round(value) : value;
        }
        Map<String, Tensor> result = new LinkedHashMap<>();
        for (String name : fetch) {
            result.put(name, values[graph.node(name).id()]);
        }
        return result;
    }

    /** Evaluates one node. */
    public Tensor run(Graph graph, Map<String, Tensor> feeds, String fetch) {
        return run(graph, feeds, List.of(fetch)).get(fetch);
    }

    private static boolean isFed(Node node) {
        return node.op() instanceof Input || node.op() instanceof Parameter;
    }

    private static Tensor feed(Node node, Map<String, Tensor> feeds) {
        Tensor t = feeds.get(node.name());
        String role = node.op() instanceof Parameter ? "parameter" : "input";
        if (t == null) {
            throw new ShapeException(node.name() + " (" + role + "): no value was fed for " + node.typeString()
                    + "; feeds given: " + feeds.keySet());
        }
        if (!t.shape().equals(node.shape())) {
            throw new ShapeException(node.name() + " (" + role + "): fed a tensor of shape " + t.shape()
                    + " but the graph declares " + node.typeString()
                    + (t.shape().rank() == node.shape().rank() && t.shape().dim(0) != node.shape().dim(0)
                    ? "; rebuild the graph for batch " + t.shape().dim(0) : ""));
        }
        if (node.dtype() == DType.I32) {
            for (int i = 0; i < t.size(); i++) {
                if (t.get(i) != Math.rint(t.get(i))) {
                    throw new ShapeException(node.name() + " (" + role + "): element " + i + " is "
                            + t.get(i) + ", not an integer as " + node.typeString() + " requires");
                }
            }
        }
        return t;
    }

    private static Tensor compute(Graph graph, Node node, Tensor[] values) {
        List<Tensor> args = new ArrayList<>();
        for (int in : node.inputs()) {
            args.add(values[in]);
        }
        return node.op().accept(new KernelDispatch(node, args));
    }

    private static Tensor round(Tensor t) {
        return Tensor.generate(t.shape(), i -> (float) t.get(i));
    }
}

package dev.convj.onnx.export;

import dev.convj.graph.Graph;
import dev.convj.graph.Node;
import dev.convj.onnx.OnnxFormatException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which extents of each node grow with the batch, found by lowering the model at two batch sizes and comparing: an
 * extent equal in both is static, one equal to k·batch in both is k·N in the exported model's dynamic batch N.
 * Comparing two lowerings needs no knowledge of the ops, so residual joins, concatenations and reshapes are covered
 * alike.
 */
final class BatchAxes {

    /** The two batch sizes, above 1 so that a batch axis never looks like a fixed extent of 1. */
    static final int FIRST = 2, SECOND = 3;

    private final Map<String, List<Integer>> multiples;

    private BatchAxes(Map<String, List<Integer>> multiples) {
        this.multiples = multiples;
    }

    /** Compares {@code first} (lowered for batch {@link #FIRST}) with {@code second} (for {@link #SECOND}). */
    static BatchAxes compare(Graph first, Graph second) {
        if (first.size() != second.size()) {
            throw new OnnxFormatException("cannot export with a dynamic batch: the graph has " + first.size()
                    + " nodes for batch " + FIRST + " but " + second.size() + " for batch " + SECOND
                    + "; its structure must not depend on the batch size");
        }
        Map<String, List<Integer>> multiples = new HashMap<>();
        for (int i = 0; i < first.size(); i++) {
            Node a = first.node(i), b = second.node(i);
            if (!a.name().equals(b.name()) || a.shape().rank() != b.shape().rank() || !a.op().kind().equals(b.op().kind())) {
                throw new OnnxFormatException("cannot export with a dynamic batch: node " + i + " is " + a.name() + " ("
                        + a.op().kind() + ") " + a.typeString() + " for batch " + FIRST + " but " + b.name() + " ("
                        + b.op().kind() + ") " + b.typeString() + " for batch " + SECOND);
            }
            List<Integer> k = new ArrayList<>();
            for (int axis = 0; axis < a.shape().rank(); axis++) {
                int x = a.shape().dim(axis), y = b.shape().dim(axis);
                if (x == y) {
                    k.add(0);
                } else if (x % FIRST == 0 && y % SECOND == 0 && x / FIRST == y / SECOND) {
                    k.add(x / FIRST);
                } else {
                    throw new OnnxFormatException("cannot export with a dynamic batch: axis " + axis + " of node "
                            + a.name() + " (" + a.op().kind() + ") is " + x + " for batch " + FIRST + " and " + y
                            + " for batch " + SECOND + ", neither fixed nor a multiple of the batch");
                }
            }
            multiples.put(a.name(), List.copyOf(k));
        }
        return new BatchAxes(multiples);
    }

    /** Per axis of {@code node}: 0 for a static extent, k for k·N. */
    List<Integer> of(Node node) {
        return multiples.get(node.name());
    }

    /** Whether any extent of {@code node} depends on the batch. */
    boolean dynamic(Node node) {
        return of(node).stream().anyMatch(k -> k != 0);
    }

    /** The axes of {@code node} that depend on the batch. */
    List<Integer> dynamicAxes(Node node) {
        List<Integer> axes = new ArrayList<>();
        List<Integer> k = of(node);
        for (int a = 0; a < k.size(); a++) {
            if (k.get(a) != 0) {
                axes.add(a);
            }
        }
        return axes;
    }

    /** Whether {@code shape} of {@code node} is exactly the batch on axis 0 and static elsewhere. */
    boolean batchFirst(Node node) {
        List<Integer> k = of(node);
        if (k.isEmpty() || k.get(0) != 1) {
            return false;
        }
        return k.subList(1, k.size()).stream().allMatch(m -> m == 0);
    }
}

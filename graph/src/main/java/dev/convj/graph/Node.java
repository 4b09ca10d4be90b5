package dev.convj.graph;

import dev.convj.graph.ops.Op;
import java.util.List;

/**
 * One node of a graph: an op applied to earlier nodes (by id), with its static shape and dtype.
 *
 * @param id       position in the graph's topological order
 * @param name     unique readable name such as {@code conv1.weight} or {@code pool2}
 * @param op       the operation, holding only static attributes
 * @param inputs   ids of the nodes this one reads, all smaller than {@code id}
 * @param shape    static shape of the result
 * @param dtype    element type of the result
 * @param gradient whether the autodiff pass derived this node (diagrams and dumps style it apart)
 */
public record Node(int id, String name, Op op, List<Integer> inputs, Shape shape, DType dtype, boolean gradient) {

    public Node {
        inputs = List.copyOf(inputs);
        for (int in : inputs) {
            if (in < 0 || in >= id) {
                throw new IllegalArgumentException("node " + name + " reads node " + in + ", which does not precede it");
            }
        }
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("node " + id + " needs a name");
        }
    }

    public Node renamed(String newName) {
        return new Node(id, newName, op, inputs, shape, dtype, gradient);
    }

    /** The type as printed in dumps, e.g. {@code f32[64,6,28,28]}. */
    public String typeString() {
        return dtype.shortName() + shape;
    }
}

package dev.convj.dsl;

import dev.convj.graph.Node;
import dev.convj.graph.ops.Op;

/**
 * A layer that applies one parameter-free op to its input, e.g. {@code leakyRelu(0.1)}, {@code elu(1)} or
 * {@code sliceChannels(0, 4)}; the op holds the layer's hyper-parameters.
 */
public record UnaryOpLayer(String name, String namePrefix, Op op) implements Layer {

    @Override
    public String kind() {
        return op.kind();
    }

    @Override
    public Layer withName(String newName) {
        return new UnaryOpLayer(newName, namePrefix, op);
    }

    @Override
    public Node lower(Lowering lowering, Node input) {
        return lowering.output(this, op, input);
    }
}

package dev.convj.dsl;

import dev.convj.graph.GraphBuilder;
import dev.convj.graph.Node;
import dev.convj.graph.ParamInit;
import dev.convj.graph.Shape;
import dev.convj.graph.ops.Op;

/** What a layer lowers into: the graph under construction and the naming rules for its nodes. */
public final class Lowering {
    private final GraphBuilder builder;

    Lowering(GraphBuilder builder) {
        this.builder = builder;
    }

    /** A parameter named {@code layer.role}, e.g. {@code conv1.weight}. */
    public Node parameter(Layer layer, String role, Shape shape, ParamInit init) {
        return builder.parameter(layer.name() + "." + role, shape, init);
    }

    /** The layer's output node, named after the layer. */
    public Node output(Layer layer, Op op, Node... inputs) {
        return builder.apply(layer.name(), op, inputs);
    }

    /** An intermediate node of a layer that lowers to several ops, named {@code layer.suffix}. */
    public Node inner(Layer layer, String suffix, Op op, Node... inputs) {
        return builder.apply(layer.name() + "." + suffix, op, inputs);
    }

    /** PyTorch's default initialization of conv and dense weights and biases: U(±1/√fan_in). */
    static ParamInit defaultInit(int fanIn) {
        return new ParamInit.Uniform(1 / Math.sqrt(fanIn));
    }
}

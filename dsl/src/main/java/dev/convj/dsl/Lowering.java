package dev.convj.dsl;

import dev.convj.graph.Roles;
import dev.convj.graph.DType;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.Node;
import dev.convj.graph.ParamInit;
import dev.convj.graph.Shape;
import dev.convj.graph.ShapeException;
import dev.convj.graph.ops.Op;

/** What a layer lowers into: the graph under construction and the naming rules for its nodes. */
public final class Lowering {
    /** The name of the i32 scalar input that feeds the training step to dropout layers. */
    public static final String STEP = Roles.STEP;

    private final GraphBuilder builder;
    private final boolean training;
    private final boolean foldBatchNorm;

    Lowering(GraphBuilder builder) {
        this(builder, true, false);
    }

    Lowering(GraphBuilder builder, boolean training, boolean foldBatchNorm) {
        this.builder = builder;
        this.training = training;
        this.foldBatchNorm = foldBatchNorm;
    }

    /** Whether the graph is for training (batch statistics, dropout on) or inference (running statistics, no dropout). */
    public boolean training() {
        return training;
    }

    /** Whether batch normalization right after a convolution is folded into its weights (inference only). */
    public boolean foldBatchNorm() {
        return foldBatchNorm;
    }

    /** The training-step input {@value #STEP} (i32 scalar), added on first use. */
    public Node step() {
        return builder.has(STEP) ? builder.node(STEP) : builder.input(STEP, Shape.scalar(), DType.I32);
    }

    /** A constant tensor named {@code layer.suffix}. */
    public Node constant(Layer layer, String suffix, Shape shape, double value) {
        return builder.fill(layer.name() + "." + suffix, shape, value);
    }

    /** Marks {@code node} as an extra output of the graph, e.g. the batch statistics of batch normalization. */
    public void exportOutput(Node node) {
        builder.output(node);
    }

    /** Lowers {@code layer}; an error from its ops or hyper-parameters is prefixed with the layer's name and kind. */
    public Node lower(Layer layer, Node input) {
        try {
            return layer.lower(this, input);
        } catch (ShapeException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new ShapeException(layer.name() + " (" + layer.kind() + "): " + e.getMessage(), e);
        }
    }

    /** A parameter named {@code layer.role}, e.g. {@code conv1.weight}. */
    public Node parameter(Layer layer, String role, Shape shape, ParamInit init) {
        return builder.parameter(layer.name() + "." + role, shape, init);
    }

    /** A node lowered earlier, by id (the inputs of a layer's input node). */
    Node node(int id) {
        return builder.node(id);
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

package dev.convj.graph.ops;

import dev.convj.graph.DType;
import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.List;

/**
 * An operation of the graph IR: a record holding only static attributes, with its shape rule and its gradient
 * rule side by side. Kernels and emitters reach ops through {@link OpVisitor}.
 */
public sealed interface Op
        permits Input, Parameter, Fill,
                Conv, ConvTranspose, ConvWeightGrad,
                MaxPool, MaxPoolBackward, MaxPoolSelect, AvgPool, AvgPoolBackward,
                Dense, MatMul,
                Reshape, BroadcastTo, SumTo, Sum, Mean,
                Add, Sub, Mul, Scale, Relu, ReluBackward, Step, Sigmoid, Tanh,
                Softmax, LogSoftmax, OneHot, SoftmaxCrossEntropy, Mse,
                Flip, ChannelMask, TiledConv, TiledConvTranspose, TiledConvWeightGrad,
                Slice, Concat, Pow, LeakyRelu, Elu, Dropout {

    /** The op's name in dumps and messages, e.g. {@code conv2d}. */
    String kind();

    /**
     * The shape of the result for these inputs. Throws {@link IllegalArgumentException} with a message that
     * names the shapes and the rule; the graph builder prefixes it with the node's name and kind.
     */
    Shape inferShape(List<Node> inputs);

    /** The element type of the result; float ops keep the type of their first input. */
    default DType inferType(List<Node> inputs) {
        return inputs.isEmpty() ? DType.F32 : inputs.get(0).dtype();
    }

    /**
     * The gradient rule: for each input, a node holding dL/d(input) given dL/d(output) in
     * {@code g.gradOutput()}, built from other ops so that it can be differentiated again; {@code null} where the
     * input takes no gradient (labels, step functions).
     */
    List<Node> gradients(GradientContext g);

    /** Static attributes as printed after the operands in the text dump; empty when there are none. */
    default String attributes() {
        return "";
    }

    <R> R accept(OpVisitor<R> visitor);
}

package dev.convj.graph.ops;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * What a gradient rule sees: the forward node, its inputs, dL/d(output), and a way to add new nodes. It lives
 * beside the ops, whose records call it; the autodiff pass implements it.
 */
public interface GradientContext {

    /** The forward node whose gradient rule runs. */
    Node node();

    /** The forward node's {@code i}-th input. */
    Node input(int i);

    /** The number of inputs of the forward node. */
    int inputCount();

    /** dL/d(node), with the node's shape. */
    Node gradOutput();

    /** Adds a gradient node applying {@code op} to {@code inputs}; shapes are checked as for any node. */
    Node apply(Op op, Node... inputs);

    default Node add(Node a, Node b) {
        return apply(new Add(), a, b);
    }

    default Node sub(Node a, Node b) {
        return apply(new Sub(), a, b);
    }

    default Node mul(Node a, Node b) {
        return apply(new Mul(), a, b);
    }

    default Node scale(double factor, Node a) {
        return apply(new Scale(factor), a);
    }

    default Node reshape(Node a, Shape shape) {
        return a.shape().equals(shape) ? a : apply(new Reshape(shape), a);
    }

    default Node broadcastTo(Node a, Shape shape) {
        return a.shape().equals(shape) ? a : apply(new BroadcastTo(shape), a);
    }

    /** Sums {@code a} over {@code axes} and broadcasts the result back to {@code a}'s shape (keepdims). */
    default Node sumKeep(Node a, List<Integer> axes) {
        Node s = apply(new Sum(axes), a);
        List<Integer> kept = new ArrayList<>(a.shape().dims());
        for (int ax : axes) {
            kept.set(ax, 1);
        }
        return broadcastTo(reshape(s, new Shape(kept)), a.shape());
    }

    /** Sums {@code a} over every axis but the channel axis 1: the gradient of a per-channel bias. */
    default Node sumToChannels(Node a) {
        List<Integer> axes = new ArrayList<>();
        for (int i = 0; i < a.shape().rank(); i++) {
            if (i != 1) {
                axes.add(i);
            }
        }
        return apply(new Sum(axes), a);
    }
}

package dev.convj.runtime.interp;

import dev.convj.graph.Graph;
import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import dev.convj.graph.ops.Elu;
import dev.convj.graph.ops.LeakyRelu;
import dev.convj.graph.ops.MaxPool;
import dev.convj.graph.ops.MaxPoolBackward;
import dev.convj.graph.ops.MaxPoolSelect;
import dev.convj.graph.ops.Op;
import dev.convj.graph.ops.PoolGeometry;
import dev.convj.graph.ops.Relu;
import dev.convj.graph.ops.ReluBackward;
import dev.convj.graph.ops.Step;
import dev.convj.runtime.Tensor;
import java.util.Arrays;

/**
 * Which piece of a piecewise-defined op each output takes: the sign of a ReLU's input, the argmax of a max-pool
 * window. Two inputs with equal branches lie on one smooth piece of the op; a change between them means a kink (or
 * a jump) lies between, where finite differences do not measure the derivative.
 */
public final class Branches {
    private Branches() {}

    /** Whether {@code op} has switching points that {@link #of} reports. */
    public static boolean piecewise(Op op) {
        return switchingInput(op) >= 0;
    }

    /** The index of the input whose value decides the branch, or −1 for a smooth op. */
    public static int switchingInput(Op op) {
        // A handful of ops, so instanceof rather than a visitor with forty empty cases.
        if (op instanceof Relu || op instanceof LeakyRelu || op instanceof Elu || op instanceof Step
                || op instanceof MaxPool || op instanceof MaxPoolSelect || op instanceof MaxPoolBackward) {
            return 0;
        }
        return op instanceof ReluBackward ? 1 : -1;
    }

    /**
     * The branch of every output of {@code node} when its switching input holds {@code input}; equal arrays mean the
     * same smooth piece.
     */
    public static int[] of(Graph graph, Node node, Tensor input) {
        Op op = node.op();
        PoolGeometry pool = op instanceof MaxPool m ? m.geometry()
                : op instanceof MaxPoolSelect s ? s.geometry()
                : op instanceof MaxPoolBackward b ? b.geometry() : null;
        if (pool != null) {
            // max_pool and select give pooled outputs; max_pool_backward's pooled operand is its dy.
            Shape pooled = op instanceof MaxPoolBackward ? graph.node(node.inputs().get(1)).shape() : node.shape();
            return PoolKernel.argmaxes(input, pool, pooled);
        }
        int[] sign = new int[input.size()];
        for (int i = 0; i < sign.length; i++) {
            double v = input.get(i);
            sign[i] = v > 0 ? 1 : v < 0 ? -1 : v == 0 ? 0 : 2; // NaN is a branch of its own
        }
        return sign;
    }

    /** Whether two branch arrays differ. */
    public static boolean differ(int[] a, int[] b) {
        return !Arrays.equals(a, b);
    }
}

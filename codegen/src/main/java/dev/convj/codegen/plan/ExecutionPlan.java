package dev.convj.codegen.plan;

import dev.convj.graph.Graph;
import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import dev.convj.graph.ops.Add;
import dev.convj.graph.ops.BroadcastTo;
import dev.convj.graph.ops.Conv;
import dev.convj.graph.ops.Dense;
import dev.convj.graph.ops.Elu;
import dev.convj.graph.ops.LeakyRelu;
import dev.convj.graph.ops.Pow;
import dev.convj.graph.ops.Fill;
import dev.convj.graph.ops.Input;
import dev.convj.graph.ops.MaxPool;
import dev.convj.graph.ops.Sum;
import dev.convj.graph.ops.ConvWeightGrad;
import dev.convj.graph.ops.MaxPoolBackward;
import dev.convj.graph.ops.PoolGeometry;
import dev.convj.graph.ops.Mul;
import dev.convj.graph.ops.Op;
import dev.convj.graph.ops.Parameter;
import dev.convj.graph.ops.Relu;
import dev.convj.graph.ops.ReluBackward;
import dev.convj.graph.ops.Reshape;
import dev.convj.graph.ops.Scale;
import dev.convj.graph.ops.Sigmoid;
import dev.convj.graph.ops.Step;
import dev.convj.graph.ops.Sub;
import dev.convj.graph.ops.Tanh;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * How each node of a graph is realized by generated code: which nodes are fed, which are inlined into an
 * elementwise expression of their single consumer, which share a buffer with another node (reshapes, ReLUs
 * fused into the convolution or dense layer that produces their input), and which are computed into a buffer
 * of their own. The memory plan then assigns buffers to the computed nodes.
 */
public final class ExecutionPlan {

    /** How a node is realized. */
    public enum Role {
        /** An input or parameter: a dedicated buffer, set from outside. */
        FED,
        /** A constant: a dedicated buffer filled once. */
        CONSTANT,
        /** Part of the elementwise expression of its only consumer; no buffer. */
        INLINED,
        /** A reshape: the same buffer as its operand. */
        ALIAS,
        /**
         * Computed by its operand's producer as an epilogue (a ReLU after a convolution or dense layer, a 2×2 max
         * pool after a convolution, an elementwise consumer of a max-pool gradient, a ReLU's backward after an input
         * gradient); the producer writes into this node's buffer. Or computed by the loop of another reader of its
         * operand, into a buffer of its own (a bias gradient by its convolution's weight gradient:
         * {@link #biasSumOf}).
         */
        EPILOGUE,
        /** Computed by its own code block into its own buffer. */
        COMPUTED
    }

    private final Graph graph;
    private final Role[] roles;
    private final int[] consumers;
    /** For a node whose consumer is fused as an epilogue, that consumer; else −1. */
    private final int[] epilogue;
    /**
     * For a convolution whose result is max-pooled in its epilogue, and for its fused ReLU (neither value is ever
     * stored), that pool; else −1.
     */
    private final int[] pooledInto;
    /**
     * For a convolution's weight gradient that also sums its dy per channel in the same loop, that sum (the bias
     * gradient, in a buffer of its own); else −1.
     */
    private final int[] biasSummedBy;
    private final boolean[] isOutput;

    private ExecutionPlan(Graph graph, Predicate<Node> poolsInEpilogue, Predicate<Node> sumsBias,
                          Predicate<Node> masksInEpilogue) {
        this.graph = graph;
        int n = graph.size();
        roles = new Role[n];
        consumers = new int[n];
        epilogue = new int[n];
        isOutput = new boolean[n];
        pooledInto = new int[n];
        biasSummedBy = new int[n];
        java.util.Arrays.fill(epilogue, -1);
        java.util.Arrays.fill(pooledInto, -1);
        java.util.Arrays.fill(biasSummedBy, -1);
        for (Node node : graph.nodes()) {
            for (int in : node.inputs()) {
                consumers[in]++;
            }
        }
        graph.outputs().forEach(o -> isOutput[o.id()] = true);
        for (Node node : graph.nodes()) {
            roles[node.id()] = classify(node);
        }
        // A ReLU whose operand is a convolution or dense layer read by nothing else becomes that layer's epilogue.
        for (Node node : graph.nodes()) {
            if (node.op() instanceof Relu && roles[node.id()] == Role.COMPUTED) {
                Node producer = graph.node(node.inputs().get(0));
                boolean fusable = (producer.op() instanceof Conv || producer.op() instanceof Dense)
                        && consumers[producer.id()] == 1 && !isOutput[producer.id()];
                if (fusable) {
                    roles[node.id()] = Role.EPILOGUE;
                    epilogue[producer.id()] = node.id();
                }
            }
        }
        // A 2×2, stride-2 max pool that alone reads a convolution's result (after its fused ReLU, if any) is computed
        // by the convolution's epilogue while the result is in cache, when that convolution's code can (the
        // predicate): the unpooled result is never stored.
        for (Node node : graph.nodes()) {
            Node operand = node.inputs().isEmpty() ? null : graph.node(node.inputs().get(0));
            if (node.op() instanceof MaxPool max && roles[node.id()] == Role.COMPUTED
                    && isWindow2x2(max.geometry(), operand.shape(), node.shape())) {
                Node producer = roles[operand.id()] == Role.EPILOGUE ? graph.node(operand.inputs().get(0)) : operand;
                boolean fusable = producer.op() instanceof Conv && roles[producer.id()] == Role.COMPUTED
                        && consumers[operand.id()] == 1 && !isOutput[operand.id()]
                        && consumers[producer.id()] == 1 && !isOutput[producer.id()]
                        && poolsInEpilogue.test(producer);
                if (fusable) {
                    roles[node.id()] = Role.EPILOGUE;
                    pooledInto[producer.id()] = node.id();
                    pooledInto[operand.id()] = node.id();
                }
            }
        }
        // A bias gradient, dy summed over all axes but the channels, is computed by the loop of the weight gradient
        // that reads the same dy, when that loop's code can (the predicate) and nothing reads the sum before it.
        for (Node node : graph.nodes()) {
            if (node.op() instanceof Sum sum && roles[node.id()] == Role.COMPUTED && !node.inputs().isEmpty()) {
                int dy = node.inputs().get(0);
                int rank = graph.node(dy).shape().rank();
                List<Integer> allButChannels = new ArrayList<>(List.of(0));
                for (int a = 2; a < rank; a++) {
                    allButChannels.add(a);
                }
                if (rank < 3 || !sum.axes().equals(allButChannels)) {
                    continue;
                }
                for (Node wg : graph.nodes()) {
                    if (wg.op() instanceof ConvWeightGrad && roles[wg.id()] == Role.COMPUTED
                            && wg.inputs().get(1) == dy && biasSummedBy[wg.id()] < 0 && readAfter(node, wg)
                            && sumsBias.test(wg)) {
                        roles[node.id()] = Role.EPILOGUE;
                        biasSummedBy[wg.id()] = node.id();
                        break;
                    }
                }
            }
        }
        // A ReLU's backward whose upstream gradient is an input gradient read by nothing else is computed as that
        // gradient is stored, when its code can (the predicate): the unmasked gradient is never written and read back.
        for (Node node : graph.nodes()) {
            if (node.op() instanceof ReluBackward && roles[node.id()] == Role.COMPUTED) {
                Node gradient = graph.node(node.inputs().get(0)), y = graph.node(node.inputs().get(1));
                boolean fusable = gradient.id() != y.id() && roles[gradient.id()] == Role.COMPUTED
                        && epilogue[gradient.id()] < 0 && consumers[gradient.id()] == 1 && !isOutput[gradient.id()]
                        && roles[y.id()] != Role.INLINED && y.shape().equals(gradient.shape())
                        && masksInEpilogue.test(gradient) && readsComputedBefore(node, gradient);
                if (fusable) {
                    roles[node.id()] = Role.EPILOGUE;
                    epilogue[gradient.id()] = node.id();
                }
            }
        }
        // An elementwise consumer of a max-pool gradient whose windows tile the input (e.g. the ReLU backward
        // after it) is computed in the same loop: each input position is written once, so the consumer's
        // expression can be applied there, while the window is in registers.
        for (Node node : graph.nodes()) {
            if (node.op() instanceof MaxPoolBackward pool && roles[node.id()] == Role.COMPUTED
                    && consumers[node.id()] == 1 && !isOutput[node.id()]
                    && tilesExactly(pool.geometry(), node.shape().tail(2), graph.node(node.inputs().get(1)).shape().tail(2))) {
                Node consumer = graph.nodes().stream().filter(c -> c.inputs().contains(node.id())).findFirst()
                        .orElseThrow();
                if (roles[consumer.id()] == Role.COMPUTED && isElementwise(consumer)
                        && consumer.shape().equals(node.shape()) && readsComputedBefore(consumer, node)) {
                    roles[consumer.id()] = Role.EPILOGUE;
                    epilogue[node.id()] = consumer.id();
                }
            }
        }
    }

    /**
     * Whether pooling windows are unpadded and tile the input exactly (stride = window, no position left over), with few enough
     * taps to unroll: then the generated loop visits each input position once, in its own window.
     */
    public static boolean tilesExactly(PoolGeometry g, List<Integer> in, List<Integer> out) {
        int taps = 1;
        for (int a = 0; a < g.spatialRank(); a++) {
            int k = g.kernel().get(a);
            if (g.padding().get(a) != 0 || g.stride().get(a) != k || out.get(a) * k != in.get(a)) {
                return false;
            }
            taps *= k;
        }
        return taps <= 16;
    }

    /** Whether a pool takes the 2×2 windows at stride 2 of a 2-D [N, C, h, w] input, unpadded, h/2 × w/2 of them. */
    private static boolean isWindow2x2(PoolGeometry g, Shape in, Shape out) {
        return in.rank() == 4 && g.kernel().equals(List.of(2, 2)) && g.stride().equals(List.of(2, 2))
                && g.padding().equals(List.of(0, 0)) && out.dim(2) == in.dim(2) / 2 && out.dim(3) == in.dim(3) / 2;
    }

    /** Whether every buffer {@code consumer} reads, other than {@code producer}'s, is ready before producer runs. */
    private boolean readsComputedBefore(Node consumer, Node producer) {
        for (int in : consumer.inputs()) {
            Node input = graph.node(in);
            if (input.id() == producer.id()) {
                continue;
            }
            if (roles[in] == Role.INLINED) {
                if (!readsComputedBefore(input, producer)) {
                    return false;
                }
            } else if (roles[in] != Role.FED && roles[in] != Role.CONSTANT && storage(input).id() >= producer.id()) {
                return false;
            }
        }
        return true;
    }

    /** Whether every node that reads {@code value} comes after {@code writer} (which then computes it). */
    private boolean readAfter(Node value, Node writer) {
        for (Node reader : graph.nodes()) {
            if (reader.inputs().contains(value.id()) && reader.id() <= writer.id()) {
                return false;
            }
        }
        return true;
    }

    /** The plan with no pool fused into a convolution. */
    public static ExecutionPlan of(Graph graph) {
        return new ExecutionPlan(graph, conv -> false, wg -> false, gradient -> false);
    }

    /**
     * The plan, with a 2×2 max pool fused into each convolution (the only reader of its result) for which
     * {@code poolsInEpilogue} says its code can compute the pool.
     */
    public static ExecutionPlan of(Graph graph, Predicate<Node> poolsInEpilogue) {
        return new ExecutionPlan(graph, poolsInEpilogue, wg -> false, gradient -> false);
    }

    /**
     * As above, and with each bias gradient (dy summed over all axes but the channels) computed by the loop of the
     * weight gradient that reads the same dy, for the weight gradients whose code {@code sumsBias} says can.
     */
    public static ExecutionPlan of(Graph graph, Predicate<Node> poolsInEpilogue, Predicate<Node> sumsBias) {
        return new ExecutionPlan(graph, poolsInEpilogue, sumsBias, gradient -> false);
    }

    /**
     * As above, and with each ReLU backward, relu_backward(g, y), computed as g is stored when g is read by nothing
     * else and {@code masksInEpilogue} says g's code can apply the mask.
     */
    public static ExecutionPlan of(Graph graph, Predicate<Node> poolsInEpilogue, Predicate<Node> sumsBias,
                                   Predicate<Node> masksInEpilogue) {
        return new ExecutionPlan(graph, poolsInEpilogue, sumsBias, masksInEpilogue);
    }

    private Role classify(Node node) {
        Op op = node.op();
        if (op instanceof Input || op instanceof Parameter) {
            return Role.FED;
        }
        if (inlinable(node)) {
            return Role.INLINED;
        }
        if (op instanceof Fill) {
            return Role.CONSTANT;
        }
        if (op instanceof Reshape) {
            return Role.ALIAS;
        }
        return Role.COMPUTED;
    }

    /** Whether an elementwise expression can read this node's value at the consumer's own flat index. */
    private boolean inlinable(Node node) {
        if (isOutput[node.id()] || consumers[node.id()] != 1) {
            return false;
        }
        Node consumer = graph.nodes().stream().filter(c -> c.inputs().contains(node.id())).findFirst().orElseThrow();
        if (!isElementwise(consumer) || consumer.shape().size() != node.shape().size()) {
            return false;
        }
        Op op = node.op();
        return isElementwise(node) || op instanceof Fill || op instanceof Reshape
                || op instanceof BroadcastTo && graph.inputsOf(node).get(0).shape().size() == 1;
    }

    /** Ops whose result at flat index i depends only on their operands at flat index i. */
    public static boolean isElementwise(Node node) {
        Op op = node.op();
        return op instanceof Add || op instanceof Sub || op instanceof Mul || op instanceof Scale
                || op instanceof Relu || op instanceof ReluBackward || op instanceof Step || op instanceof Sigmoid
                || op instanceof Tanh || op instanceof Pow || op instanceof LeakyRelu || op instanceof Elu;
    }

    public Graph graph() {
        return graph;
    }

    public Role role(Node node) {
        return roles[node.id()];
    }

    public boolean isOutput(Node node) {
        return isOutput[node.id()];
    }

    /** The node fused as an epilogue of {@code producer} (its only consumer), or −1. */
    public int epilogueOf(Node producer) {
        return epilogue[producer.id()];
    }

    /** The 2×2 max pool computed in convolution {@code producer}'s epilogue, or −1. */
    public int poolOf(Node producer) {
        return producer.op() instanceof Conv ? pooledInto[producer.id()] : -1;
    }

    /** The bias gradient that weight gradient {@code wg} computes beside its own value, in its own buffer; or −1. */
    public int biasSumOf(Node wg) {
        return biasSummedBy[wg.id()];
    }

    /**
     * The node whose buffer holds {@code node}'s value (itself, or what it aliases); for a convolution whose pool is
     * fused, and its fused ReLU, the pool's (their own values are never stored).
     */
    public Node storage(Node node) {
        Node n = node;
        while (roles[n.id()] == Role.ALIAS) {
            n = graph.node(n.inputs().get(0));
        }
        if (pooledInto[n.id()] >= 0) {
            return graph.node(pooledInto[n.id()]);
        }
        if (epilogue[n.id()] >= 0) {
            return graph.node(epilogue[n.id()]);
        }
        return n;
    }

    /** The nodes that run code, in order: computed nodes, with epilogue ReLUs folded into their producers. */
    public List<Node> schedule() {
        List<Node> s = new ArrayList<>();
        for (Node n : graph.nodes()) {
            if (roles[n.id()] == Role.COMPUTED) {
                s.add(n);
            }
        }
        return s;
    }
}

package dev.convj.dsl;

import dev.convj.graph.DType;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.ModelGraph;
import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import dev.convj.graph.ShapeException;
import dev.convj.graph.ops.Mse;
import dev.convj.graph.ops.SoftmaxCrossEntropy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A network declared layer by layer, e.g. LeNet-5:
 * <pre>{@code
 * Network.input(1, 28, 28)
 *     .conv2d(6, 5, pad(2)).relu().maxPool(2)
 *     .conv2d(16, 5).relu().maxPool(2).flatten()
 *     .dense(120).relu().dense(84).relu().dense(10)
 *     .softmaxCrossEntropy();
 * }</pre>
 * Every call returns a new, immutable network and checks shapes at once, so that an error names the layer
 * where it arises. {@link #graph(int)} lowers the network for a batch size.
 */
public final class Network {

    private enum Loss { NONE, SOFTMAX_CROSS_ENTROPY, MSE }

    private final List<Integer> inputShape;
    private final List<Layer> layers;
    private final Loss loss;

    private Network(List<Integer> inputShape, List<Layer> layers, Loss loss) {
        this.inputShape = List.copyOf(inputShape);
        this.layers = List.copyOf(layers);
        this.loss = loss;
        checkNames(this.layers);
        graph(1); // shape errors surface here, naming the layer
    }

    private static final List<String> RESERVED = List.of("x", "labels", "target", "loss");

    private static void checkNames(List<Layer> layers) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Layer l : layers) {
            if (!seen.add(l.name())) {
                throw new ShapeException(l.name() + " (" + l.kind() + "): another layer is already named " + l.name()
                        + "; give this layer another name with named(...)");
            }
            if (RESERVED.contains(l.name())) {
                throw new ShapeException(l.name() + " (" + l.kind() + "): the names " + RESERVED
                        + " are kept for the network's inputs and loss; give this layer another name");
            }
        }
    }

    /** A network whose input is one image of {@code channels} × spatial extents, e.g. {@code input(1, 28, 28)}. */
    public static Network input(int channels, int... spatial) {
        List<Integer> dims = new ArrayList<>();
        dims.add(channels);
        Arrays.stream(spatial).forEach(dims::add);
        for (int d : dims) {
            if (d < 1) {
                throw new ShapeException("input: every extent must be ≥ 1, got " + dims);
            }
        }
        return new Network(dims, List.of(), Loss.NONE);
    }

    /** The input shape without the batch axis. */
    public List<Integer> inputShape() {
        return inputShape;
    }

    public List<Layer> layers() {
        return layers;
    }

    private Network append(Layer layer) {
        if (loss != Loss.NONE) {
            throw new ShapeException(layer.name() + " (" + layer.kind() + "): the network already ends in its loss;"
                    + " add layers before softmaxCrossEntropy() or mse()");
        }
        List<Layer> next = new ArrayList<>(layers);
        next.add(layer);
        return new Network(inputShape, next, loss);
    }

    /** The default name of the next layer with this prefix: conv1, conv2, pool1, fc1, … */
    private String nextName(String prefix) {
        long used = layers.stream().filter(l -> l.namePrefix().equals(prefix)).count();
        return prefix + (used + 1);
    }

    /** Renames the last layer (and its parameters, {@code name.weight}, {@code name.bias}). */
    public Network named(String name) {
        if (layers.isEmpty()) {
            throw new IllegalStateException("named(\"" + name + "\") needs a layer before it");
        }
        if (name == null || name.isBlank() || name.contains(" ")) {
            throw new IllegalArgumentException("a layer name must be non-empty and without spaces, got '" + name + "'");
        }
        List<Layer> next = new ArrayList<>(layers);
        next.set(next.size() - 1, next.get(next.size() - 1).withName(name));
        return new Network(inputShape, next, loss);
    }

    // Convolutions: kernel is one size for every axis; the options set padding, stride, dilation, groups, bias.

    public Network conv1d(int filters, int kernel, LayerOption... options) {
        return append(ConvLayer.of(nextName("conv"), 1, filters, List.of(kernel), options));
    }

    public Network conv2d(int filters, int kernel, LayerOption... options) {
        return append(ConvLayer.of(nextName("conv"), 2, filters, List.of(kernel), options));
    }

    /** A 2-D convolution with a kernelH × kernelW kernel. */
    public Network conv2d(int filters, int kernelH, int kernelW, LayerOption... options) {
        return append(ConvLayer.of(nextName("conv"), 2, filters, List.of(kernelH, kernelW), options));
    }

    public Network conv3d(int filters, int kernel, LayerOption... options) {
        return append(ConvLayer.of(nextName("conv"), 3, filters, List.of(kernel), options));
    }

    /** 2-D max pooling over window × window; the stride defaults to the window. */
    public Network maxPool(int window, LayerOption... options) {
        return append(PoolLayer.of(nextName("pool"), true, 2, List.of(window), options));
    }

    /** 2-D average pooling over window × window; the stride defaults to the window. */
    public Network avgPool(int window, LayerOption... options) {
        return append(PoolLayer.of(nextName("pool"), false, 2, List.of(window), options));
    }

    public Network maxPool1d(int window, LayerOption... options) {
        return append(PoolLayer.of(nextName("pool"), true, 1, List.of(window), options));
    }

    public Network avgPool1d(int window, LayerOption... options) {
        return append(PoolLayer.of(nextName("pool"), false, 1, List.of(window), options));
    }

    public Network maxPool3d(int window, LayerOption... options) {
        return append(PoolLayer.of(nextName("pool"), true, 3, List.of(window), options));
    }

    public Network avgPool3d(int window, LayerOption... options) {
        return append(PoolLayer.of(nextName("pool"), false, 3, List.of(window), options));
    }

    /** A fully connected layer with {@code units} outputs; {@code noBias()} leaves out the bias. */
    public Network dense(int units, LayerOption... options) {
        boolean bias = true;
        String name = nextName("fc");
        for (LayerOption o : options) {
            if (!(o instanceof LayerOption.NoBias)) {
                throw new ShapeException(name + " (dense): option " + o + " does not apply to a dense layer");
            }
            bias = false;
        }
        return append(new DenseLayer(name, units, bias));
    }

    public Network flatten() {
        return append(new FlattenLayer(nextName("flatten")));
    }

    public Network relu() {
        return activation(ActivationLayer.Function.RELU);
    }

    public Network sigmoid() {
        return activation(ActivationLayer.Function.SIGMOID);
    }

    public Network tanh() {
        return activation(ActivationLayer.Function.TANH);
    }

    /** Softmax over the class axis 1. */
    public Network softmax() {
        return activation(ActivationLayer.Function.SOFTMAX);
    }

    /** Log-softmax over the class axis 1. */
    public Network logSoftmax() {
        return activation(ActivationLayer.Function.LOG_SOFTMAX);
    }

    private Network activation(ActivationLayer.Function f) {
        return append(new ActivationLayer(nextName(f.name().toLowerCase()), f));
    }

    /** Ends the network in the mean cross-entropy of softmax(output) against integer labels (input "labels"). */
    public Network softmaxCrossEntropy() {
        return withLoss(Loss.SOFTMAX_CROSS_ENTROPY);
    }

    /** Ends the network in the mean squared error against a target of the output's shape (input "target"). */
    public Network mse() {
        return withLoss(Loss.MSE);
    }

    private Network withLoss(Loss l) {
        if (loss != Loss.NONE) {
            throw new ShapeException("loss: the network already ends in a loss");
        }
        return new Network(inputShape, layers, l);
    }

    /** Lowers the network to a graph for {@code batch} images per step. */
    public ModelGraph graph(int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("the batch size must be ≥ 1, got " + batch);
        }
        GraphBuilder builder = new GraphBuilder();
        Lowering lowering = new Lowering(builder);
        Node x = builder.input("x", Shape.concat(List.of(batch), inputShape), DType.F32);
        Node current = x;
        for (Layer layer : layers) {
            try {
                current = layer.lower(lowering, current);
            } catch (ShapeException e) {
                throw e;
            } catch (IllegalArgumentException e) {
                throw new ShapeException(layer.name() + " (" + layer.kind() + "): " + e.getMessage(), e);
            }
        }
        builder.output(current);
        Optional<String> target = Optional.empty(), lossName = Optional.empty();
        if (loss == Loss.SOFTMAX_CROSS_ENTROPY) {
            if (current.shape().rank() != 2) {
                throw new ShapeException("loss (softmax_cross_entropy): expects logits [N, classes], got "
                        + current.name() + " " + current.typeString() + "; flatten and add a dense layer first");
            }
            Node labels = builder.input("labels", Shape.of(batch), DType.I32);
            Node l = builder.apply("loss", new SoftmaxCrossEntropy(), current, labels);
            builder.output(l);
            target = Optional.of(labels.name());
            lossName = Optional.of(l.name());
        } else if (loss == Loss.MSE) {
            Node t = builder.input("target", current.shape(), DType.F32);
            Node l = builder.apply("loss", new Mse(), current, t);
            builder.output(l);
            target = Optional.of(t.name());
            lossName = Optional.of(l.name());
        }
        return new ModelGraph(builder.build(), batch, x.name(), current.name(), target, lossName);
    }

    /** The per-layer table of output shapes, parameters, multiply-adds and receptive fields. */
    public Summary summary() {
        return Summary.of(graph(1), layers);
    }

    // Used by NetworkSpec to write and read networks as text (model files).

    /** The loss as NetworkSpec writes it: none, softmax_cross_entropy or mse. */
    String lossKind() {
        return loss.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Rebuilds a network from its parts, checking it as every other network is checked. */
    static Network restore(List<Integer> inputShape, List<Layer> layers, String lossKind) {
        Loss l;
        try {
            l = Loss.valueOf(lossKind.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown loss '" + lossKind + "'; expected none, softmax_cross_entropy or mse");
        }
        Network n = input(inputShape.get(0), inputShape.subList(1, inputShape.size()).stream().mapToInt(i -> i).toArray());
        return new Network(n.inputShape, layers, l);
    }
}

package dev.convj.dsl;

import dev.convj.graph.Roles;
import dev.convj.graph.DType;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.ModelGraph;
import dev.convj.graph.Node;
import dev.convj.graph.RunningStatistic;
import dev.convj.graph.Shape;
import dev.convj.graph.ShapeException;
import dev.convj.graph.ops.Elu;
import dev.convj.graph.ops.LeakyRelu;
import dev.convj.graph.ops.Mse;
import dev.convj.graph.ops.Slice;
import dev.convj.graph.ops.SoftmaxCrossEntropy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

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
    private final double weightDecay;

    private Network(List<Integer> inputShape, List<Layer> layers, Loss loss) {
        this(inputShape, layers, loss, 0);
    }

    private Network(List<Integer> inputShape, List<Layer> layers, Loss loss, double weightDecay) {
        this.inputShape = List.copyOf(inputShape);
        this.layers = List.copyOf(layers);
        this.loss = loss;
        this.weightDecay = weightDecay;
        checkNames(this.layers);
        graph(1); // shape errors surface here, naming the layer
    }

    private static final List<String> RESERVED = Roles.ALL;

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
        return new Network(inputShape, next, loss, weightDecay);
    }

    /** The default name of the next layer with this prefix: conv1, conv2, pool1, fc1, … */
    private String nextName(String prefix) {
        long used = layers.stream().filter(l -> l.namePrefix().equals(prefix)).count();
        return prefix + (used + 1);
    }

    /**
     * Appends a layer built elsewhere, e.g. by a model importer; it is checked like every other layer. Its name must
     * not be taken yet.
     */
    public Network then(Layer layer) {
        return append(layer);
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
        return new Network(inputShape, next, loss, weightDecay);
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

    /**
     * Standardizes the input: y = (x − mean) / std, every channel alike — typically first, with the training set's
     * pixel mean and standard deviation (Fashion-MNIST: 0.2860 and 0.3530 for pixels scaled to [0, 1]).
     */
    public Network normalize(double mean, double std) {
        String name = nextName("normalize");
        return append(declare(name, "normalize", () -> new NormalizeLayer(name, mean, std)));
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

    // Layers beyond LeNet's: transposed, locally connected and tiled convolutions, pooling variants.

    /** A 2-D convolution with one filter per input channel (groups = channels), PyTorch's depthwise convolution. */
    public Network depthwiseConv2d(int kernel, LayerOption... options) {
        int channels = outputShape().get(0);
        LayerOption[] all = Arrays.copyOf(options, options.length + 1);
        all[options.length] = LayerOption.groups(channels);
        return append(ConvLayer.of(nextName("conv"), 2, channels, List.of(kernel), all));
    }

    /** A 1-D transposed convolution; options: pad, stride, outputPadding, dilation, groups, noBias. */
    public Network convTranspose1d(int filters, int kernel, LayerOption... options) {
        return append(declare("conv_transpose1d", () -> ConvTransposeLayer.of(nextName("deconv"), 1, filters,
                List.of(kernel), options)));
    }

    /** A 2-D transposed convolution ("deconvolution"), weight [C_in, filters/groups, k, k] as PyTorch's. */
    public Network convTranspose2d(int filters, int kernel, LayerOption... options) {
        return append(declare("conv_transpose2d", () -> ConvTransposeLayer.of(nextName("deconv"), 2, filters,
                List.of(kernel), options)));
    }

    public Network convTranspose3d(int filters, int kernel, LayerOption... options) {
        return append(declare("conv_transpose3d", () -> ConvTransposeLayer.of(nextName("deconv"), 3, filters,
                List.of(kernel), options)));
    }

    /** A 1-D locally connected layer: like conv1d but with a separate kernel (and bias) per output position. */
    public Network locallyConnected1d(int filters, int kernel, LayerOption... options) {
        return append(TiledConvLayer.of(nextName("local"), 1, filters, List.of(kernel), List.of(), options));
    }

    /** A 2-D locally connected layer: a separate kernel (and bias) per output position, weights unshared. */
    public Network locallyConnected2d(int filters, int kernel, LayerOption... options) {
        return append(TiledConvLayer.of(nextName("local"), 2, filters, List.of(kernel), List.of(), options));
    }

    /**
     * A tiled convolution: {@code tileSize} × {@code tileSize} kernel sets cycled over the output positions (position
     * (i, j) uses set (i mod t, j mod t)); t = 1 is conv2d, t = the output size is locallyConnected2d.
     */
    public Network tiledConv2d(int filters, int kernel, int tileSize, LayerOption... options) {
        return append(TiledConvLayer.of(nextName("tiled"), 2, filters, List.of(kernel), List.of(tileSize), options));
    }

    /** Global average pooling, [N, C, spatial…] → [N, C]. */
    public Network globalAvgPool() {
        return append(new GlobalPoolLayer(nextName("gpool"), false));
    }

    /** Global max pooling, [N, C, spatial…] → [N, C]. */
    public Network globalMaxPool() {
        return append(new GlobalPoolLayer(nextName("gpool"), true));
    }

    /** Cross-channel pooling (maxout): the maximum over each group of k consecutive channels. */
    public Network maxout(int k) {
        return append(new MaxoutLayer(nextName("maxout"), k));
    }

    /** Channels [start, end) of the input, as {@code x[:, start:end]}. */
    public Network sliceChannels(int start, int end) {
        String name = nextName("slice");
        return append(declare(name, "slice", () -> new UnaryOpLayer(name, "slice", new Slice(1, start, end))));
    }

    /**
     * Branches that each continue from the current output, concatenated along the channels, e.g. pooling some
     * channels and not others:
     * {@code parallel(b -> b.sliceChannels(0, 4).maxPool(3, stride(1), pad(1)), b -> b.sliceChannels(4, 8))}.
     */
    @SafeVarargs
    public final Network parallel(java.util.function.UnaryOperator<Network>... branches) {
        List<Integer> shape = outputShape();
        Network start = new Network(shape, List.of(), Loss.NONE);
        List<List<Layer>> layersOfBranches = new ArrayList<>();
        for (java.util.function.UnaryOperator<Network> branch : branches) {
            layersOfBranches.add(branch.apply(start).layers());
        }
        String name = nextName("concat");
        return append(declare(name, "concat", () -> ParallelLayer.of(name, layersOfBranches)));
    }

    /**
     * A residual block with an identity shortcut: {@code x + body(x)}, e.g.
     * {@code residual(b -> b.conv2d(64, 3, same()).batchNorm().relu().conv2d(64, 3, same()).batchNorm()).relu()}.
     * The body must keep the input's shape; otherwise use {@link #residual(UnaryOperator, UnaryOperator)}.
     */
    public Network residual(UnaryOperator<Network> body) {
        return residual(body, UnaryOperator.identity());
    }

    /**
     * A residual block {@code body(x) + shortcut(x)}, the shortcut typically a projection where the body changes
     * the shape: {@code residual(b -> b.conv2d(128, 3, stride(2), pad(1))..., s -> s.conv2d(128, 1, stride(2)).batchNorm())}.
     */
    public Network residual(UnaryOperator<Network> body, UnaryOperator<Network> shortcut) {
        Network start = new Network(outputShape(), List.of(), Loss.NONE);
        List<Layer> bodyLayers = body.apply(start).layers();
        List<Layer> shortcutLayers = shortcut.apply(start).layers();
        String name = nextName("res");
        return append(declare(name, "residual", () -> ResidualLayer.of(name, bodyLayers, shortcutLayers)));
    }

    /** Batch normalization with ε = 1e-5 and momentum 0.1, as PyTorch's defaults. */
    public Network batchNorm() {
        return batchNorm(1e-5, 0.1);
    }

    public Network batchNorm(double epsilon, double momentum) {
        String name = nextName("bn");
        return append(declare(name, "batch_norm", () -> new BatchNormLayer(name, epsilon, momentum)));
    }

    /** Inverted dropout with probability {@code rate} of zeroing each value; {@code seed(s)} fixes the masks. */
    public Network dropout(double rate, LayerOption... options) {
        String name = nextName("dropout");
        long seed = name.hashCode();
        for (LayerOption o : options) {
            if (!(o instanceof LayerOption.Seed s)) {
                throw new ShapeException(name + " (dropout): option " + o + " does not apply to dropout");
            }
            seed = s.seed();
        }
        long chosen = seed;
        return append(declare(name, "dropout", () -> new DropoutLayer(name, rate, chosen)));
    }

    /** x for x > 0, else slope·x (PyTorch's default slope is 0.01). */
    public Network leakyRelu(double slope) {
        String name = nextName("leaky_relu");
        return append(declare(name, "leaky_relu", () -> new UnaryOpLayer(name, "leaky_relu", new LeakyRelu(slope))));
    }

    /** x for x > 0, else α(e^x − 1) (PyTorch's default α is 1). */
    public Network elu(double alpha) {
        String name = nextName("elu");
        return append(declare(name, "elu", () -> new UnaryOpLayer(name, "elu", new Elu(alpha))));
    }

    /** Gives every axis but the batch new extents, e.g. {@code reshape(8, 16)} to go from 2-D to 1-D layers. */
    public Network reshape(int... dims) {
        return append(new ReshapeLayer(nextName("reshape"), Arrays.stream(dims).boxed().toList()));
    }

    /** Adds (λ/2)·Σ‖W‖² over the weights ({@code .weight} parameters of rank ≥ 2) to the loss; its gradient is λ·W. */
    public Network weightDecay(double lambda) {
        if (!(lambda >= 0) || Double.isInfinite(lambda)) {
            throw new ShapeException("loss: weight decay must be a finite λ ≥ 0, got " + lambda);
        }
        return new Network(inputShape, layers, loss, lambda);
    }

    /**
     * The same layers on inputs of another size, every shape derived again; a size too small fails naming the layer
     * where it runs out. Parameters whose shapes do not depend on the size (all but dense layers after flatten,
     * and unshared convolutions) keep their shapes, so one set of weights serves both.
     */
    public Network withInput(int channels, int... spatial) {
        return new Network(input(channels, spatial).inputShape, layers, loss, weightDecay);
    }

    /** {@link #withInput} keeping the channel count. */
    public Network withInputSize(int... spatial) {
        return withInput(inputShape.get(0), spatial);
    }

    /** How a trainer keeps the running statistics of each batch-normalization layer, for {@code batch} images. */
    public List<RunningStatistic> runningStatistics(int batch) {
        return graph(batch).runningStatistics();
    }

    /** The running statistics of the batch-normalization layers lowered into the training graph {@code g}. */
    private List<RunningStatistic> runningStatistics(dev.convj.graph.Graph g) {
        List<RunningStatistic> stats = new ArrayList<>();
        for (Layer l : allLayers(layers)) {
            if (l instanceof BatchNormLayer bn) {
                Node mean = g.node(bn.name() + ".batch_mean");
                Node x = g.inputsOf(mean).get(0);
                double m = (double) x.shape().size() / x.shape().dim(1);
                stats.add(new RunningStatistic(mean.name(), bn.name() + ".running_mean", bn.momentum(), 1));
                stats.add(new RunningStatistic(bn.name() + ".batch_var", bn.name() + ".running_var", bn.momentum(),
                        m > 1 ? m / (m - 1) : 1));
            }
        }
        return stats;
    }

    private static List<Layer> allLayers(List<Layer> layers) {
        List<Layer> all = new ArrayList<>();
        for (Layer l : layers) {
            all.add(l);
            if (l instanceof ParallelLayer p) {
                p.branches().forEach(b -> all.addAll(allLayers(b)));
            } else if (l instanceof ResidualLayer r) {
                all.addAll(allLayers(r.body()));
                all.addAll(allLayers(r.shortcut()));
            }
        }
        return all;
    }

    /** The output shape without the batch axis. */
    public List<Integer> outputShape() {
        ModelGraph g = graph(1);
        return g.graph().node(g.output()).shape().tail(1);
    }

    /** Builds a layer, naming it in the error when its hyper-parameters are invalid. */
    private static Layer declare(String name, String kind, java.util.function.Supplier<Layer> layer) {
        try {
            return layer.get();
        } catch (ShapeException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new ShapeException(name + " (" + kind + "): " + e.getMessage(), e);
        }
    }

    private Layer declare(String kind, java.util.function.Supplier<Layer> layer) {
        return declare(nextName("deconv"), kind, layer);
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
        return new Network(inputShape, layers, l, weightDecay);
    }

    /**
     * Lowers the network to a training graph for {@code batch} images per step: batch normalization uses the
     * batch's statistics (and outputs them), dropout is on (fed the i32 scalar input {@code step}).
     */
    public ModelGraph graph(int batch) {
        return graph(batch, true);
    }

    /**
     * Lowers the network to an inference graph: batch normalization reads its running statistics (parameters
     * {@code name.running_mean}, {@code name.running_var}) and is folded into a convolution right before it,
     * dropout is left out. Without such layers it equals {@link #graph(int)}.
     */
    public ModelGraph inferenceGraph(int batch) {
        return inferenceGraph(batch, true);
    }

    /**
     * The inference graph with batch normalization folded into the convolution before it or kept as its own
     * per-channel scale and shift (what exporters write as BatchNormalization).
     */
    public ModelGraph inferenceGraph(int batch, boolean foldBatchNorm) {
        return graph(batch, false, foldBatchNorm);
    }

    private ModelGraph graph(int batch, boolean training) {
        return graph(batch, training, false);
    }

    private ModelGraph graph(int batch, boolean training, boolean foldBatchNorm) {
        if (batch < 1) {
            throw new IllegalArgumentException("the batch size must be ≥ 1, got " + batch);
        }
        GraphBuilder builder = new GraphBuilder();
        Lowering lowering = new Lowering(builder, training, foldBatchNorm);
        Node x = builder.input(Roles.INPUT, Shape.concat(List.of(batch), inputShape), DType.F32);
        Node current = x;
        for (Layer layer : layers) {
            current = lowering.lower(layer, current);
        }
        builder.output(current);
        Optional<String> target = Optional.empty(), lossName = Optional.empty();
        Node data = null;
        if (loss == Loss.SOFTMAX_CROSS_ENTROPY) {
            if (current.shape().rank() != 2) {
                throw new ShapeException("loss (softmax_cross_entropy): expects logits [N, classes], got "
                        + current.name() + " " + current.typeString() + "; flatten and add a dense layer first");
            }
            Node labels = builder.input(Roles.LABELS, Shape.of(batch), DType.I32);
            data = builder.apply(weightDecay > 0 ? Roles.LOSS + ".data" : Roles.LOSS, new SoftmaxCrossEntropy(),
                    current, labels);
            target = Optional.of(labels.name());
        } else if (loss == Loss.MSE) {
            Node t = builder.input(Roles.TARGET, current.shape(), DType.F32);
            data = builder.apply(weightDecay > 0 ? Roles.LOSS + ".data" : Roles.LOSS, new Mse(), current, t);
            target = Optional.of(t.name());
        }
        if (data != null) {
            Node l = weightDecay > 0 ? WeightDecay.addTo(builder, data, weightDecay) : data;
            builder.output(l);
            lossName = Optional.of(l.name());
        }
        dev.convj.graph.Graph built = builder.build();
        if (!training) { // drops what folding batch normalization into convolutions left unused
            built = dev.convj.graph.passes.DeadCodeElimination.prune(built,
                    n -> n.op() instanceof dev.convj.graph.ops.Input || n.op() instanceof dev.convj.graph.ops.Parameter);
        }
        return new ModelGraph(built, batch, x.name(), current.name(), target, lossName,
                training ? runningStatistics(built) : List.of());
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

    /** The λ of {@link #weightDecay(double)}, 0 without it. */
    public double weightDecayRate() {
        return weightDecay;
    }

    /** Rebuilds a network from its parts, checking it as every other network is checked. */
    static Network restore(List<Integer> inputShape, List<Layer> layers, String lossKind, double weightDecay) {
        Loss l;
        try {
            l = Loss.valueOf(lossKind.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown loss '" + lossKind + "'; expected none, softmax_cross_entropy or mse");
        }
        Network n = input(inputShape.get(0), inputShape.subList(1, inputShape.size()).stream().mapToInt(i -> i).toArray());
        return new Network(n.inputShape, layers, l, weightDecay);
    }
}

package dev.convj.examples;

import static dev.convj.dsl.LayerOption.ceilMode;
import static dev.convj.dsl.LayerOption.connectivity;
import static dev.convj.dsl.LayerOption.excludePad;
import static dev.convj.dsl.LayerOption.groups;
import static dev.convj.dsl.LayerOption.noBias;
import static dev.convj.dsl.LayerOption.pad;
import static dev.convj.dsl.LayerOption.same;
import static dev.convj.dsl.LayerOption.stride;
import static dev.convj.dsl.LayerOption.trueConvolution;

import dev.convj.dsl.Network;
import dev.convj.runtime.data.FashionMnist;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/** The built-in models that the command line names with {@code --model}. */
public final class Models {
    private Models() {}

    private static final Map<String, Supplier<Network>> BUILT_IN = new LinkedHashMap<>();

    static {
        BUILT_IN.put("lenet5", Models::lenet5);
        BUILT_IN.put("vgg", Models::smallVgg);
        BUILT_IN.put("resnet", Models::smallResNet);
        BUILT_IN.put("all-ops", Models::allOps);
    }

    /**
     * LeNet-5 for 28×28 grey images and 10 classes: 61,706 parameters. The input is standardized with Fashion-MNIST's
     * pixel statistics, which lifts SGD's test accuracy after 5 epochs by about a point (PyTorch, same recipe).
     */
    public static Network lenet5() {
        return Network.input(1, 28, 28)
                .normalize(FashionMnist.PIXEL_MEAN, FashionMnist.PIXEL_STD)
                .conv2d(6, 5, pad(2)).relu().maxPool(2)
                .conv2d(16, 5).relu().maxPool(2)
                .flatten()
                .dense(120).relu()
                .dense(84).relu()
                .dense(10)
                .softmaxCrossEntropy();
    }

    /** A small VGG: two 3×3 blocks of 32 and 64 filters, each ending in 2×2 max pooling, then 256 and 10 units. */
    public static Network smallVgg() {
        return Network.input(1, 28, 28)
                .normalize(FashionMnist.PIXEL_MEAN, FashionMnist.PIXEL_STD)
                .conv2d(32, 3, same()).relu().conv2d(32, 3, same()).relu().maxPool(2)
                .conv2d(64, 3, same()).relu().conv2d(64, 3, same()).relu().maxPool(2)
                .flatten()
                .dense(256).relu()
                .dense(10)
                .softmaxCrossEntropy();
    }

    /**
     * A small ResNet for 28×28 inputs: a 3×3 stem of 16 filters, three stages of one basic block each (16 filters at
     * 28×28, 32 at 14×14, 64 at 7×7; a stage that halves the size has a 1×1 projection shortcut), global average
     * pooling and 10 units. Convolutions followed by batch norm carry no bias, as in torchvision's ResNets.
     */
    public static Network smallResNet() {
        Network n = Network.input(1, 28, 28)
                .normalize(FashionMnist.PIXEL_MEAN, FashionMnist.PIXEL_STD)
                .conv2d(16, 3, same(), noBias()).batchNorm().relu();
        n = basicBlock(n, 16, 1);
        n = basicBlock(n, 32, 2);
        n = basicBlock(n, 64, 2);
        return n.globalAvgPool().flatten().dense(10).softmaxCrossEntropy();
    }

    /** conv3×3–BN–ReLU–conv3×3–BN plus the input (projected by a strided 1×1 conv and BN when the shape changes). */
    private static Network basicBlock(Network n, int filters, int stride) {
        UnaryOperator<Network> body = b -> b.conv2d(filters, 3, stride(stride), pad(1), noBias()).batchNorm().relu()
                .conv2d(filters, 3, same(), noBias()).batchNorm();
        boolean sameShape = stride == 1 && n.outputShape().get(0) == filters;
        Network joined = sameShape ? n.residual(body)
                : n.residual(body, s -> s.conv2d(filters, 1, stride(stride), noBias()).batchNorm());
        return joined.relu();
    }

    /**
     * A small network that reaches every op of the IR at least once, forward or in its gradient graph: true
     * convolution with a channel mask, batch normalization, leaky ReLU, max pooling in ceil mode, channel slices
     * pooled and not pooled then concatenated, transposed and tiled convolutions, ELU, 3-D and 1-D convolutions,
     * maxout, global average and max pooling, dropout, dense layers, log-softmax, and L2 weight decay.
     */
    public static Network allOps() {
        boolean[][] mask = {{true, false}, {false, true}, {true, true}, {true, false}};
        return Network.input(2, 8, 8)
                .conv2d(4, 3, pad(1), trueConvolution(), connectivity(mask)).batchNorm().leakyRelu(0.1)
                .maxPool(3, stride(2), pad(1), ceilMode())                                       // 4×5×5
                .parallel(b -> b.sliceChannels(0, 2).avgPool(2, stride(1), pad(1), excludePad()),
                        b -> b.sliceChannels(2, 4).convTranspose2d(2, 2, groups(2)))            // 4×6×6
                .tiledConv2d(4, 3, 2).elu(1)                                                     // 4×4×4
                .reshape(2, 2, 4, 4).conv3d(2, 2).relu()                                         // 2×1×3×3
                .reshape(2, 9).conv1d(4, 3, stride(2), groups(2)).sigmoid().maxout(2)           // 2×4
                .parallel(Network::globalAvgPool, Network::globalMaxPool)                        // 4
                .dropout(0.25).dense(6).tanh().dense(3).logSoftmax()
                .softmaxCrossEntropy()
                .weightDecay(1e-3);
    }

    /** The built-in model named {@code name}; the error lists the names there are. */
    public static Network byName(String name) {
        Supplier<Network> model = BUILT_IN.get(name);
        if (model == null) {
            throw new IllegalArgumentException("unknown model '" + name + "'; built-in models: "
                    + String.join(", ", BUILT_IN.keySet()));
        }
        return model.get();
    }

    public static Iterable<String> names() {
        return BUILT_IN.keySet();
    }
}

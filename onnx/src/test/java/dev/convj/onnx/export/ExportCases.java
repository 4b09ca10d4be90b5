package dev.convj.onnx.export;

import static dev.convj.dsl.LayerOption.ceilMode;
import static dev.convj.dsl.LayerOption.connectivity;
import static dev.convj.dsl.LayerOption.dilation;
import static dev.convj.dsl.LayerOption.excludePad;
import static dev.convj.dsl.LayerOption.groups;
import static dev.convj.dsl.LayerOption.noBias;
import static dev.convj.dsl.LayerOption.outputPadding;
import static dev.convj.dsl.LayerOption.pad;
import static dev.convj.dsl.LayerOption.same;
import static dev.convj.dsl.LayerOption.stride;
import static dev.convj.dsl.LayerOption.trueConvolution;

import dev.convj.dsl.Network;
import dev.convj.graph.DType;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.ModelGraph;
import dev.convj.graph.ParamInit;
import dev.convj.graph.Shape;
import dev.convj.graph.ops.BroadcastTo;
import dev.convj.graph.ops.Concat;
import dev.convj.graph.ops.Flip;
import dev.convj.graph.ops.MatMul;
import dev.convj.graph.ops.Mul;
import dev.convj.graph.ops.Reshape;
import dev.convj.graph.ops.Sub;
import dev.convj.graph.ops.Sum;
import dev.convj.graph.Node;
import dev.convj.runtime.train.WeightInit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.UnaryOperator;

/** The networks every export test runs: the built-in models and networks that reach every exported op. */
final class ExportCases {
    private ExportCases() {}

    /** A named network. */
    record Case(String name, Network network) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** The same LeNet-5 as the command line's built-in {@code lenet5} (examples' Models, which this module cannot see). */
    static Network lenet5() {
        return Network.input(1, 28, 28)
                .normalize(0.2860, 0.3530)
                .conv2d(6, 5, pad(2)).relu().maxPool(2)
                .conv2d(16, 5).relu().maxPool(2)
                .flatten()
                .dense(120).relu()
                .dense(84).relu()
                .dense(10)
                .softmaxCrossEntropy();
    }

    /** The built-in small VGG. */
    static Network smallVgg() {
        return Network.input(1, 28, 28)
                .normalize(0.2860, 0.3530)
                .conv2d(32, 3, same()).relu().conv2d(32, 3, same()).relu().maxPool(2)
                .conv2d(64, 3, same()).relu().conv2d(64, 3, same()).relu().maxPool(2)
                .flatten()
                .dense(256).relu()
                .dense(10)
                .softmaxCrossEntropy();
    }

    /** The built-in small ResNet: a stem, three stages of basic blocks (two with projection shortcuts), global pooling. */
    static Network smallResNet() {
        Network n = Network.input(1, 28, 28)
                .normalize(0.2860, 0.3530)
                .conv2d(16, 3, same(), noBias()).batchNorm().relu();
        n = basicBlock(n, 16, 1);
        n = basicBlock(n, 32, 2);
        n = basicBlock(n, 64, 2);
        return n.globalAvgPool().flatten().dense(10).softmaxCrossEntropy();
    }

    private static Network basicBlock(Network n, int filters, int stride) {
        UnaryOperator<Network> body = b -> b.conv2d(filters, 3, stride(stride), pad(1), noBias()).batchNorm().relu()
                .conv2d(filters, 3, same(), noBias()).batchNorm();
        boolean sameShape = stride == 1 && n.outputShape().get(0) == filters;
        Network joined = sameShape ? n.residual(body)
                : n.residual(body, s -> s.conv2d(filters, 1, stride(stride), noBias()).batchNorm());
        return joined.relu();
    }

    /** Residual blocks beside concatenated branches, an identity shortcut around a block that itself branches. */
    static Network residualBranches() {
        return Network.input(4, 6, 6)
                .residual(b -> b.parallel(p -> p.conv2d(2, 3, same()), p -> p.conv2d(2, 1)).batchNorm().relu())
                .residual(b -> b.conv2d(8, 3, stride(2), pad(1)), s -> s.avgPool(2).conv2d(8, 1, noBias()))
                .residual(b -> b.residual(c -> c.depthwiseConv2d(3, pad(1)).relu()))
                .globalMaxPool();
    }

    /** A VGG with batch normalization after every convolution and dropout before the classifier. */
    static Network vggBatchNorm() {
        return Network.input(1, 28, 28)
                .conv2d(16, 3, same()).batchNorm().relu().conv2d(16, 3, same()).batchNorm().relu().maxPool(2)
                .conv2d(32, 3, same()).batchNorm().relu().maxPool(2)
                .flatten()
                .dense(64).batchNorm().relu().dropout(0.5)
                .dense(10)
                .softmaxCrossEntropy();
    }

    /** The built-in all-ops network: true convolution with a mask, tiled convolution, maxout, 1-D and 3-D layers… */
    static Network allOps() {
        boolean[][] mask = {{true, false}, {false, true}, {true, true}, {true, false}};
        return Network.input(2, 8, 8)
                .conv2d(4, 3, pad(1), trueConvolution(), connectivity(mask)).batchNorm().leakyRelu(0.1)
                .maxPool(3, stride(2), pad(1), ceilMode())
                .parallel(b -> b.sliceChannels(0, 2).avgPool(2, stride(1), pad(1), excludePad()),
                        b -> b.sliceChannels(2, 4).convTranspose2d(2, 2, groups(2)))
                .tiledConv2d(4, 3, 2).elu(1)
                .reshape(2, 2, 4, 4).conv3d(2, 2).relu()
                .reshape(2, 9).conv1d(4, 3, stride(2), groups(2)).sigmoid().maxout(2)
                .parallel(Network::globalAvgPool, Network::globalMaxPool)
                .dropout(0.25).dense(6).tanh().dense(3).logSoftmax()
                .softmaxCrossEntropy()
                .weightDecay(1e-3);
    }

    /** Convolutions: asymmetric and cropping padding, strides, dilation, groups, depthwise, no bias, 1-D and 3-D. */
    static Network convolutions() {
        return Network.input(3, 13, 12)
                .conv2d(6, 3, pad(2, 0, 1, 1), stride(2, 1)).relu()                   // asymmetric
                .conv2d(6, 3, pad(1, -1, 2, 0), dilation(2)).relu()                   // −1 after: a crop
                .conv2d(4, 3, 2, groups(2), noBias(), stride(1, 2))
                .depthwiseConv2d(3, pad(1))
                .conv2d(4, 3, same(), dilation(2))
                .globalAvgPool();
    }

    /** Transposed convolutions: stride with output padding, groups, dilation with output padding past the stride. */
    static Network transposed() {
        return Network.input(4, 5, 5)
                .convTranspose2d(6, 3, stride(2), pad(1), outputPadding(1))
                .convTranspose2d(4, 2, groups(2), noBias()).relu()
                .convTranspose2d(2, 3, dilation(2), outputPadding(1))
                .reshape(2, 256).convTranspose1d(3, 3, stride(3), pad(1), outputPadding(2))
                .flatten().dropout(0.3);                                // last: no node at inference
    }

    /**
     * Pools in ceil mode where one axis keeps ONNX's plain ceil count and the other drops a last window that would
     * start in the padding (H 9, W 11 with window 3, stride 3, padding 1), averages counting and excluding padding,
     * 1-D and 3-D pools.
     */
    static Network pools() {
        return Network.input(2, 9, 11)
                .parallel(b -> b.avgPool(3, stride(3), pad(1), ceilMode()),
                        b -> b.maxPool(3, stride(3), pad(1), ceilMode()),
                        b -> b.avgPool(3, stride(3), pad(1), ceilMode(), excludePad()))      // 6×4×4
                .avgPool(3, stride(2), pad(1), ceilMode())                                   // 6×3×3, overhanging
                .maxPool(2, stride(2), pad(1), ceilMode())                                   // 6×2×2, one dropped
                .avgPool(2, stride(1), pad(1))                                               // 6×3×3
                .reshape(6, 9).maxPool1d(3, stride(2), pad(1), ceilMode())                   // 6×5
                .avgPool1d(2, ceilMode(), excludePad())                                      // 6×3
                .reshape(1, 2, 3, 3).avgPool3d(2, stride(1), pad(1))                         // 1×3×4×4
                .maxPool3d(2, ceilMode())                                                    // 1×2×2×2
                .flatten();
    }

    /** Ceil-mode pools that drop, keep and overhang, then global max and average pooling side by side. */
    static Network ceilPools() {
        return Network.input(3, 11, 11)
                .avgPool(3, stride(3), pad(1), ceilMode())                 // 11 → 4: the last window dropped
                .maxPool(3, stride(2), pad(1), ceilMode())                 // 4 → 3
                .avgPool(2, stride(2), ceilMode(), excludePad())           // 3 → 2
                .parallel(Network::globalMaxPool, Network::globalAvgPool);
    }

    /** Elementwise and per-row functions, dense layers, maxout after dense, slices and concatenation. */
    static Network activations() {
        return Network.input(2, 6, 6)
                .normalize(0.5, 2)
                .parallel(b -> b.sliceChannels(0, 1).sigmoid(), b -> b.sliceChannels(1, 2).tanh(),
                        b -> b.leakyRelu(0.2).elu(0.7))
                .maxout(2).flatten()
                .dense(12).maxout(3).dense(8, noBias()).softmax().dense(5).logSoftmax();
    }

    /** Locally connected 1-D and 2-D layers and a tiled convolution, with padding, stride and dilation. */
    static Network locallyConnected() {
        return Network.input(2, 7, 7)
                .locallyConnected2d(3, 3, pad(1, 0, 1, 1), stride(2))                 // 3×4
                .tiledConv2d(4, 3, 2, pad(1, 2, 1, 1), noBias())                      // 4×4
                .reshape(4, 16).locallyConnected1d(2, 2, dilation(2))
                .flatten();
    }

    static List<Case> all() {
        return List.of(new Case("lenet5", lenet5()), new Case("vgg", smallVgg()), new Case("vgg-bn", vggBatchNorm()),
                new Case("resnet", smallResNet()), new Case("residual-branches", residualBranches()),
                new Case("all-ops", allOps()), new Case("convolutions", convolutions()),
                new Case("transposed", transposed()), new Case("pools", pools()), new Case("ceil-pools", ceilPools()),
                new Case("activations", activations()), new Case("locally-connected", locallyConnected()));
    }

    /**
     * Weights as a trained model carries them: the default initialization, then batch normalization given scales,
     * shifts and running statistics far from their initial 1, 0, 0, 1, so that an exporter that ignored one would
     * fail.
     */
    static Map<String, float[]> weights(Network network, long seed) {
        Map<String, float[]> w = new LinkedHashMap<>(WeightInit.DEFAULT.initialize(network.inferenceGraph(1).graph(),
                seed));
        Random random = new Random(seed + 1);
        for (Node p : network.inferenceGraph(1).graph().parameters()) {
            String name = p.name();
            String layer = name.substring(0, name.lastIndexOf('.'));
            if (!w.containsKey(layer + ".running_mean")) {
                continue;
            }
            float[] v = w.get(name);
            for (int i = 0; i < v.length; i++) {
                v[i] = switch (name.substring(layer.length() + 1)) {
                    case "running_mean" -> random.nextFloat() - 0.5f;
                    case "running_var" -> 0.5f + 1.5f * random.nextFloat();
                    case "weight" -> 0.5f + random.nextFloat();
                    default -> 0.6f * random.nextFloat() - 0.3f;
                };
            }
        }
        return w;
    }

    /** A hand-built graph of ops no builder layer lowers to: flip(x)·wᵀ·v summed over the features, [N, 4] → [N]. */
    static ModelGraph matrixProductAndSum(int batch) {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(batch, 4), DType.F32);
        Node w = b.parameter("w", Shape.of(3, 4), new ParamInit.Uniform(1));
        Node v = b.parameter("v", Shape.of(3, 5), new ParamInit.Uniform(1));
        Node reversed = b.apply("reversed", new Flip(List.of(1)), x);    // features in reverse order
        Node h = b.apply("h", new MatMul(false, true), reversed, w);     // x·wᵀ: [N, 3]
        Node y = b.apply("y", new MatMul(false, false), h, v);           // [N, 5]
        Node total = b.apply("total", new Sum(List.of(1)), y);           // [N]
        b.output(total);
        return new ModelGraph(b.build(), batch, "x", "total", Optional.empty(), Optional.empty());
    }

    /**
     * What layers of imported models lower to: a per-channel scale broadcast from a parameter [C, 1, 1], padding as a
     * concatenation with fills of one value, a concatenation with fills of two values, and a fill as an operand.
     */
    static ModelGraph importedLayerForms(int batch) {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(batch, 2, 3, 3), DType.F32);
        Node scale = b.parameter("affine.scale", Shape.of(2, 1, 1), new ParamInit.Uniform(1));
        Node spread = b.apply("affine.scale_b", new BroadcastTo(Shape.of(batch, 2, 3, 3)),
                b.apply("affine.scale_b.r", new Reshape(Shape.of(1, 2, 1, 1)), scale));
        Node scaled = b.apply("affine", new Mul(), x, spread);
        Node padded = b.apply("pad", new Concat(2), b.fill("pad.before", Shape.of(batch, 2, 1, 3), 0.5), scaled,
                b.fill("pad.after", Shape.of(batch, 2, 2, 3), 0.5));                     // [N, 2, 6, 3]
        Node mixed = b.apply("mixed", new Concat(3), padded, b.fill("mixed.a", Shape.of(batch, 2, 6, 1), -1),
                b.fill("mixed.b", Shape.of(batch, 2, 6, 2), 2));                         // [N, 2, 6, 6]
        Node shifted = b.apply("shifted", new Sub(), mixed, b.fill("shifted.by", Shape.of(batch, 2, 6, 6), 0.25));
        b.output(shifted);
        return new ModelGraph(b.build(), batch, "x", "shifted", Optional.empty(), Optional.empty());
    }

    /** Weights for {@link #matrixProductAndSum} and {@link #importedLayerForms}. */
    static Map<String, float[]> handBuiltWeights() {
        Map<String, float[]> weights = new LinkedHashMap<>(Map.of("affine.scale", new float[] {1.5f, -0.5f}));
        Random random = new Random(2);
        for (String p : List.of("w", "v")) {
            float[] values = new float[p.equals("w") ? 12 : 15];
            for (int i = 0; i < values.length; i++) {
                values[i] = random.nextFloat() - 0.5f;
            }
            weights.put(p, values);
        }
        return weights;
    }
}

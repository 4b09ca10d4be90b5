package dev.convj.dsl;

import static dev.convj.dsl.LayerOption.connectivity;
import static dev.convj.dsl.LayerOption.dilation;
import static dev.convj.dsl.LayerOption.groups;
import static dev.convj.dsl.LayerOption.outputPadding;
import static dev.convj.dsl.LayerOption.pad;
import static dev.convj.dsl.LayerOption.stride;
import static dev.convj.dsl.LayerOption.trueConvolution;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.convj.graph.Graph;
import dev.convj.graph.ModelGraph;
import dev.convj.graph.Node;
import dev.convj.graph.RunningStatistic;
import dev.convj.graph.Shape;
import dev.convj.graph.ShapeException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The DSL layers of the lecture: their shapes, parameters, graph nodes and the errors of bad hyper-parameters. */
class LayersTest {

    private static String message(Executable e) {
        return assertThrows(ShapeException.class, e).getMessage();
    }

    private static Shape out(Network n) {
        ModelGraph g = n.graph(2);
        return g.graph().node(g.output()).shape();
    }

    @Test
    void conv1dAndConv3dFollowTheOutputSizeRule() {
        assertEquals(Shape.of(2, 4, 4), out(Network.input(3, 10).conv1d(4, 3, stride(2), pad(1), dilation(2))));
        assertEquals(Shape.of(2, 2, 3, 2, 1), out(Network.input(1, 5, 4, 3).conv3d(2, 3)));
        Graph g = Network.input(4, 9).conv1d(6, 3, groups(2)).graph(1).graph();
        assertEquals(Shape.of(6, 2, 3), g.node("conv1.weight").shape());
    }

    @Test
    void transposedConvolutionSizeIsPyTorchs() {
        // (n − 1)·s − 2p + d(k − 1) + output_padding + 1, over random hyper-parameters.
        qt().withExamples(40).forAll(integers().between(1, 5), integers().between(1, 3), integers().between(1, 3),
                integers().between(1, 3)).checkAssert((n, k, s, d) -> {
                    for (int p = 0; p <= 1; p++) {
                        for (int op = 0; op < Math.max(s, d); op++) {
                            int size = (n - 1) * s - 2 * p + d * (k - 1) + op + 1;
                            if (size < 1) {
                                continue;
                            }
                            Network net = Network.input(2, n).convTranspose1d(3, k, stride(s), pad(p), dilation(d),
                                    outputPadding(op));
                            assertEquals(Shape.of(2, 3, size), out(net));
                        }
                    }
                });
        Graph g = Network.input(4, 5, 5).convTranspose2d(6, 3, groups(2)).graph(1).graph();
        assertEquals(Shape.of(4, 3, 3, 3), g.node("deconv1.weight").shape(), "PyTorch layout [in, out/groups, k, k]");
        assertEquals(Shape.of(6), g.node("deconv1.bias").shape());
        assertEquals(Shape.of(2, 3, 4, 4, 4), out(Network.input(3, 2, 2, 2).convTranspose3d(3, 3)));
    }

    @Test
    void trueConvolutionFlipsTheKernelAndMasksCutChannels() {
        boolean[][] mask = {{true, false}, {false, true}, {true, true}};
        Graph g = Network.input(2, 5, 5).conv2d(3, 3, trueConvolution(), connectivity(mask)).graph(1).graph();
        String dump = g.toText();
        assertTrue(dump.contains("conv1.masked: f32[3,2,3,3] = channel_mask(conv1.weight)  mask=[10,01,11]"), dump);
        assertTrue(dump.contains("conv1.flipped: f32[3,2,3,3] = flip(conv1.masked)  axes=[2,3]"), dump);
        assertTrue(dump.contains("conv1: f32[1,3,3,3] = conv2d(x, conv1.flipped, conv1.bias)"), dump);
    }

    @Test
    void depthwiseLocallyConnectedAndTiledLayers() {
        Graph dw = Network.input(3, 6, 6).depthwiseConv2d(3, pad(1)).graph(1).graph();
        assertEquals(Shape.of(3, 1, 3, 3), dw.node("conv1.weight").shape());
        Graph lc = Network.input(2, 6, 6).locallyConnected2d(4, 3).graph(1).graph();
        assertEquals(Shape.of(4, 4, 4, 2, 3, 3), lc.node("local1.weight").shape(), "a kernel per output position");
        assertEquals(Shape.of(4, 4, 4), lc.node("local1.bias").shape());
        assertEquals(Shape.of(2, 3, 5), out(Network.input(2, 7).locallyConnected1d(3, 3)));
        Graph tiled = Network.input(2, 6, 6).tiledConv2d(4, 3, 2).graph(1).graph();
        assertEquals(Shape.of(4, 2, 2, 2, 3, 3), tiled.node("tiled1.weight").shape());
        assertEquals(2 * 2 * 4 * 2 * 9 + 16, Network.input(2, 6, 6).tiledConv2d(4, 3, 2).summary().totalParameters());
    }

    @Test
    void poolingVariantsAndChannelOps() {
        assertEquals(Shape.of(2, 3), out(Network.input(3, 7, 5).globalAvgPool()));
        assertEquals(Shape.of(2, 3), out(Network.input(3, 4, 5, 6).globalMaxPool()));
        assertEquals(Shape.of(2, 2, 4, 4), out(Network.input(6, 4, 4).maxout(3)));
        assertEquals(Shape.of(2, 5), out(Network.input(3, 4).flatten().dense(10).maxout(2)));
        assertEquals(Shape.of(2, 2, 4, 4), out(Network.input(6, 4, 4).sliceChannels(1, 3)));
        Network branches = Network.input(4, 6, 6)
                .parallel(b -> b.sliceChannels(0, 2).maxPool(3, stride(1), pad(1)), b -> b.sliceChannels(2, 4).relu());
        assertEquals(Shape.of(2, 4, 6, 6), out(branches));
        Graph g = branches.graph(1).graph();
        assertTrue(g.has("concat1.b1.pool1") && g.has("concat1.b2.relu1"), g.toText());
        Graph renamed = branches.named("mixed").graph(1).graph();
        assertTrue(renamed.has("mixed.b1.pool1") && renamed.has("mixed"), renamed.toText());
        assertEquals(Shape.of(2, 5, 3, 3), out(Network.input(2, 3, 3).parallel(b -> b, b -> b.conv2d(3, 1))));
    }

    @Test
    void batchNormHasTrainingAndInferenceForms() {
        Network net = Network.input(3, 4, 4).conv2d(2, 3).batchNorm().relu();
        Graph train = net.graph(5).graph();
        Graph infer = net.inferenceGraph(5).graph();
        assertEquals(List.of("bn1.batch_mean", "bn1.batch_var", "relu1"),
                train.outputs().stream().map(Node::name).toList());
        assertFalse(train.has("bn1.running_mean"));
        assertTrue(infer.has("bn1.running_mean") && infer.has("bn1.running_var"));
        assertFalse(infer.has("bn1.batch_mean"));
        assertEquals(List.of("bn1.weight", "bn1.bias"), train.parameters().stream().map(Node::name)
                .filter(n -> n.startsWith("bn1")).toList());
        List<RunningStatistic> stats = net.runningStatistics(5);
        assertEquals(new RunningStatistic("bn1.batch_mean", "bn1.running_mean", 0.1, 1), stats.get(0));
        double m = 5 * 2 * 2; // values per channel: batch × 2 × 2 positions
        assertEquals(new RunningStatistic("bn1.batch_var", "bn1.running_var", 0.1, m / (m - 1)), stats.get(1));
        assertEquals(0.9 * 1 + 0.1 * 2 * m / (m - 1), stats.get(1).fold(new double[] {1}, new double[] {2})[0], 1e-15);
    }

    @Test
    void dropoutTakesTheStepInputOnlyWhenTraining() {
        Network net = Network.input(4).dense(3).dropout(0.5).dense(2).softmaxCrossEntropy();
        assertTrue(net.graph(2).graph().toText().contains("dropout1: f32[2,3] = dropout(fc1, step)  rate=0.5"));
        assertFalse(net.inferenceGraph(2).graph().has("step"));
        assertFalse(net.inferenceGraph(2).graph().has("dropout1"), "dropout is left out at inference");
    }

    @Test
    void activationsAndWeightDecay() {
        Graph g = Network.input(4).dense(3).leakyRelu(0.2).elu(1.5).dense(2).softmaxCrossEntropy().weightDecay(0.01)
                .graph(2).graph();
        String dump = g.toText();
        assertTrue(dump.contains("leaky_relu1: f32[2,3] = leaky_relu(fc1)  slope=0.2"), dump);
        assertTrue(dump.contains("elu1: f32[2,3] = elu(leaky_relu1)  alpha=1.5"), dump);
        assertTrue(dump.contains("loss.l2: f32[] = scale(loss.l2_sum)  factor=0.005"), dump);
        assertTrue(dump.contains("loss: f32[] = add(loss.data, loss.l2)"), dump);
        assertFalse(dump.contains("fc1.bias.sq"), "biases are not decayed");
    }

    @Test
    void reboundInputsRederiveEveryShape() {
        Network net = Network.input(1, 28, 28).conv2d(4, 5).relu().maxPool(2).conv2d(8, 3).globalAvgPool().dense(10);
        Network bigger = net.withInputSize(36, 36);
        assertEquals(Shape.of(2, 8, 14, 14), bigger.graph(2).graph().node("conv2").shape());
        assertEquals(net.graph(1).graph().parameters().stream().map(Node::shape).toList(),
                bigger.graph(1).graph().parameters().stream().map(Node::shape).toList());
        assertEquals("conv2 (conv2d): kernel 3×3 with dilation 1×1 does not fit input 2×2 padded by [(0,0),(0,0)]:"
                        + " along spatial axis 0 the output size floor((n+p_low+p_high-d(f-1)-1)/s)+1"
                        + " = floor((2+0+0-1·2-1)/1)+1 = 0; use a smaller kernel or dilation, or pad the input",
                message(() -> net.withInputSize(8, 8)));
        assertTrue(message(() -> net.withInputSize(4, 4)).startsWith("conv1 (conv2d): kernel 5×5"));
    }

    @Test
    void badHyperParametersNameTheLayerAndTheShapes() {
        assertEquals("deconv1 (conv_transpose2d): output padding [2, 2] must be smaller than either stride [2, 2] or "
                        + "dilation [1, 1] (axis 0: 2 ≥ 2 and ≥ 1), as in PyTorch, for input x f32[1,1,4,4]; lower the "
                        + "output padding",
                message(() -> Network.input(1, 4, 4).convTranspose2d(2, 3, stride(2), outputPadding(2))));
        assertEquals("pool1 (max_pool2d): pooling padding must be between 0 and half the window, got [2, 2] for window"
                        + " [3, 3] (as in PyTorch; pad the input explicitly instead)",
                message(() -> Network.input(1, 8, 8).maxPool(3, pad(2))));
        assertEquals("tiled1 (tiled_conv2d): tile size 3×3 does not divide the output 4×4 (axis 0: 4 is not a "
                        + "multiple of 3); choose a tile size that divides every output extent",
                message(() -> Network.input(1, 6, 6).tiledConv2d(2, 3, 3)));
        assertEquals("conv1 (conv2d): connectivity mask of 2 rows × 2 columns does not fit input x f32[1,2,5,5] and 3"
                        + " filters: it needs one row per filter and one column per input channel, 3 × 2",
                message(() -> Network.input(2, 5, 5).conv2d(3, 3, connectivity(new boolean[][] {{true, true},
                        {true, false}}))));
        assertEquals("maxout1 (maxout): maxout groups of 3 channels do not divide the 4 channels of conv1 "
                        + "f32[1,4,3,3]; choose a group size that divides the channel count",
                message(() -> Network.input(1, 5, 5).conv2d(4, 3).maxout(3)));
        assertEquals("slice1 (slice): slice [2, 5) of axis 1 is out of range for x f32[1,4,3,3], whose axis 1 has 4 "
                        + "positions",
                message(() -> Network.input(4, 3, 3).sliceChannels(2, 5)));
        assertEquals("dropout1 (dropout): the dropout rate must be in [0, 1), got 1.0",
                message(() -> Network.input(4).dropout(1.0)));
        assertEquals("concat1 (concat): cannot concatenate concat1.b2.pool1 f32[1,2,2,2] with concat1.b1.slice1 "
                        + "f32[1,2,4,4] along axis 1: every other extent must be equal",
                message(() -> Network.input(4, 4, 4).parallel(b -> b.sliceChannels(0, 2),
                        b -> b.sliceChannels(2, 4).maxPool(2))));
    }
}

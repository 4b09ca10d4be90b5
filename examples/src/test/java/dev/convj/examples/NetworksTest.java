package dev.convj.examples;

import static dev.convj.dsl.LayerOption.dilation;
import static dev.convj.dsl.LayerOption.full;
import static dev.convj.dsl.LayerOption.noBias;
import static dev.convj.dsl.LayerOption.outputPadding;
import static dev.convj.dsl.LayerOption.pad;
import static dev.convj.dsl.LayerOption.seed;
import static dev.convj.dsl.LayerOption.stride;
import static dev.convj.dsl.LayerOption.trueConvolution;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.dsl.Network;
import dev.convj.graph.ModelGraph;
import dev.convj.graph.Shape;
import dev.convj.graph.autodiff.Autodiff;
import dev.convj.graph.autodiff.GradientGraph;
import dev.convj.runtime.Initializer;
import dev.convj.runtime.Tensor;
import dev.convj.runtime.compile.CompiledGraph;
import dev.convj.runtime.compile.GraphCompiler;
import dev.convj.runtime.interp.ReferenceInterpreter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Networks built from the lecture's layers, run on the reference interpreter (one also as generated code), with
 * numbers worked out by hand or by PyTorch.
 */
class NetworksTest {

    private static final ReferenceInterpreter INTERPRETER = ReferenceInterpreter.float64();

    private static Tensor output(ModelGraph g, Map<String, Tensor> feeds) {
        return INTERPRETER.run(g.graph(), feeds, g.output());
    }

    @Test
    void oneSetOfWeightsServes28x28And36x36InputsThroughGlobalPooling() {
        Network small = Network.input(1, 28, 28).conv2d(4, 5).relu().maxPool(2).conv2d(8, 3).relu().globalAvgPool()
                .dense(10);
        Network large = small.withInputSize(36, 36);
        Map<String, Tensor> weights = Initializer.initialize(small.graph(1).graph(), 7);
        Random r = new Random(1);
        for (Network net : List.of(small, large)) {
            ModelGraph g = net.graph(2);
            Map<String, Tensor> feeds = new HashMap<>(weights);
            feeds.put("x", Tensor.uniform(g.graph().node("x").shape(), 0, 1, r));
            assertEquals(Shape.of(2, 10), output(g, feeds).shape());
        }
        // A 36×36 image made of a 28×28 one and zeros: the same weights, another spatial extent.
        assertEquals(Shape.of(2, 8, 14, 14), large.graph(2).graph().node("conv2").shape());
    }

    @Test
    void normalizeStandardizesWithItsConstants() {
        // (x − 0.5) / 0.25 for x = 0, 0.25, 0.5, 1.5: −2, −1, 0, 4; the layer has no parameters.
        Network n = Network.input(1, 2, 2).normalize(0.5, 0.25);
        Map<String, Tensor> feeds = Map.of("x", Tensor.of(Shape.of(1, 1, 2, 2), 0, 0.25, 0.5, 1.5));
        assertArrayEquals(new double[] {-2, -1, 0, 4}, output(n.graph(1), feeds).data(), 1e-12);
        assertTrue(n.graph(1).graph().parameters().isEmpty());
        String message = org.junit.jupiter.api.Assertions.assertThrows(dev.convj.graph.ShapeException.class,
                () -> Network.input(1, 2, 2).normalize(0.5, 0)).getMessage();
        assertEquals("normalize1 (normalize): needs a finite mean and a finite std > 0, got mean 0.5 and std 0.0",
                message);
    }

    @Test
    void transposedConvolutionMatchesPyTorchOnAWorkedExample() {
        // conv_transpose1d([1, 2], [1, 10, 100], stride 2): y[i] = Σ_p x[p]·w[i − 2p] = [1, 10, 100+2, 20, 200].
        Map<String, Tensor> feeds = Map.of("x", Tensor.of(Shape.of(1, 1, 2), 1, 2),
                "deconv1.weight", Tensor.of(Shape.of(1, 1, 3), 1, 10, 100));
        assertArrayEquals(new double[] {1, 10, 102, 20, 200},
                output(Network.input(1, 2).convTranspose1d(1, 3, stride(2), noBias()).graph(1), feeds).data());
        // padding 1 crops one position on each side; output padding 1 gives the last one back.
        assertArrayEquals(new double[] {10, 102, 20},
                output(Network.input(1, 2).convTranspose1d(1, 3, stride(2), pad(1), noBias()).graph(1), feeds).data());
        assertArrayEquals(new double[] {10, 102, 20, 200}, output(Network.input(1, 2)
                .convTranspose1d(1, 3, stride(2), pad(1), outputPadding(1), noBias()).graph(1), feeds).data());
        // stride 1, dilation 2, kernel 3: taps at 0, 2, 4; output padding 1 (< dilation) adds a position no tap reaches.
        Map<String, Tensor> dilated = Map.of("x", Tensor.of(Shape.of(1, 1, 2), 1, 2),
                "deconv1.weight", Tensor.of(Shape.of(1, 1, 3), 1, 10, 100));
        assertArrayEquals(new double[] {1, 2, 10, 20, 100, 200, 0}, output(Network.input(1, 2)
                .convTranspose1d(1, 3, dilation(2), outputPadding(1), noBias()).graph(1), dilated).data());
    }

    @Test
    void outputPaddingPastTheStrideTrainsAsGeneratedCode() {
        // Stride 1, dilation 2, output padding 1: the adjoint convolution crops its input's last position (padding
        // −1 after), in the forward pass's gradients. PyTorch 1.13 (conv_transpose1d, then mse_loss and backward):
        // y = [1.5, 2.5, 13.5, 20.5, 30.5, 0.5], loss 2.25, dx = 11/6 each, dw = [1, 1], db = −1/3.
        Network net = Network.input(1, 3).convTranspose1d(1, 2, dilation(2), outputPadding(1)).mse();
        GradientGraph g = Autodiff.gradients(net.graph(1).graph(), "loss",
                List.of("x", "deconv1.weight", "deconv1.bias"));
        Map<String, float[]> feeds = Map.of("x", new float[] {1, 2, 3}, "deconv1.weight", new float[] {1, 10},
                "deconv1.bias", new float[] {0.5f}, "target", new float[] {1, 2, 13, 20, 30, 4});
        Map<String, double[]> want = Map.of("deconv1", new double[] {1.5, 2.5, 13.5, 20.5, 30.5, 0.5},
                "loss", new double[] {2.25}, g.gradientOf("x").name(), new double[] {11 / 6.0, 11 / 6.0, 11 / 6.0},
                g.gradientOf("deconv1.weight").name(), new double[] {1, 1},
                g.gradientOf("deconv1.bias").name(), new double[] {-1 / 3.0});
        Map<String, Tensor> tensors = new HashMap<>();
        feeds.forEach((name, v) -> tensors.put(name, Tensor.generate(g.graph().node(name).shape(), i -> v[i])));
        Map<String, Tensor> reference = INTERPRETER.run(g.graph(), tensors, List.copyOf(want.keySet()));
        try (CompiledGraph compiled = new GraphCompiler(null).compile(g.graph(), 1)) {
            feeds.forEach(compiled::set);
            compiled.run();
            for (Map.Entry<String, double[]> e : want.entrySet()) {
                assertArrayEquals(e.getValue(), reference.get(e.getKey()).data(), 1e-12, "interpreter " + e.getKey());
                float[] got = compiled.get(e.getKey());
                for (int i = 0; i < got.length; i++) {
                    assertEquals(e.getValue()[i], got[i], 1e-5, "generated " + e.getKey() + " at " + i);
                }
            }
        }
    }

    @Test
    void trueConvolutionIsTheLecturesFlippedKernelSum() {
        // S(i,j) = Σ I(m,n)·K(i−m, j−n) for I = [[1,2],[3,4]], K = [[1,10],[100,1000]], every position (full):
        // S(1,1) = I00·K11 + I01·K10 + I10·K01 + I11·K00 = 1000 + 200 + 30 + 4.
        Map<String, Tensor> feeds = Map.of("x", Tensor.of(Shape.of(1, 1, 2, 2), 1, 2, 3, 4),
                "conv1.weight", Tensor.of(Shape.of(1, 1, 2, 2), 1, 10, 100, 1000));
        Tensor s = output(Network.input(1, 2, 2).conv2d(1, 2, full(), trueConvolution(), noBias()).graph(1), feeds);
        assertArrayEquals(new double[] {1, 12, 20, 103, 1234, 2040, 300, 3400, 4000}, s.data());
    }

    @Test
    void batchNormNormalizesWithTheBatchWhenTrainingAndWithRunningStatisticsAtInference() {
        Network net = Network.input(2, 2, 2).batchNorm();
        // Channel 0 holds 1..8 over the batch of 2 (mean 4.5, variance 5.25); channel 1 is constant 3.
        double[] x = {1, 2, 3, 4, 3, 3, 3, 3, 5, 6, 7, 8, 3, 3, 3, 3};
        Map<String, Tensor> feeds = new HashMap<>(Initializer.initialize(net.inferenceGraph(2).graph(), 1));
        feeds.put("x", Tensor.of(Shape.of(2, 2, 2, 2), x));
        ModelGraph train = net.graph(2);
        Map<String, Tensor> values = INTERPRETER.run(train.graph(), feeds,
                List.of("bn1", "bn1.batch_mean", "bn1.batch_var"));
        assertArrayEquals(new double[] {4.5, 3}, values.get("bn1.batch_mean").data(), 1e-12);
        assertArrayEquals(new double[] {5.25, 0}, values.get("bn1.batch_var").data(), 1e-12);
        double inv = 1 / Math.sqrt(5.25 + 1e-5);
        assertEquals((1 - 4.5) * inv, values.get("bn1").at(0, 0, 0, 0), 1e-12);
        assertEquals(0, values.get("bn1").at(1, 1, 1, 1), 1e-12);
        // Inference: (x − running mean)/√(running var + ε)·γ + β with running mean 2, var 4, γ 3, β 1.
        feeds.put("bn1.running_mean", Tensor.of(Shape.of(2), 2, 2));
        feeds.put("bn1.running_var", Tensor.of(Shape.of(2), 4, 4));
        feeds.put("bn1.weight", Tensor.of(Shape.of(2), 3, 3));
        feeds.put("bn1.bias", Tensor.of(Shape.of(2), 1, 1));
        Tensor y = output(net.inferenceGraph(2), feeds);
        assertEquals((8 - 2) / Math.sqrt(4 + 1e-5) * 3 + 1, y.at(1, 0, 1, 1), 1e-12);
        // The trainer folds the batch statistics in: 0.9·2 + 0.1·4.5, and for the variance the unbiased 5.25·8/7.
        double[] mean = net.runningStatistics(2).get(0).fold(new double[] {2, 2}, values.get("bn1.batch_mean").data());
        double[] var = net.runningStatistics(2).get(1).fold(new double[] {4, 4}, values.get("bn1.batch_var").data());
        assertEquals(0.9 * 2 + 0.1 * 4.5, mean[0], 1e-12);
        assertEquals(0.9 * 4 + 0.1 * 5.25 * 8 / 7, var[0], 1e-12);
    }

    @Test
    void dropoutIsSeededPerStepScalesTheSurvivorsAndIsOffAtInference() {
        Network net = Network.input(1000).dropout(0.3, seed(42));
        Tensor ones = Tensor.fill(Shape.of(2, 1000), 1);
        Tensor step1 = INTERPRETER.run(net.graph(2).graph(), Map.of("x", ones, "step", Tensor.scalar(1)), "dropout1");
        Tensor again = INTERPRETER.run(net.graph(2).graph(), Map.of("x", ones, "step", Tensor.scalar(1)), "dropout1");
        Tensor step2 = INTERPRETER.run(net.graph(2).graph(), Map.of("x", ones, "step", Tensor.scalar(2)), "dropout1");
        assertEquals(step1, again);
        assertNotEquals(step1, step2);
        int kept = 0;
        for (int i = 0; i < step1.size(); i++) {
            double v = step1.get(i);
            assertTrue(v == 0 || Math.abs(v - 1 / 0.7) < 1e-12, "survivors are scaled by 1/(1 − rate): " + v);
            kept += v == 0 ? 0 : 1;
        }
        assertEquals(0.7, kept / 2000.0, 0.04);
        assertEquals(ones, output(net.inferenceGraph(2), Map.of("x", ones)));
    }

    @Test
    void leakyReluAndEluValues() {
        Tensor x = Tensor.of(Shape.of(1, 4), -2, -0.5, 0, 3);
        Tensor leaky = output(Network.input(4).leakyRelu(0.1).graph(1), Map.of("x", x));
        assertArrayEquals(new double[] {-0.2, -0.05, 0, 3}, leaky.data(), 1e-15);
        Tensor elu = output(Network.input(4).elu(2).graph(1), Map.of("x", x));
        assertArrayEquals(new double[] {2 * (Math.exp(-2) - 1), 2 * (Math.exp(-0.5) - 1), 0, 3}, elu.data(), 1e-15);
    }

    @Test
    void weightDecayAddsLambdaTimesTheWeightsToTheirGradient() {
        Network plain = Network.input(3).dense(2).softmaxCrossEntropy();
        Network decayed = plain.weightDecay(0.1);
        Map<String, Tensor> feeds = new HashMap<>(Initializer.initialize(plain.graph(2).graph(), 3));
        feeds.put("x", Tensor.of(Shape.of(2, 3), 1, 2, 3, -1, 0, 1));
        feeds.put("labels", Tensor.of(Shape.of(2), 1, 0));
        GradientGraph a = Autodiff.gradients(plain.graph(2).graph(), "loss");
        GradientGraph b = Autodiff.gradients(decayed.graph(2).graph(), "loss");
        Tensor ga = INTERPRETER.run(a.graph(), feeds, a.gradientOf("fc1.weight").name());
        Tensor gb = INTERPRETER.run(b.graph(), feeds, b.gradientOf("fc1.weight").name());
        Tensor w = feeds.get("fc1.weight");
        for (int i = 0; i < w.size(); i++) {
            assertEquals(ga.get(i) + 0.1 * w.get(i), gb.get(i), 1e-12);
        }
        assertEquals(INTERPRETER.run(a.graph(), feeds, a.gradientOf("fc1.bias").name()),
                INTERPRETER.run(b.graph(), feeds, b.gradientOf("fc1.bias").name()), "biases are not decayed");
    }
}

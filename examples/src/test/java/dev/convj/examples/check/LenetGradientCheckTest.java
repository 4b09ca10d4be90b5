package dev.convj.examples.check;

import static dev.convj.dsl.LayerOption.pad;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.dsl.Network;
import dev.convj.graph.ModelGraph;
import dev.convj.runtime.Initializer;
import dev.convj.runtime.Tensor;
import dev.convj.runtime.check.GradientCheck;
import dev.convj.runtime.check.GradientCheckReport;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The README's gradient-check recipe on its batch-64 LeNet-5 passes on this correct network. */
class LenetGradientCheckTest {

    @Test
    void conv1BiasOfTheReadmesBatch64Lenet5PassesAcrossReluAndMaxPoolKinks() {
        ModelGraph g = Network.input(1, 28, 28)
                .conv2d(6, 5, pad(2)).relu().maxPool(2)
                .conv2d(16, 5).relu().maxPool(2).flatten()
                .dense(120).relu().dense(84).relu().dense(10)
                .softmaxCrossEntropy().graph(64);
        // The feeds of `convj gradcheck --batch 64 --seed 10`, where ±1e-6 on conv1.bias moves ReLU inputs across 0.
        long seed = 10;
        Map<String, Tensor> feeds = new HashMap<>(Initializer.initialize(g.graph(), seed));
        Random random = new Random(seed + 1);
        feeds.put("x", Tensor.uniform(g.graph().node("x").shape(), 0, 1, random));
        feeds.put("labels", Tensor.generate(g.graph().node("labels").shape(), i -> random.nextInt(10)));
        GradientCheckReport report = GradientCheck.check(g.graph(), "loss", List.of("conv1.bias"), feeds,
                GradientCheck.Options.defaults());
        assertTrue(report.passed(), report.toString());
        assertTrue(report.toString().contains(
                "conv1.bias  parameter  [6]                   6    2.95e-09    3.45e-06  ok\n"
                + "  conv1.bias: 3 of 6 taken with a smaller ε (±ε crossed a ReLU or max-pool switch)\n"
                + "PASSED: all 1 gradients agree\n"), report.toString());
    }
}

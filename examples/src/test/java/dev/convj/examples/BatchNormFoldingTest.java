package dev.convj.examples;

import static dev.convj.dsl.LayerOption.noBias;
import static dev.convj.dsl.LayerOption.same;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.dsl.LayerOption;
import dev.convj.dsl.Network;
import dev.convj.graph.Graph;
import dev.convj.graph.ModelGraph;
import dev.convj.graph.Shape;
import dev.convj.graph.ops.Conv;
import dev.convj.runtime.Initializer;
import dev.convj.runtime.Tensor;
import dev.convj.runtime.compile.CompiledGraph;
import dev.convj.runtime.compile.GraphCompiler;
import dev.convj.runtime.interp.ReferenceInterpreter;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * In an inference graph, batch normalization right after a convolution is folded into the convolution's weights and
 * bias, and dropout is gone: the folded graph computes what the unfolded formula computes, on the float64
 * interpreter and as generated code.
 */
class BatchNormFoldingTest {
    private static final ReferenceInterpreter INTERPRETER = ReferenceInterpreter.float64();

    @ParameterizedTest(name = "bias {0}")
    @ValueSource(booleans = {true, false})
    void foldedEqualsUnfolded(boolean bias) {
        LayerOption[] options = bias ? new LayerOption[] {same()} : new LayerOption[] {same(), noBias()};
        Network net = Network.input(3, 7, 5).conv2d(4, 3, options).batchNorm().relu().dropout(0.5)
                .conv2d(2, 3, same());
        ModelGraph infer = net.inferenceGraph(2);
        Graph g = infer.graph();
        assertTrue(g.node("bn1").op() instanceof Conv, g.toText());
        assertFalse(g.has("bn1.normalized") || g.has("dropout1"), g.toText());
        assertEquals(2, g.nodes().stream().filter(n -> n.op() instanceof Conv).count(), "the unfolded conv1 is pruned");

        Random r = new Random(7);
        Map<String, Tensor> feeds = new HashMap<>(Initializer.initialize(g, 3));
        feeds.put("x", Tensor.uniform(Shape.of(2, 3, 7, 5), -1, 1, r));
        feeds.put("bn1.running_mean", Tensor.uniform(Shape.of(4), -0.5, 0.5, r));
        feeds.put("bn1.running_var", Tensor.uniform(Shape.of(4), 0.5, 2, r));
        feeds.put("bn1.weight", Tensor.uniform(Shape.of(4), 0.5, 1.5, r));
        feeds.put("bn1.bias", Tensor.uniform(Shape.of(4), -0.5, 0.5, r));
        Tensor folded = INTERPRETER.run(g, feeds, "relu1");

        // unfolded: the convolution alone, then relu((z − μ)/√(σ² + ε)·γ + β) per channel
        Network conv = Network.input(3, 7, 5).conv2d(4, 3, options);
        Tensor z = INTERPRETER.run(conv.inferenceGraph(2).graph(), feeds, "conv1");
        double worst = 0;
        for (int i = 0; i < z.size(); i++) {
            int c = i / (7 * 5) % 4;
            double v = (z.get(i) - feeds.get("bn1.running_mean").get(c))
                    / Math.sqrt(feeds.get("bn1.running_var").get(c) + 1e-5) * feeds.get("bn1.weight").get(c)
                    + feeds.get("bn1.bias").get(c);
            worst = Math.max(worst, Math.abs(Math.max(v, 0) - folded.get(i)));
        }
        assertTrue(worst < 1e-12, "folded vs unfolded on the interpreter: " + worst);

        Tensor out = INTERPRETER.run(g, feeds, infer.output());
        try (CompiledGraph c = new GraphCompiler(null).compile(g, 1)) {
            feeds.forEach((name, t) -> {
                float[] v = new float[t.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) t.get(i);
                }
                c.set(name, v);
            });
            c.run();
            float[] got = c.get(infer.output());
            for (int i = 0; i < got.length; i++) {
                assertEquals(out.get(i), got[i], 1e-5, "generated vs interpreter at " + i);
            }
        }
    }
}

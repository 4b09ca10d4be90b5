package dev.convj.examples.check;

import static dev.convj.dsl.LayerOption.noBias;
import static dev.convj.dsl.LayerOption.pad;
import static dev.convj.dsl.LayerOption.same;
import static dev.convj.dsl.LayerOption.stride;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.dsl.Network;
import dev.convj.graph.DType;
import dev.convj.graph.Graph;
import dev.convj.graph.ModelGraph;
import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import dev.convj.graph.autodiff.Autodiff;
import dev.convj.graph.autodiff.GradientGraph;
import dev.convj.graph.viz.DotExport;
import dev.convj.runtime.Initializer;
import dev.convj.runtime.Tensor;
import dev.convj.runtime.check.GradientCheck;
import dev.convj.runtime.check.GradientCheckReport;
import dev.convj.runtime.compile.CompiledGraph;
import dev.convj.runtime.compile.GraphCompiler;
import dev.convj.runtime.interp.ReferenceInterpreter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Residual blocks: the gradient of the block's input sums both branches; generated code equals the interpreter. */
class ResidualNetworkTest {

    /** Two blocks, identity and projection shortcuts, batch norm in both branches. */
    static Network smallResNet() {
        return Network.input(3, 8, 8)
                .conv2d(4, 3, same()).batchNorm().relu()
                .residual(b -> b.conv2d(4, 3, same()).batchNorm().relu().conv2d(4, 3, same()).batchNorm()).relu()
                .residual(b -> b.conv2d(6, 3, stride(2), pad(1)).batchNorm().relu().conv2d(6, 3, same()).batchNorm(),
                        s -> s.conv2d(6, 1, stride(2)).batchNorm()).relu()
                .globalAvgPool().flatten().dense(5).softmaxCrossEntropy();
    }

    private static Map<String, Tensor> feeds(ModelGraph g, long seed) {
        Map<String, Tensor> feeds = new HashMap<>(Initializer.initialize(g.graph(), seed));
        Random random = new Random(seed + 1);
        feeds.put("x", Tensor.uniform(g.graph().node("x").shape(), -1, 1, random));
        feeds.put("labels", Tensor.generate(g.graph().node("labels").shape(), i -> random.nextInt(5)));
        return feeds;
    }

    @Test
    void theInputsGradientIsTheIdentitysPlusTheBodys() {
        // loss = mean((x + w·x − t)²) over 4 values with a 1×1 convolution of weight w: dL/dx = (1 + w)·2(y − t)/4.
        ModelGraph g = Network.input(1, 2, 2).residual(b -> b.conv2d(1, 1, noBias())).mse().graph(1);
        GradientGraph grad = Autodiff.gradients(g.graph(), "loss", List.of("x"));
        double w = 0.75;
        Map<String, Tensor> feeds = Map.of(
                "x", Tensor.of(Shape.of(1, 1, 2, 2), 1, -2, 3, 0.5),
                "target", Tensor.of(Shape.of(1, 1, 2, 2), 0, 1, 2, 3),
                "res1.body.conv1.weight", Tensor.of(Shape.of(1, 1, 1, 1), w));
        String dx = grad.gradientOf("x").name();
        Tensor got = ReferenceInterpreter.float64().run(grad.graph(), feeds, List.of(dx)).get(dx);
        double[] x = {1, -2, 3, 0.5}, t = {0, 1, 2, 3};
        for (int i = 0; i < 4; i++) {
            double expected = (1 + w) * 2 * ((1 + w) * x[i] - t[i]) / 4;
            assertEquals(expected, got.get(i), 1e-12, "dL/dx at " + i);
        }
    }

    @Test
    void everyParameterPassesTheFiniteDifferenceCheck() {
        ModelGraph g = smallResNet().graph(3);
        GradientCheckReport report = GradientCheck.check(g.graph(), "loss", feeds(g, 5), GradientCheck.Options.defaults());
        assertTrue(report.passed(), report.toString());
    }

    @Test
    void theCompiledTrainingStepEqualsTheInterpreter() {
        ModelGraph g = smallResNet().graph(4);
        Graph grad = Autodiff.gradients(g.graph(), "loss").graph();
        Map<String, Tensor> feeds = feeds(g, 7);
        List<String> outputs = grad.outputs().stream().map(Node::name).toList();
        Map<String, Tensor> reference = ReferenceInterpreter.float64().run(grad, feeds, outputs);
        try (CompiledGraph compiled = new GraphCompiler(null).compile(grad, 1)) {
            for (Map.Entry<String, Tensor> f : feeds.entrySet()) {
                double[] v = f.getValue().data();
                if (grad.node(f.getKey()).dtype() == DType.I32) {
                    int[] ints = new int[v.length];
                    for (int i = 0; i < v.length; i++) {
                        ints[i] = (int) v[i];
                    }
                    compiled.setInts(f.getKey(), ints);
                } else {
                    float[] floats = new float[v.length];
                    for (int i = 0; i < v.length; i++) {
                        floats[i] = (float) v[i];
                    }
                    compiled.set(f.getKey(), floats);
                }
            }
            compiled.run();
            List<String> checked = new ArrayList<>();
            for (String out : outputs) {
                Tensor ref = reference.get(out);
                float[] got = compiled.get(out);
                double scale = 0;
                for (int i = 0; i < ref.size(); i++) {
                    scale = Math.max(scale, Math.abs(ref.get(i)));
                }
                for (int i = 0; i < ref.size(); i++) {
                    assertEquals(ref.get(i), got[i], 1e-5 + 2e-4 * scale, out + " at " + i);
                }
                checked.add(out);
            }
            assertTrue(checked.contains("res2.shortcut.conv1.weight.grad") || checked.stream().anyMatch(
                    n -> n.contains("res2.shortcut.conv1.weight")), checked.toString());
        }
    }

    @Test
    void theDiagramDrawsTheSkipFromTheBlocksInputToItsAdd() {
        Graph g = smallResNet().inferenceGraph(1).graph();
        String dot = DotExport.of(g);
        Node input = g.node("relu1"), join = g.node("res1");
        assertTrue(dot.contains("n" + input.id() + " -> n" + join.id() + " "), dot);
    }
}

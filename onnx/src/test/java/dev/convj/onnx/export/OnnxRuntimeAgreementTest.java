package dev.convj.onnx.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.convj.dsl.Network;
import dev.convj.graph.ModelGraph;
import dev.convj.graph.Node;
import dev.convj.runtime.Tensor;
import dev.convj.runtime.interp.ReferenceInterpreter;
import dev.convj.runtime.train.ExecutableFactory;
import dev.convj.runtime.train.Trainer;
import dev.convj.graph.DType;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.ParamInit;
import dev.convj.graph.Shape;
import dev.convj.graph.ops.BroadcastTo;
import dev.convj.graph.ops.Concat;
import dev.convj.graph.ops.MatMul;
import dev.convj.graph.ops.Mul;
import dev.convj.graph.ops.Reshape;
import dev.convj.graph.ops.Sub;
import dev.convj.graph.ops.Sum;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every exported model, run in ONNX Runtime at two batch sizes through its one dynamic batch dimension, matches
 * ConvJ's float64 reference interpreter on the same weights within 1e-5 · (1 + |expected|).
 */
class OnnxRuntimeAgreementTest {

    static Stream<ExportCases.Case> cases() {
        return ExportCases.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void exportedModelMatchesConvJAtTwoBatchSizes(ExportCases.Case c) throws Exception {
        Network network = c.network();
        Map<String, float[]> weights = ExportCases.weights(network, 7);
        ModelProto model = OnnxExporter.export(network, weights);
        byte[] bytes = model.toByteArray();
        for (int batch : new int[] {1, 3}) {
            ModelGraph mg = network.inferenceGraph(batch);
            Node x = mg.graph().node(mg.input());
            Random random = new Random(batch);
            float[] images = new float[x.shape().size()];
            for (int i = 0; i < images.length; i++) {
                images[i] = random.nextFloat() * 2 - 0.5f;
            }
            Tensor expected = reference(mg, weights, images);
            float[] actual = OrtRunner.run(bytes, mg.input(), images,
                    x.shape().dims().stream().mapToLong(Integer::longValue).toArray());
            assertEquals(expected.size(), actual.length, c + ": output size at batch " + batch);
            double worst = 0;
            for (int i = 0; i < actual.length; i++) {
                double e = expected.get(i);
                worst = Math.max(worst, Math.abs(actual[i] - e) / (1 + Math.abs(e)));
            }
            assertTrue(worst <= 1e-5, c + " at batch " + batch + ": worst |a−b|/(1+|b|) = " + worst);
        }
    }

    /** Graph ops that no builder layer lowers to but that a graph may hold: a matrix product and a sum. */
    @Test
    void matrixProductsAndSumsOfAHandBuiltGraph() throws Exception {
        IntFunction<ModelGraph> model = ExportCases::matrixProductAndSum;
        Map<String, float[]> weights = ExportCases.handBuiltWeights();
        Random random = new Random(2);
        byte[] bytes = OnnxExporter.export(model, weights, "hand-built").toByteArray();
        ModelGraph mg = model.apply(5);
        float[] images = new float[20];
        for (int i = 0; i < images.length; i++) {
            images[i] = random.nextFloat();
        }
        Tensor expected = reference(mg, weights, images);
        float[] actual = OrtRunner.run(bytes, "x", images, new long[] {5, 4});
        for (int i = 0; i < 5; i++) {
            assertEquals(expected.get(i), actual[i], 1e-5 * (1 + Math.abs(expected.get(i))));
        }
    }

    /**
     * The forms layers of imported models lower to ({@link ExportCases#importedLayerForms}): one-value padding becomes a
     * Pad, fills of the dynamic batch are built at run time.
     */
    @Test
    void broadcastParametersAndConcatenatedFillsKeepTheBatchDynamic() throws Exception {
        IntFunction<ModelGraph> model = ExportCases::importedLayerForms;
        Map<String, float[]> weights = ExportCases.handBuiltWeights();
        byte[] bytes = OnnxExporter.export(model, weights, "imported-forms").toByteArray();
        for (int batch : new int[] {1, 4}) {
            ModelGraph mg = model.apply(batch);
            float[] images = new float[batch * 18];
            Random random = new Random(batch);
            for (int i = 0; i < images.length; i++) {
                images[i] = random.nextFloat();
            }
            Tensor expected = reference(mg, weights, images);
            float[] actual = OrtRunner.run(bytes, "x", images, new long[] {batch, 2, 3, 3});
            assertEquals(expected.size(), actual.length);
            for (int i = 0; i < actual.length; i++) {
                assertEquals(expected.get(i), actual[i], 1e-6, "batch " + batch + " output " + i);
            }
        }
        assertEquals(List.of("Reshape", "Mul", "Pad", "Shape", "Concat", "Expand", "Concat", "Expand", "Concat", "Sub"),
                OnnxExporter.export(model, weights, "g").getGraph().getNodeList().stream()
                        .map(ai.onnx.proto.OnnxMl.NodeProto::getOpType).toList());
    }

    static Stream<ExportCases.Case> builtIns() {
        return Stream.of(new ExportCases.Case("lenet5", ExportCases.lenet5()),
                new ExportCases.Case("vgg-bn", ExportCases.vggBatchNorm()),
                new ExportCases.Case("resnet", ExportCases.smallResNet()));
    }

    /** What {@code convj infer} computes, generated code in float32, against ONNX Runtime on the exported file. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("builtIns")
    void exportedModelMatchesConvJsCompiledCode(ExportCases.Case c) throws Exception {
        Network network = c.network();
        Map<String, float[]> weights = ExportCases.weights(network, 11);
        Trainer trainer = Trainer.builder(network::graph).inference(network::inferenceGraph)
                .factory(ExecutableFactory.compiled(1)).weights(weights).build();
        byte[] bytes = OnnxExporter.export(network, weights).toByteArray();
        int n = 4;
        float[] images = new float[n * 784];
        Random random = new Random(5);
        for (int i = 0; i < images.length; i++) {
            images[i] = random.nextFloat();
        }
        float[] expected = trainer.outputs(images, n);
        float[] actual = OrtRunner.run(bytes, "x", images, new long[] {n, 1, 28, 28});
        assertEquals(n * 10, actual.length);
        for (int i = 0; i < actual.length; i++) {
            assertEquals(expected[i], actual[i], 1e-5 * (1 + Math.abs(expected[i])), c + " output " + i);
        }
    }

    /** The inference graph's output in float64 on the same weights. */
    static Tensor reference(ModelGraph mg, Map<String, float[]> weights, float[] images) {
        Map<String, Tensor> feeds = new HashMap<>();
        for (Node p : mg.graph().parameters()) {
            float[] w = weights.get(p.name());
            feeds.put(p.name(), Tensor.generate(p.shape(), i -> w[i]));
        }
        feeds.put(mg.input(), Tensor.generate(mg.graph().node(mg.input()).shape(), i -> images[i]));
        return ReferenceInterpreter.float64().run(mg.graph(), feeds, mg.output());
    }
}

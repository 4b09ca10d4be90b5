package dev.convj.onnx.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.convj.dsl.Network;
import dev.convj.graph.ModelGraph;
import dev.convj.graph.Node;
import dev.convj.onnx.imports.ImportedModel;
import dev.convj.onnx.imports.OnnxImporter;
import dev.convj.runtime.Tensor;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** ConvJ → ONNX → ConvJ: the imported network computes what the exported one did, on batches of two sizes. */
class ExportImportRoundTripTest {

    static Stream<ExportCases.Case> cases() {
        return Stream.of(new ExportCases.Case("lenet5", ExportCases.lenet5()),
                new ExportCases.Case("vgg", ExportCases.smallVgg()),
                new ExportCases.Case("vgg-bn", ExportCases.vggBatchNorm()),
                new ExportCases.Case("resnet", ExportCases.smallResNet()),
                new ExportCases.Case("residual-branches", ExportCases.residualBranches()),
                new ExportCases.Case("transposed", ExportCases.transposed()),
                new ExportCases.Case("ceil-pools", ExportCases.ceilPools()));
        // Not yet: "convolutions" and "activations" export Slice (a crop, channel slices), which the importer takes
        // only where it folds to a constant; "pools" exports an AveragePool with more padding after an axis than
        // before (a ceil-mode window count that ONNX 1.12's checker would not infer), which it refuses.
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theImportedModelComputesWhatTheExportedOneDid(ExportCases.Case c) {
        Network network = c.network();
        Map<String, float[]> weights = ExportCases.weights(network, 7);
        ModelProto model = OnnxExporter.export(network, weights);
        ImportedModel imported = OnnxImporter.importModel(model, c.name());
        for (int batch : new int[] {1, 3}) {
            ModelGraph original = network.inferenceGraph(batch), back = imported.network().inferenceGraph(batch);
            Node x = original.graph().node(original.input());
            Random random = new Random(batch);
            float[] images = new float[x.shape().size()];
            for (int i = 0; i < images.length; i++) {
                images[i] = random.nextFloat();
            }
            Tensor expected = OnnxRuntimeAgreementTest.reference(original, weights, images);
            Tensor actual = OnnxRuntimeAgreementTest.reference(back, imported.weights(), images);
            assertEquals(expected.size(), actual.size());
            double worst = 0;
            for (int i = 0; i < expected.size(); i++) {
                worst = Math.max(worst, Math.abs(actual.get(i) - expected.get(i)) / (1 + Math.abs(expected.get(i))));
            }
            assertTrue(worst <= 1e-5, c + " at batch " + batch + ": worst " + worst);
        }
    }
}

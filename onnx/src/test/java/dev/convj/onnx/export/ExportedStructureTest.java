package dev.convj.onnx.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.convj.dsl.Network;
import dev.convj.onnx.OnnxFiles;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an exported model holds: opset, batch dimension, initializers, and the ONNX ops each layer becomes. */
class ExportedStructureTest {

    private static List<String> ops(ModelProto m) {
        return m.getGraph().getNodeList().stream().map(NodeProto::getOpType).toList();
    }

    private static List<String> dims(ValueInfoProto v) {
        return v.getType().getTensorType().getShape().getDimList().stream()
                .map(d -> d.hasDimParam() ? d.getDimParam() : String.valueOf(d.getDimValue())).toList();
    }

    @Test
    void lenet5IsTheOpsetSeventeenChainPyTorchWouldWriteWithADynamicBatch(@TempDir Path dir) throws Exception {
        Network lenet5 = ExportCases.lenet5();
        Map<String, float[]> weights = ExportCases.weights(lenet5, 1);
        ModelProto m = OnnxExporter.export(lenet5, weights);
        assertEquals(8, m.getIrVersion());
        assertEquals("ConvJ", m.getProducerName());
        assertEquals(1, m.getOpsetImportCount());
        assertEquals("", m.getOpsetImport(0).getDomain());
        assertEquals(17, m.getOpsetImport(0).getVersion());
        // normalize is (x − mean)/std: a Mul and an Add of scalars
        assertEquals(List.of("Mul", "Add", "Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool", "Flatten", "Gemm",
                "Relu", "Gemm", "Relu", "Gemm"), ops(m));
        assertEquals("x", m.getGraph().getInput(0).getName());
        assertEquals(List.of("N", "1", "28", "28"), dims(m.getGraph().getInput(0)));
        assertEquals("fc3", m.getGraph().getOutput(0).getName());
        assertEquals(List.of("N", "10"), dims(m.getGraph().getOutput(0)));
        // every parameter once, by name, float32 little-endian in raw_data, the loss and labels left out
        assertEquals(List.of("normalize1.scaled/factor", "normalize1.shift", "conv1.weight", "conv1.bias",
                "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight",
                "fc3.bias"), m.getGraph().getInitializerList().stream().map(TensorProto::getName).toList());
        TensorProto conv1 = m.getGraph().getInitializer(2);
        assertEquals(List.of(6L, 1L, 5L, 5L), conv1.getDimsList());
        assertEquals(TensorProto.DataType.FLOAT_VALUE, conv1.getDataType());
        float[] stored = new float[150];
        ByteBuffer.wrap(conv1.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(stored);
        assertArrayEquals(weights.get("conv1.weight"), stored);
        NodeProto first = m.getGraph().getNode(2);
        assertEquals("conv1", first.getName());
        assertEquals(List.of(2L, 2L, 2L, 2L), attribute(first, "pads").getIntsList());
        NodeProto gemm = m.getGraph().getNode(9);
        assertEquals(1, attribute(gemm, "transB").getI());
        // written atomically and read back whole
        Path file = dir.resolve("lenet5.onnx");
        OnnxExporter.write(file, lenet5, weights);
        assertEquals(m, OnnxFiles.read(file));
    }

    @Test
    void batchNormalizationStaysOneNodeWithItsFourParameters() {
        Network vgg = ExportCases.vggBatchNorm();
        ModelProto m = OnnxExporter.export(vgg, ExportCases.weights(vgg, 1));
        List<String> ops = ops(m);
        assertEquals(4, ops.stream().filter("BatchNormalization"::equals).count());
        for (String folded : List.of("Pow", "Sub", "Expand", "Dropout")) {
            assertFalse(ops.contains(folded), folded + " in " + ops);
        }
        NodeProto bn = m.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("BatchNormalization"))
                .findFirst().orElseThrow();
        assertEquals(List.of("conv1", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var"),
                bn.getInputList());
        assertEquals(1e-5f, attribute(bn, "epsilon").getF());
        // dropout at inference is the identity: the classifier reads the ReLU directly
        NodeProto last = m.getGraph().getNode(m.getGraph().getNodeCount() - 1);
        assertEquals(List.of("relu4", "fc2.weight", "fc2.bias"), last.getInputList());
    }

    @Test
    void everyLayerKindBecomesItsOnnxCounterpart() {
        ModelProto allOps = OnnxExporter.export(ExportCases.allOps(), ExportCases.weights(ExportCases.allOps(), 1));
        assertEquals(List.of("Conv", "BatchNormalization", "LeakyRelu", "MaxPool", "Slice", "AveragePool", "Slice",
                "ConvTranspose", "Concat", "Conv", "Reshape", "Reshape", "Einsum", "Reshape", "Add", "Reshape", "Elu",
                "Reshape", "Conv", "Relu", "Reshape", "Conv", "Sigmoid", "Reshape", "ReduceMax", "Reshape",
                "GlobalAveragePool", "Flatten", "GlobalMaxPool", "Flatten", "Concat", "Gemm", "Tanh", "Gemm",
                "LogSoftmax"), ops(allOps));
        // the flipped, masked kernel of the true convolution is folded into one initializer
        assertEquals("conv1.flipped", allOps.getGraph().getNode(0).getInput(1));
        List<String> initializers = allOps.getGraph().getInitializerList().stream().map(TensorProto::getName).toList();
        assertTrue(initializers.contains("conv1.flipped") && !initializers.contains("conv1.weight"), initializers.toString());
        assertEquals(List.of("Conv", "Relu", "Slice", "Conv", "Relu", "Conv", "Conv", "Conv", "GlobalAveragePool",
                "Flatten"), ops(export(ExportCases.convolutions())));
        // output padding at or past the stride: zeros padded after the transposed convolution, then its bias
        assertEquals(List.of("ConvTranspose", "ConvTranspose", "Relu", "ConvTranspose", "Pad", "Reshape", "Add",
                "Reshape", "ConvTranspose", "Flatten"), ops(export(ExportCases.transposed())));
        ModelProto pools = export(ExportCases.pools());
        assertEquals(List.of("Pad", "AveragePool", "MaxPool", "AveragePool", "Concat", "AveragePool", "MaxPool",
                "AveragePool", "Reshape", "MaxPool", "AveragePool", "Reshape", "AveragePool", "MaxPool", "Flatten"),
                ops(pools));
        // the average counting its padding over H (ceil kept) and W (last window dropped): zeros padded first,
        // then one extra row after H that the divisor leaves out
        NodeProto mixed = pools.getGraph().getNode(1);
        assertEquals(List.of(0L, 0L, 1L, 0L), attribute(mixed, "pads").getIntsList());
        assertEquals(0, attribute(mixed, "count_include_pad").getI());
        assertEquals(0, attribute(mixed, "ceil_mode").getI());
        NodeProto overhang = pools.getGraph().getNode(5);
        assertEquals(1, attribute(overhang, "ceil_mode").getI());
        assertEquals(1, attribute(overhang, "count_include_pad").getI());
    }

    private static ModelProto export(Network n) {
        return OnnxExporter.export(n, ExportCases.weights(n, 1));
    }

    private static AttributeProto attribute(NodeProto n, String name) {
        return n.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(n.getName() + " has no attribute " + name));
    }

    @Test
    void residualJoinsAreAddsOfTheTwoBranches() {
        ModelProto resnet = export(ExportCases.smallResNet());
        List<String> ops = ops(resnet);
        assertEquals(3, ops.stream().filter("Add"::equals).count() - 1, ops.toString()); // one Add is normalize's
        assertEquals(9, ops.stream().filter("BatchNormalization"::equals).count());
        assertEquals(1, ops.stream().filter("GlobalAveragePool"::equals).count());
        NodeProto join = resnet.getGraph().getNodeList().stream().filter(n -> n.getName().equals("res2")).findFirst()
                .orElseThrow();
        assertEquals(List.of("Add"), List.of(join.getOpType()));
        assertEquals(List.of("res2.body.bn2", "res2.shortcut.bn1"), join.getInputList());
    }

    @Test
    void theBatchIsSymbolicEvenWhereOnlyAMultipleOfItShowsUp() {
        ModelProto m = export(ExportCases.activations());
        assertEquals(List.of("N", "5"), dims(m.getGraph().getOutput(0)));
        TensorShapeProto.Dimension batch = m.getGraph().getInput(0).getType().getTensorType().getShape().getDim(0);
        assertTrue(batch.hasDimParam() && !batch.hasDimValue());
    }
}

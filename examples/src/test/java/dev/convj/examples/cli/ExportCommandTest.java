package dev.convj.examples.cli;

import static dev.convj.dsl.LayerOption.same;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.convj.dsl.Network;
import dev.convj.examples.ModelStore;
import dev.convj.examples.Models;
import dev.convj.onnx.OnnxFiles;
import dev.convj.runtime.train.Trainer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** convj export --format onnx: built-in and saved models as ONNX files; the Java export stays the default. */
class ExportCommandTest {

    private record Result(int code, String out, String err) {}

    private static Result run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = ConvjCommand.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    private static float[] initializer(ModelProto m, String name) {
        TensorProto t = m.getGraph().getInitializerList().stream().filter(i -> i.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no initializer " + name));
        byte[] raw = t.getRawData().toByteArray();
        float[] v = new float[raw.length / 4];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }

    @Test
    void aBuiltInModelIsExportedWithTheSeededWeightsInferRuns(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("lenet5.onnx");
        Result r = run("export", "--model", "lenet5", "--format", "onnx", "--out", file.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("wrote " + file + ": ONNX opset 17, input x [N, 1, 28, 28], output fc3 [N, 10], seeded, untrained "
                + "weights from lenet5\n", r.out());
        ModelProto m = OnnxFiles.read(file);
        assertEquals(List.of("Mul", "Add", "Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool", "Flatten", "Gemm",
                "Relu", "Gemm", "Relu", "Gemm"), m.getGraph().getNodeList().stream().map(NodeProto::getOpType).toList());
        Network lenet5 = Models.lenet5();
        Map<String, float[]> seeded = Trainer.builder(lenet5::graph).inference(lenet5::inferenceGraph).seed(1).build()
                .weights();
        assertArrayEquals(seeded.get("conv2.weight"), initializer(m, "conv2.weight"));
        assertArrayEquals(seeded.get("fc3.bias"), initializer(m, "fc3.bias"));
    }

    @Test
    void aSavedModelKeepsItsTrainedWeightsAndBatchNormStatistics(@TempDir Path dir) throws Exception {
        Network net = Network.input(1, 8, 8).conv2d(4, 3, same()).batchNorm().relu().maxPool(2).flatten().dense(3)
                .softmaxCrossEntropy();
        Map<String, float[]> weights = new HashMap<>(Trainer.builder(net::graph).inference(net::inferenceGraph)
                .seed(5).build().weights());
        weights.put("bn1.running_mean", new float[] {0.1f, -0.2f, 0.3f, 0.05f});
        weights.put("bn1.running_var", new float[] {1.5f, 0.7f, 2.0f, 0.9f});
        Path model = dir.resolve("net.convj");
        ModelStore.save(model, net, weights, Map.of());
        Path file = dir.resolve("net.onnx");
        Result r = run("export", "--model", model.toString(), "--format", "onnx", "--out", file.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().endsWith(", trained weights from " + model + "\n"), r.out());
        ModelProto m = OnnxFiles.read(file);
        assertEquals(List.of("Conv", "BatchNormalization", "Relu", "MaxPool", "Flatten", "Gemm"),
                m.getGraph().getNodeList().stream().map(NodeProto::getOpType).toList());
        assertArrayEquals(weights.get("bn1.running_var"), initializer(m, "bn1.running_var"));
        assertArrayEquals(weights.get("conv1.weight"), initializer(m, "conv1.weight"));
    }

    @Test
    void javaStaysTheDefaultAndEachFormatRefusesTheOtherOnesOptions(@TempDir Path dir) {
        Path out = dir.resolve("out");
        Result noClass = run("export", "--model", "lenet5", "--out", out.toString());
        assertEquals(2, noClass.code());
        assertEquals("convj: --format java needs --class, e.g. --class com.acme.FashionNet\n", noClass.err());
        Result untrained = run("export", "--model", "lenet5", "--class", "com.acme.Net", "--out", out.toString());
        assertEquals("convj: 'lenet5' has no trained weights; export a saved .convj model\n", untrained.err());
        Result withClass = run("export", "--model", "lenet5", "--format", "onnx", "--class", "com.acme.Net", "--out",
                dir.resolve("x.onnx").toString());
        assertEquals(2, withClass.code());
        assertEquals("convj: --class and --vector apply to --format java only\n", withClass.err());
        Result unknown = run("export", "--model", "lenet5", "--format", "xml", "--out", out.toString());
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("--format") && unknown.err().contains("[java, onnx]"), unknown.err());
        assertFalse(Files.exists(out) || Files.exists(dir.resolve("x.onnx")), "nothing written");
    }
}

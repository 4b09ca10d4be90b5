package dev.convj.examples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.examples.data.FashionData;
import dev.convj.runtime.data.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX files on the command line: infer, summary, diagram, eval and train take {@code .onnx} (PyTorch's LeNet-5
 * fixture), and {@code convj import} keeps one as a ConvJ model file that computes the same outputs.
 */
class OnnxCommandsTest {
    static final Path FIXTURES = Path.of("../onnx/src/test/resources/onnx");
    static final Path LENET = FIXTURES.resolve("lenet5.opset17.onnx");

    @TempDir
    Path dir;

    private static TrainCommandTest.Result run(String... args) {
        return TrainCommandTest.run(args);
    }

    /** |a − b| / (1 + |b|) ≤ 1e-4 everywhere. */
    private static void assertMatches(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            double e = Math.abs(actual[i] - expected[i]) / (1 + Math.abs(expected[i]));
            assertTrue(e <= 1e-4, "output " + i + ": ConvJ " + actual[i] + ", PyTorch " + expected[i]);
        }
    }

    @Test
    void inferOnAnOnnxFileGivesPyTorchsOutputsAndTheImportedModelFileTheSame() throws Exception {
        Path x = FIXTURES.resolve("lenet5.input.npy");
        float[] pytorch = Npy.read(FIXTURES.resolve("lenet5.output.npy")).floats();
        Path y = dir.resolve("y.npy");
        var r = run("infer", "--model", LENET.toString(), "--input", x.toString(), "--out", y.toString(), "--threads",
                "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith(LENET + ": 3 image(s) in "), r.out());
        assertArrayEquals(new int[] {3, 10}, Npy.read(y).shape());
        assertMatches(pytorch, Npy.read(y).floats());

        Path saved = dir.resolve("lenet5.convj");
        var imported = run("import", "--model", LENET.toString(), "--out", saved.toString());
        assertEquals(0, imported.code(), imported.err());
        assertEquals(LENET + ": 12 layers, 61,706 values (weights and running statistics), input [1, 28, 28], output"
                + " [10]; written to " + saved, imported.out().strip());
        Path y2 = dir.resolve("y2.npy");
        var again = run("infer", "--model", saved.toString(), "--input", x.toString(), "--out", y2.toString());
        assertEquals(0, again.code(), again.err());
        assertMatches(pytorch, Npy.read(y2).floats());
    }

    @Test
    void summaryDiagramEvalAndTrainTakeAnOnnxFile() throws Exception {
        var summary = run("summary", "--model", FIXTURES.resolve("resnet.opset17.onnx").toString());
        assertEquals(0, summary.code(), summary.err());
        assertTrue(summary.out().contains("res2         residual         16×6×6                3,632"), summary.out());
        assertTrue(summary.out().contains("total: 5,050 parameters"), summary.out());
        var diagram = run("diagram", "--model", LENET.toString(), "--out", dir.resolve("lenet.dot").toString());
        assertEquals(0, diagram.code(), diagram.err());
        assertTrue(Files.readString(dir.resolve("lenet.dot")).contains("conv1"));
        String data = Path.of(FashionData.class.getResource(FashionData.EMBEDDED).toURI()).toString();
        var eval = run("eval", "--model", LENET.toString(), "--data", data, "--limit", "50");
        assertEquals(0, eval.code(), eval.err());
        assertTrue(eval.out().contains("accuracy"), eval.out());
        var train = run("train", "--model", LENET.toString(), "--epochs", "1", "--batch", "40", "--limit", "200",
                "--test-limit", "50", "--data", data, "--out", dir.resolve("run").toString(), "--no-progress");
        assertEquals(0, train.code(), train.err() + train.out());
        assertTrue(train.out().contains("test accuracy: "), train.out());
        assertTrue(Files.size(dir.resolve("run/model.convj")) > 0);
    }

    @Test
    void aTruncatedOnnxFileIsOneLine() throws Exception {
        Path cut = dir.resolve("cut.onnx");
        byte[] whole = Files.readAllBytes(LENET);
        Files.write(cut, java.util.Arrays.copyOf(whole, 1000));
        var r = run("infer", "--model", cut.toString(), "--input", FIXTURES.resolve("lenet5.input.npy").toString(),
                "--out", dir.resolve("y.npy").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("convj: " + cut + ": not a readable ONNX model ("), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }
}

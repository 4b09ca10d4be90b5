package dev.convj.onnx.imports;

import static dev.convj.onnx.imports.Fixtures.assertClose;
import static dev.convj.onnx.imports.OnnxModels.in;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.convj.dsl.NetworkSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Attributes that PyTorch's exporter does not write (auto_pad, output_shape, Reshape's 0, Gemm's alpha, beta and
 * transB=0, typed float_data and int64_data fields), in models written here: ConvJ against ONNX Runtime.
 */
class HandWrittenModelsTest {

    @TempDir
    Path dir;

    static Stream<Arguments> models() {
        List<Arguments> cases = new ArrayList<>();
        cases.add(Arguments.of("conv SAME_UPPER, stride 2, odd padding", new int[] {3, 7, 7},
                OnnxModels.input(3, 7, 7).weight("w", 4, 3, 3, 3).weight("b", 4)
                        .node("Conv", in("x", "w", "b"), "c", "auto_pad", "SAME_UPPER", "strides", new int[] {2, 2})
                        .node("Relu", in("c"), "y").output("y")));
        cases.add(Arguments.of("conv SAME_LOWER, 2×4 kernel", new int[] {2, 6, 6},
                OnnxModels.input(2, 6, 6).weight("w", 3, 2, 2, 4)
                        .node("Conv", in("x", "w"), "y", "auto_pad", "SAME_LOWER").output("y")));
        cases.add(Arguments.of("Reshape with 0 and -1, Gemm alpha beta transB=0", new int[] {4, 3, 3},
                OnnxModels.input(4, 3, 3).ints("shape", 0, -1).weight("w", 36, 5).weight("c", 1, 5)
                        .node("Reshape", in("x", "shape"), "r")
                        .node("Gemm", in("r", "w", "c"), "y", "alpha", 0.5, "beta", 2.0).output("y")));
        cases.add(Arguments.of("ConvTranspose with output_shape", new int[] {2, 4, 4},
                OnnxModels.input(2, 4, 4).weight("w", 2, 3, 3, 3)
                        .node("ConvTranspose", in("x", "w"), "y", "strides", new int[] {2, 2},
                                "output_shape", new int[] {8, 8}).output("y")));
        cases.add(Arguments.of("ConvTranspose SAME_UPPER, stride 2, groups 2", new int[] {4, 3, 3},
                OnnxModels.input(4, 3, 3).weight("w", 4, 1, 3, 3).weight("b", 2)
                        .node("ConvTranspose", in("x", "w", "b"), "y", "strides", new int[] {2, 2},
                                "auto_pad", "SAME_UPPER", "group", 2).output("y")));
        cases.add(Arguments.of("MaxPool SAME_UPPER, GlobalMaxPool kept 4-D, 1×1 conv", new int[] {3, 5, 5},
                OnnxModels.input(3, 5, 5).weight("w", 2, 3, 1, 1)
                        .node("MaxPool", in("x"), "p", "kernel_shape", new int[] {2, 2}, "strides", new int[] {2, 2},
                                "auto_pad", "SAME_UPPER")
                        .node("GlobalMaxPool", in("p"), "g")
                        .node("Conv", in("g", "w"), "c")
                        .node("Flatten", in("c"), "y").output("y")));
        cases.add(Arguments.of("AveragePool, asymmetric pads counted, Sigmoid", new int[] {2, 6, 6},
                OnnxModels.input(2, 6, 6)
                        .node("AveragePool", in("x"), "p", "kernel_shape", new int[] {3, 3},
                                "pads", new int[] {0, 1, 2, 1}, "count_include_pad", 1)
                        .node("Sigmoid", in("p"), "y").output("y")));
        cases.add(Arguments.of("BatchNormalization on features, MatMul then Add, LogSoftmax", new int[] {6},
                OnnxModels.input(6).weight("s", 6).weight("b", 6).weight("m", 6).weight("v", 0.5f, 6)
                        .weight("w", 6, 4).weight("c", 4)
                        .node("BatchNormalization", in("x", "s", "b", "m", "v"), "n",
                                "epsilon", 1e-3)
                        .node("MatMul", in("n", "w"), "mm").node("Add", in("c", "mm"), "a")
                        .node("LogSoftmax", in("a"), "y", "axis", 1).output("y")));
        cases.add(Arguments.of("opset 11: Gemm transB=1 without bias, Softmax's old default axis", new int[] {5},
                OnnxModels.input(5).opset(11).weight("w", 3, 5)
                        .node("Gemm", in("x", "w"), "g", "transB", 1)
                        .node("Softmax", in("g"), "y").output("y")));
        cases.add(Arguments.of("a residual whose body holds concatenated branches", new int[] {2, 5, 5},
                OnnxModels.input(2, 5, 5).weight("wa", 1, 2, 1, 1).weight("wb", 1, 2, 3, 3).weight("wc", 2, 2, 3, 3)
                        .node("Relu", in("x"), "r")
                        .node("Conv", in("r", "wa"), "a")
                        .node("Conv", in("r", "wb"), "b", "pads", new int[] {1, 1, 1, 1})
                        .node("Concat", in("a", "b"), "ab", "axis", 1)
                        .node("Conv", in("ab", "wc"), "c", "pads", new int[] {1, 1, 1, 1})
                        .node("Add", in("r", "c"), "y").output("y")));
        cases.add(Arguments.of("concatenated branches, one holding a residual block", new int[] {2, 4, 4},
                OnnxModels.input(2, 4, 4).weight("w1", 3, 2, 1, 1).weight("w2", 3, 3, 3, 3)
                        .node("Conv", in("x", "w1"), "p")
                        .node("Conv", in("p", "w2"), "q", "pads", new int[] {1, 1, 1, 1})
                        .node("Add", in("q", "p"), "res")
                        .node("Tanh", in("x"), "t")
                        .node("Concat", in("res", "t", "x"), "y", "axis", 1).output("y")));
        cases.add(Arguments.of("opset 18: ReduceMean with its axes as an input, kept dimensions", new int[] {3, 4, 4},
                OnnxModels.input(3, 4, 4).opset(18).ints("axes", 2, 3).weight("w", 2, 3, 1, 1)
                        .node("ReduceMean", in("x", "axes"), "m")
                        .node("Conv", in("m", "w"), "y").output("y")));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void convjMatchesOnnxRuntime(String what, int[] image, ModelProto model) throws Exception {
        Path file = dir.resolve("model.onnx");
        Files.write(file, model.toByteArray());
        int n = 2;
        int size = Arrays.stream(image).reduce(1, (a, b) -> a * b);
        float[] x = new float[n * size];
        Random random = new Random(3);
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat() * 2 - 1;
        }
        int[] shape = new int[image.length + 1];
        shape[0] = n;
        System.arraycopy(image, 0, shape, 1, image.length);
        float[] expected = OnnxRuntimeFixturesTest.run(file, x, shape);
        ImportedModel m = OnnxImporter.read(file);
        assertClose(what + " compiled\n" + NetworkSpec.write(m.network()),
                Fixtures.widen(Fixtures.runCompiled(m, x, n, 1)), expected, 1e-4);
        assertClose(what + " float64", Fixtures.runInterpreter(m, x, n), expected, 1e-4);
    }
}

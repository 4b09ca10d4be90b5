package dev.convj.runtime.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convj.graph.DType;
import dev.convj.graph.Graph;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import dev.convj.graph.autodiff.Autodiff;
import dev.convj.graph.ops.AvgPool;
import dev.convj.graph.ops.MaxPool;
import dev.convj.graph.ops.Mul;
import dev.convj.graph.ops.Op;
import dev.convj.graph.ops.PoolGeometry;
import dev.convj.graph.ops.Sum;
import dev.convj.runtime.Tensor;
import dev.convj.runtime.interp.ReferenceInterpreter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The sign of zero through pooling, bit for bit, as PyTorch's CPU kernels give it and the reference interpreter
 * computes it: max pooling keeps the first of equal maxima, so a window of −0 then +0s yields −0 (Math.max would
 * give +0); max- and average-pool gradients of −0 are +0 (added into cleared memory). 2×2 windows on a 4-wide plane
 * (the MaxPool2x2 kernels' plain forms) and a 32-wide one (their Vector API forms, when present); 3×3 windows (the
 * emitted whole-window loops).
 */
class PoolSignedZeroTest {
    private static final GraphCompiler COMPILER = new GraphCompiler(null);
    @ParameterizedTest(name = "window {0}, width {1}")
    @CsvSource({"2, 4", "2, 32", "3, 6"})
    void maxPoolingKeepsTheFirstZeroAndAverageGradientsOfMinusZeroArePlusZero(int window, int width) {
        // every window's first tap is −0, its others +0
        float[] image = new float[window * width];
        for (int j = 0; j < width; j += window) {
            image[j] = -0f;
        }
        float[] minusZeros = new float[width / window];
        Arrays.fill(minusZeros, -0f);
        PoolGeometry g = new PoolGeometry(List.of(window, window), List.of(window, window), List.of(0, 0), false);

        Map<String, float[]> max = run(new MaxPool(g), window, width, image, minusZeros);
        for (float v : max.get("y")) {
            assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(v), "max of −0 then +0s");
        }
        for (float v : max.get("x.grad")) {
            assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(v), "max-pool gradient of −0");
        }
        Map<String, float[]> avg = run(new AvgPool(g, true), window, width, image, minusZeros);
        for (float v : avg.get("x.grad")) {
            assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(v), "average gradient of −0");
        }
    }

    /**
     * y = op(x) on one rows×width plane, and x.grad for loss = Σ y · r, from generated code; asserts the reference
     * interpreter gives the same bits.
     */
    private static Map<String, float[]> run(Op op, int rows, int width, float[] image, float[] weights) {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(1, 1, rows, width), DType.F32);
        Node y = b.apply("y", op, x);
        Node r = b.input("r", y.shape(), DType.F32);
        b.output(y);
        b.output(b.apply("loss", new Sum(List.of(0, 1, 2, 3)), b.apply("weighted", new Mul(), y, r)));
        Graph g = Autodiff.gradients(b.build(), "loss", List.of("x")).graph();
        Map<String, Tensor> reference = ReferenceInterpreter.float64().run(g,
                Map.of("x", Tensor.generate(x.shape(), i -> image[i]), "r", Tensor.generate(r.shape(), i -> weights[i])),
                List.of("y", "x.grad"));
        try (CompiledGraph compiled = COMPILER.compile(g, 1)) {
            compiled.set("x", image);
            compiled.set("r", weights);
            compiled.run();
            Map<String, float[]> got = Map.of("y", compiled.get("y").clone(), "x.grad", compiled.get("x.grad").clone());
            for (Map.Entry<String, float[]> e : got.entrySet()) {
                for (int i = 0; i < e.getValue().length; i++) {
                    assertEquals(Float.floatToRawIntBits((float) reference.get(e.getKey()).get(i)),
                            Float.floatToRawIntBits(e.getValue()[i]), op + " " + e.getKey() + " at " + i);
                }
            }
            return got;
        }
    }
}

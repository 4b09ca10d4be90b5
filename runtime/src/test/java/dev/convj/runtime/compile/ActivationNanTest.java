package dev.convj.runtime.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.graph.DType;
import dev.convj.graph.Graph;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.Node;
import dev.convj.graph.ParamInit;
import dev.convj.graph.Shape;
import dev.convj.graph.autodiff.Autodiff;
import dev.convj.graph.ops.Conv;
import dev.convj.graph.ops.ConvGeometry;
import dev.convj.graph.ops.Dense;
import dev.convj.graph.ops.Elu;
import dev.convj.graph.ops.LeakyRelu;
import dev.convj.graph.ops.MaxPool;
import dev.convj.graph.ops.Mul;
import dev.convj.graph.ops.Op;
import dev.convj.graph.ops.PoolGeometry;
import dev.convj.graph.ops.Relu;
import dev.convj.graph.ops.Sum;
import dev.convj.runtime.Tensor;
import dev.convj.runtime.interp.ReferenceInterpreter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * NaN, ±0 and ±∞ through ReLU, leaky ReLU and ELU, forward and backward, and through the ReLU fused into a
 * convolution, a dense layer and a max-pool gradient: the reference interpreter and generated code give PyTorch's
 * values bit for bit (any NaN matching any NaN). The expected numbers are PyTorch 1.13's on the CPU (Debian
 * python3-torch): {@code y = f(x); y.backward(r)}, and for the fused forms {@code relu(conv2d(…))},
 * {@code relu(linear(…))} and {@code max_pool2d(relu(x), 3, 3).backward(r)}.
 */
class ActivationNanTest {
    private static final GraphCompiler COMPILER = new GraphCompiler(null);
    private static final float NAN = Float.NaN, INF = Float.POSITIVE_INFINITY;
    private static final float[] X = {NAN, -INF, -1f, -0f, 0f, 1f, INF};

    /** An elementwise op on X with the upstream gradient {@code up} everywhere: PyTorch's y and dL/dx. */
    record Case(String name, Op op, float up, float[] y, float[] dx) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        float[] relu = {NAN, 0f, 0f, -0f, 0f, 1f, INF}, leaky = {NAN, -INF, -0.01f, -0f, 0f, 1f, INF};
        float s = 0.01f, e = 0.36787945f; // slope; e^−1 in float
        return Stream.of(
                // relu keeps NaN and −0; its gradient passes dL/dy where the output is NaN or > 0, else +0
                new Case("relu", new Relu(), 1f, relu, new float[] {1f, 0f, 0f, 0f, 0f, 1f, 1f}),
                new Case("relu, dL/dy = −1", new Relu(), -1f, relu, new float[] {-1f, 0f, 0f, 0f, 0f, -1f, -1f}),
                new Case("relu, dL/dy = NaN", new Relu(), NAN, relu, new float[] {NAN, 0f, 0f, 0f, 0f, NAN, NAN}),
                new Case("relu, dL/dy = −∞", new Relu(), -INF, relu, new float[] {-INF, 0f, 0f, 0f, 0f, -INF, -INF}),
                // x > 0 ? x : slope·x, and dL/dy·slope at NaN and ±0
                new Case("leaky_relu 0.01", new LeakyRelu(0.01), 1f, leaky, new float[] {s, s, s, s, s, 1f, 1f}),
                new Case("leaky_relu 0.01, dL/dy = −1", new LeakyRelu(0.01), -1f, leaky,
                        new float[] {-s, -s, -s, -s, -s, -1f, -1f}),
                // α(e^x − 1) is +0 at −0; the gradient αe^x at x ≤ 0, dL/dy at +∞, NaN at NaN (PyTorch's vectorized
                // kernel, which every tensor of 16 elements or more takes)
                new Case("elu 1", new Elu(1), 1f, new float[] {NAN, -1f, -0.63212055f, 0f, 0f, 1f, INF},
                        new float[] {NAN, 0f, e, 1f, 1f, 1f, 1f}),
                new Case("elu 1, dL/dy = −1", new Elu(1), -1f, new float[] {NAN, -1f, -0.63212055f, 0f, 0f, 1f, INF},
                        new float[] {NAN, -0f, -e, -1f, -1f, -1f, -1f}),
                new Case("elu 0.5", new Elu(0.5), 1f, new float[] {NAN, -0.5f, -0.31606027f, 0f, 0f, 1f, INF},
                        new float[] {NAN, 0f, 0.18393972f, 0.5f, 0.5f, 1f, 1f}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void activationsFollowPyTorchOnNanZeroAndInfinity(Case c) {
        float[] up = new float[X.length];
        Arrays.fill(up, c.up());
        Map<String, float[]> got = run(Shape.of(1, X.length), (b, x) -> b.apply("y", c.op(), x),
                Map.of("x", X), up, List.of("y", "x.grad"));
        assertBits(c.y(), got.get("y"), "y");
        assertBits(c.dx(), got.get("x.grad"), "x.grad");
    }

    @Test
    void reluFusedIntoConvolutionsAndDenseLayersKeepsNan() {
        // 1×1 kernel of 2, bias 0.5, padding 1: stride 1 copies the valid rows out of the GEMM through
        // Gemm.copyOutRows; stride 2 (2×2 kernel of ones, bias −1) and the dense layer apply the ReLU in their
        // emitted epilogue loops.
        ConvGeometry pad1 = new ConvGeometry(List.of(1, 1), List.of(1, 1), List.of(1, 1), List.of(1, 1), 1);
        Body conv = (b, x) -> b.apply("y", new Relu(), b.apply("conv", new Conv(pad1), x,
                b.parameter("w", Shape.of(1, 1, 1, 1), new ParamInit.Uniform(1)),
                b.parameter("b", Shape.of(1), new ParamInit.Uniform(1))));
        assertTrue(COMPILER.generate(graph(Shape.of(1, 1, 2, 3), conv, List.of())).source()
                .contains("Gemm.copyOutRows(col, "), "stride 1 through Gemm.copyOutRows");
        float h = 0.5f;
        assertBits(new float[] {h, h, h, h, h, h, NAN, 0f, INF, h, h, 0f, 2.5f, 1f, h, h, h, h, h, h},
                run(Shape.of(1, 1, 2, 3), conv, Map.of("x", new float[] {NAN, -INF, INF, -3f, 1f, 0.25f},
                        "w", new float[] {2f}, "b", new float[] {0.5f}), null, List.of("y")).get("y"), "conv y");

        ConvGeometry stride2 = new ConvGeometry(List.of(2, 2), List.of(0, 0), List.of(0, 0), List.of(1, 1), 1);
        Body strided = (b, x) -> b.apply("y", new Relu(), b.apply("conv", new Conv(stride2), x,
                b.parameter("w", Shape.of(1, 1, 2, 2), new ParamInit.Uniform(1)),
                b.parameter("b", Shape.of(1), new ParamInit.Uniform(1))));
        assertBits(new float[] {NAN, 0f}, run(Shape.of(1, 1, 2, 4), strided,
                Map.of("x", new float[] {NAN, 1f, -5f, 1f, 1f, 1f, 1f, 1f}, "w", new float[] {1f, 1f, 1f, 1f},
                        "b", new float[] {-1f}), null, List.of("y")).get("y"), "strided conv y");

        Body dense = (b, x) -> b.apply("y", new Relu(), b.apply("fc", new Dense(), x,
                b.parameter("w", Shape.of(1, 2), new ParamInit.Uniform(1)),
                b.parameter("b", Shape.of(1), new ParamInit.Uniform(1))));
        assertBits(new float[] {NAN, 0f, INF}, run(Shape.of(3, 2), dense, Map.of("x",
                new float[] {NAN, 1f, -3f, 1f, 2f, INF}, "w", new float[] {1f, 1f}, "b", new float[] {0.5f}), null,
                List.of("y")).get("y"), "dense y");
    }

    @Test
    void reluBackwardFusedIntoAMaxPoolGradientPassesNanAndGivesPlusZero() {
        // 3×3 windows at stride 3 tile a 3×9 plane (the unrolled whole-window loops, the ReLU backward fused):
        // window 0 holds a NaN, its argmax; window 1's maximum is 2; window 2 is all negative, so its ReLU'd
        // maximum is its first +0. dL/dy = −1: dx is −1 at the NaN and at the 2, +0 everywhere else.
        float[] image = {1f, NAN, 2f, -3f, 2f, -1f, -1f, -2f, -3f,
                         0.5f, 4f, 3f, -2f, 1f, 0.5f, -4f, -5f, -6f,
                         7f, -1f, 2f, 1f, 0f, 1.5f, -7f, -8f, -9f};
        PoolGeometry g = new PoolGeometry(List.of(3, 3), List.of(3, 3), List.of(0, 0), false);
        Map<String, float[]> got = run(Shape.of(1, 1, 3, 9),
                (b, x) -> b.apply("y", new MaxPool(g), b.apply("relu", new Relu(), x)), Map.of("x", image),
                new float[] {-1f, -1f, -1f}, List.of("y", "x.grad"));
        assertBits(new float[] {NAN, 2f, 0f}, got.get("y"), "y");
        float[] dx = new float[27];
        dx[1] = -1f;
        dx[4] = -1f;
        assertBits(dx, got.get("x.grad"), "x.grad");
    }

    /**
     * Rows wide enough for the vector kernels at every width (16 lanes and more): the ReLU fused into the GEMM's
     * vector copy-out, and the ReLU mask of the vector 2×2 max-pool gradient, keep NaN and −0 and give +0 as above.
     */
    @Test
    void theVectorKernelsFollowTheSameRulesOnWideRows() {
        float[] pattern = {NAN, -INF, -1f, -0.25f, -0f, 0f, 0.5f, INF, 3f, -2f};
        float[] x = new float[2 * 40];
        for (int i = 0; i < x.length; i++) {
            x[i] = pattern[(i * 7) % pattern.length];
        }
        ConvGeometry pad1 = new ConvGeometry(List.of(1, 1), List.of(1, 1), List.of(1, 1), List.of(1, 1), 1);
        Body conv = (b, in) -> b.apply("y", new Relu(), b.apply("conv", new Conv(pad1), in,
                b.parameter("w", Shape.of(1, 1, 1, 1), new ParamInit.Uniform(1)),
                b.parameter("b", Shape.of(1), new ParamInit.Uniform(1))));
        assertTrue(COMPILER.generate(graph(Shape.of(1, 1, 2, 40), conv, List.of())).source()
                .contains("Gemm.copyOutRows(col, "), "stride 1 through Gemm.copyOutRows");
        float[] y = new float[4 * 42]; // padded by one all round: 0 · 2 + 0.5 there
        for (int i = 0; i < y.length; i++) {
            int row = i / 42 - 1, col = i % 42 - 1;
            float v = (row >= 0 && row < 2 && col >= 0 && col < 40 ? x[row * 40 + col] : 0f) * 2f + 0.5f;
            y[i] = v < 0 ? 0f : v; // PyTorch's relu: NaN and −0 stay
        }
        assertBits(y, run(Shape.of(1, 1, 2, 40), conv, Map.of("x", x, "w", new float[] {2f}, "b",
                new float[] {0.5f}), null, List.of("y")).get("y"), "conv y, rows of 40");

        PoolGeometry g = new PoolGeometry(List.of(2, 2), List.of(2, 2), List.of(0, 0), false);
        Map<String, float[]> got = run(Shape.of(1, 1, 2, 40),
                (b, in) -> b.apply("y", new MaxPool(g), b.apply("relu", new Relu(), in)), Map.of("x", x),
                filled(20, -1f), List.of("y", "x.grad"));
        float[] dx = new float[x.length];
        for (int j = 0; j < 20; j++) { // the first maximum of relu(x) in row-major order, the last NaN
            int arg = -1;
            float best = 0;
            for (int t : new int[] {2 * j, 2 * j + 1, 40 + 2 * j, 41 + 2 * j}) {
                float r = x[t] < 0 ? 0f : x[t];
                if (arg < 0 || r > best || r != r) {
                    best = r;
                    arg = t;
                }
            }
            dx[arg] = best <= 0f ? 0f : -1f; // ReLU's gradient: +0 where its output is ≤ 0, NaN passes
        }
        assertBits(dx, got.get("x.grad"), "x.grad through the 2×2 max-pool gradient, rows of 40");
    }

    /** How a test builds y from the builder and the input x. */
    private interface Body {
        Node apply(GraphBuilder b, Node x);
    }

    /** x → body → y, loss = Σ y · r, and the gradients of the nodes named in {@code wrt}. */
    private static Graph graph(Shape in, Body body, List<String> wrt) {
        GraphBuilder b = new GraphBuilder();
        Node y = body.apply(b, b.input("x", in, DType.F32));
        Node r = b.input("r", y.shape(), DType.F32);
        List<Integer> axes = new ArrayList<>();
        for (int a = 0; a < y.shape().rank(); a++) {
            axes.add(a);
        }
        b.output(y);
        b.output(b.apply("loss", new Sum(axes), b.apply("weighted", new Mul(), y, r)));
        return wrt.isEmpty() ? b.build() : Autodiff.gradients(b.build(), "loss", wrt).graph();
    }

    /**
     * Runs the graph of {@code body} (with the gradient of x when {@code up}, the upstream gradient, is given) on the
     * interpreter and as generated code; asserts the two agree bit for bit on {@code outputs} and returns the
     * generated values.
     */
    private static Map<String, float[]> run(Shape in, Body body, Map<String, float[]> values, float[] up,
                                            List<String> outputs) {
        Graph g = graph(in, body, up == null ? List.of() : List.of("x"));
        Map<String, float[]> feeds = new HashMap<>(values);
        feeds.put("r", up != null ? up : filled(g.node("y").shape().size(), 1f));
        Map<String, Tensor> tensors = new HashMap<>();
        feeds.forEach((name, v) -> tensors.put(name, Tensor.generate(g.node(name).shape(), i -> v[i])));
        Map<String, Tensor> reference = ReferenceInterpreter.float64().run(g, tensors, outputs);
        Map<String, float[]> got = new HashMap<>();
        try (CompiledGraph compiled = COMPILER.compile(g, 1)) {
            feeds.forEach(compiled::set);
            compiled.run();
            for (String out : outputs) {
                float[] generated = compiled.get(out).clone();
                float[] interpreted = new float[generated.length];
                for (int i = 0; i < interpreted.length; i++) {
                    interpreted[i] = (float) reference.get(out).get(i);
                }
                assertBits(interpreted, generated, "generated vs interpreter, " + out);
                got.put(out, generated);
            }
        }
        return got;
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }

    /** Equal bits, or both NaN. */
    private static void assertBits(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            boolean same = Float.isNaN(want[i]) ? Float.isNaN(got[i])
                    : Float.floatToRawIntBits(want[i]) == Float.floatToRawIntBits(got[i]);
            assertTrue(same, what + " at " + i + ": want " + want[i] + ", got " + got[i]);
        }
    }
}

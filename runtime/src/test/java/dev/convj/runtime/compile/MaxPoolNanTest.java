package dev.convj.runtime.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convj.graph.DType;
import dev.convj.graph.Graph;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import dev.convj.graph.autodiff.Autodiff;
import dev.convj.graph.ops.MaxPool;
import dev.convj.graph.ops.Mul;
import dev.convj.graph.ops.PoolGeometry;
import dev.convj.graph.ops.Sum;
import dev.convj.runtime.Tensor;
import dev.convj.runtime.interp.ReferenceInterpreter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A max-pool window holding NaN yields NaN and sends its gradient to its last NaN in window order, as PyTorch's CPU
 * kernel does ({@code val > maxval || isnan(val)}), in the reference interpreter and in generated code: through
 * the MaxPool2x2 kernels (2×2, stride 2; a 4-wide plane takes their plain forms, MaxPool2x2Test checks the vector
 * forms against them) and on the general path (3×3, stride 2, padding 1, overlapping windows).
 * The expected numbers are PyTorch 1.13's (Debian python3-torch): {@code y, idx = max_pool2d(x, k, s, p,
 * return_indices=True); y.sum().backward()}.
 */
class MaxPoolNanTest {
    private static final GraphCompiler COMPILER = new GraphCompiler(null);

    @ParameterizedTest(name = "window {0}")
    @ValueSource(ints = {2, 3})
    void aWindowWithNanOutputsNanAndRoutesItsGradientToTheFirstNan(int window) {
        PoolGeometry geometry = window == 2
                ? new PoolGeometry(List.of(2, 2), List.of(2, 2), List.of(0, 0), false)
                : new PoolGeometry(List.of(3, 3), List.of(2, 2), List.of(1, 1), false);
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(1, 1, 4, 4), DType.F32);
        Node y = b.apply("y", new MaxPool(geometry), x);
        Node r = b.input("r", y.shape(), DType.F32);
        b.output(y);
        b.output(b.apply("loss", new Sum(List.of(0, 1, 2, 3)), b.apply("weighted", new Mul(), y, r)));
        Graph g = Autodiff.gradients(b.build(), "loss", List.of("x")).graph();

        // Row-major 4×4: windows hold a NaN after their maximum (index 1), NaNs only (4, 5), a NaN first (10), a
        // NaN last (15); the other values are distinct.
        float nan = Float.NaN;
        float[] image = {0.5f, nan, 0.25f, 0.75f, nan, nan, 0.125f, 0.0625f, 1f, 2f, nan, 3f, 4f, 5f, 6f, nan};
        float[] weights = new float[y.shape().size()];
        java.util.Arrays.fill(weights, 1f);
        Map<String, Tensor> feeds = Map.of("x", Tensor.generate(x.shape(), i -> image[i]),
                "r", Tensor.generate(y.shape(), i -> weights[i]));
        // PyTorch: 2×2 windows → y [NaN, 0.75, 5, NaN], indices [5, 3, 13, 15]; 3×3 windows → y all NaN, indices
        // [5, 5, 5, 15], so position 5 gathers three windows' gradients.
        float[] wantY = window == 2 ? new float[] {nan, 0.75f, 5f, nan} : new float[] {nan, nan, nan, nan};
        float[] wantGrad = new float[16];
        if (window == 2) {
            wantGrad[3] = wantGrad[5] = wantGrad[13] = wantGrad[15] = 1f;
        } else {
            wantGrad[5] = 3f;
            wantGrad[15] = 1f;
        }
        Map<String, float[]> want = Map.of("y", wantY, "x.grad", wantGrad);
        Map<String, Tensor> reference = ReferenceInterpreter.float64().run(g, feeds, List.of("y", "x.grad"));
        try (CompiledGraph compiled = COMPILER.compile(g, 1)) {
            compiled.set("x", image);
            compiled.set("r", weights);
            compiled.run();
            for (String out : List.of("y", "x.grad")) {
                float[] got = compiled.get(out);
                for (int i = 0; i < got.length; i++) {
                    // assertEquals(float, float, delta) counts NaN equal to NaN
                    assertEquals(want.get(out)[i], (float) reference.get(out).get(i), 0f, "interpreter " + out + " at " + i);
                    assertEquals(want.get(out)[i], got[i], 0f, "generated " + out + " at " + i);
                }
            }
        }
    }
}

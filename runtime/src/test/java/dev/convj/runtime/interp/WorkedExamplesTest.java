package dev.convj.runtime.interp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convj.graph.DType;
import dev.convj.graph.Graph;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import dev.convj.graph.autodiff.Autodiff;
import dev.convj.graph.autodiff.GradientGraph;
import dev.convj.graph.ops.AvgPool;
import dev.convj.graph.ops.Conv;
import dev.convj.graph.ops.ConvGeometry;
import dev.convj.graph.ops.MaxPool;
import dev.convj.graph.ops.Mul;
import dev.convj.graph.ops.Op;
import dev.convj.graph.ops.PoolGeometry;
import dev.convj.graph.ops.Sum;
import dev.convj.runtime.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The lecture's worked examples of pooling and of the convolution gradients, with exact numbers. */
class WorkedExamplesTest {

    private static final double[][] X4 = {{1, 3, 2, 1}, {2, 9, 1, 1}, {1, 3, 2, 3}, {5, 6, 1, 2}};
    private static final double[][] X5 = {
            {1, 3, 2, 1, 3}, {2, 9, 1, 1, 5}, {1, 3, 2, 3, 2}, {8, 3, 5, 1, 0}, {5, 6, 1, 2, 9}};

    private static Tensor image(double[][] rows) {
        return Tensor.matrix(rows).reshape(Shape.of(1, 1, rows.length, rows[0].length));
    }

    private static PoolGeometry square(int f, int s) {
        return new PoolGeometry(List.of(f, f), List.of(s, s), List.of(0, 0), false);
    }

    /** Runs x [1,1,H,W] → op and, with loss = sum(op · g), dL/dx for the upstream gradient g. */
    private static Tensor[] forwardAndBackward(Op op, double[][] x, double[][] g) {
        GraphBuilder b = new GraphBuilder();
        Node in = b.input("x", Shape.of(1, 1, x.length, x[0].length), DType.F64);
        Node y = b.apply("y", op, in);
        Node up = b.input("g", y.shape(), DType.F64);
        b.output(b.apply("loss", new Sum(List.of(0, 1, 2, 3)), b.apply("yg", new Mul(), y, up)));
        GradientGraph gg = Autodiff.gradients(b.build(), "loss", List.of("x"));
        Map<String, Tensor> out = ReferenceInterpreter.float64().run(gg.graph(),
                Map.of("x", image(x), "g", image(g)), List.of("y", gg.gradientOf("x").name()));
        return new Tensor[] {out.get("y"), out.get(gg.gradientOf("x").name())};
    }

    private static void assertMatrix(double[][] expected, Tensor actual) {
        assertEquals(Shape.of(1, 1, expected.length, expected[0].length), actual.shape());
        for (int i = 0; i < expected.length; i++) {
            for (int j = 0; j < expected[0].length; j++) {
                assertEquals(expected[i][j], actual.at(0, 0, i, j), 0.0, "at (" + i + "," + j + ") of " + actual);
            }
        }
    }

    @Test
    void maxPool2x2Stride2() {
        Tensor[] r = forwardAndBackward(new MaxPool(square(2, 2)), X4, new double[][] {{1, 2}, {3, 4}});
        assertMatrix(new double[][] {{9, 2}, {6, 3}}, r[0]);
        // each upstream gradient goes to its window's maximum: 9 at (1,1), 2 at (0,2), 6 at (3,1), 3 at (2,3)
        assertMatrix(new double[][] {{0, 0, 2, 0}, {0, 1, 0, 0}, {0, 0, 0, 4}, {0, 3, 0, 0}}, r[1]);
    }

    /**
     * The lecture's average-pooling slide uses the max-pooling input with row 3 = [1,4,2,3]; then the bottom-left
     * window averages (1+4+5+6)/4 = 4. With the max-pooling input itself it is (1+3+5+6)/4 = 3.75.
     */
    @Test
    void averagePool2x2Stride2() {
        double[][] lecture = {{1, 3, 2, 1}, {2, 9, 1, 1}, {1, 4, 2, 3}, {5, 6, 1, 2}};
        Tensor[] r = forwardAndBackward(new AvgPool(square(2, 2), true), lecture, new double[][] {{1, 2}, {3, 4}});
        assertMatrix(new double[][] {{3.75, 1.25}, {4, 2}}, r[0]);
        // each upstream gradient is shared equally by the four members of its window
        assertMatrix(new double[][] {
                {0.25, 0.25, 0.5, 0.5}, {0.25, 0.25, 0.5, 0.5}, {0.75, 0.75, 1, 1}, {0.75, 0.75, 1, 1}}, r[1]);
        r = forwardAndBackward(new AvgPool(square(2, 2), false), X4, new double[][] {{1, 2}, {3, 4}});
        assertMatrix(new double[][] {{3.75, 1.25}, {3.75, 2}}, r[0]);
    }

    @Test
    void maxPool3x3Stride1OverlappingWindows() {
        double[][] g = {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}};
        Tensor[] r = forwardAndBackward(new MaxPool(square(3, 1)), X5, g);
        assertMatrix(new double[][] {{9, 9, 5}, {9, 9, 5}, {8, 6, 9}}, r[0]);
        // The 9 at (1,1) wins four windows: 1+2+4+5. The 5 at (1,4) wins (0,2) and (1,2); in (1,2) it ties with
        // the 5 at (3,2) and the first maximum in row-major order wins, as in PyTorch: 3+6. Then 8, 6 and 9 once.
        assertMatrix(new double[][] {
                {0, 0, 0, 0, 0}, {0, 12, 0, 0, 9}, {0, 0, 0, 0, 0}, {7, 0, 0, 0, 0}, {0, 8, 0, 0, 9}}, r[1]);
    }

    @Test
    void averagePoolCeilModeAndPaddingDivisors() {
        // [1,2,3,4] with window 3, stride 2, padding 1, ceil mode: windows [-1,2), [1,4), [3,6) clipped to [3,5)
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(1, 1, 1, 4), DType.F64);
        PoolGeometry g = new PoolGeometry(List.of(1, 3), List.of(1, 2), List.of(0, 1), true);
        b.apply("with_pad", new AvgPool(g, true), x);
        b.apply("without_pad", new AvgPool(g, false), x);
        Graph graph = b.build();
        Map<String, Tensor> out = ReferenceInterpreter.float64().run(graph,
                Map.of("x", Tensor.of(Shape.of(1, 1, 1, 4), 1, 2, 3, 4)), List.of("with_pad", "without_pad"));
        // count_include_pad: divisors 3, 3 and 2 (the window clipped to the padded input, as PyTorch)
        assertEquals(Tensor.of(Shape.of(1, 1, 1, 3), 1, 3, 2), out.get("with_pad"));
        // real positions only: divisors 2, 3, 1
        assertEquals(Tensor.of(Shape.of(1, 1, 1, 3), 1.5, 3, 4), out.get("without_pad"));
    }

    /**
     * The 3×3 input X with the 2×2 filter F, valid cross-correlation O = X ⋆ F (2×2), loss L = Σ O ⊙ G. Every
     * entry of dL/dF and dL/dX against the lecture's formulas written out by hand; distinct primes make every
     * product distinctive.
     */
    @Test
    void convolutionGradientsOfTheLecture() {
        double x11 = 2, x12 = 3, x13 = 5, x21 = 7, x22 = 11, x23 = 13, x31 = 17, x32 = 19, x33 = 23;
        double f11 = 29, f12 = 31, f21 = 37, f22 = 41;
        double g11 = 43, g12 = 47, g21 = 53, g22 = 59;

        GraphBuilder b = new GraphBuilder();
        Node x = b.input("X", Shape.of(1, 1, 3, 3), DType.F64);
        Node f = b.input("F", Shape.of(1, 1, 2, 2), DType.F64);
        Node g = b.input("G", Shape.of(1, 1, 2, 2), DType.F64);
        Node o = b.apply("O", new Conv(ConvGeometry.unit(2)), x, f);
        b.output(b.apply("L", new Sum(List.of(0, 1, 2, 3)), b.apply("OG", new Mul(), o, g)));
        GradientGraph gg = Autodiff.gradients(b.build(), "L", List.of("X", "F"));
        String dxName = gg.gradientOf("X").name(), dfName = gg.gradientOf("F").name();
        Map<String, Tensor> feeds = Map.of(
                "X", Tensor.of(Shape.of(1, 1, 3, 3), x11, x12, x13, x21, x22, x23, x31, x32, x33),
                "F", Tensor.of(Shape.of(1, 1, 2, 2), f11, f12, f21, f22),
                "G", Tensor.of(Shape.of(1, 1, 2, 2), g11, g12, g21, g22));
        Map<String, Tensor> out = ReferenceInterpreter.float64().run(gg.graph(), feeds,
                List.of("O", "L", dxName, dfName));

        double o11 = f11 * x11 + f12 * x12 + f21 * x21 + f22 * x22;
        double o12 = f11 * x12 + f12 * x13 + f21 * x22 + f22 * x23;
        double o21 = f11 * x21 + f12 * x22 + f21 * x31 + f22 * x32;
        double o22 = f11 * x22 + f12 * x23 + f21 * x32 + f22 * x33;
        assertEquals(Tensor.of(Shape.of(1, 1, 2, 2), o11, o12, o21, o22), out.get("O"));
        assertEquals(o11 * g11 + o12 * g12 + o21 * g21 + o22 * g22, out.get("L").get(0), 0.0);

        // dL/dF_ij = Σ_kl G_kl X_{i+k-1, j+l-1}: the correlation of X with G
        Tensor df = out.get(dfName);
        assertEquals(Shape.of(1, 1, 2, 2), df.shape());
        assertEquals(g11 * x11 + g12 * x12 + g21 * x21 + g22 * x22, df.at(0, 0, 0, 0), 0.0, "dF11");
        assertEquals(g11 * x12 + g12 * x13 + g21 * x22 + g22 * x23, df.at(0, 0, 0, 1), 0.0, "dF12");
        assertEquals(g11 * x21 + g12 * x22 + g21 * x31 + g22 * x32, df.at(0, 0, 1, 0), 0.0, "dF21");
        assertEquals(g11 * x22 + g12 * x23 + g21 * x32 + g22 * x33, df.at(0, 0, 1, 1), 0.0, "dF22");

        // dL/dX: the full convolution of the 180°-rotated F with G
        Tensor dx = out.get(dxName);
        assertEquals(Shape.of(1, 1, 3, 3), dx.shape());
        assertEquals(f11 * g11, dx.at(0, 0, 0, 0), 0.0, "dX11");
        assertEquals(f12 * g11 + f11 * g12, dx.at(0, 0, 0, 1), 0.0, "dX12");
        assertEquals(f12 * g12, dx.at(0, 0, 0, 2), 0.0, "dX13");
        assertEquals(f21 * g11 + f11 * g21, dx.at(0, 0, 1, 0), 0.0, "dX21");
        assertEquals(f22 * g11 + f21 * g12 + f12 * g21 + f11 * g22, dx.at(0, 0, 1, 1), 0.0, "dX22");
        assertEquals(f22 * g12 + f12 * g22, dx.at(0, 0, 1, 2), 0.0, "dX23");
        assertEquals(f21 * g21, dx.at(0, 0, 2, 0), 0.0, "dX31");
        assertEquals(f22 * g21 + f21 * g22, dx.at(0, 0, 2, 1), 0.0, "dX32");
        assertEquals(f22 * g22, dx.at(0, 0, 2, 2), 0.0, "dX33");
        // the same numbers, for a reader of the failure message
        assertEquals(Tensor.of(Shape.of(1, 1, 3, 3), 1247, 2696, 1457, 3128, 6856, 3756, 1961, 4356, 2419), dx);
        assertEquals(Tensor.of(Shape.of(1, 1, 2, 2), 1247, 1714, 2840, 3448), df);
    }
}

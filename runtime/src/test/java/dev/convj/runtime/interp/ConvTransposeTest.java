package dev.convj.runtime.interp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import dev.convj.graph.DType;
import dev.convj.graph.Graph;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.Node;
import dev.convj.graph.ParamInit;
import dev.convj.graph.Shape;
import dev.convj.graph.ops.ConvGeometry;
import dev.convj.graph.ops.ConvTranspose;
import dev.convj.runtime.ConvCase;
import dev.convj.runtime.Tensor;
import dev.convj.runtime.TestGraphs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The transposed-convolution kernel against the lecture's recipe: pad dy by k−1, correlate with rot180(F). */
class ConvTransposeTest {

    private static Graph transposeGraph(ConvCase k) {
        GraphBuilder b = new GraphBuilder();
        Node dy = b.input("dy", k.expectedYShape(), DType.F64);
        Node w = b.parameter("w", k.wShape(), new ParamInit.Uniform(1));
        ConvTranspose op = new ConvTranspose(k.geometry(), k.input());
        Node dx = k.bias()
                ? b.apply("dx", op, dy, w, b.parameter("b", Shape.of(k.channels()), new ParamInit.Uniform(1)))
                : b.apply("dx", op, dy, w);
        return b.output(dx).build();
    }

    @Test
    void lectureInstance() {
        // G (2×2) padded by 1 and correlated with rot180(F) = [[41,37],[31,29]]; the same numbers as dL/dX in
        // WorkedExamplesTest.
        ConvCase k = new ConvCase(1, 1, 1, 1, List.of(3, 3), List.of(2, 2), List.of(1, 1), List.of(0, 0),
                List.of(0, 0), List.of(1, 1), false, 0);
        Tensor g = Tensor.of(Shape.of(1, 1, 2, 2), 43, 47, 53, 59);
        Tensor f = Tensor.of(Shape.of(1, 1, 2, 2), 29, 31, 37, 41);
        Tensor expected = Tensor.of(Shape.of(1, 1, 3, 3), 1247, 2696, 1457, 3128, 6856, 3756, 1961, 4356, 2419);
        assertEquals(expected, NaiveConv2d.transposeStride1(k, g, f));
        assertEquals(expected, TestGraphs.run(transposeGraph(k), Map.of("dy", g, "w", f), "dx"));
    }

    @Test
    void paddedInstanceCropsThePadding() {
        // Forward padding (1,0) rows and (0,2) columns: dX is the full result with those rows and columns cropped.
        ConvCase k = new ConvCase(1, 1, 1, 1, List.of(3, 2), List.of(2, 2), List.of(1, 1), List.of(1, 0),
                List.of(0, 2), List.of(1, 1), false, 0);
        assertEquals(List.of(3, 3), k.expectedOutput());
        Tensor dy = Tensor.of(Shape.of(1, 1, 3, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9);
        Tensor w = Tensor.of(Shape.of(1, 1, 2, 2), 1, 10, 100, 1000);
        // dX[i][j] = Σ dy[p][q]·w[a][b] over p − 1 + a = i, q + b = j, e.g. dX[0][0] = dy[0][0]·w[1][0] +
        // dy[1][0]·w[0][0] = 100 + 4 and dX[2][1] = dy[2][1]·w[1][0] + dy[2][0]·w[1][1] = 800 + 7000.
        Tensor expected = Tensor.of(Shape.of(1, 1, 3, 2), 104, 1245, 407, 4578, 700, 7800);
        assertEquals(expected, NaiveConv2d.transposeStride1(k, dy, w));
        assertEquals(expected, TestGraphs.run(transposeGraph(k), Map.of("dy", dy, "w", w), "dx"));
    }

    @Test
    void stride1KernelEqualsPadAndCorrelateWithRotatedFilter() {
        qt().withFixedSeed(41).withExamples(50).withShrinkCycles(200)
                .forAll(ConvCase.gen(ConvCase.limits2d()).map(ConvCase::unitStride)).checkAssert(k -> {
                    Graph g = transposeGraph(k);
                    Map<String, Tensor> feeds = TestGraphs.randomFeeds(g, k.seed());
                    Tensor kernel = TestGraphs.run(g, feeds, "dx");
                    Tensor noBias = NaiveConv2d.transposeStride1(k, feeds.get("dy"), feeds.get("w"));
                    // the transpose's optional bias adds one value per output channel
                    int plane = k.input().get(0) * k.input().get(1);
                    Tensor literal = !k.bias() ? noBias : Tensor.generate(noBias.shape(),
                            i -> noBias.get(i) + feeds.get("b").get((i / plane) % k.channels()));
                    assertEquals(k.xShape(), kernel.shape());
                    double diff = kernel.maxAbsDiff(literal);
                    assertTrue(diff <= 1e-12, k + ": differs by " + diff);
                });
    }

    @Test
    void geometryOfTheTransposeIsThatOfTheForwardConvolution() {
        ConvGeometry g = new ConvGeometry(List.of(2, 2), List.of(1, 1), List.of(1, 1), List.of(1, 1), 1);
        GraphBuilder b = new GraphBuilder();
        Node dy = b.input("dy", Shape.of(1, 3, 3, 3), DType.F64);
        Node w = b.parameter("w", Shape.of(3, 2, 3, 3), new ParamInit.Uniform(1));
        // a 3×3 output of stride 2 comes from a 5×5 or a 6×6 input: outputSpatial decides
        assertEquals(Shape.of(1, 2, 5, 5), b.apply("five", new ConvTranspose(g, List.of(5, 5)), dy, w).shape());
        assertEquals(Shape.of(1, 2, 6, 6), b.apply("six", new ConvTranspose(g, List.of(6, 6)), dy, w).shape());
    }
}

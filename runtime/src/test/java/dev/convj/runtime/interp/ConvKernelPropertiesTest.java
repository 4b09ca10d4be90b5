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
import dev.convj.graph.ops.Conv;
import dev.convj.graph.ops.ConvTranspose;
import dev.convj.graph.ops.ConvWeightGrad;
import dev.convj.runtime.ConvCase;
import dev.convj.runtime.Tensor;
import dev.convj.runtime.TestGraphs;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Properties of the convolution-family reference kernels over random batch, channels, groups, sizes, kernels,
 * strides, asymmetric paddings and dilations.
 */
class ConvKernelPropertiesTest {
    private static final long SEED = 20240607L;

    @Test
    void shapeRuleAndValuesAgreeWithTextbookConvolution() {
        qt().withFixedSeed(SEED).withExamples(50).withShrinkCycles(200)
                .forAll(ConvCase.gen(ConvCase.limits2d())).checkAssert(k -> {
                    Graph g = k.graph();
                    assertEquals(k.expectedYShape(), g.node("conv").shape(), "shape rule for " + k);
                    Map<String, Tensor> feeds = TestGraphs.randomFeeds(g, k.seed());
                    Tensor y = TestGraphs.run(g, feeds, "conv");
                    assertEquals(k.expectedYShape(), y.shape(), "interpreter output for " + k);
                    Tensor naive = NaiveConv2d.conv(k, feeds.get("x"), feeds.get("w"), feeds.get("b"));
                    double diff = y.maxAbsDiff(naive);
                    assertTrue(diff <= 1e-12, k + ": interpreter and textbook convolution differ by " + diff);
                });
    }

    @Test
    void shapeRuleAgreesWithInterpreterIn1dAnd3d() {
        for (int rank : new int[] {1, 3}) {
            ConvCase.Limits limits = new ConvCase.Limits(rank, 3, 3, 2, 2, 2, 2, 2);
            qt().withFixedSeed(SEED + rank).withExamples(30).withShrinkCycles(200)
                    .forAll(ConvCase.gen(limits)).checkAssert(k -> {
                        Graph g = k.graph();
                        assertEquals(k.expectedYShape(), g.node("conv").shape(), "shape rule for " + k);
                        Tensor y = TestGraphs.run(g, TestGraphs.randomFeeds(g, k.seed()), "conv");
                        assertEquals(k.expectedYShape(), y.shape(), "interpreter output for " + k);
                    });
        }
    }

    /**
     * Grows the input so that it has more than {@code margin} rows and columns and the output at least two. With a
     * margin of 2s the nonzero part of a shifted input is longer than the stride, so some output reads it.
     */
    private static ConvCase grown(ConvCase k, int margin) {
        List<Integer> n = new ArrayList<>(k.input());
        for (int i = 0; i < n.size(); i++) {
            n.set(i, Math.max(n.get(i), margin + 1));
        }
        ConvCase c = new ConvCase(k.batch(), k.groups(), k.inPerGroup(), k.outPerGroup(), n, k.kernel(),
                k.stride(), k.padLow(), k.padHigh(), k.dilation(), k.bias(), k.seed());
        while (c.expectedOutput().stream().anyMatch(o -> o < 2)) {
            List<Integer> m = new ArrayList<>(c.input());
            for (int i = 0; i < m.size(); i++) {
                m.set(i, m.get(i) + 1);
            }
            c = new ConvCase(c.batch(), c.groups(), c.inPerGroup(), c.outPerGroup(), m, c.kernel(), c.stride(),
                    c.padLow(), c.padHigh(), c.dilation(), c.bias(), c.seed());
        }
        return c;
    }

    /**
     * Shifting the input down and right by s pixels shifts a stride-s convolution's output by one. The input's
     * last s rows and columns are zero so that nothing is shifted out; the padding is zero too, so the equality
     * is exact for every output position with a predecessor.
     */
    private static void checkShift(ConvCase k) {
        int sh = k.stride().get(0), sw = k.stride().get(1);
        Graph g = k.graph();
        Shape xs = k.xShape();
        int h = xs.dim(2), w = xs.dim(3);
        Random random = new Random(k.seed());
        double[] x1 = new double[xs.size()], x2 = new double[xs.size()];
        for (int plane = 0; plane < xs.dim(0) * xs.dim(1); plane++) {
            for (int i = 0; i < h - sh; i++) {
                for (int j = 0; j < w - sw; j++) {
                    double v = random.nextDouble() * 2 - 1;
                    x1[(plane * h + i) * w + j] = v;
                    x2[(plane * h + i + sh) * w + j + sw] = v;
                }
            }
        }
        Map<String, Tensor> feeds = TestGraphs.randomFeeds(g, Map.of("x", Tensor.wrap(xs, x1)), k.seed() + 1);
        Tensor y1 = TestGraphs.run(g, feeds, "conv");
        feeds.put("x", Tensor.wrap(xs, x2));
        Tensor y2 = TestGraphs.run(g, feeds, "conv");
        Shape ys = y1.shape();
        int compared = 0;
        for (int n = 0; n < ys.dim(0); n++) {
            for (int o = 0; o < ys.dim(1); o++) {
                for (int i = 1; i < ys.dim(2); i++) {
                    for (int j = 1; j < ys.dim(3); j++) {
                        assertEquals(y1.at(n, o, i - 1, j - 1), y2.at(n, o, i, j), 1e-12,
                                k + " at output (" + n + "," + o + "," + i + "," + j + ")");
                        compared++;
                    }
                }
            }
        }
        assertTrue(compared > 0 && TestGraphs.maxAbs(y1) > 0, "vacuous case " + k);
    }

    @Test
    void stride1ConvolutionIsTranslationEquivariant() {
        qt().withFixedSeed(SEED + 10).withExamples(50).withShrinkCycles(200)
                .forAll(ConvCase.gen(ConvCase.limits2d()).map(k -> grown(k.unitStride(), 2)))
                .checkAssert(ConvKernelPropertiesTest::checkShift);
    }

    @Test
    void strideSConvolutionIsEquivariantToShiftsBySPixels() {
        qt().withFixedSeed(SEED + 11).withExamples(40).withShrinkCycles(200)
                .forAll(ConvCase.gen(ConvCase.limits2d()).map(k -> grown(k, 2 * Math.max(k.stride().get(0), k.stride().get(1)))))
                .checkAssert(ConvKernelPropertiesTest::checkShift);
    }

    /**
     * The transpose and the weight gradient are the adjoints of the convolution in x and in w:
     * ⟨conv(x, w), y⟩ = ⟨x, convT(y, w)⟩ = ⟨w, convWeightGrad(x, y)⟩, for every stride, padding and dilation.
     */
    @Test
    void transposeAndWeightGradientAreAdjoints() {
        ConvCase.Limits limits = new ConvCase.Limits(2, 3, 3, 2, 2, 4, 2, 2);
        qt().withFixedSeed(SEED + 20).withExamples(50).withShrinkCycles(200)
                .forAll(ConvCase.gen(limits)).checkAssert(k -> {
                    GraphBuilder b = new GraphBuilder();
                    Node x = b.input("x", k.xShape(), DType.F64);
                    Node w = b.parameter("w", k.wShape(), new ParamInit.Uniform(1));
                    Node y = b.input("y", k.expectedYShape(), DType.F64);
                    b.apply("conv", new Conv(k.geometry()), x, w);
                    b.apply("convT", new ConvTranspose(k.geometry(), k.input()), y, w);
                    b.apply("wgrad", new ConvWeightGrad(k.geometry(), k.kernel()), x, y);
                    Graph g = b.build();
                    Map<String, Tensor> feeds = TestGraphs.randomFeeds(g, k.seed());
                    Map<String, Tensor> out = ReferenceInterpreter.float64().run(g, feeds,
                            List.of("conv", "convT", "wgrad"));
                    double forward = TestGraphs.dot(out.get("conv"), feeds.get("y"));
                    double viaX = TestGraphs.dot(feeds.get("x"), out.get("convT"));
                    double viaW = TestGraphs.dot(feeds.get("w"), out.get("wgrad"));
                    double tol = 1e-12 * (1 + k.xShape().size() * k.wShape().size());
                    assertEquals(forward, viaX, tol, "⟨conv(x,w),y⟩ vs ⟨x,convT(y,w)⟩ for " + k);
                    assertEquals(forward, viaW, tol, "⟨conv(x,w),y⟩ vs ⟨w,wgrad(x,y)⟩ for " + k);
                });
    }
}

package dev.convj.runtime.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.convj.graph.DType;
import dev.convj.graph.Graph;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.Node;
import dev.convj.graph.ParamInit;
import dev.convj.graph.Shape;
import dev.convj.graph.ops.ConvTranspose;
import dev.convj.graph.ops.ConvWeightGrad;
import dev.convj.graph.ops.Dense;
import dev.convj.runtime.ConvCase;
import dev.convj.runtime.PoolCase;
import dev.convj.runtime.Tensor;
import dev.convj.runtime.TestGraphs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Autodiff's gradients agree with central finite differences (GradientCheck, default options, float64) over
 * random shapes and hyper-parameters. Every loss is sum(y · r) with random r, so dL/dy differs everywhere.
 */
class GradientPropertiesTest {
    private static final long SEED = 4242L;

    /** Checks every fed tensor (inputs, weights, bias and r) and that the report covers what it should. */
    private static void assertGradientsAgree(Graph g, Map<String, Tensor> feeds, Object description) {
        GradientCheckReport report = GradientCheck.check(g, "loss", feeds, GradientCheck.Options.defaults());
        assertEquals(feeds.size(), report.entries().size(), "one entry per fed tensor: " + report);
        assertTrue(report.passed(), description + "\n" + report);
    }

    private static void checkConv(ConvCase k) {
        Graph g = k.graph();
        assertEquals(k.expectedYShape(), g.node("conv").shape(), "shape rule for " + k);
        assertGradientsAgree(g, TestGraphs.randomFeeds(g, k.seed()), k);
    }

    @Test
    void conv2d() {
        qt().withFixedSeed(SEED).withExamples(40).withShrinkCycles(100)
                .forAll(ConvCase.gen(ConvCase.limits2d())).checkAssert(GradientPropertiesTest::checkConv);
    }

    @Test
    void conv1d() {
        qt().withFixedSeed(SEED + 1).withExamples(30).withShrinkCycles(100)
                .forAll(ConvCase.gen(new ConvCase.Limits(1, 4, 3, 3, 3, 4, 3, 2)))
                .checkAssert(GradientPropertiesTest::checkConv);
    }

    @Test
    void conv3d() {
        qt().withFixedSeed(SEED + 3).withExamples(15).withShrinkCycles(50)
                .forAll(ConvCase.gen(new ConvCase.Limits(3, 2, 2, 1, 2, 1, 2, 2)))
                .checkAssert(GradientPropertiesTest::checkConv);
    }

    /**
     * The transpose (with or without its bias, as a decoder layer would use it) and the weight-gradient op on their
     * own, as ops of a forward graph: this checks their gradient rules.
     */
    @Test
    void convTransposeAndWeightGradientOps() {
        qt().withFixedSeed(SEED + 4).withExamples(25).withShrinkCycles(50)
                .forAll(ConvCase.gen(ConvCase.limits2d())).checkAssert(k -> {
                    GraphBuilder b = new GraphBuilder();
                    Node dy = b.input("dy", k.expectedYShape(), DType.F64);
                    Node w = b.parameter("w", k.wShape(), new ParamInit.Uniform(1));
                    ConvTranspose op = new ConvTranspose(k.geometry(), k.input());
                    Node dx = k.bias()
                            ? b.apply("dx", op, dy, w, b.parameter("b", Shape.of(k.channels()), new ParamInit.Uniform(1)))
                            : b.apply("dx", op, dy, w);
                    Graph g = b.output(TestGraphs.weightedSum(b, dx, "loss")).build();
                    assertGradientsAgree(g, TestGraphs.randomFeeds(g, k.seed()), "transpose " + k);

                    b = new GraphBuilder();
                    Node x = b.input("x", k.xShape(), DType.F64);
                    Node dy2 = b.input("dy", k.expectedYShape(), DType.F64);
                    Node dw = b.apply("dw", new ConvWeightGrad(k.geometry(), k.kernel()), x, dy2);
                    g = b.output(TestGraphs.weightedSum(b, dw, "loss")).build();
                    assertGradientsAgree(g, TestGraphs.randomFeeds(g, k.seed()), "weight gradient " + k);
                });
    }

    @Test
    void maxPool2d() {
        qt().withFixedSeed(SEED + 5).withExamples(40).withShrinkCycles(100).forAll(PoolCase.gen()).checkAssert(k -> {
            Graph g = k.graph(true);
            assertEquals(Shape.concat(List.of(k.batch(), k.channels()), k.expectedOutput()),
                    g.node("pool").shape(), "shape rule for " + k);
            assertGradientsAgree(g, TestGraphs.randomFeeds(g, k.seed()), "max pool " + k);
        });
    }

    @Test
    void avgPool2d() {
        qt().withFixedSeed(SEED + 6).withExamples(40).withShrinkCycles(100).forAll(PoolCase.gen()).checkAssert(k -> {
            Graph g = k.graph(false);
            assertEquals(Shape.concat(List.of(k.batch(), k.channels()), k.expectedOutput()),
                    g.node("pool").shape(), "shape rule for " + k);
            assertGradientsAgree(g, TestGraphs.randomFeeds(g, k.seed()), "average pool " + k);
        });
    }

    /** A dense layer: batch, input and output features, with or without bias. */
    private record DenseCase(int batch, int in, int out, boolean bias, long seed) {}

    private static Gen<DenseCase> denseCases() {
        return rs -> new DenseCase(integers().between(1, 3).generate(rs), integers().between(1, 6).generate(rs),
                integers().between(1, 5).generate(rs), booleans().all().generate(rs), longs().all().generate(rs));
    }

    @Test
    void dense() {
        qt().withFixedSeed(SEED + 7).withExamples(40).withShrinkCycles(100).forAll(denseCases()).checkAssert(k -> {
            GraphBuilder b = new GraphBuilder();
            Node x = b.input("x", Shape.of(k.batch(), k.in()), DType.F32);
            Node w = b.parameter("w", Shape.of(k.out(), k.in()), new ParamInit.Uniform(1));
            Node y = k.bias()
                    ? b.apply("fc", new Dense(), x, w, b.parameter("b", Shape.of(k.out()), new ParamInit.Uniform(1)))
                    : b.apply("fc", new Dense(), x, w);
            assertEquals(Shape.of(k.batch(), k.out()), y.shape());
            Graph g = b.output(TestGraphs.weightedSum(b, y, "loss")).build();
            assertGradientsAgree(g, TestGraphs.randomFeeds(g, k.seed()), k);
        });
    }
}

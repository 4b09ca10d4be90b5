package dev.convj.runtime.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.convj.codegen.Schedule;
import dev.convj.codegen.kernels.Gemm;
import dev.convj.codegen.kernels.WinogradF4;
import dev.convj.codegen.plan.ConvAlgorithm;
import dev.convj.graph.DType;
import dev.convj.graph.Graph;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import dev.convj.graph.autodiff.Autodiff;
import dev.convj.graph.ops.Conv;
import dev.convj.graph.ops.ConvGeometry;
import dev.convj.graph.ops.MaxPool;
import dev.convj.graph.ops.PoolGeometry;
import dev.convj.graph.ops.Relu;
import dev.convj.graph.ops.Sum;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A 2×2, stride-2 max pool that alone reads a convolution's result (after its ReLU) is computed in the
 * convolution's epilogue, in each form that can (the implicit GEMM's padded rows, the channels in the vector lanes,
 * F(2×2, 3×3)'s output transform, F(4×4, 3×3)'s vector one): generated code against the float64 interpreter over
 * random shapes, odd sizes (the last row and column in no window), ceil mode, paddings, dilations, groups, with and
 * without bias and ReLU, on one to three threads; and the fusion happens only where the unpooled result has no other
 * reader.
 */
class FusedPoolConvTest {
    private static final GraphCompiler COMPILER = new GraphCompiler(null);

    private static Graph convPool(int batch, int groups, int cg, int og, int h, int w, int k, int pad, int dilation,
                                  boolean bias, boolean relu, boolean ceil) {
        return convPool(batch, groups, cg, og, h, w, k, pad, dilation, bias, relu, ceil, false);
    }

    /** With {@code training}, also the sum of the pooled values as a loss, and the gradient of w and b. */
    private static Graph convPool(int batch, int groups, int cg, int og, int h, int w, int k, int pad, int dilation,
                                  boolean bias, boolean relu, boolean ceil, boolean training) {
        GraphBuilder b = new GraphBuilder();
        ConvGeometry g = new ConvGeometry(List.of(1, 1), List.of(pad, pad), List.of(pad, pad),
                List.of(dilation, dilation), groups);
        Node x = b.input("x", Shape.of(batch, groups * cg, h, w), DType.F32);
        Node f = b.input("w", Shape.of(groups * og, cg, k, k), DType.F32);
        Node y = bias ? b.apply("conv", new Conv(g), x, f, b.input("b", Shape.of(groups * og), DType.F32))
                : b.apply("conv", new Conv(g), x, f);
        Node a = relu ? b.apply("relu", new Relu(), y) : y;
        Node pool = b.apply("pool", new MaxPool(new PoolGeometry(List.of(2, 2), List.of(2, 2), List.of(0, 0), ceil)), a);
        b.output(pool);
        if (!training) {
            return b.build();
        }
        b.output(b.apply("loss", new Sum(List.of(0, 1, 2, 3)), pool));
        return Autodiff.gradients(b.build(), "loss", bias ? List.of("w", "b") : List.of("w")).graph();
    }

    @Test
    void aFusedPoolMatchesTheInterpreterOnRandomShapes() {
        qt().withFixedSeed(5).withExamples(90).forAll(integers().between(1, Gemm.CHANNEL_LANES),
                integers().between(0, 24 * 14 - 1), integers().between(0, 3), integers().between(0, 255))
                .checkAssert((og, shape, pad, rest) -> {
                    int w = 2 + shape % 24, h = 2 + shape / 24;
                    int k = 1 + rest % 3, dilation = 1 + rest / 3 % 2;
                    int groups = 1 + rest / 6 % 2, threads = 1 + rest / 12 % 3;
                    boolean bias = (rest & 16) == 0, relu = (rest & 32) == 0, ceil = (rest & 64) != 0;
                    ConvAlgorithm algorithm = new ConvAlgorithm[] {ConvAlgorithm.CHANNEL_VECTORS,
                        ConvAlgorithm.IMPLICIT_GEMM, ConvAlgorithm.GATHER_GEMM}[(rest / 128 + shape) % 3];
                    if (algorithm == ConvAlgorithm.IMPLICIT_GEMM && k == 1 && pad == 0) {
                        k = 3; // an unpadded 1×1 kernel is pointwise: x itself is the column matrix
                    }
                    int ho = h + 2 * pad - dilation * (k - 1), wo = w + 2 * pad - dilation * (k - 1);
                    if (ho < 2 || wo < 2) {
                        return; // no whole window
                    }
                    Graph g = convPool(1 + rest % 4, groups, 1 + shape % 3, og, h, w, k, pad, dilation, bias, relu,
                            ceil);
                    Schedule s = Schedule.threads(threads).withAlgorithm("conv", algorithm);
                    String source = COMPILER.generate(g, s).source();
                    // ceil mode adds a clipped last window to an odd size: then the pool runs on its own
                    boolean fusable = !ceil || ho % 2 == 0 && wo % 2 == 0;
                    String what = g.node("conv").typeString() + " " + algorithm + " pad " + pad + " dilation "
                            + dilation + (relu ? " relu" : "") + (ceil ? " ceil" : "") + ", " + threads + " threads";
                    assertEquals(fusable, source.contains("fused pool"), what + ": fused");
                    double err = WinogradConvTest.relativeError(g, WinogradConvTest.feeds(g, 31L * shape + rest), s);
                    assertTrue(err <= 2e-6, what + ": relative error " + err);
                });
    }

    @Test
    void aPoolFusedIntoWinogradsOutputTransformMatchesTheInterpreter() {
        qt().withFixedSeed(7).withExamples(50).forAll(integers().between(1, 20), integers().between(0, 18 * 18 - 1),
                integers().between(0, 2), integers().between(0, 127)).checkAssert((channels, shape, pad, rest) -> {
                    int w = 3 + shape % 18, h = 3 + shape / 18, threads = 1 + rest % 3;
                    boolean bias = (rest & 4) == 0, relu = (rest & 8) == 0, ceil = (rest & 16) != 0;
                    int ho = h + 2 * pad - 2, wo = w + 2 * pad - 2;
                    if (ho < 2 || wo < 2) {
                        return;
                    }
                    Graph g = convPool(1 + rest / 32 % 2, 1, channels, 1 + (channels * 7 + rest) % 20, h, w, 3, pad,
                            1, bias, relu, ceil);
                    // F(4×4)'s tiles hold four windows each; only its vector transforms pool them
                    boolean f4 = (rest & 64) != 0;
                    ConvAlgorithm algorithm = f4 ? ConvAlgorithm.WINOGRAD_4X4_3X3 : ConvAlgorithm.WINOGRAD_2X2_3X3;
                    Schedule s = Schedule.threads(threads).withAlgorithm("conv", algorithm);
                    boolean fusable = (!ceil || ho % 2 == 0 && wo % 2 == 0) && (!f4 || WinogradF4.bits() > 0);
                    String what = g.node("conv").typeString() + " " + algorithm + " pad " + pad + (relu ? " relu" : "")
                            + (ceil ? " ceil" : "") + ", " + threads + " threads";
                    assertEquals(fusable, COMPILER.generate(g, s).source().contains("fused pool"), what + ": fused");
                    double err = WinogradConvTest.relativeError(g, WinogradConvTest.feeds(g, 11L * shape + rest), s);
                    assertTrue(err <= (f4 ? 1.5e-5 : 1e-6), what + ": relative error " + err);
                });
    }

    /**
     * Warm, a fused layer allocates nothing: the kernels' vectors stay in registers (on JDK 17 a vector method too
     * large for C2's inlining budget boxes them: the Winograd form's first version allocated 77 MB a call there).
     */
    @Tag("warm-allocation") // in a JVM of its own: runtime/pom.xml says why
    @ParameterizedTest
    @CsvSource({"CHANNEL_VECTORS, 14, 5, 0", "IMPLICIT_GEMM, 28, 5, 2", "GATHER_GEMM, 14, 5, 0",
        "WINOGRAD_2X2_3X3, 14, 3, 1",
        "WINOGRAD_4X4_3X3, 14, 3, 1"})
    void aWarmFusedLayerAllocatesNothing(ConvAlgorithm algorithm, int size, int k, int pad) {
        assumeTrue(algorithm != ConvAlgorithm.WINOGRAD_4X4_3X3 || WinogradF4.bits() > 0, "F(4×4) pools with vectors");
        Graph g = convPool(8, 1, 6, Gemm.CHANNEL_LANES, size, size, k, pad, 1, true, true, false);
        Schedule s = Schedule.threads(1).withAlgorithm("conv", algorithm);
        assertTrue(COMPILER.generate(g, s).source().contains("fused pool"));
        try (CompiledGraph c = COMPILER.compile(g, s)) {
            WinogradConvTest.feeds(g, 1).forEach((name, t) -> c.set(name, new float[t.size()]));
            long least = WinogradConvTest.leastWarmAllocation(c);
            assertEquals(0, least, algorithm + ": bytes allocated in 30 warm calls");
        }
    }

    @Test
    void aPoolWhoseInputHasAnotherReaderRunsOnItsOwn() {
        // training: the pool's backward reads the ReLU's output, so it must be stored
        Graph g = convPool(2, 1, 3, 4, 8, 8, 3, 1, 1, true, true, false);
        Graph training = convPool(2, 1, 3, 4, 8, 8, 3, 1, 1, true, true, false, true);
        for (ConvAlgorithm algorithm : WinogradF4.bits() > 0 ? List.of(ConvAlgorithm.CHANNEL_VECTORS,
                ConvAlgorithm.IMPLICIT_GEMM, ConvAlgorithm.GATHER_GEMM, ConvAlgorithm.WINOGRAD_2X2_3X3,
                ConvAlgorithm.WINOGRAD_4X4_3X3) : List.of(ConvAlgorithm.CHANNEL_VECTORS, ConvAlgorithm.IMPLICIT_GEMM,
                        ConvAlgorithm.GATHER_GEMM, ConvAlgorithm.WINOGRAD_2X2_3X3)) {
            Schedule s = Schedule.threads(1).withAlgorithm("conv", algorithm);
            assertFalse(COMPILER.generate(training, s).source().contains("fused pool"), algorithm.name());
            assertTrue(COMPILER.generate(g, s).source().contains("fused pool"), algorithm.name());
            double err = WinogradConvTest.relativeError(training, WinogradConvTest.feeds(training, 3), s);
            assertTrue(err <= (algorithm == ConvAlgorithm.WINOGRAD_4X4_3X3 ? 1.5e-5 : 2e-6), algorithm + ": " + err);
        }
    }
}

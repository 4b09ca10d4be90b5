package dev.convj.runtime.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.convj.codegen.Schedule;
import dev.convj.codegen.plan.ConvAlgorithm;
import dev.convj.codegen.plan.ConvPass;
import dev.convj.codegen.plan.ConvPlan;
import dev.convj.codegen.plan.ConvSchedule;
import dev.convj.graph.DType;
import dev.convj.graph.Graph;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.Node;
import dev.convj.graph.ParamInit;
import dev.convj.graph.Shape;
import dev.convj.graph.autodiff.Autodiff;
import dev.convj.graph.ops.Conv;
import dev.convj.graph.ops.ConvGeometry;
import dev.convj.graph.ops.ConvTranspose;
import dev.convj.graph.ops.Relu;
import dev.convj.graph.ops.Sum;
import dev.convj.graph.ops.Mul;
import dev.convj.runtime.Tensor;
import dev.convj.runtime.interp.ReferenceInterpreter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Winograd F(2×2, 3×3) and F(4×4, 3×3), forced through the schedule, against the float64 interpreter: random shapes
 * (sizes that are no multiple of the tile, paddings 0–2, batches that split into uneven chunks), the forward pass
 * and the input gradient, bias and fused ReLU, and gradients of a training graph. The error is stated per algorithm
 * as the largest |generated − reference| over the largest |reference|, with bounds that a wrong coefficient in any
 * transform exceeds by orders of magnitude.
 */
class WinogradConvTest {
    private static final GraphCompiler COMPILER = new GraphCompiler(null);

    /**
     * Largest relative error allowed per algorithm, inputs and weights uniform in [−1, 1]. Measured at batch 4, pad 1,
     * with bias (forward / input gradient): (6,14,14)→16 direct 2.2e-7 / 3.2e-7, F(2×2) 1.3e-7 / 1.7e-7, F(4×4)
     * 2.1e-6 / 2.2e-6; (32,28,28)→32 direct 6.6e-7 / 6.9e-7, F(2×2) 2.7e-7 / 2.5e-7, F(4×4) 4.7e-6 / 3.9e-6;
     * (64,14,14)→64 direct 8.3e-7 / 9.8e-7, F(2×2) 3.0e-7 / 3.0e-7, F(4×4) 5.1e-6 / 6.0e-6. A wrong coefficient
     * in any transform gives errors of order 0.1.
     */
    static double bound(ConvAlgorithm a) {
        return a == ConvAlgorithm.WINOGRAD_4X4_3X3 ? 1.5e-5 : a == ConvAlgorithm.WINOGRAD_2X2_3X3 ? 1e-6 : 2e-6;
    }

    private static ConvGeometry same(int pad) {
        return new ConvGeometry(List.of(1, 1), List.of(pad, pad), List.of(pad, pad), List.of(1, 1), 1);
    }

    /** A convolution (or, transposed, the input gradient of one) with optional bias and ReLU, as a graph. */
    static Graph layer(int batch, int c, int o, int h, int w, int pad, boolean transposed, boolean bias,
                       boolean relu) {
        return layer(batch, c, o, h, w, same(pad), transposed, bias, relu);
    }

    /** {@link #layer(int, int, int, int, int, int, boolean, boolean, boolean)} with any stride-1 geometry g. */
    static Graph layer(int batch, int c, int o, int h, int w, ConvGeometry g, boolean transposed, boolean bias,
                       boolean relu) {
        GraphBuilder b = new GraphBuilder();
        int ho = h + g.padLow().get(0) + g.padHigh().get(0) - 2, wo = w + g.padLow().get(1) + g.padHigh().get(1) - 2;
        Node y;
        if (!transposed) {
            Node x = b.input("x", Shape.of(batch, c, h, w), DType.F32);
            Node k = b.input("w", Shape.of(o, c, 3, 3), DType.F32);
            y = bias ? b.apply("conv", new Conv(g), x, k, b.input("b", Shape.of(o), DType.F32))
                    : b.apply("conv", new Conv(g), x, k);
        } else {
            // the input gradient of a convolution from c channels of h×w to o channels: dx has c channels
            Node dy = b.input("x", Shape.of(batch, o, ho, wo), DType.F32);
            Node k = b.input("w", Shape.of(o, c, 3, 3), DType.F32);
            ConvTranspose op = new ConvTranspose(g, List.of(h, w));
            y = bias ? b.apply("conv", op, dy, k, b.input("b", Shape.of(c), DType.F32)) : b.apply("conv", op, dy, k);
        }
        b.output(relu ? b.apply("relu", new Relu(), y) : y);
        return b.build();
    }

    static Map<String, Tensor> feeds(Graph g, long seed) {
        Random r = new Random(seed);
        Map<String, Tensor> f = new HashMap<>();
        for (Node n : g.nodes()) {
            if (n.op() instanceof dev.convj.graph.ops.Input || n.op() instanceof dev.convj.graph.ops.Parameter) {
                f.put(n.name(), Tensor.uniform(n.shape(), -1, 1, r));
            }
        }
        return f;
    }

    /** max |generated − reference| / max |reference| over every output of g compiled under schedule. */
    static double relativeError(Graph g, Map<String, Tensor> feeds, Schedule schedule) {
        return error(g, feeds, schedule, false);
    }

    /**
     * max |generated − reference| over the outputs of g, divided by the largest sum of the terms' magnitudes behind
     * an output (Σ |w|·|x| + |b|: the float64 interpreter's run on the inputs' absolute values). Rounding error
     * scales with those terms, not with the result: where they cancel to a small output, max |reference| would call
     * ordinary rounding a large error. For single layers (a convolution, bias, ReLU).
     */
    static double termRelativeError(Graph g, Map<String, Tensor> feeds, Schedule schedule) {
        return error(g, feeds, schedule, true);
    }

    private static double error(Graph g, Map<String, Tensor> feeds, Schedule schedule, boolean byTerms) {
        List<String> outputs = g.outputs().stream().map(Node::name).toList();
        Map<String, Tensor> reference = ReferenceInterpreter.float64().run(g, feeds, outputs);
        Map<String, Tensor> magnitudes = new HashMap<>();
        feeds.forEach((name, t) -> magnitudes.put(name, Tensor.generate(t.shape(), i -> Math.abs(t.get(i)))));
        Map<String, Tensor> terms = byTerms ? ReferenceInterpreter.float64().run(g, magnitudes, outputs) : reference;
        double worst = 0;
        try (CompiledGraph c = COMPILER.compile(g, schedule)) {
            feeds.forEach((name, t) -> {
                float[] v = new float[t.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) t.get(i);
                }
                c.set(name, v);
            });
            c.run();
            for (String out : outputs) {
                Tensor ref = reference.get(out), scale = terms.get(out);
                float[] got = c.get(out);
                double largest = 0, err = 0;
                for (int i = 0; i < ref.size(); i++) {
                    largest = Math.max(largest, Math.abs(scale.get(i)));
                    err = Math.max(err, Math.abs(got[i] - ref.get(i)));
                }
                worst = Math.max(worst, err / Math.max(largest, 1e-30));
            }
        }
        return worst;
    }

    /**
     * A case the random search found (batch 5, 3 channels of 3×3 into one, bias and ReLU, F(2×2)): outputs whose
     * terms nearly cancel. Measured against max |reference| its ordinary rounding came to 2.2e-6; against the terms'
     * magnitudes it is 2.9e-8.
     */
    @Test
    void resultsThatCancelAreMeasuredAgainstTheirTerms() {
        Graph g = layer(5, 3, 1, 3, 3, 0, false, true, true);
        Schedule s = Schedule.threads(2).withAlgorithm("conv", ConvAlgorithm.WINOGRAD_2X2_3X3);
        double err = termRelativeError(g, feeds(g, 96), s);
        assertTrue(err <= bound(ConvAlgorithm.WINOGRAD_2X2_3X3), "F(2×2): " + err);
    }

    @Test
    void forcedWinogradMatchesTheInterpreterOnRandomShapes() {
        // sizes 3..13 × 3..13; paddings 0..2 × batches 1..5; transposed, bias, ReLU and the tile size as four bits
        qt().withExamples(24).forAll(integers().between(1, 7), integers().between(1, 9), integers().between(0, 120),
                integers().between(0, 15 * 16 - 1)).checkAssert((c, o, hw, rest) -> {
                    int h = 3 + hw / 11, w = 3 + hw % 11, pad = rest / 16 % 3, batch = 1 + rest / 48, bits = rest % 16;
                    boolean transposed = (bits & 1) != 0, bias = (bits & 2) != 0, relu = (bits & 4) != 0;
                    ConvAlgorithm a = (bits & 8) != 0 ? ConvAlgorithm.WINOGRAD_4X4_3X3 : ConvAlgorithm.WINOGRAD_2X2_3X3;
                    Graph g = layer(batch, c, o, h, w, pad, transposed, bias, relu);
                    Schedule s = Schedule.threads(1 + batch % 2).withAlgorithm("conv", a);
                    double err = termRelativeError(g, feeds(g, 31L * h + w), s);
                    assertTrue(err <= bound(a), a.label() + " on " + g.node("conv").typeString() + " pad " + pad
                            + (transposed ? " (input gradient)" : "") + ": relative error " + err + " > " + bound(a));
                });
    }

    @Test
    void forcedWinogradMatchesTheInterpreterWithUnevenPaddings() {
        // each side's padding 0..3 forward (an output row may see padding only), 0..2 for the input gradient (whose
        // equivalent forward convolution pads 2 − p); sizes 3..12; the tile size, transposed and ReLU as three bits
        qt().withExamples(32).forAll(integers().between(0, 255), integers().between(0, 99),
                integers().between(1, 5), integers().between(0, 7)).checkAssert((pads, hw, c, bits) -> {
                    boolean transposed = (bits & 1) != 0, relu = (bits & 2) != 0;
                    ConvAlgorithm a = (bits & 4) != 0 ? ConvAlgorithm.WINOGRAD_4X4_3X3 : ConvAlgorithm.WINOGRAD_2X2_3X3;
                    int most = transposed ? 3 : 4;
                    int top = pads % 4 % most, bottom = pads / 4 % 4 % most, left = pads / 16 % 4 % most,
                            right = pads / 64 % most;
                    int h = 3 + hw / 10, w = 3 + hw % 10;
                    ConvGeometry g = new ConvGeometry(List.of(1, 1), List.of(top, left), List.of(bottom, right),
                            List.of(1, 1), 1);
                    Graph graph = layer(2, c, 1 + bits % 3 + c, h, w, g, transposed, true, relu);
                    Schedule s = Schedule.threads(1 + hw % 2).withAlgorithm("conv", a);
                    double err = termRelativeError(graph, feeds(graph, 17L * pads + hw), s);
                    assertTrue(err <= bound(a), a.label() + " on " + graph.node("conv").typeString() + " padding "
                            + g.padLow() + "/" + g.padHigh() + (transposed ? " (input gradient)" : "")
                            + ": relative error " + err + " > " + bound(a));
                });
    }

    /**
     * The error each algorithm makes on LeNet-sized and VGG-sized 3×3 layers, batch 4, forward and input gradient:
     * direct stays near float32 rounding, F(2×2) within a few times that, F(4×4) about one decimal digit more.
     */
    @ParameterizedTest(name = "({0},{2},{2})→{1}, {3}")
    @CsvSource({
        "6, 16, 14, IMPLICIT_GEMM", "6, 16, 14, WINOGRAD_2X2_3X3", "6, 16, 14, WINOGRAD_4X4_3X3",
        "32, 32, 28, IMPLICIT_GEMM", "32, 32, 28, WINOGRAD_2X2_3X3", "32, 32, 28, WINOGRAD_4X4_3X3",
        "64, 64, 14, IMPLICIT_GEMM", "64, 64, 14, WINOGRAD_2X2_3X3", "64, 64, 14, WINOGRAD_4X4_3X3"})
    void errorPerAlgorithmOnLenetAndVggSizedLayers(int c, int o, int size, ConvAlgorithm a) {
        for (boolean transposed : new boolean[] {false, true}) {
            Graph g = layer(4, c, o, size, size, 1, transposed, true, false);
            ConvAlgorithm forced = transposed && a == ConvAlgorithm.IMPLICIT_GEMM ? ConvAlgorithm.IMPLICIT_GEMM : a;
            double err = relativeError(g, feeds(g, size), Schedule.threads(2).withAlgorithm("conv", forced));
            System.out.printf("winograd error: (%d,%d,%d)->%d %s %s: %.3g%n", c, size, size, o, a.label(),
                    transposed ? "input-grad" : "forward", err);
            assertTrue(err <= bound(a), a.label() + (transposed ? " input gradient" : " forward") + ": " + err);
        }
    }

    /** A small training graph (two 3×3 layers, ReLU), every Winograd-capable node forced, gradients included. */
    @ParameterizedTest
    @CsvSource({"WINOGRAD_2X2_3X3", "WINOGRAD_4X4_3X3"})
    void gradientsThroughForcedWinogradMatchTheInterpreter(ConvAlgorithm a) {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(3, 2, 9, 7), DType.F32);
        Node w1 = b.parameter("w1", Shape.of(5, 2, 3, 3), new ParamInit.Uniform(0.5));
        Node w2 = b.parameter("w2", Shape.of(4, 5, 3, 3), new ParamInit.Uniform(0.5));
        Node h = b.apply("h", new Relu(), b.apply("conv1", new Conv(same(1)), x, w1));
        Node y = b.apply("conv2", new Conv(same(1)), h, w2);
        b.output(b.apply("loss", new Sum(List.of(0, 1, 2, 3)), b.apply("sq", new Mul(), y, y)));
        Graph g = Autodiff.gradients(b.build(), "loss", List.of("x", "w1", "w2")).graph();
        Schedule s = Schedule.threads(2);
        int forced = 0;
        for (ConvSchedule cs : GraphCompiler.plan(g, Schedule.defaults()).schedules()) {
            if (cs.pass() != ConvPass.WEIGHT_GRADIENT) {
                s = s.withAlgorithm(cs.node(), a);
                forced++;
            }
        }
        ConvPlan plan = GraphCompiler.plan(g, s);
        assertEquals(forced, plan.schedules().stream().filter(c -> c.algorithm() == a).count(), plan.toText());
        assertTrue(forced >= 3, plan.toText()); // two forward passes and conv2's input gradient at least
        double err = relativeError(g, feeds(g, 5), s);
        assertTrue(err <= 10 * bound(a), a.label() + " gradients: " + err + "\n" + plan.toText());
    }

    /**
     * Each filter's transform (G g Gᵀ forward, Gᵀ dU G for the weight gradient) is a call of its own: a method run
     * once a step with the filters' loop inside reached C2 only after about a hundred steps of the small VGG, running
     * interpreted meanwhile (0.6–0.8 ms a step for 32×32 filters against 0.02 compiled), which no output shows.
     */
    @Test
    void filterTransformsGoOneFilterACall() {
        Graph g = layer(2, 8, 8, 8, 8, 1, false, true, true);
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(2, 8, 8, 8), DType.F32);
        Node w = b.parameter("w", Shape.of(8, 8, 3, 3), new ParamInit.Uniform(0.5));
        Node y = b.apply("conv", new Conv(same(1)), x, w);
        b.output(b.apply("loss", new Sum(List.of(0, 1, 2, 3)), b.apply("sq", new Mul(), y, y)));
        Graph training = Autodiff.gradients(b.build(), "loss", List.of("w")).graph();
        for (Graph graph : List.of(g, training)) {
            Schedule s = Schedule.threads(1);
            for (ConvSchedule cs : GraphCompiler.plan(graph, Schedule.defaults()).schedules()) {
                s = s.withAlgorithm(cs.node(), ConvAlgorithm.WINOGRAD_4X4_3X3);
            }
            String source = COMPILER.generate(graph, s).source();
            java.util.regex.Matcher m = java.util.regex.Pattern
                    .compile("private static void (\\w+_(filters|dw))\\(([^)]*)\\) \\{([^}]*)\\}").matcher(source);
            int transforms = 0;
            while (m.find()) {
                transforms++;
                assertTrue(m.group(4).contains(m.group(1) + "_one("), m.group(1) + " should call " + m.group(1)
                        + "_one for each filter, not hold the transform in its loop:\n" + m.group(4));
            }
            assertEquals(graph == g ? 1 : 2, transforms, "filter transforms in\n" + source);
        }
    }

    /**
     * The weight gradient by F(2×2, 3×3) and F(4×4, 3×3) (dw = Gᵀ [Σ (A dy Aᵀ) ⊙ (Bᵀ x B)] G) against the
     * interpreter on random shapes: odd sizes whose last tiles are partial, paddings 0..2, batches across chunks, one
     * to three threads, channel counts that fill whole vectors (the vector transforms) and ones that do not (the
     * emitted scalar ones).
     */
    @ParameterizedTest(name = "{0}, vector transforms over channels: {1}")
    @CsvSource({"WINOGRAD_2X2_3X3, false", "WINOGRAD_2X2_3X3, true", "WINOGRAD_4X4_3X3, false",
        "WINOGRAD_4X4_3X3, true"})
    void forcedWinogradWeightGradientMatchesTheInterpreterOnRandomShapes(ConvAlgorithm a, boolean channelVectors) {
        String property = "convj.winogradChannelVectors";
        String before = System.getProperty(property);
        System.setProperty(property, String.valueOf(channelVectors));
        try {
            weightGradientOnRandomShapes(a);
        } finally {
            if (before == null) {
                System.clearProperty(property);
            } else {
                System.setProperty(property, before);
            }
        }
    }

    private static void weightGradientOnRandomShapes(ConvAlgorithm a) {
        // channel counts up to 9, and multiples of 16 (whole vectors: the vector transforms over channels-last copies)
        qt().withFixedSeed(23).withExamples(32).forAll(integers().between(1, 11), integers().between(1, 11),
                integers().between(0, 120), integers().between(0, 8 * 3 * 3 - 1)).checkAssert((ci, oi, hw, rest) -> {
                    int c = ci <= 9 ? ci : 16 * (ci - 9), o = oi <= 9 ? oi : 16 * (oi - 9);
                    int h = 3 + hw / 11, w = 3 + hw % 11, pad = rest % 3, batch = 1 + rest / 3 % 8;
                    int threads = 1 + rest / 24;
                    GraphBuilder b = new GraphBuilder();
                    ConvGeometry g = same(pad);
                    Node x = b.input("x", Shape.of(batch, c, h, w), DType.F32);
                    Node dy = b.input("dy", Shape.of(batch, o, h + 2 * pad - 2, w + 2 * pad - 2), DType.F32);
                    b.output(b.apply("conv", new dev.convj.graph.ops.ConvWeightGrad(g, List.of(3, 3)), x, dy));
                    Graph graph = b.build();
                    Schedule s = Schedule.threads(threads).withAlgorithm("conv", a);
                    double err = relativeError(graph, feeds(graph, 17L * h + w + rest), s);
                    assertTrue(err <= 3 * bound(a), a.label() + " weight gradient of "
                            + x.typeString() + " pad " + pad + ", " + threads + " threads: relative error " + err);
                });
    }

    /**
     * The weight gradient's error on the small VGG's layers, batch 8: F(2×2) and F(4×4) beside the direct algorithm's
     * (measured: the tap-wise GEMMs 7.7e-7–2.1e-6, F(2×2) 5.3e-7–1.0e-6, F(4×4) 3.1e-6–6.2e-6).
     */
    @ParameterizedTest(name = "({0},{2},{2})→{1}")
    @CsvSource({"32, 32, 28", "32, 64, 14", "64, 64, 14"})
    void weightGradientErrorOnVggSizedLayers(int c, int o, int size) {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(8, c, size, size), DType.F32);
        Node dy = b.input("dy", Shape.of(8, o, size, size), DType.F32);
        b.output(b.apply("conv", new dev.convj.graph.ops.ConvWeightGrad(same(1), List.of(3, 3)), x, dy));
        Graph graph = b.build();
        double direct = relativeError(graph, feeds(graph, size),
                Schedule.threads(2).withAlgorithm("conv", ConvAlgorithm.TAPWISE_GEMM));
        double f2 = relativeError(graph, feeds(graph, size),
                Schedule.threads(2).withAlgorithm("conv", ConvAlgorithm.WINOGRAD_2X2_3X3));
        double f4 = relativeError(graph, feeds(graph, size),
                Schedule.threads(2).withAlgorithm("conv", ConvAlgorithm.WINOGRAD_4X4_3X3));
        System.out.printf("winograd weight-gradient error: (%d,%d,%d)->%d direct %.3g, F(2x2) %.3g, F(4x4) %.3g%n", c,
                size, size, o, direct, f2, f4);
        assertTrue(f2 <= 3 * bound(ConvAlgorithm.WINOGRAD_2X2_3X3), "F(2×2) weight gradient: " + f2);
        assertTrue(f4 <= bound(ConvAlgorithm.WINOGRAD_4X4_3X3), "F(4×4) weight gradient: " + f4);
    }

    /**
     * Planes wider than two vectors of tiles (F(2×2)'s vector transforms then store whole vectors, and a tile row's
     * last vector overlaps the next row's tiles) and odd sizes whose last tiles are partial, on two threads.
     */
    @ParameterizedTest(name = "{0}×{1} pad {2}")
    @CsvSource({"9, 70, 1", "6, 67, 0", "5, 131, 2", "12, 64, 1"})
    void wideImagesMatchTheInterpreter(int h, int w, int pad) {
        for (int bits = 0; bits < 8; bits++) {
            boolean transposed = (bits & 1) != 0, bias = (bits & 2) != 0, relu = (bits & 4) != 0;
            Graph g = layer(3, 3, 5, h, w, pad, transposed, bias, relu);
            double err = relativeError(g, feeds(g, 7L * w + bits),
                    Schedule.threads(2).withAlgorithm("conv", ConvAlgorithm.WINOGRAD_2X2_3X3));
            assertTrue(err <= bound(ConvAlgorithm.WINOGRAD_2X2_3X3), g.node("conv").typeString() + " bits " + bits
                    + ": relative error " + err);
        }
    }

    @Tag("warm-allocation") // in a JVM of its own: runtime/pom.xml says why
    @ParameterizedTest
    @CsvSource({"WINOGRAD_2X2_3X3", "WINOGRAD_4X4_3X3"})
    void aWarmWinogradLayerAllocatesNothing(ConvAlgorithm a) {
        Graph g = layer(8, 16, 16, 14, 14, 1, false, true, true);
        try (CompiledGraph c = COMPILER.compile(g, Schedule.threads(1).withAlgorithm("conv", a))) {
            feeds(g, 1).forEach((name, t) -> c.set(name, new float[t.size()]));
            long least = leastWarmAllocation(c);
            assertEquals(0, least, "bytes allocated in 30 warm calls");
        }
    }

    /**
     * The fewest bytes the calling thread allocated in 30 calls of c, over windows of 30 calls after 30 more, until
     * one allocates nothing (at least 20 windows, for up to 20 s): C2 may take a while to compile the vector kernels on
     * a busy 2-core host, and until it has, they run with every vector a heap object.
     */
    static long leastWarmAllocation(CompiledGraph c) {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long least = Long.MAX_VALUE, deadline = System.nanoTime() + 20_000_000_000L;
        for (int window = 0; least > 0 && (window < 20 || System.nanoTime() < deadline); window++) {
            for (int i = 0; i < 30; i++) {
                c.run();
            }
            long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            for (int i = 0; i < 30; i++) {
                c.run();
            }
            least = Math.min(least, threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before);
        }
        return least;
    }
}

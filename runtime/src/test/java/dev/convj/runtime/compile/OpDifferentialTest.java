package dev.convj.runtime.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.convj.codegen.Schedule;
import dev.convj.codegen.plan.ConvAlgorithm;
import dev.convj.codegen.plan.ConvCostModel;
import dev.convj.codegen.plan.ConvDims;
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
import dev.convj.graph.ops.AvgPool;
import dev.convj.graph.ops.BroadcastTo;
import dev.convj.graph.ops.Conv;
import dev.convj.graph.ops.ConvGeometry;
import dev.convj.graph.ops.ConvTranspose;
import dev.convj.graph.ops.ConvWeightGrad;
import dev.convj.graph.ops.Dense;
import dev.convj.graph.ops.MatMul;
import dev.convj.graph.ops.LogSoftmax;
import dev.convj.graph.ops.MaxPool;
import dev.convj.graph.ops.Mean;
import dev.convj.graph.ops.Mse;
import dev.convj.graph.ops.Mul;
import dev.convj.graph.ops.Op;
import dev.convj.graph.ops.PoolGeometry;
import dev.convj.graph.ops.Relu;
import dev.convj.graph.ops.Reshape;
import dev.convj.graph.ops.Sigmoid;
import dev.convj.graph.ops.Softmax;
import dev.convj.graph.ops.SoftmaxCrossEntropy;
import dev.convj.graph.ops.Sum;
import dev.convj.graph.ops.Tanh;
import dev.convj.runtime.Initializer;
import dev.convj.runtime.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Generated code equals the float64 interpreter for random op configurations, forward and every gradient node
 * (and, for a few, the gradients of gradients), on one and on several threads. EveryOpCompiledTest checks that
 * every op type is compiled somewhere.
 */
class OpDifferentialTest {
    private static final GraphCompiler COMPILER = new GraphCompiler(null);

    /** Builds x → op(x, params) → loss = Σ op · r (a random weighting, so every gradient is non-trivial). */
    private static Graph lossOf(Shape inShape, Function<GraphBuilder, Node> body, boolean secondOrder) {
        GraphBuilder b = new GraphBuilder();
        b.input("x", inShape, DType.F32);
        Node y = body.apply(b);
        Node r = b.input("r", y.shape(), DType.F32);
        Node weighted = b.apply("weighted", new Mul(), y, r);
        Node loss = b.apply("loss", new Sum(range(y.shape().rank())), weighted);
        b.output(y);
        b.output(loss);
        Graph g = Autodiff.gradients(b.build(), "loss", wrt(b.build())).graph();
        if (!secondOrder) {
            return g;
        }
        // Second order: d/dθ Σ (dL/dx · v), which differentiates every gradient rule used above.
        GraphBuilder b2 = new GraphBuilder(g);
        Node gx = g.node("x.grad");
        Node v = b2.input("v", gx.shape(), DType.F32);
        Node dot = b2.apply("dot", new Sum(range(gx.shape().rank())), b2.apply("gv", new Mul(), gx, v));
        b2.output(dot);
        Graph g2 = b2.build();
        List<String> wrt2 = new ArrayList<>(wrt(g2));
        wrt2.add("r"); // d/dr reaches the gradient rules of backward ops (e.g. max-pool's select)
        return Autodiff.gradients(g2, "dot", wrt2).graph();
    }

    private static List<String> wrt(Graph g) {
        List<String> names = new ArrayList<>(List.of("x"));
        g.parameters().forEach(p -> names.add(p.name()));
        return names;
    }

    private static List<Integer> range(int n) {
        List<Integer> r = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            r.add(i);
        }
        return r;
    }

    private static void check(Graph g, long seed, int threads) {
        Map<String, Tensor> feeds = new HashMap<>(Initializer.initialize(g, seed));
        Random random = new Random(seed);
        for (Node in : g.inputs()) {
            feeds.put(in.name(), in.dtype() == DType.I32
                    ? Tensor.generate(in.shape(), i -> random.nextInt(in.name().equals("labels") ? 4 : 1))
                    : Tensor.uniform(in.shape(), -1, 1, random));
        }
        Differential.assertMatches(COMPILER, g, feeds, threads);
    }

    /** A random convolution case: rank, batch, channels, groups, sizes, kernel, stride, padding, dilation. */
    record ConvCase(int rank, int batch, int groups, int cPerGroup, int oPerGroup, int size, int kernel, int stride,
                    int padLow, int padHigh, int dilation, boolean bias, int threads) {
        ConvGeometry geometry() {
            return new ConvGeometry(Collections.nCopies(rank, stride), Collections.nCopies(rank, padLow),
                    Collections.nCopies(rank, padHigh), Collections.nCopies(rank, dilation), groups);
        }

        boolean fits() {
            return size + padLow + padHigh - dilation * (kernel - 1) - 1 >= 0;
        }

        Shape input() {
            List<Integer> d = new ArrayList<>(List.of(batch, groups * cPerGroup));
            d.addAll(Collections.nCopies(rank, size));
            return new Shape(d);
        }

        Shape weight() {
            List<Integer> d = new ArrayList<>(List.of(groups * oPerGroup, cPerGroup));
            d.addAll(Collections.nCopies(rank, kernel));
            return new Shape(d);
        }
    }

    private static final Gen<ConvCase> CONV_CASES = in -> new ConvCase(
            integers().between(1, 3).generate(in), integers().between(1, 3).generate(in),
            integers().between(1, 2).generate(in), integers().between(1, 3).generate(in),
            integers().between(1, 3).generate(in), integers().between(3, 7).generate(in),
            integers().between(1, 3).generate(in), integers().between(1, 3).generate(in),
            integers().between(0, 2).generate(in), integers().between(0, 2).generate(in),
            integers().between(1, 2).generate(in), integers().between(0, 1).generate(in) == 1,
            integers().between(1, 3).generate(in));

    @Test
    void convolutionForwardAndGradients() {
        qt().withFixedSeed(11).withExamples(25).forAll(CONV_CASES).assuming(ConvCase::fits).checkAssert(c -> {
            Graph g = lossOf(c.input(), b -> {
                Node w = b.parameter("w", c.weight(), new ParamInit.Uniform(0.5));
                Node x = b.node("x");
                if (!c.bias()) {
                    return b.apply("y", new Conv(c.geometry()), x, w);
                }
                Node bias = b.parameter("b", Shape.of(c.weight().dim(0)), new ParamInit.Uniform(0.5));
                return b.apply("y", new Relu(), b.apply("conv", new Conv(c.geometry()), x, w, bias));
            }, false);
            check(g, c.hashCode(), c.threads());
        });
    }

    @Test
    void stride1ConvolutionsWithManyChannelsMatchTheInterpreter() {
        // Stride 1 with 12–20 output channels per group (whole and partial row tiles and panels of the GEMMs),
        // kernels of 1–3 with uneven padding (a padded 1×1 kernel's output is wider than its input: rows that
        // share their padding must still hold it), dilation, groups, 1-D to 3-D, 1–3 threads.
        // 3-D images stay small: the loss sums every output, and over ~10⁵ terms float32 rounding outgrows the
        // tolerance, which scales with the (cancelling) sum rather than with its terms.
        qt().withFixedSeed(13).withExamples(12).forAll(stride1Cases(3, 1, 3, 12, 20, 8, 5)).assuming(ConvCase::fits)
                .checkAssert(OpDifferentialTest::checkConv);
    }

    @Test
    void stride1WeightGradientsOverManyInputChannelsMatchTheInterpreter() {
        // 14–40 input channels per group: at 16 and more the weight gradient runs one GEMM per kernel tap over a
        // channels-last copy (whole and partial 16-column panels, the packed dy shared by the taps); below, the
        // other forms. Groups, uneven padding, dilation, 1-D to 3-D, 1–3 threads.
        qt().withFixedSeed(17).withExamples(12).forAll(stride1Cases(2, 14, 40, 1, 13, 7, 4)).assuming(ConvCase::fits)
                .checkAssert(OpDifferentialTest::checkConv);
    }

    /**
     * Stride-1 convolutions: batch 1–batchMax, 1–2 groups of cMin–cMax input and oMin–oMax output channels, images
     * of 3–maxSize (3-D: 3–maxSize3d), kernels of 1–3, padding 0–2 on each side, dilation 1–2, bias or not, 1–3
     * threads, 1-D to 3-D.
     */
    private static Gen<ConvCase> stride1Cases(int batchMax, int cMin, int cMax, int oMin, int oMax, int maxSize,
                                              int maxSize3d) {
        return in -> {
            int rank = integers().between(1, 3).generate(in);
            return new ConvCase(rank, integers().between(1, batchMax).generate(in),
                    integers().between(1, 2).generate(in), integers().between(cMin, cMax).generate(in),
                    integers().between(oMin, oMax).generate(in),
                    integers().between(3, rank == 3 ? maxSize3d : maxSize).generate(in),
                    integers().between(1, 3).generate(in), 1,
                    integers().between(0, 2).generate(in), integers().between(0, 2).generate(in),
                    integers().between(1, 2).generate(in), integers().between(0, 1).generate(in) == 1,
                    integers().between(1, 3).generate(in));
        };
    }

    /** The loss of one convolution without bias, forward and every gradient against the interpreter. */
    private static void checkConv(ConvCase c) {
        Graph g = lossOf(c.input(), b -> b.apply("y", new Conv(c.geometry()), b.node("x"),
                b.parameter("w", c.weight(), new ParamInit.Uniform(0.5))), false);
        check(g, c.hashCode(), c.threads());
    }

    @Test
    void largeConvolutionsMatchTheInterpreter() {
        // Column matrices of tens of thousands of floats (several GEMM panels and K blocks), with padding, groups,
        // stride 2 and dilation 2, in 1-D, 2-D and 3-D.
        List<ConvCase> cases = List.of(
                new ConvCase(2, 2, 1, 40, 8, 23, 3, 1, 1, 1, 1, true, 1),   // 360 rows × 529 positions, tap-wise dw
                new ConvCase(2, 1, 2, 24, 4, 30, 3, 2, 2, 1, 2, false, 2),  // groups, stride 2, dilation 2
                new ConvCase(3, 1, 1, 8, 4, 12, 3, 1, 1, 1, 1, false, 3),   // 3-D: 216 rows × 1728 positions
                // stride 1 over grids of 512 positions and more: weight gradients as dot products read in place
                new ConvCase(2, 3, 2, 3, 5, 26, 3, 1, 2, 0, 2, true, 2),    // groups, uneven padding, dilation 2
                new ConvCase(1, 2, 1, 3, 4, 600, 5, 1, 2, 2, 1, false, 1)); // 1-D, 600 positions
        cases.forEach(OpDifferentialTest::checkConv);
    }

    @Test
    void transposedConvolutionForwardAndGradients() {
        qt().withFixedSeed(12).withExamples(15).forAll(CONV_CASES).assuming(ConvCase::fits)
                .checkAssert(OpDifferentialTest::checkTransposed);
    }

    @Test
    void transposedConvolutionsOfThinImagesRunBanded() {
        // Stride 1, padding rows that most kernel rows only meet as zeros: the generated code's tiles multiply only
        // the kernel rows that reach dy. LeNet-5's conv2 (14×14 from 10×10 through 5×5), groups with uneven padding
        // and bias on 2 threads, 1-D and 3-D.
        checkTransposedThrough(ConvAlgorithm.BANDED_IMPLICIT_GEMM, List.of(
                new ConvCase(2, 3, 1, 6, 16, 14, 5, 1, 0, 0, 1, false, 1),
                new ConvCase(2, 2, 2, 3, 4, 9, 5, 1, 1, 2, 1, true, 2),
                new ConvCase(1, 2, 1, 2, 3, 40, 5, 1, 0, 1, 1, true, 1),
                new ConvCase(3, 1, 1, 2, 2, 8, 3, 1, 1, 1, 1, false, 2)));
    }

    @Test
    void transposedConvolutionsOfThinImagesRunOneGemmPerTap() {
        // Stride 1 with kernels big against the image: even banded, the implicit form would multiply over twice
        // the padding zeros, so the generated code accumulates one GEMM per tap into a padded x. Groups, uneven
        // padding, dilation (which the bands do not take), bias, 2 threads; 1-D, 2-D and 3-D.
        checkTransposedThrough(ConvAlgorithm.TAPWISE_GEMM, List.of(
                new ConvCase(2, 2, 2, 3, 4, 9, 7, 1, 0, 1, 1, true, 2),
                new ConvCase(2, 2, 1, 4, 6, 11, 3, 1, 0, 0, 4, false, 1),
                new ConvCase(1, 2, 1, 2, 3, 10, 5, 1, 0, 1, 2, true, 1),
                new ConvCase(3, 1, 1, 2, 2, 5, 4, 1, 0, 0, 1, false, 2)));
    }

    /** Each case's plan runs its transposed convolution by {@code algorithm}, and matches the interpreter. */
    private static void checkTransposedThrough(ConvAlgorithm algorithm, List<ConvCase> cases) {
        for (ConvCase c : cases) {
            Graph g = transposed(c);
            assertEquals(algorithm, GraphCompiler.plan(g, Schedule.defaults()).of(g.node("y")).algorithm(), "" + c);
            checkTransposed(c);
        }
    }

    /** conv_transpose of dy shaped like the case's convolution output back to its input, forward and gradients. */
    private static void checkTransposed(ConvCase c) {
        check(transposed(c), c.hashCode(), c.threads());
    }

    private static Graph transposed(ConvCase c) {
        List<Integer> big = Collections.nCopies(c.rank(), c.size());
        List<Integer> small = c.geometry().outputSpatial(big, Collections.nCopies(c.rank(), c.kernel()));
        List<Integer> yDims = new ArrayList<>(List.of(c.batch(), c.groups() * c.oPerGroup()));
        yDims.addAll(small);
        return lossOf(new Shape(yDims), b -> {
            Node w = b.parameter("w", c.weight(), new ParamInit.Uniform(0.5));
            List<Node> in = new ArrayList<>(List.of(b.node("x"), w));
            if (c.bias()) {
                in.add(b.parameter("b", Shape.of(c.groups() * c.cPerGroup()), new ParamInit.Uniform(0.5)));
            }
            return b.apply("y", new ConvTranspose(c.geometry(), big), in.toArray(Node[]::new));
        }, false);
    }

    /**
     * A transposed convolution as PyTorch defines it, per spatial axis: input extent n, kernel k, stride s, padding p
     * on both sides, output padding op below max(s, d), dilation d; output extent (n − 1)·s − 2p + d(k − 1) + op + 1.
     * Its geometry is the DSL's: once op reaches the stride, the adjoint convolution crops the high end (padding
     * p − op + s − 1 after, down to 1 − d).
     */
    record OutputPaddingCase(int batch, int groups, int cPerGroup, int oPerGroup, List<Integer> n, List<Integer> kernel,
                             List<Integer> stride, List<Integer> pad, List<Integer> outputPadding,
                             List<Integer> dilation, boolean bias, int threads) {
        int rank() {
            return n.size();
        }

        ConvGeometry geometry() {
            List<Integer> high = new ArrayList<>();
            for (int a = 0; a < rank(); a++) {
                int s = stride.get(a), p = pad.get(a), op = outputPadding.get(a);
                high.add(op < s ? p : p - op + s - 1);
            }
            return new ConvGeometry(stride, pad, high, dilation, groups);
        }

        /** The transposed convolution's output extents: the convolution's input. */
        List<Integer> big() {
            List<Integer> big = new ArrayList<>();
            for (int a = 0; a < rank(); a++) {
                big.add((n.get(a) - 1) * stride.get(a) - 2 * pad.get(a) + dilation.get(a) * (kernel.get(a) - 1)
                        + outputPadding.get(a) + 1);
            }
            return big;
        }

        boolean fits() {
            return big().stream().allMatch(e -> e >= 1);
        }

        Shape weight() {
            List<Integer> d = new ArrayList<>(List.of(groups * oPerGroup, cPerGroup));
            d.addAll(kernel);
            return new Shape(d);
        }
    }

    /**
     * Per axis: n of 1–maxN (3-D: 1–3), kernel 1–3, stride 1–3, dilation 1–3, padding 0–1, output padding below
     * max(s, d); or, when {@code crop}, dilation 2–4 and the output padding past p + s − 1, so every axis is cropped.
     */
    private static Gen<OutputPaddingCase> outputPaddingCases(int maxChannels, int maxN, boolean crop) {
        return in -> {
            int rank = integers().between(1, 3).generate(in);
            List<Integer> n = new ArrayList<>(), k = new ArrayList<>(), s = new ArrayList<>(), p = new ArrayList<>(),
                    op = new ArrayList<>(), d = new ArrayList<>();
            for (int a = 0; a < rank; a++) {
                n.add(integers().between(1, rank == 3 ? Math.min(3, maxN) : maxN).generate(in));
                k.add(integers().between(1, 3).generate(in));
                if (crop) {
                    d.add(integers().between(2, 4).generate(in));
                    s.add(integers().between(1, d.get(a) - 1).generate(in));
                    p.add(integers().between(0, Math.min(1, d.get(a) - 1 - s.get(a))).generate(in));
                    op.add(integers().between(p.get(a) + s.get(a), d.get(a) - 1).generate(in));
                } else {
                    s.add(integers().between(1, 3).generate(in));
                    d.add(integers().between(1, 3).generate(in));
                    p.add(integers().between(0, 1).generate(in));
                    op.add(integers().between(0, Math.max(s.get(a), d.get(a)) - 1).generate(in));
                }
            }
            return new OutputPaddingCase(integers().between(1, 2).generate(in), integers().between(1, 2).generate(in),
                    integers().between(1, maxChannels).generate(in), integers().between(1, maxChannels).generate(in),
                    n, k, s, p, op, d, integers().between(0, 1).generate(in) == 1,
                    integers().between(1, 3).generate(in));
        };
    }

    @Test
    void transposedConvolutionsWithOutputPaddingBelowStrideOrDilationMatchTheInterpreter() {
        // Output padding up to max(stride, dilation) − 1 per axis, forward and every gradient: at or past the stride
        // the high end is cropped (negative padding), which every padded copy must honour.
        qt().withFixedSeed(19).withExamples(40).forAll(outputPaddingCases(3, 5, false))
                .assuming(OutputPaddingCase::fits)
                .checkAssert(c -> check(transposed(c), c.hashCode(), c.threads()));
    }

    @Test
    void convolutionsCroppingTheirHighEndMatchTheInterpreter() {
        // Such geometries cropping every axis, run forward: the convolution ignores the input's last positions, its
        // input gradient (a transposed convolution again) leaves them zero, its weight gradient never reads them.
        qt().withFixedSeed(20).withExamples(40).forAll(outputPaddingCases(3, 5, true)).assuming(OutputPaddingCase::fits)
                .checkAssert(c -> check(convolution(c), c.hashCode(), c.threads()));
    }

    @Test
    void croppedConvolutionsMatchTheInterpreterOnEveryPath() {
        // Fixed cases whose generated source takes each form of the convolution family with the high end cropped:
        // per case one pass and the algorithm its plan must run it by, the convolution run forward (conv) or
        // transposed.
        record Path(ConvPass pass, ConvAlgorithm algorithm, boolean conv, OutputPaddingCase c) {}
        List<Path> paths = List.of(
                // stride 1: implicit im2col forward, tap-wise weight gradient over 16 channels
                new Path(ConvPass.WEIGHT_GRADIENT, ConvAlgorithm.TAPWISE_GEMM, true, new OutputPaddingCase(2, 1, 32, 4, List.of(4, 4),
                        List.of(3, 3), List.of(1, 1), List.of(0, 1), List.of(1, 2), List.of(2, 3), true, 2)),
                new Path(ConvPass.FORWARD, ConvAlgorithm.IMPLICIT_GEMM, true, new OutputPaddingCase(1, 2, 2, 3, List.of(3, 2, 3),
                        List.of(2, 3, 2), List.of(1, 1, 1), List.of(0, 0, 1), List.of(1, 1, 2), List.of(2, 2, 3), false,
                        1)),
                // stride 1 over a grid of 512 positions and more: weight gradient as dot products read in place
                new Path(ConvPass.WEIGHT_GRADIENT, ConvAlgorithm.DOT_PRODUCTS, true, new OutputPaddingCase(1, 1, 2, 3, List.of(20, 20),
                        List.of(3, 3), List.of(1, 1), List.of(0, 0), List.of(1, 1), List.of(2, 2), false, 2)),
                // strided: row im2col forward, packed im2col weight gradient, col2im input gradient
                new Path(ConvPass.WEIGHT_GRADIENT, ConvAlgorithm.IM2COL_GEMM, true, new OutputPaddingCase(2, 2, 2, 2, List.of(3, 4),
                        List.of(3, 2), List.of(2, 1), List.of(0, 0), List.of(2, 1), List.of(3, 2), true, 1)),
                new Path(ConvPass.INPUT_GRADIENT, ConvAlgorithm.COL2IM_GEMM, false, new OutputPaddingCase(1, 1, 2, 3, List.of(2, 3, 2),
                        List.of(2, 2, 3), List.of(2, 1, 3), List.of(0, 1, 0), List.of(2, 2, 3), List.of(3, 3, 4), true,
                        2)),
                // stride 1 transposed: banded (dilation 1 along the first axis, cropped along the second), and one
                // GEMM per tap for a dilated kernel wide against the image
                new Path(ConvPass.INPUT_GRADIENT, ConvAlgorithm.BANDED_IMPLICIT_GEMM, false, new OutputPaddingCase(2, 1, 6, 8, List.of(10, 12),
                        List.of(5, 3), List.of(1, 1), List.of(0, 0), List.of(0, 1), List.of(1, 2), false, 1)),
                new Path(ConvPass.INPUT_GRADIENT, ConvAlgorithm.TAPWISE_GEMM, false, new OutputPaddingCase(2, 1, 4, 6, List.of(3, 3),
                        List.of(3, 3), List.of(1, 1), List.of(0, 0), List.of(3, 2), List.of(4, 4), true, 2)));
        for (Path p : paths) {
            Graph g = p.conv() ? convolution(p.c()) : transposed(p.c());
            assertTrue(GraphCompiler.plan(g, Schedule.defaults()).schedules().stream()
                    .anyMatch(s -> s.pass() == p.pass() && s.algorithm() == p.algorithm()), p.algorithm() + ": " + p.c());
            check(g, p.c().hashCode(), p.c().threads());
        }
    }

    /**
     * Every algorithm that fits a node, forced through the schedule, computes what the interpreter computes: forward,
     * input and weight gradients, 1-D to 3-D, strides 1 and 2, groups, dilation, padding cropped at the high end.
     */
    @Test
    void everyFittingAlgorithmForcedMatchesTheInterpreter() {
        List<OutputPaddingCase> cases = List.of(
                new OutputPaddingCase(2, 1, 16, 4, List.of(4, 4), List.of(3, 3), List.of(1, 1), List.of(0, 1),
                        List.of(1, 2), List.of(2, 3), true, 2),
                new OutputPaddingCase(1, 2, 2, 3, List.of(3, 2, 3), List.of(2, 3, 2), List.of(1, 1, 1),
                        List.of(0, 0, 1), List.of(1, 1, 2), List.of(2, 2, 3), false, 1),
                new OutputPaddingCase(2, 2, 2, 2, List.of(3, 4), List.of(3, 2), List.of(2, 1), List.of(0, 0),
                        List.of(2, 1), List.of(3, 2), true, 1),
                new OutputPaddingCase(1, 1, 3, 5, List.of(12), List.of(5), List.of(1), List.of(0), List.of(1),
                        List.of(2), true, 2));
        int forcedRuns = 0;
        for (OutputPaddingCase c : cases) {
            for (Graph g : List.of(convolution(c), transposed(c))) {
                ConvPlan plan = GraphCompiler.plan(g, Schedule.defaults());
                for (ConvSchedule s : plan.schedules()) {
                    ConvDims d = dims(g, g.node(s.node()), s.pass());
                    for (ConvAlgorithm a : ConvCostModel.fitting(s.pass(), d)) {
                        Schedule forced = Schedule.threads(c.threads()).withAlgorithm(s.node(), a);
                        assertEquals(a, GraphCompiler.plan(g, forced).of(g.node(s.node())).algorithm());
                        Map<String, Tensor> feeds = feeds(g, c.hashCode());
                        Differential.assertMatches(COMPILER, g, feeds, forced);
                        forcedRuns++;
                    }
                }
            }
        }
        assertTrue(forcedRuns >= 30, "forced runs: " + forcedRuns);
    }

    @Test
    void anAlgorithmThatCannotComputeANodeIsRefusedNamingTheNode() {
        OutputPaddingCase strided = new OutputPaddingCase(2, 2, 2, 2, List.of(3, 4), List.of(3, 2), List.of(2, 1),
                List.of(0, 0), List.of(2, 1), List.of(3, 2), true, 1);
        Graph g = convolution(strided);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GraphCompiler.plan(g,
                Schedule.threads(1).withAlgorithm("conv", ConvAlgorithm.IMPLICIT_GEMM)));
        assertEquals("conv: implicit-gemm cannot compute this forward (stride [2, 1], kernel [3, 2], padding [0, 0]/"
                + "[-1, -1]); use one of [im2col-gemm]", e.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> GraphCompiler.plan(g,
                Schedule.threads(1).withAlgorithm("conv9", ConvAlgorithm.IM2COL_GEMM)));
        assertTrue(unknown.getMessage().startsWith("the schedule forces an algorithm on [conv9], which are not "
                + "convolution nodes of this graph; those are [conv, "), unknown.getMessage());
    }

    private static ConvDims dims(Graph g, Node n, ConvPass pass) {
        Node a = g.node(n.inputs().get(0)), b = g.node(n.inputs().get(1));
        return switch (pass) {
            case FORWARD -> ConvDims.of(((Conv) n.op()).geometry(), a.shape(), b.shape(), n.shape());
            case INPUT_GRADIENT -> ConvDims.of(((ConvTranspose) n.op()).geometry(), n.shape(), b.shape(), a.shape());
            case WEIGHT_GRADIENT -> ConvDims.of(((ConvWeightGrad) n.op()).geometry(), a.shape(), n.shape(),
                    b.shape());
        };
    }

    private static Map<String, Tensor> feeds(Graph g, long seed) {
        Map<String, Tensor> feeds = new HashMap<>(Initializer.initialize(g, seed));
        Random random = new Random(seed);
        for (Node in : g.inputs()) {
            feeds.put(in.name(), Tensor.uniform(in.shape(), -1, 1, random));
        }
        return feeds;
    }

    private static Graph transposed(OutputPaddingCase c) {
        List<Integer> yDims = new ArrayList<>(List.of(c.batch(), c.groups() * c.oPerGroup()));
        yDims.addAll(c.n());
        return lossOf(new Shape(yDims), b -> {
            Node w = b.parameter("w", c.weight(), new ParamInit.Uniform(0.5));
            List<Node> in = new ArrayList<>(List.of(b.node("x"), w));
            if (c.bias()) {
                in.add(b.parameter("b", Shape.of(c.groups() * c.cPerGroup()), new ParamInit.Uniform(0.5)));
            }
            return b.apply("y", new ConvTranspose(c.geometry(), c.big()), in.toArray(Node[]::new));
        }, false);
    }

    private static Graph convolution(OutputPaddingCase c) {
        List<Integer> xDims = new ArrayList<>(List.of(c.batch(), c.groups() * c.cPerGroup()));
        xDims.addAll(c.big());
        return lossOf(new Shape(xDims), b -> {
            Node w = b.parameter("w", c.weight(), new ParamInit.Uniform(0.5));
            if (!c.bias()) {
                return b.apply("y", new Conv(c.geometry()), b.node("x"), w);
            }
            Node bias = b.parameter("b", Shape.of(c.groups() * c.oPerGroup()), new ParamInit.Uniform(0.5));
            return b.apply("y", new Relu(), b.apply("conv", new Conv(c.geometry()), b.node("x"), w, bias));
        }, false);
    }

    @Test
    void convolutionSecondOrder() {
        qt().withFixedSeed(13).withExamples(8).forAll(CONV_CASES).assuming(ConvCase::fits).checkAssert(c -> {
            Graph g = lossOf(c.input(), b -> b.apply("y", new Tanh(), b.apply("conv", new Conv(c.geometry()),
                    b.node("x"), b.parameter("w", c.weight(), new ParamInit.Uniform(0.5)))), true);
            check(g, c.hashCode(), c.threads());
        });
    }

    /** A random pooling case. */
    record PoolCase(int rank, int batch, int channels, int size, int window, int stride, int pad, boolean ceil,
                    boolean max, boolean includePad, int threads) {
        PoolGeometry geometry() {
            return new PoolGeometry(Collections.nCopies(rank, window), Collections.nCopies(rank, stride),
                    Collections.nCopies(rank, Math.min(pad, window / 2)), ceil);
        }

        boolean fits() {
            return size + 2 * Math.min(pad, window / 2) >= window;
        }

        Shape input() {
            List<Integer> d = new ArrayList<>(List.of(batch, channels));
            d.addAll(Collections.nCopies(rank, size));
            return new Shape(d);
        }
    }

    private static final Gen<PoolCase> POOL_CASES = in -> new PoolCase(
            integers().between(1, 3).generate(in), integers().between(1, 3).generate(in),
            integers().between(1, 3).generate(in), integers().between(2, 7).generate(in),
            integers().between(1, 3).generate(in), integers().between(1, 3).generate(in),
            integers().between(0, 1).generate(in), integers().between(0, 1).generate(in) == 1,
            integers().between(0, 1).generate(in) == 1, integers().between(0, 1).generate(in) == 1,
            integers().between(1, 3).generate(in));

    @Test
    void poolingForwardGradientsAndSecondOrder() {
        qt().withFixedSeed(14).withExamples(30).forAll(POOL_CASES).assuming(PoolCase::fits).checkAssert(p -> {
            Graph g = lossOf(p.input(), b -> {
                Node x = b.apply("sq", new Mul(), b.node("x"), b.node("x"));
                Op op = p.max() ? new MaxPool(p.geometry()) : new AvgPool(p.geometry(), p.includePad());
                return b.apply("y", op, x);
            }, true);
            check(g, p.hashCode(), p.threads());
        });
    }

    @Test
    void maxPoolingOverWidePlanesTakesTheVectorKernels() {
        // 2×2 windows at stride 2 after a ReLU (whose backward becomes the pool gradient's mask), over planes wide
        // enough for the Vector API forms of MaxPool2x2 (the pooling cases above are narrower): many ties at zero,
        // 1 and 3 threads.
        PoolGeometry g2 = new PoolGeometry(List.of(2, 2), List.of(2, 2), List.of(0, 0), false);
        for (int[] hw : new int[][] {{6, 34}, {10, 20}}) {
            Graph g = lossOf(Shape.of(3, 4, hw[0], hw[1]),
                    b -> b.apply("y", new MaxPool(g2), b.apply("relu", new Relu(), b.node("x"))), false);
            String source = COMPILER.generate(g).source();
            assertTrue(source.contains("MaxPool2x2.forward(") && source.contains("MaxPool2x2.backward(")
                    && source.contains("masked by relu (ReLU's backward)"), source);
            for (int threads : new int[] {1, 3}) {
                check(g, 31L * hw[1] + threads, threads);
            }
        }
    }

    /**
     * Dense layers through both of their code paths: dot products for batches of at most 24 rows, the packed GEMM
     * (w packed once per call, shared by the threads) above; widths across a panel's edge, with and without bias
     * and a fused ReLU, on 1-3 threads.
     */
    @Test
    void denseDotProductsAndPackedGemm() {
        qt().withFixedSeed(16).withExamples(24).forAll(integers().between(0, 4), integers().between(1, 70),
                integers().between(1, 70), integers().between(0, 11)).checkAssert((batchIndex, in, out, variant) -> {
            int batch = new int[] {1, 5, 24, 25, 40}[batchIndex];
            int threads = 1 + variant / 4;
            boolean bias = (variant & 1) == 0, relu = (variant & 2) == 0;
            Graph g = lossOf(Shape.of(batch, in), b -> {
                Node w = b.parameter("w", Shape.of(out, in), new ParamInit.Uniform(0.5));
                Node y = bias ? b.apply("dense", new Dense(), b.node("x"), w,
                        b.parameter("b", Shape.of(out), new ParamInit.Uniform(0.5)))
                        : b.apply("dense", new Dense(), b.node("x"), w);
                return relu ? b.apply("relu", new Relu(), y) : y;
            }, false);
            String source = COMPILER.generate(g).source();
            assertTrue(source.contains(batch <= 24 ? "Gemm.multiplyRows(" : "Gemm.packTransposedPanels("), source);
            // the weight gradient dyᵀ·x (out×in) splits across threads by panels of columns when in > out
            assertEquals(in > out, source.contains("items are panels of"), source);
            // the input gradient dy·w (batch×in) packs w once for the threads' rows when the batch is above 24
            assertEquals(batch > 24, source.contains("Gemm.packPanels("), source);
            check(g, 1000L * batch + 37L * in + out, threads);
        });
    }

    /**
     * Products a·b and a·bᵀ of more than 24 rows pack op(b) once per call, split by panels, for every thread's rows;
     * widths across a panel's edge, against the interpreter on 1-3 threads (their gradients too: dy·b, dyᵀ·a).
     */
    @Test
    void matmulsOfManyRowsPackTheirRightOperandOnce() {
        qt().withFixedSeed(17).withExamples(12).forAll(integers().between(25, 70), integers().between(1, 40),
                integers().between(1, 40), integers().between(0, 5)).checkAssert((rows, k, cols, variant) -> {
            boolean transposeB = (variant & 1) == 0;
            int threads = 1 + variant / 2;
            Graph g = lossOf(Shape.of(rows, k), b -> b.apply("mm", new MatMul(false, transposeB), b.node("x"),
                    b.parameter("w", transposeB ? Shape.of(cols, k) : Shape.of(k, cols), new ParamInit.Uniform(0.5))),
                    false);
            String source = COMPILER.generate(g).source();
            assertTrue(source.contains((transposeB ? "bᵀ" : "b") + " packed once for every thread's GEMM"), source);
            check(g, 100L * rows + 7L * k + cols, threads);
        });
    }

    @Test
    void denseSoftmaxAndLosses() {
        qt().withFixedSeed(15).withExamples(12).forAll(integers().between(1, 9), integers().between(1, 7),
                integers().between(1, 3)).checkAssert((batch, features, threads) -> {
            Graph g = lossOf(Shape.of(batch, 2, features), b -> {
                Node flat = b.apply("flat", new Reshape(Shape.of(batch, 2 * features)), b.node("x"));
                Node w = b.parameter("w", Shape.of(4, 2 * features), new ParamInit.Uniform(0.5));
                Node bias = b.parameter("b", Shape.of(4), new ParamInit.Uniform(0.5));
                Node h = b.apply("h", new Sigmoid(), b.apply("dense", new Dense(), flat, w, bias));
                Node labels = b.input("labels", Shape.of(batch), DType.I32);
                Node ce = b.apply("ce", new SoftmaxCrossEntropy(), h, labels);
                Node target = b.apply("target", new Softmax(1), h);
                Node mse = b.apply("mse", new Mse(), b.apply("logp", new LogSoftmax(1), h), target);
                Node both = b.apply("both", new dev.convj.graph.ops.Add(), ce, mse);
                Node spread = b.apply("spread", new BroadcastTo(Shape.of(batch, 4)), both);
                Node mean = b.apply("mean", new Mean(List.of(0)), b.apply("prod", new Mul(), spread, h));
                return mean;
            }, true);
            check(g, batch * 31L + features, threads);
        });
    }
}

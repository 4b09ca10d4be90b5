package dev.convj.runtime.ops;

import static dev.convj.runtime.ops.OpHarness.assertGradients;
import static dev.convj.runtime.ops.OpHarness.random;
import static dev.convj.runtime.ops.OpHarness.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.convj.graph.DType;
import dev.convj.graph.Shape;
import dev.convj.graph.ops.AvgPool;
import dev.convj.graph.ops.ChannelMask;
import dev.convj.graph.ops.Concat;
import dev.convj.graph.ops.Conv;
import dev.convj.graph.ops.ConvGeometry;
import dev.convj.graph.ops.ConvTranspose;
import dev.convj.graph.ops.Dropout;
import dev.convj.graph.ops.Elu;
import dev.convj.graph.ops.Flip;
import dev.convj.graph.ops.LeakyRelu;
import dev.convj.graph.ops.MaxPool;
import dev.convj.graph.ops.PoolGeometry;
import dev.convj.graph.ops.Pow;
import dev.convj.graph.ops.Slice;
import dev.convj.graph.ops.TiledConv;
import dev.convj.graph.ops.TiledGeometry;
import dev.convj.runtime.Tensor;
import dev.convj.runtime.check.GradientCheck;
import dev.convj.runtime.check.OpGradientCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Per op of the lecture, over random shapes and hyper-parameters: the gradient check in float64 passes and the shape
 * rule agrees with the interpreter's output (asserted by {@link OpHarness#run} on every evaluation).
 */
class OpsPropertiesTest {

    private static final int EXAMPLES = 15;

    /** Random N-d geometry: per axis a kernel, stride, padding (possibly asymmetric) and dilation that fit. */
    private record Nd(int rank, List<Integer> in, List<Integer> kernel, ConvGeometry geometry) {
        static Nd draw(Random r, int rank, int groups) {
            List<Integer> in = new ArrayList<>(), k = new ArrayList<>(), s = new ArrayList<>(), lo = new ArrayList<>(),
                    hi = new ArrayList<>(), d = new ArrayList<>();
            for (int i = 0; i < rank; i++) {
                int ki = 1 + r.nextInt(rank == 3 ? 2 : 3), di = 1 + r.nextInt(2);
                k.add(ki);
                d.add(di);
                s.add(1 + r.nextInt(2));
                lo.add(r.nextInt(2));
                hi.add(r.nextInt(2));
                in.add(di * (ki - 1) + 1 + r.nextInt(rank == 3 ? 2 : 4));
            }
            return new Nd(rank, in, k, new ConvGeometry(s, lo, hi, d, groups));
        }

        int[] dims(int first, int second, List<Integer> rest) {
            int[] v = new int[rest.size() + 2];
            v[0] = first;
            v[1] = second;
            for (int i = 0; i < rest.size(); i++) {
                v[i + 2] = rest.get(i);
            }
            return v;
        }
    }

    @Test
    void convolutionIn1dAnd3dWithStridePaddingDilationAndGroups() {
        qt().withExamples(EXAMPLES).forAll(integers().between(1, 3), integers().between(1, 2), longs().all())
                .checkAssert((rank, groups, seed) -> {
                    Random r = new Random(seed);
                    Nd nd = Nd.draw(r, rank, groups);
                    Tensor x = random(r, nd.dims(1 + r.nextInt(2), groups * (1 + r.nextInt(2)), nd.in));
                    Tensor w = random(r, nd.dims(groups * (1 + r.nextInt(2)), x.shape().dim(1) / groups, nd.kernel));
                    Tensor b = random(r, w.shape().dim(0));
                    Tensor y = run(new Conv(nd.geometry), x, w, b);
                    assertGradients(new Conv(nd.geometry), x, w, b);
                    // The transpose and the weight gradient are checked as ops of their own too.
                    assertGradients(new ConvTranspose(nd.geometry, nd.in), random(r, y.shape().toArray()), w,
                            random(r, x.shape().dim(1)));
                });
    }

    @Test
    void transposedConvolutionWithOutputPaddingBelowStrideOrDilation() {
        qt().withExamples(EXAMPLES).forAll(integers().between(1, 3), integers().between(1, 3), integers().between(1, 3),
                longs().all()).checkAssert((stride, dilation, k, seed) -> {
                    Random r = new Random(seed);
                    int p = r.nextInt(k), n = 2 + r.nextInt(2);
                    int op = r.nextInt(Math.max(stride, dilation));
                    int out = (n - 1) * stride - 2 * p + dilation * (k - 1) + op + 1;
                    if (out < 1) {
                        return;
                    }
                    int high = op < stride ? p : p - op + stride - 1;
                    ConvGeometry g = new ConvGeometry(List.of(stride), List.of(p), List.of(high), List.of(dilation), 1);
                    Tensor y = random(r, 2, 3, n), w = random(r, 3, 2, k), b = random(r, 2);
                    assertGradients(new ConvTranspose(g, List.of(out)), y, w, b);
                });
    }

    @Test
    void tiledAndLocallyConnectedConvolution() {
        qt().withExamples(EXAMPLES).forAll(integers().between(1, 2), integers().between(1, 2), longs().all())
                .checkAssert((rank, groups, seed) -> {
                    Random r = new Random(seed);
                    Nd nd = Nd.draw(r, rank, groups);
                    List<Integer> out = nd.geometry.outputSpatial(nd.in, nd.kernel);
                    List<Integer> tiles = new ArrayList<>();
                    for (int o : out) {
                        tiles.add(r.nextBoolean() ? o : 1);
                    }
                    TiledGeometry tg = new TiledGeometry(nd.geometry, tiles);
                    int c = groups * (1 + r.nextInt(2)), o = groups * (1 + r.nextInt(2));
                    Tensor x = random(r, nd.dims(1 + r.nextInt(2), c, nd.in));
                    Tensor w = Tensor.uniform(tg.weightShape(o, c / groups, nd.kernel), -1, 1, r);
                    Tensor b = Tensor.uniform(tg.biasShape(o), -1, 1, r);
                    run(new TiledConv(tg), x, w, b);
                    assertGradients(new TiledConv(tg), x, w, b);
                });
    }

    @Test
    void poolingIn1d2d3dWithPaddingCeilModeAndCountIncludePad() {
        qt().withExamples(EXAMPLES).forAll(integers().between(1, 3), integers().between(0, 1), integers().between(0, 1),
                longs().all()).checkAssert((rank, ceil, include, seed) -> {
                    Random r = new Random(seed);
                    List<Integer> k = new ArrayList<>(), s = new ArrayList<>(), p = new ArrayList<>();
                    List<Integer> in = new ArrayList<>();
                    for (int i = 0; i < rank; i++) {
                        int ki = 1 + r.nextInt(3);
                        k.add(ki);
                        s.add(1 + r.nextInt(2));
                        p.add(r.nextInt(ki / 2 + 1));
                        in.add(ki + r.nextInt(3));
                    }
                    PoolGeometry g = new PoolGeometry(k, s, p, ceil == 1);
                    int[] dims = new int[rank + 2];
                    dims[0] = 1 + r.nextInt(2);
                    dims[1] = 1 + r.nextInt(2);
                    for (int i = 0; i < rank; i++) {
                        dims[i + 2] = in.get(i);
                    }
                    Tensor x = random(r, dims);
                    run(new MaxPool(g), x);
                    assertGradients(new MaxPool(g), x);
                    assertGradients(new AvgPool(g, include == 1), x);
                });
    }

    @Test
    void flipMaskSliceAndConcat() {
        qt().withExamples(EXAMPLES).forAll(integers().between(1, 4), integers().between(1, 4), integers().between(1, 3),
                longs().all()).checkAssert((c, o, k, seed) -> {
                    Random r = new Random(seed);
                    Tensor w = random(r, o, c, k, k);
                    List<Integer> axes = r.nextBoolean() ? List.of(2, 3) : List.of(r.nextInt(4));
                    assertGradients(new Flip(axes), w);
                    boolean[][] mask = new boolean[o][c];
                    for (boolean[] row : mask) {
                        for (int i = 0; i < row.length; i++) {
                            row[i] = r.nextBoolean();
                        }
                    }
                    assertGradients(ChannelMask.of(mask), w);
                    int start = r.nextInt(c), end = start + 1 + r.nextInt(c - start);
                    assertGradients(new Slice(1, start, end), w);
                    assertGradients(new Concat(1), w, random(r, o, 1 + r.nextInt(2), k, k));
                });
    }

    @Test
    void elementwiseOpsOfTheLecture() {
        qt().withExamples(EXAMPLES).forAll(integers().between(1, 4), integers().between(1, 5), integers().between(0, 9),
                longs().all()).checkAssert((rows, cols, tenth, seed) -> {
                    Random r = new Random(seed);
                    Tensor x = random(r, rows, cols);
                    assertGradients(new LeakyRelu(tenth / 10.0), x);
                    assertGradients(new Elu(0.5 + tenth / 5.0), x);
                    assertGradients(new Pow(tenth / 2.0 - 2), Tensor.uniform(x.shape(), 0.5, 2, r));
                    assertGradients(new Pow(tenth % 4), x);
                });
    }

    @Test
    void dropoutIsLinearWithASeededMaskPerStep() {
        qt().withExamples(EXAMPLES).forAll(integers().between(0, 9), integers().between(0, 1000), longs().all())
                .checkAssert((tenth, step, seed) -> {
                    Random r = new Random(seed);
                    Tensor x = random(r, 2, 3, 4);
                    Dropout d = new Dropout(tenth / 10.0, seed);
                    Tensor y = run(d, x, Tensor.scalar(step));
                    for (int i = 0; i < x.size(); i++) {
                        double expected = Dropout.keep(d.rate(), seed, step, i) ? x.get(i) / (1 - d.rate()) : 0;
                        // x / (1 - rate) and x * (1 / (1 - rate)) may differ in the last bit
                        assertEquals(expected, y.get(i), 1e-14 * Math.max(1, Math.abs(expected)));
                    }
                    assertEquals(y, run(d, x, Tensor.scalar(step)));
                    OpGradientCheck.Result result = OpGradientCheck.check(d, List.of(x.shape(), Shape.scalar()),
                            List.of(DType.F32, DType.I32), List.of(x, Tensor.scalar(step)),
                            GradientCheck.Options.defaults());
                    assertTrue(result.passed(), result.report()::toString);
                });
    }
}

package dev.convj.runtime.ops;

import static dev.convj.runtime.ops.OpHarness.assertClose;
import static dev.convj.runtime.ops.OpHarness.dot;
import static dev.convj.runtime.ops.OpHarness.random;
import static dev.convj.runtime.ops.OpHarness.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.convj.graph.Shape;
import dev.convj.graph.ops.ChannelMask;
import dev.convj.graph.ops.Concat;
import dev.convj.graph.ops.Conv;
import dev.convj.graph.ops.ConvGeometry;
import dev.convj.graph.ops.ConvTranspose;
import dev.convj.graph.ops.Flip;
import dev.convj.graph.ops.MaxPool;
import dev.convj.graph.ops.PoolGeometry;
import dev.convj.graph.ops.Slice;
import dev.convj.graph.ops.TiledConv;
import dev.convj.graph.ops.TiledGeometry;
import dev.convj.runtime.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The lecture's equivalences between convolution variants, as properties over random shapes and hyper-parameters:
 * tiled t = 1 ≡ conv, tiled t = output ≡ locally connected, groups = channels ≡ depthwise, full mask ≡ conv,
 * adjointness of the transpose, commutativity of true full convolution, translation equivariance, max-pool shift
 * invariance within a window, and strided conv ≡ unit-stride conv then down-sampling.
 */
class ConvEquivalencesTest {

    private static final int EXAMPLES = 25;

    /** Random 2-D conv hyper-parameters that fit the input. */
    private record Setup(int n, int c, int o, int h, int w, int k, int stride, int pad, int dilation) {
        static Setup draw(Random r) {
            int k = 1 + r.nextInt(3), d = 1 + r.nextInt(2), p = r.nextInt(2);
            int min = d * (k - 1) + 1;
            return new Setup(1 + r.nextInt(2), 1 + r.nextInt(3), 1 + r.nextInt(3), min + r.nextInt(4),
                    min + r.nextInt(4), k, 1 + r.nextInt(2), p, d);
        }

        ConvGeometry geometry(int groups) {
            return new ConvGeometry(List.of(stride, stride), List.of(pad, pad), List.of(pad, pad),
                    List.of(dilation, dilation), groups);
        }

        List<Integer> out() {
            return geometry(1).outputSpatial(List.of(h, w), List.of(k, k));
        }
    }

    @Test
    void tiledConvolutionWithOneTileIsConvolution() {
        qt().withExamples(EXAMPLES).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            Setup s = Setup.draw(r);
            Tensor x = random(r, s.n, s.c, s.h, s.w), w = random(r, s.o, s.c, s.k, s.k), b = random(r, s.o);
            Tensor conv = run(new Conv(s.geometry(1)), x, w, b);
            TiledGeometry one = new TiledGeometry(s.geometry(1), List.of(1, 1));
            Tensor tiled = run(new TiledConv(one), x, w.reshape(Shape.of(s.o, 1, 1, s.c, s.k, s.k)),
                    b.reshape(Shape.of(s.o, 1, 1)));
            assertClose(conv, tiled, 1e-12);
        });
    }

    /** The tiled convolution at each output position p equals an ordinary convolution with kernel set p mod t. */
    private static void assertTiledMatchesPerPositionConv(Setup s, List<Integer> tiles, Random r) {
        List<Integer> out = s.out();
        int th = tiles.get(0), tw = tiles.get(1);
        Tensor x = random(r, s.n, s.c, s.h, s.w), w = random(r, s.o, th, tw, s.c, s.k, s.k);
        Tensor b = random(r, s.o, th, tw);
        Tensor tiled = run(new TiledConv(new TiledGeometry(s.geometry(1), tiles)), x, w, b);
        int kk = s.c * s.k * s.k;
        for (int ti = 0; ti < th; ti++) {
            for (int tj = 0; tj < tw; tj++) {
                int fi = ti, fj = tj;
                Tensor kernel = Tensor.generate(Shape.of(s.o, s.c, s.k, s.k),
                        i -> w.get(((i / kk * th + fi) * tw + fj) * kk + i % kk));
                Tensor bias = Tensor.generate(Shape.of(s.o), o -> b.get((o * th + fi) * tw + fj));
                Tensor conv = run(new Conv(s.geometry(1)), x, kernel, bias);
                for (int n = 0; n < s.n; n++) {
                    for (int o = 0; o < s.o; o++) {
                        for (int i = ti; i < out.get(0); i += th) {
                            for (int j = tj; j < out.get(1); j += tw) {
                                assertEquals(conv.at(n, o, i, j), tiled.at(n, o, i, j), 1e-12);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void tiledConvolutionWithTheOutputSizeIsLocallyConnected() {
        qt().withExamples(EXAMPLES).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            Setup s = Setup.draw(r);
            assertTiledMatchesPerPositionConv(s, s.out(), r);
        });
    }

    @Test
    void tiledConvolutionCyclesItsKernelSets() {
        qt().withExamples(EXAMPLES).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            Setup s = Setup.draw(r);
            List<Integer> tiles = new ArrayList<>();
            for (int extent : s.out()) {
                List<Integer> divisors = new ArrayList<>();
                for (int t = 1; t <= extent; t++) {
                    if (extent % t == 0) {
                        divisors.add(t);
                    }
                }
                tiles.add(divisors.get(r.nextInt(divisors.size())));
            }
            assertTiledMatchesPerPositionConv(s, tiles, r);
        });
    }

    @Test
    void groupsEqualToChannelsIsDepthwiseConvolution() {
        qt().withExamples(EXAMPLES).forAll(longs().all(), integers().between(1, 2)).checkAssert((seed, multiplier) -> {
            Random r = new Random(seed);
            Setup s = Setup.draw(r);
            Tensor x = random(r, s.n, s.c, s.h, s.w), w = random(r, s.c * multiplier, 1, s.k, s.k);
            Tensor grouped = run(new Conv(s.geometry(s.c)), x, w);
            List<Tensor> perChannel = new ArrayList<>();
            for (int ch = 0; ch < s.c; ch++) {
                Tensor xc = run(new Slice(1, ch, ch + 1), x);
                Tensor wc = run(new Slice(0, ch * multiplier, (ch + 1) * multiplier), w);
                perChannel.add(run(new Conv(s.geometry(1)), xc, wc));
            }
            assertClose(run(new Concat(1), perChannel.toArray(Tensor[]::new)), grouped, 1e-12);
        });
    }

    @Test
    void aConnectivityMaskZeroesTheUnconnectedKernelsAndAFullMaskIsConvolution() {
        qt().withExamples(EXAMPLES).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            Setup s = Setup.draw(r);
            Tensor x = random(r, s.n, s.c, s.h, s.w), w = random(r, s.o, s.c, s.k, s.k);
            boolean[][] full = new boolean[s.o][s.c], partial = new boolean[s.o][s.c];
            for (boolean[] row : full) {
                java.util.Arrays.fill(row, true);
            }
            for (int o = 0; o < s.o; o++) {
                for (int c = 0; c < s.c; c++) {
                    partial[o][c] = r.nextBoolean();
                }
            }
            Conv conv = new Conv(s.geometry(1));
            assertClose(run(conv, x, w), run(conv, x, run(ChannelMask.of(full), w)), 0);
            int kk = s.k * s.k;
            Tensor zeroed = Tensor.generate(w.shape(), i -> partial[i / (s.c * kk)][i / kk % s.c] ? w.get(i) : 0);
            assertClose(run(conv, x, zeroed), run(conv, x, run(ChannelMask.of(partial), w)), 0);
        });
    }

    @Test
    void transposedConvolutionIsTheAdjointOfConvolution() {
        // ⟨conv(x), y⟩ = ⟨x, convᵀ(y)⟩ for any geometry, including sizes that a strided convolution leaves
        // ambiguous (PyTorch's output padding) and a crop after the axis (output padding ≥ stride, < dilation).
        qt().withExamples(EXAMPLES).forAll(longs().all(), integers().between(1, 2)).checkAssert((seed, groups) -> {
            Random r = new Random(seed);
            Setup s = Setup.draw(r);
            int crop = s.dilation > 1 && r.nextBoolean() ? -1 : 0;
            ConvGeometry g = new ConvGeometry(List.of(s.stride, s.stride), List.of(s.pad, s.pad),
                    List.of(s.pad + crop, s.pad + crop), List.of(s.dilation, s.dilation), groups);
            int h = s.h - crop, w0 = s.w - crop; // a crop needs one more position to fit the kernel
            Tensor x = random(r, s.n, s.c * groups, h, w0), w = random(r, s.o * groups, s.c, s.k, s.k);
            Tensor y0 = run(new Conv(g), x, w);
            Tensor y = Tensor.uniform(y0.shape(), -1, 1, r);
            Tensor xt = run(new ConvTranspose(g, List.of(h, w0)), y, w);
            assertEquals(dot(y0, y), dot(x, xt), 1e-10);
        });
    }

    /** The full true convolution I * K of two single-channel images: correlate with the flipped kernel, full padding. */
    private static Tensor trueFull(Tensor image, Tensor kernel) {
        return run(new Conv(fullPadding(kernel)), image, run(new Flip(List.of(2, 3)), kernel));
    }

    private static Tensor correlateFull(Tensor image, Tensor kernel) {
        return run(new Conv(fullPadding(kernel)), image, kernel);
    }

    private static ConvGeometry fullPadding(Tensor kernel) {
        List<Integer> p = List.of(kernel.shape().dim(2) - 1, kernel.shape().dim(3) - 1);
        return new ConvGeometry(List.of(1, 1), p, p, List.of(1, 1), 1);
    }

    @Test
    void fullTrueConvolutionIsCommutativeAndCorrelationIsNot() {
        qt().withExamples(EXAMPLES).forAll(integers().between(1, 5), integers().between(1, 5), integers().between(2, 4),
                longs().all()).checkAssert((h, w, k, seed) -> {
                    Random r = new Random(seed);
                    Tensor image = random(r, 1, 1, h, w), kernel = random(r, 1, 1, k, k);
                    assertClose(trueFull(image, kernel), trueFull(kernel, image), 1e-12);
                    // Correlation swaps into the 180° rotation of itself, which differs for random values.
                    Tensor ik = correlateFull(image, kernel), ki = correlateFull(kernel, image);
                    assertClose(run(new Flip(List.of(2, 3)), ik), ki, 1e-12);
                    assertTrue(ik.maxAbsDiff(ki) > 1e-6, "correlation should not commute");
                });
    }

    @Test
    void unitStrideConvolutionIsTranslationEquivariant() {
        qt().withExamples(EXAMPLES).forAll(longs().all(), integers().between(0, 2), integers().between(0, 2))
                .checkAssert((seed, dy, dx) -> {
                    Random r = new Random(seed);
                    Setup s = Setup.draw(r);
                    ConvGeometry g = new ConvGeometry(List.of(1, 1), List.of(0, 0), List.of(0, 0),
                            List.of(s.dilation, s.dilation), 1);
                    int span = s.dilation * (s.k - 1) + 1;
                    Tensor x = random(r, s.n, s.c, span + 2 + r.nextInt(3), span + 2 + r.nextInt(3));
                    Tensor w = random(r, s.o, s.c, s.k, s.k);
                    // Shifting the input by (dy, dx), here by dropping its first rows and columns, shifts the output.
                    Tensor shifted = crop(x, dy, dx);
                    assertClose(crop(run(new Conv(g), x, w), dy, dx), run(new Conv(g), shifted, w), 1e-12);
                });
    }

    private static Tensor crop(Tensor t, int top, int left) {
        Tensor rows = run(new Slice(2, top, t.shape().dim(2)), t);
        return run(new Slice(3, left, t.shape().dim(3)), rows);
    }

    @Test
    void maxPoolingIgnoresShiftsThatKeepEachMaximumInItsWindow() {
        qt().withExamples(EXAMPLES).forAll(integers().between(2, 3), integers().between(1, 3), longs().all())
                .checkAssert((k, windows, seed) -> {
                    Random r = new Random(seed);
                    int size = k * windows;
                    // Each k×k window holds one large value away from its last row and column, the rest is small.
                    double[] v = new double[size * size];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = r.nextDouble();
                    }
                    for (int wi = 0; wi < windows; wi++) {
                        for (int wj = 0; wj < windows; wj++) {
                            int i = wi * k + r.nextInt(k - 1), j = wj * k + r.nextInt(k - 1);
                            v[i * size + j] = 10 + r.nextDouble();
                        }
                    }
                    Tensor x = Tensor.wrap(Shape.of(1, 1, size, size), v);
                    // Shift right and down by one (zeros come in at the top and left).
                    Tensor shifted = Tensor.generate(x.shape(), i -> {
                        int row = i / size, col = i % size;
                        return row == 0 || col == 0 ? 0 : x.get((row - 1) * size + col - 1);
                    });
                    MaxPool pool = new MaxPool(new PoolGeometry(List.of(k, k), List.of(k, k), List.of(0, 0), false));
                    assertClose(run(pool, x), run(pool, shifted), 0);
                });
    }

    @Test
    void stridedConvolutionIsUnitStrideConvolutionThenDownsampling() {
        qt().withExamples(EXAMPLES).forAll(longs().all(), integers().between(2, 3)).checkAssert((seed, stride) -> {
            Random r = new Random(seed);
            Setup s = Setup.draw(r);
            Tensor x = random(r, s.n, s.c, s.h, s.w), w = random(r, s.o, s.c, s.k, s.k), b = random(r, s.o);
            ConvGeometry unit = new ConvGeometry(List.of(1, 1), List.of(s.pad, s.pad), List.of(s.pad, s.pad),
                    List.of(s.dilation, s.dilation), 1);
            ConvGeometry strided = new ConvGeometry(List.of(stride, stride), unit.padLow(), unit.padHigh(),
                    unit.dilation(), 1);
            // Down-sampling keeps every stride-th position: a max pool over 1×1 windows with that stride.
            PoolGeometry every = new PoolGeometry(List.of(1, 1), List.of(stride, stride), List.of(0, 0), false);
            assertClose(run(new Conv(strided), x, w, b), run(new MaxPool(every), run(new Conv(unit), x, w, b)), 1e-12);
        });
    }
}

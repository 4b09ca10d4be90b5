package dev.convj.codegen.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.convj.codegen.plan.WinogradTransform;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link WinogradF4}'s transforms: the phase copy and the plain forms against Bᵀ d B and Aᵀ M A computed in double
 * from {@link WinogradTransform#F4}'s matrices over a zero-padded plane; the vector forms (256 and 512 bits) against
 * the plain ones bit for bit, NaN, infinities and −0 included; the pooled windows against MaxPool2x2's scan; and the
 * scatter writing each tile's values where they belong and nothing outside the plane.
 */
class WinogradF4KernelTest {

    private static final int[] VECTOR_WIDTHS = VectorSupport.MODULE_PRESENT ? new int[] {512, 256} : new int[0];
    private static final WinogradTransform T = WinogradTransform.F4;

    private static float value(Random r, boolean specials) {
        float[] special = {0f, -0f, 1f, -1f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 3f};
        return specials && r.nextInt(10) == 0 ? special[r.nextInt(special.length)] : (float) r.nextGaussian();
    }

    /** A region of col: the phase arrays and their row-transformed copies, then V, then slack. */
    private record Input(int th, int tw, int h, int w, int pt, int pl, float[] x, int phases, int v, int xiStride,
                         int length) {
        static Input random(Random r, boolean specials) {
            int th = 1 + r.nextInt(8), tw = 1 + r.nextInt(8), pt = r.nextInt(3), pl = r.nextInt(3);
            // the image fits the tiles' padded plane: h + pt ≤ 4·th + 2
            int h = Math.max(1, 4 * th + 2 - pt - r.nextInt(4)), w = Math.max(1, 4 * tw + 2 - pl - r.nextInt(4));
            float[] x = new float[h * w];
            for (int i = 0; i < x.length; i++) {
                x[i] = value(r, specials);
            }
            int phases = r.nextInt(7), v = phases + 12 * WinogradF4.phaseSize(th, tw) + r.nextInt(5);
            int xiStride = th * tw + 16 + r.nextInt(9);
            return new Input(th, tw, h, w, pt, pl, x, phases, v, xiStride, v + 36 * xiStride + 16);
        }

        /** The zero-padded plane's value at (row, column). */
        double padded(int row, int column) {
            int i = row - pt, j = column - pl;
            return i >= 0 && i < h && j >= 0 && j < w ? x[i * w + j] : 0;
        }

        float[] transformed(int bits) {
            float[] col = new float[length];
            int size = WinogradF4.phaseSize(th, tw), rows = phases + 6 * size;
            switch (bits) {
                case 512 -> {
                    Vector512WinogradF4.inputRows(x, 0, h, w, pt, pl, col, phases, rows, size, th, tw);
                    Vector512WinogradF4.inputColumns(col, rows, size, th, tw, col, v, xiStride);
                }
                case 256 -> {
                    Vector256WinogradF4.inputRows(x, 0, h, w, pt, pl, col, phases, rows, size, th, tw);
                    Vector256WinogradF4.inputColumns(col, rows, size, th, tw, col, v, xiStride);
                }
                default -> {
                    WinogradF4.copyPhases(x, 0, h, w, col, phases, pt, pl, th, tw);
                    WinogradF4.inputPlain(col, phases, rows, size, th, tw, col, v, xiStride);
                }
            }
            return col;
        }
    }

    @Test
    void theInputTransformIsBtDBOfEachTileOfThePaddedPlane() {
        qt().withExamples(200).forAll(integers().between(0, 1 << 20)).checkAssert(seed -> {
            Input in = Input.random(new Random(seed), false);
            float[] col = in.transformed(0);
            for (int ty = 0; ty < in.th(); ty++) {
                for (int tx = 0; tx < in.tw(); tx++) {
                    for (int i = 0; i < 6; i++) {
                        for (int j = 0; j < 6; j++) {
                            double expected = 0, scale = 0;
                            for (int a = 0; a < 6; a++) {
                                for (int b = 0; b < 6; b++) {
                                    double term = T.bt()[i][a] * in.padded(4 * ty + a, 4 * tx + b) * T.bt()[j][b];
                                    expected += term;
                                    scale += Math.abs(term);
                                }
                            }
                            float actual = col[in.v() + (6 * i + j) * in.xiStride() + ty * in.tw() + tx];
                            assertEquals(expected, actual, 1e-5 * (1 + scale),
                                    in + ": tile (" + ty + ", " + tx + "), ξ = (" + i + ", " + j + ")");
                        }
                    }
                }
            }
        });
    }

    @Test
    void theVectorInputTransformsEqualThePlainOneBitForBit() {
        qt().withExamples(300).forAll(integers().between(0, 1 << 20)).checkAssert(seed -> {
            Input in = Input.random(new Random(seed), true);
            float[] plain = in.transformed(0);
            int tiles = in.th() * in.tw();
            for (int bits : VECTOR_WIDTHS) {
                float[] vector = in.transformed(bits);
                for (int xi = 0; xi < 36; xi++) {
                    int at = in.v() + xi * in.xiStride();
                    assertSame(Arrays.copyOfRange(plain, at, at + tiles), Arrays.copyOfRange(vector, at, at + tiles),
                            bits + " bits, " + in + ", ξ " + xi);
                }
            }
        });
    }

    /** A chunk's products M[ξ] of n tiles and the scratch rows the output transform writes. */
    private record Output(int n, int xiStride, int mk, float[] m, int at, int stride, float bias, boolean relu) {
        static Output random(Random r, boolean specials) {
            int n = 1 + r.nextInt(80), xiStride = n + 16 + r.nextInt(5), mk = r.nextInt(4);
            float[] m = new float[mk + 36 * xiStride + 16];
            for (int i = 0; i < m.length; i++) {
                m[i] = value(r, specials);
            }
            return new Output(n, xiStride, mk, m, r.nextInt(4), n + 16 + r.nextInt(4),
                    r.nextBoolean() ? 0f : (float) r.nextGaussian(), r.nextBoolean());
        }

        float[] transformed(int bits, boolean pooled) {
            float[] scratch = new float[at + WinogradF4.SCRATCH_ROWS * stride];
            switch (bits) {
                case 512 -> {
                    Vector512WinogradF4.outputColumns(m, mk, xiStride, n, scratch, at, stride);
                    Vector512WinogradF4.outputRows(scratch, at, stride, n, bias, MicroKernel.reluFloor(relu));
                    if (pooled) {
                        Vector512WinogradF4.pool(scratch, at, stride, n);
                    }
                }
                case 256 -> {
                    Vector256WinogradF4.outputColumns(m, mk, xiStride, n, scratch, at, stride);
                    Vector256WinogradF4.outputRows(scratch, at, stride, n, bias, MicroKernel.reluFloor(relu));
                    if (pooled) {
                        Vector256WinogradF4.pool(scratch, at, stride, n);
                    }
                }
                default -> {
                    WinogradF4.outputPlain(m, mk, xiStride, n, scratch, at, stride, bias, relu);
                    if (pooled) {
                        WinogradF4.poolPlain(scratch, at, stride, n);
                    }
                }
            }
            return scratch;
        }
    }

    @Test
    void theOutputTransformIsAtMAPlusTheBiasReLUd() {
        qt().withExamples(200).forAll(integers().between(0, 1 << 20)).checkAssert(seed -> {
            Output out = Output.random(new Random(seed), false);
            float[] scratch = out.transformed(0, false);
            for (int f = 0; f < out.n(); f++) {
                for (int r = 0; r < 4; r++) {
                    for (int s = 0; s < 4; s++) {
                        double expected = 0, scale = 0;
                        for (int i = 0; i < 6; i++) {
                            for (int j = 0; j < 6; j++) {
                                double term = T.at()[r][i] * out.m()[out.mk() + (6 * i + j) * out.xiStride() + f]
                                        * T.at()[s][j];
                                expected += term;
                                scale += Math.abs(term);
                            }
                        }
                        expected += out.bias();
                        expected = out.relu() && expected < 0 ? 0 : expected;
                        float actual = scratch[out.at() + (24 + 4 * r + s) * out.stride() + f];
                        assertEquals(expected, actual, 1e-5 * (1 + scale + Math.abs(out.bias())),
                                out.n() + " tiles: tile " + f + " output (" + r + ", " + s + ")");
                    }
                }
            }
        });
    }

    @Test
    void theVectorOutputTransformsAndPoolsEqualThePlainOnesBitForBit() {
        qt().withExamples(300).forAll(integers().between(0, 1 << 20)).checkAssert(seed -> {
            Output out = Output.random(new Random(seed), true);
            float[] plain = out.transformed(0, true);
            for (int bits : VECTOR_WIDTHS) {
                float[] vector = out.transformed(bits, true);
                for (int row = 24; row < WinogradF4.SCRATCH_ROWS; row++) {
                    int at = out.at() + row * out.stride();
                    assertSame(Arrays.copyOfRange(plain, at, at + out.n()),
                            Arrays.copyOfRange(vector, at, at + out.n()), bits + " bits, " + out.n() + " tiles, scratch row " + row);
                }
            }
        });
    }

    @Test
    void eachPooledWindowIsMaxPoolsRowMajorScan() {
        qt().withExamples(200).forAll(integers().between(0, 1 << 20)).checkAssert(seed -> {
            Output out = Output.random(new Random(seed), true);
            float[] scratch = out.transformed(0, true);
            for (int f = 0; f < out.n(); f++) {
                for (int w = 0; w < 4; w++) {
                    int pr = w >> 1, ps = w & 1;
                    float best = Float.NaN;
                    for (int t = 0; t < 4; t++) { // (2pr + a, 2ps + b) in row-major order
                        int r = 2 * pr + (t >> 1), s = 2 * ps + (t & 1);
                        float v = scratch[out.at() + (24 + 4 * r + s) * out.stride() + f];
                        best = t == 0 ? v : v > best || v != v ? v : best;
                    }
                    assertEquals(Float.floatToRawIntBits(best),
                            Float.floatToRawIntBits(scratch[out.at() + (40 + w) * out.stride() + f]),
                            "tile " + f + " window " + w);
                }
            }
        });
    }

    @Test
    void theScatterWritesEachTilesValuesInsideThePlaneOnly() {
        qt().withExamples(200).forAll(integers().between(0, 1 << 20)).checkAssert(seed -> {
            Random r = new Random(seed);
            int m = r.nextBoolean() ? 4 : 2, th = 1 + r.nextInt(6), tw = 1 + r.nextInt(6);
            int ho = Math.max(1, m * th - r.nextInt(m)), wo = Math.max(1, m * tw - r.nextInt(m));
            int stride = th * tw + r.nextInt(5), from = r.nextInt(4), yAt = 1 + r.nextInt(4);
            float[] src = new float[from + m * m * stride];
            for (int i = 0; i < src.length; i++) {
                src[i] = i + 1;
            }
            float[] y = new float[yAt + ho * wo + 3];
            Arrays.fill(y, -1f);
            WinogradF4.scatter(src, from, stride, m, th, tw, y, yAt, ho, wo);
            for (int i = 0; i < y.length; i++) {
                int p = i - yAt;
                if (p < 0 || p >= ho * wo) {
                    assertEquals(-1f, y[i], "outside the plane at " + p);
                    continue;
                }
                int row = p / wo, column = p % wo, tile = row / m * tw + column / m;
                assertEquals(src[from + (row % m * m + column % m) * stride + tile], y[i],
                        "(" + row + ", " + column + ")");
            }
        });
    }

    /**
     * A ReLU's backward over a plane in place, by the dispatching method and by each vector width: +0 where the mask is
     * ≤ 0 (−0 included), the value's own bits elsewhere (a NaN mask, of either sign, passes it), nothing outside the
     * range touched; lengths that end inside a vector, odd offsets.
     */
    @Test
    void maskingByTheReluBackwardZeroesWhereTheMaskIsNotAboveZero() {
        float[] special = {0f, -0f, Float.NaN, Float.intBitsToFloat(0xffc00000), Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE, 1f, -1f};
        qt().withExamples(300).forAll(integers().between(0, 1 << 20)).checkAssert(seed -> {
            Random r = new Random(seed);
            int at = r.nextInt(9), n = r.nextInt(70), size = at + n + r.nextInt(9);
            float[] y = new float[size], mask = new float[size];
            for (int i = 0; i < size; i++) {
                y[i] = r.nextInt(4) == 0 ? special[r.nextInt(special.length)] : (float) r.nextGaussian();
                mask[i] = r.nextInt(3) == 0 ? special[r.nextInt(special.length)] : (float) r.nextGaussian();
            }
            float[] expected = y.clone();
            for (int i = at; i < at + n; i++) {
                expected[i] = !(mask[i] <= 0f) ? y[i] : 0f;
            }
            int[] widths = VectorSupport.MODULE_PRESENT ? new int[] {0, 512, 256} : new int[] {0};
            for (int bits : widths) {
                float[] actual = y.clone();
                int done = switch (bits) {
                    case 512 -> Vector512WinogradF4.maskReluBackward(actual, at, mask, n);
                    case 256 -> Vector256WinogradF4.maskReluBackward(actual, at, mask, n);
                    default -> {
                        WinogradF4.maskReluBackward(actual, at, mask, n);
                        yield n;
                    }
                };
                for (int i = 0; i < size; i++) {
                    boolean inVectors = i >= at && i < at + done;
                    float want = i < at || i >= at + n || inVectors ? expected[i] : y[i];
                    assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(actual[i]),
                            bits + " bits, at " + at + ", n " + n + ": element " + i + " (mask " + mask[i] + ")");
                }
            }
        });
    }

    /** Equal bit for bit, except that any NaN equals any NaN (the forms may carry different payloads). */
    private static void assertSame(float[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            boolean same = Float.isNaN(expected[i]) ? Float.isNaN(actual[i])
                    : Float.floatToRawIntBits(expected[i]) == Float.floatToRawIntBits(actual[i]);
            assertTrue(same, what + ": at " + i + " expected " + expected[i] + " but was " + actual[i]);
        }
    }
}

package dev.convj.codegen.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The 2×2 max pool fused into a convolution's epilogue ({@link MaxPool2x2#copyOutPooled} for a GEMM result held
 * channel-major in padded rows, {@link MaxPool2x2#poolChannels} for one held position-major with the channels in the
 * lanes, {@link WinogradF2#outputPooled} for F(2×2, 3×3)'s output transform), in every vector width and the plain form, equal the unfused composition bit for bit: each tap + bias, then
 * the ReLU (0 below 0, −0 and NaN kept), then the row-major scan (the first maximum, the last NaN). Over random widths
 * around the vector lengths, odd sizes, ties, −0, NaN and infinities; nothing is written before the row, nor at or
 * past the bound a row may spill into, and sources too short for whole vectors take the plain form.
 */
class FusedPoolKernelTest {

    private static final int[] VECTOR_WIDTHS = VectorSupport.MODULE_PRESENT ? new int[] {512, 256, 128} : new int[0];
    private static final float SENTINEL = 7.5f;

    /** What the unfused epilogue stores, tap by tap. */
    private static float activated(float v, boolean addBias, float bias, boolean relu) {
        float a = addBias ? v + bias : v;
        return relu && a < 0f ? 0f : a;
    }

    /** The pool's row-major scan over activated taps. */
    private static float scan(float[] taps, boolean addBias, float bias, boolean relu) {
        float best = activated(taps[0], addBias, bias, relu);
        for (int t = 1; t < 4; t++) {
            float v = activated(taps[t], addBias, bias, relu);
            best = v > best || v != v ? v : best;
        }
        return best;
    }

    private static float value(Random r, int nanPercent) {
        float[] special = {0f, -0f, 0f, 1f, 1f, -1f, 2f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -3f};
        return r.nextInt(100) < nanPercent ? Float.NaN
                : r.nextBoolean() ? special[r.nextInt(special.length)] : (float) r.nextGaussian();
    }

    /** The row through width {@code bits}' kernel where it takes it, as MaxPool2x2 sends it, else the plain form. */
    private static void copyOutPooled(int bits, float[] src, int top, int bottom, float[] dst, int at, int wo,
                                      int dstEnd, float bias, boolean relu) {
        float floor = MicroKernel.reluFloor(relu);
        int n = src.length;
        switch (bits) {
            case 512 -> {
                if (Vector512Pool.copiesOut(n, top, bottom, at, wo, dstEnd)) {
                    Vector512Pool.copyOutPooled(src, top, bottom, dst, at, wo, bias, floor);
                } else {
                    MaxPool2x2.copyOutPooledPlain(src, top, bottom, dst, at, wo, bias, relu);
                }
            }
            case 256 -> {
                if (Vector256Pool.copiesOut(n, top, bottom, at, wo, dstEnd)) {
                    Vector256Pool.copyOutPooled(src, top, bottom, dst, at, wo, bias, floor);
                } else {
                    MaxPool2x2.copyOutPooledPlain(src, top, bottom, dst, at, wo, bias, relu);
                }
            }
            case 128 -> {
                if (Vector128Pool.copiesOut(n, top, bottom, at, wo, dstEnd)) {
                    Vector128Pool.copyOutPooled(src, top, bottom, dst, at, wo, bias, floor);
                } else {
                    MaxPool2x2.copyOutPooledPlain(src, top, bottom, dst, at, wo, bias, relu);
                }
            }
            case -1 -> MaxPool2x2.copyOutPooled(src, top, bottom, dst, at, wo, dstEnd, bias, relu);
            default -> MaxPool2x2.copyOutPooledPlain(src, top, bottom, dst, at, wo, bias, relu);
        }
    }

    @Test
    void aPooledRowEqualsTheActivatedScanInEveryForm() {
        qt().withExamples(500).forAll(integers().between(1, 40), integers().between(0, 40),
                integers().between(0, 3), integers().between(0, 1 << 20)).checkAssert((wo, slack, mode, seed) -> {
            Random r = new Random(seed);
            int stride = 2 * wo + r.nextInt(4), lead = r.nextInt(5);
            // slack floats after the bottom row: 0 forces the plain form for rows narrower than a vector
            float[] src = new float[lead + 2 * stride + slack];
            for (int i = 0; i < src.length; i++) {
                src[i] = value(r, mode == 3 ? 8 : 0);
            }
            int top = lead, bottom = lead + stride;
            float bias = mode == 0 ? 0f : (float) r.nextGaussian();
            boolean relu = mode != 1;
            float[] expected = new float[wo];
            for (int j = 0; j < wo; j++) {
                expected[j] = scan(new float[] {src[top + 2 * j], src[top + 2 * j + 1], src[bottom + 2 * j],
                        src[bottom + 2 * j + 1]}, true, bias, relu);
            }
            int at = 3 + r.nextInt(3), room = r.nextInt(20), dstEnd = at + wo + room;
            for (int bits : new int[] {0, -1, 512, 256, 128}) {
                if (bits > 0 && VECTOR_WIDTHS.length == 0) {
                    continue;
                }
                float[] dst = new float[dstEnd + 20];
                Arrays.fill(dst, SENTINEL);
                copyOutPooled(bits, src, top, bottom, dst, at, wo, dstEnd, bias, relu);
                String form = (bits == 0 ? "plain" : bits < 0 ? "selected" : bits + "-bit") + " form, " + wo
                        + " windows, " + slack + " floats of slack, room " + room + ", seed " + seed;
                for (int j = 0; j < wo; j++) {
                    assertEquals(expected[j], dst[at + j], form + ", window " + j);
                }
                for (int i = 0; i < dst.length; i++) {
                    if (i < at || i >= dstEnd) {
                        assertEquals(SENTINEL, dst[i], form + ": wrote element " + i + " outside [" + at + ", "
                                + dstEnd + ")");
                    }
                }
            }
        });
    }

    private static void poolChannels(int bits, float[] src, int srcAt, int h, int w, int lanes, float[] bias,
                                     int biasAt, boolean relu, float[] dst, int dstAt) {
        float[] addend = MicroKernel.biasOrNone(bias);
        int addendAt = bias == null ? 0 : biasAt, step = bias == null ? 0 : lanes;
        float floor = MicroKernel.reluFloor(relu);
        switch (bits) {
            case 512 -> Vector512Pool.poolChannelWindows(src, srcAt, h, w, lanes, 1, addend, addendAt, step, floor,
                    dst, dstAt, w / 2 * lanes, lanes);
            case 256 -> Vector256Pool.poolChannelWindows(src, srcAt, h, w, lanes, 1, addend, addendAt, step, floor,
                    dst, dstAt, w / 2 * lanes, lanes);
            case 128 -> Vector128Pool.poolChannelWindows(src, srcAt, h, w, lanes, 1, addend, addendAt, step, floor,
                    dst, dstAt, w / 2 * lanes, lanes);
            case -1 -> MaxPool2x2.poolChannels(src, srcAt, h, w, lanes, bias, biasAt, relu, dst, dstAt);
            default -> MaxPool2x2.poolChannelsPlain(src, srcAt, h, w, lanes, bias, biasAt, relu, dst, dstAt);
        }
    }

    @Test
    void pooledChannelVectorsEqualTheActivatedScanInEveryForm() {
        qt().withExamples(300).forAll(integers().between(1, 13), integers().between(1, 13),
                integers().between(0, 3), integers().between(0, 1 << 20)).checkAssert((h, w, mode, seed) -> {
            Random r = new Random(seed);
            for (int bits : new int[] {0, -1, 512, 256, 128}) {
                if (bits > 0 && VECTOR_WIDTHS.length == 0) {
                    continue;
                }
                int lanes = bits > 0 ? bits / 32 : bits < 0 ? Gemm.CHANNEL_LANES : 1 + r.nextInt(16);
                int srcAt = r.nextInt(4), biasAt = r.nextInt(3), dstAt = r.nextInt(4);
                float[] src = new float[srcAt + h * w * lanes];
                for (int i = 0; i < src.length; i++) {
                    src[i] = value(r, mode == 3 ? 8 : 0);
                }
                float[] bias = mode == 0 ? null : new float[biasAt + lanes];
                if (bias != null) {
                    for (int c = 0; c < bias.length; c++) {
                        bias[c] = r.nextInt(4) == 0 ? 0f : (float) r.nextGaussian();
                    }
                }
                boolean relu = mode != 1;
                int pooled = (h / 2) * (w / 2) * lanes;
                float[] dst = new float[dstAt + pooled + 20];
                Arrays.fill(dst, SENTINEL);
                poolChannels(bits, src, srcAt, h, w, lanes, bias, biasAt, relu, dst, dstAt);
                for (int i = 0; i < h / 2; i++) {
                    for (int j = 0; j < w / 2; j++) {
                        for (int c = 0; c < lanes; c++) {
                            int p = srcAt + (2 * i * w + 2 * j) * lanes + c;
                            float expected = scan(new float[] {src[p], src[p + lanes], src[p + w * lanes],
                                    src[p + (w + 1) * lanes]}, bias != null, bias == null ? 0f : bias[biasAt + c], relu);
                            assertEquals(expected, dst[dstAt + (i * (w / 2) + j) * lanes + c], (bits == 0 ? "plain"
                                    : bits < 0 ? "selected" : bits + "-bit") + " form, " + h + "×" + w + ", lanes "
                                    + lanes + ", window (" + i + ", " + j + "), channel " + c + ", seed " + seed);
                        }
                    }
                }
                for (int i = 0; i < dst.length; i++) {
                    if (i < dstAt || i >= dstAt + pooled) {
                        assertEquals(SENTINEL, dst[i], "wrote element " + i + " outside the pooled vectors");
                    }
                }
            }
        });
    }

    private static void outputPooled(int bits, float[] col, int mk, int xiStride, int tilesWide, float[] y, int yAt,
                                     int ho, int wo, float bias, boolean relu, float[] scratch) {
        switch (bits) {
            case 512 -> Vector512Winograd.outputPooled(col, mk, xiStride, tilesWide, y, yAt, ho, wo, bias, relu,
                    scratch, 3);
            case 256 -> Vector256Winograd.outputPooled(col, mk, xiStride, tilesWide, y, yAt, ho, wo, bias, relu,
                    scratch, 3);
            case -1 -> WinogradF2.outputPooled(col, mk, xiStride, tilesWide, y, yAt, ho, wo, bias, relu, scratch, 3);
            default -> WinogradF2.outputPooledPlain(col, mk, xiStride, tilesWide, y, yAt, ho, wo, bias, relu);
        }
    }

    @Test
    void aPooledWinogradOutputEqualsTheOutputTransformThenThePool() {
        // F(2×2, 3×3): output tile (ty, tx) is pooling window (ty, tx); odd planes leave a partial last tile unpooled
        qt().withExamples(300).forAll(integers().between(1, 9), integers().between(1, 40), integers().between(0, 3),
                integers().between(0, 1 << 20)).checkAssert((tilesHigh, tilesWide, mode, seed) -> {
            Random r = new Random(seed);
            int ho = 2 * tilesHigh - r.nextInt(2), wo = 2 * tilesWide - r.nextInt(2), tiles = tilesHigh * tilesWide;
            int xiStride = tiles + r.nextInt(40), mk = r.nextInt(5);
            // the vector forms read a vector past the last tile of each ξ
            float[] col = new float[mk + 16 * xiStride + 16];
            for (int i = 0; i < col.length; i++) {
                col[i] = value(r, mode == 3 ? 3 : 0);
            }
            float bias = mode == 0 ? 0f : (float) r.nextGaussian();
            boolean relu = mode != 1;
            float[] plane = new float[ho * wo];
            WinogradF2.outputPlain(col, mk, xiStride, tilesHigh, tilesWide, plane, 0, ho, wo, bias, relu);
            int pho = ho / 2, pwo = wo / 2;
            for (int bits : new int[] {0, -1, 512, 256}) {
                if (bits > 0 && VECTOR_WIDTHS.length == 0) {
                    continue;
                }
                int yAt = 2;
                float[] y = new float[yAt + pho * pwo + 20];
                Arrays.fill(y, SENTINEL);
                outputPooled(bits, col, mk, xiStride, tilesWide, y, yAt, pho, pwo, bias, relu, new float[3 + 16]);
                for (int i = 0; i < pho; i++) {
                    for (int j = 0; j < pwo; j++) {
                        int at = 2 * i * wo + 2 * j;
                        float[] taps = {plane[at], plane[at + 1], plane[at + wo], plane[at + wo + 1]};
                        float expected = scan(taps, false, 0f, false);
                        assertEquals(expected, y[yAt + i * pwo + j], (bits == 0 ? "plain" : bits < 0 ? "selected"
                                : bits + "-bit") + " form, " + ho + "×" + wo + " plane, window (" + i + ", " + j
                                + "), seed " + seed);
                    }
                }
                for (int i = 0; i < y.length; i++) {
                    if (i < yAt || i >= yAt + pho * pwo) {
                        assertEquals(SENTINEL, y[i], "wrote element " + i + " outside the pooled plane");
                    }
                }
            }
        });
    }

    @Test
    void aWorkedRow() {
        // two windows, bias −1, ReLU: [3 1 / 7 −5] → 6 (7 − 1); [0.5 NaN / 1 0.25] → NaN, a window holding NaN
        float[] src = {3, 1, 0.5f, Float.NaN, 7, -5, 1, 0.25f};
        float[] dst = new float[2];
        MaxPool2x2.copyOutPooled(src, 0, 4, dst, 0, 2, 2, -1f, true);
        assertEquals("[6.0, NaN]", Arrays.toString(dst));
    }

    /**
     * The gathered convolution's epilogue: a position-major result (ldc floats a position, the channels first) pooled
     * into channel planes. Every width and the plain form give the activated scan, channel by channel; channel counts
     * not a multiple of the lanes, a bias array too short for whole vectors (the plain form then runs) and nothing
     * written outside the planes.
     */
    @Test
    void pooledPositionsIntoPlanesEqualTheActivatedScanInEveryForm() {
        qt().withExamples(400).forAll(integers().between(0, 48), integers().between(1, 40), integers().between(0, 7),
                integers().between(0, 1 << 20)).checkAssert((windows, channels, mode, seed) -> {
            Random r = new Random(seed);
            int ho = 1 + windows / 7, wo = 1 + windows % 7;
            int h = 2 * ho + r.nextInt(2), w = 2 * wo + r.nextInt(2); // an odd last row or column is in no window
            int ldc = channels + r.nextInt(20), srcAt = r.nextInt(5), dstAt = r.nextInt(5), biasAt = r.nextInt(3);
            boolean relu = (mode & 1) == 1, addBias = (mode & 2) == 2, shortBias = (mode & 4) == 4;
            float[] src = new float[srcAt + h * w * ldc + 3];
            for (int i = 0; i < src.length; i++) {
                src[i] = value(r, 3);
            }
            float[] bias = addBias ? new float[biasAt + channels + (shortBias ? 0 : 40)] : null;
            for (int i = 0; bias != null && i < bias.length; i++) {
                bias[i] = value(r, 0);
            }
            float[] expected = new float[dstAt + channels * ho * wo + 4];
            Arrays.fill(expected, SENTINEL);
            for (int c = 0; c < channels; c++) {
                float b = addBias ? bias[biasAt + c] : 0f;
                for (int i = 0; i < ho; i++) {
                    for (int j = 0; j < wo; j++) {
                        int p = srcAt + (2 * i * w + 2 * j) * ldc + c;
                        float[] taps = {src[p], src[p + ldc], src[p + w * ldc], src[p + (w + 1) * ldc]};
                        expected[dstAt + (c * ho + i) * wo + j] = scan(taps, addBias, b, relu);
                    }
                }
            }
            for (int bits : new int[] {512, 256, 128, 0}) {
                if (bits > 0 && !VectorSupport.MODULE_PRESENT) {
                    continue;
                }
                float[] dst = new float[expected.length];
                Arrays.fill(dst, SENTINEL);
                MaxPool2x2.poolPositionsToPlanes(bits, src.clone(), srcAt, h, w, ldc, channels, bias, biasAt, relu,
                        dst, dstAt);
                for (int i = 0; i < dst.length; i++) {
                    assertEquals(expected[i], dst[i], bits + "-bit form, element " + i + ", h " + h + ", w " + w
                            + ", " + channels + " channels, ldc " + ldc + ", mode " + mode);
                }
            }
        });
    }
}

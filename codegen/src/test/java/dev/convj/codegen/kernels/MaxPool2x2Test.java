package dev.convj.codegen.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The 2×2 max-pooling kernels, in the form the JVM selects (Vector API or plain) and in the plain form, equal a
 * window-by-window reference that scans the taps in row-major order as PyTorch's CPU kernel does (the first
 * maximum, the last NaN), bit for bit: over random plane sizes, ties (many zeros, as after a ReLU), −0, NaN, with
 * and without a ReLU mask, upstream gradients of −0 (which arrive as +0, added into cleared memory), on a range of
 * planes inside larger buffers; the forward pass also over odd sizes, whose last row and column are in no window.
 * The build also runs it with -Dconvj.vector=false.
 */
class MaxPool2x2Test {

    record Case(int planes, int h, int w, int from, int to, boolean masked, int nanPercent, long seed) {}

    private static final Gen<Case> CASES = in -> {
        int planes = integers().between(1, 5).generate(in);
        int from = integers().between(0, planes - 1).generate(in);
        return new Case(planes, 2 * integers().between(1, 8).generate(in), 2 * integers().between(1, 24).generate(in),
                from, integers().between(from + 1, planes).generate(in), integers().between(0, 1).generate(in) == 1,
                integers().between(0, 1).generate(in) * 5, integers().between(0, 1 << 20).generate(in));
    };

    /** The vector widths whose kernels can run here (all of them, boxed where the JIT does not compile them). */
    private static final int[] VECTOR_WIDTHS = VectorSupport.MODULE_PRESENT ? new int[] {512, 256, 128} : new int[0];

    private static void backward(int bits, float[] x, float[] dy, float[] mask, float[] dx, Case c) {
        switch (bits) {
            case 512 -> Vector512Pool.maxBackward2x2(x, dy, mask, dx, c.from, c.to, c.h, c.w);
            case 256 -> Vector256Pool.maxBackward2x2(x, dy, mask, dx, c.from, c.to, c.h, c.w);
            default -> Vector128Pool.maxBackward2x2(x, dy, mask, dx, c.from, c.to, c.h, c.w);
        }
    }

    private static void forward(int bits, float[] x, float[] y, Case c, int h, int w) {
        switch (bits) {
            case 512 -> Vector512Pool.maxForward2x2(x, y, c.from, c.to, h, w);
            case 256 -> Vector256Pool.maxForward2x2(x, y, c.from, c.to, h, w);
            default -> Vector128Pool.maxForward2x2(x, y, c.from, c.to, h, w);
        }
    }

    @Test
    void everyGradientFormEqualsTheRowMajorScan() {
        qt().withExamples(400).forAll(CASES).checkAssert(c -> {
            Random r = new Random(c.seed);
            int size = c.planes * c.h * c.w, pooled = size / 4;
            float[] x = new float[size], mask = new float[size], dy = new float[pooled];
            float[] pool = {0f, 0f, 0f, -0f, 1f, 1f, 2f, -1f, 0.5f};
            for (int i = 0; i < size; i++) {
                x[i] = r.nextInt(100) < c.nanPercent ? Float.NaN
                        : r.nextBoolean() ? pool[r.nextInt(pool.length)] : (float) r.nextGaussian();
                mask[i] = r.nextInt(4) == 0 ? 0f : r.nextInt(3) == 0 ? Float.NaN : (float) r.nextGaussian();
            }
            // now and then a whole window of −∞: its argmax is −∞ and still takes the gradient
            for (int p = 0; p < c.planes; p++) {
                for (int i = 0; i + 1 < c.h; i += 2) {
                    for (int j = 0; j + 1 < c.w; j += 2) {
                        if (r.nextInt(12) == 0) {
                            int at = (p * c.h + i) * c.w + j;
                            x[at] = x[at + 1] = x[at + c.w] = x[at + c.w + 1] = Float.NEGATIVE_INFINITY;
                        }
                    }
                }
            }
            for (int i = 0; i < pooled; i++) {
                dy[i] = r.nextInt(8) == 0 ? -0f : (float) r.nextGaussian();
            }
            // the mask, when there is one, is x itself in half the cases: the ReLU's output was pooled (the kernels
            // then compare the rows they loaded), else a buffer of its own
            float[] m = !c.masked ? null : (c.seed & 1) == 0 ? x : mask;
            float[] expected = reference(x, dy, m, c);
            float[] selected = filled(size, 7f), plain = filled(size, 7f);
            MaxPool2x2.backward(x, dy, m, selected, c.from, c.to, c.h, c.w);
            MaxPool2x2.backwardPlain(x, dy, m, plain, c.from, c.to, c.h, c.w);
            for (int i = 0; i < size; i++) {
                assertEquals(expected[i], selected[i], "selected form, element " + i + " of " + c);
                assertEquals(expected[i], plain[i], "plain form, element " + i + " of " + c);
            }
            for (int bits : VECTOR_WIDTHS) { // each width's kernel, whichever this JVM selected
                if (c.w >= bits / 32 || c.w % 2 == 0) { // narrower rows: one chunk of a vector each
                    float[] v = filled(size, 7f);
                    backward(bits, x, dy, m, v, c);
                    for (int i = 0; i < size; i++) {
                        assertEquals(expected[i], v[i], bits + "-bit form, element " + i + " of " + c);
                    }
                }
            }
        });
    }

    @Test
    void everyForwardFormEqualsTheRowMajorScan() {
        qt().withExamples(400).forAll(CASES).checkAssert(c -> {
            Random r = new Random(c.seed);
            // odd sizes too: h and w from the case, minus one half the time
            int h = c.h - r.nextInt(2), w = c.w - r.nextInt(2), ho = h / 2, wo = w / 2;
            float[] x = new float[c.planes * h * w];
            float[] pool = {0f, 0f, -0f, 1f, 2f, -1f};
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextInt(100) < c.nanPercent ? Float.NaN
                        : r.nextBoolean() ? pool[r.nextInt(pool.length)] : (float) r.nextGaussian();
            }
            float[] selected = filled(c.planes * ho * wo, 7f), plain = filled(c.planes * ho * wo, 7f);
            MaxPool2x2.forward(x, selected, c.from, c.to, h, w);
            MaxPool2x2.forwardPlain(x, plain, c.from, c.to, h, w);
            List<float[]> widths = new ArrayList<>();
            for (int bits : VECTOR_WIDTHS) { // each width's kernel, whichever this JVM selected
                if (w / 2 >= bits / 64) { // half a vector of windows: the scratch rows below a whole one
                    float[] v = filled(c.planes * ho * wo, 7f);
                    forward(bits, x, v, c, h, w);
                    widths.add(v);
                }
            }
            for (int p = 0; p < c.planes; p++) {
                for (int i = 0; i < ho; i++) {
                    for (int j = 0; j < wo; j++) {
                        int at = p * h * w + 2 * i * w + 2 * j, out = (p * ho + i) * wo + j;
                        float expected = 7f;
                        if (p >= c.from && p < c.to) { // the row-major scan: −0 then +0 gives −0, the last NaN wins
                            float[] taps = {x[at], x[at + 1], x[at + w], x[at + w + 1]};
                            expected = taps[0];
                            for (float v : taps) {
                                expected = v > expected || v != v ? v : expected;
                            }
                        }
                        String where = "window (" + p + ", " + i + ", " + j + ") of " + h + "×" + w + ", " + c;
                        assertEquals(expected, selected[out], "selected form, " + where);
                        assertEquals(expected, plain[out], "plain form, " + where);
                        for (float[] v : widths) {
                            assertEquals(expected, v[out], "vector form, " + where);
                        }
                    }
                }
            }
        });
    }

    @Test
    void aWorkedWindow() {
        // one 2×4 plane, two windows: [3 1 / 7 7] → the first 7 (row-major); [NaN 2 / NaN 0] → the last NaN
        float[] x = {3, 1, Float.NaN, 2, 7, 7, Float.NaN, 0}, dy = {10, 20}, dx = new float[8];
        MaxPool2x2.backward(x, dy, null, dx, 0, 1, 2, 4);
        assertEquals(Arrays.toString(new float[] {0, 0, 0, 0, 10, 0, 20, 0}), Arrays.toString(dx));
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }

    private static float[] reference(float[] x, float[] dy, float[] mask, Case c) {
        float[] dx = filled(x.length, 7f);
        int wo = c.w / 2;
        for (int p = c.from; p < c.to; p++) {
            Arrays.fill(dx, p * c.h * c.w, (p + 1) * c.h * c.w, 0f);
            for (int i = 0; i < c.h / 2; i++) {
                for (int j = 0; j < wo; j++) {
                    int arg = -1;
                    float best = 0f;
                    for (int t = 0; t < 4; t++) {
                        int at = p * c.h * c.w + (2 * i + t / 2) * c.w + 2 * j + t % 2;
                        if (arg < 0 || x[at] > best || x[at] != x[at]) {
                            best = x[at];
                            arg = at;
                        }
                    }
                    // the gradient added into cleared memory (so −0 arrives as +0), then ReLU's gradient: +0 where
                    // the mask (the ReLU's output) is ≤ 0, the gradient itself elsewhere, NaN mask included
                    float g = 0f + dy[(p * (c.h / 2) + i) * wo + j];
                    dx[arg] = mask == null || !(mask[arg] <= 0f) ? g : 0f;
                }
            }
        }
        return dx;
    }
}

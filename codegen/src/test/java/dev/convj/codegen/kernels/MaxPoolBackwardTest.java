package dev.convj.codegen.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The 2×2 max-pool gradient kernel, in the form the JVM selects (Vector API or plain) and in the plain form, equals
 * a window-by-window reference that scans the taps in row-major order as PyTorch's CPU kernel does (the first
 * maximum, the last NaN), bit for bit: over random plane sizes, ties (many zeros, as after a ReLU), −0, NaN, with
 * and without a step mask, on a range of planes inside larger buffers. The build also runs it with
 * -Dconvj.vector=false.
 */
class MaxPoolBackwardTest {

    record Case(int planes, int h, int w, int from, int to, boolean masked, int nanPercent, long seed) {}

    private static final Gen<Case> CASES = in -> {
        int planes = integers().between(1, 5).generate(in);
        int from = integers().between(0, planes - 1).generate(in);
        return new Case(planes, 2 * integers().between(1, 8).generate(in), 2 * integers().between(1, 24).generate(in),
                from, integers().between(from + 1, planes).generate(in), integers().between(0, 1).generate(in) == 1,
                integers().between(0, 1).generate(in) * 5, integers().between(0, 1 << 20).generate(in));
    };

    @Test
    void everyFormEqualsTheRowMajorScan() {
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
            for (int i = 0; i < pooled; i++) {
                dy[i] = (float) r.nextGaussian();
            }
            float[] m = c.masked ? mask : null;
            float[] expected = reference(x, dy, m, c);
            float[] selected = filled(size, 7f), plain = filled(size, 7f);
            MaxPoolBackward.window2x2(x, dy, m, selected, c.from, c.to, c.h, c.w);
            MaxPoolBackward.scalar(x, dy, m, plain, c.from, c.to, c.h, c.w);
            for (int i = 0; i < size; i++) {
                assertEquals(expected[i], selected[i], "selected form, element " + i + " of " + c);
                assertEquals(expected[i], plain[i], "plain form, element " + i + " of " + c);
            }
        });
    }

    @Test
    void aWorkedWindow() {
        // one 2×4 plane, two windows: [3 1 / 7 7] → the first 7 (row-major); [NaN 2 / NaN 0] → the last NaN
        float[] x = {3, 1, Float.NaN, 2, 7, 7, Float.NaN, 0}, dy = {10, 20}, dx = new float[8];
        MaxPoolBackward.window2x2(x, dy, null, dx, 0, 1, 2, 4);
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
                    float g = dy[(p * (c.h / 2) + i) * wo + j];
                    dx[arg] = mask == null ? g : g * (mask[arg] > 0f ? 1f : 0f);
                }
            }
        }
        return dx;
    }
}

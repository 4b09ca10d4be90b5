package dev.convj.codegen.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A position-major GEMM result into channel planes with bias and ReLU ({@link Gemm#positionsToPlanes}), and the
 * in-place epilogue under it ({@link MicroKernel#activateChannels}) in every width and the plain kernel: each value
 * + bias (none added without one: −0 stays −0), then 0 below 0 (NaN and −0 kept), bit for bit; channel counts off the
 * lanes, a bias array too short for whole vectors, and nothing written outside the planes.
 */
class PositionsToPlanesTest {

    private static float value(Random r) {
        float[] special = {0f, -0f, 1f, -1f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        return r.nextInt(4) == 0 ? special[r.nextInt(special.length)] : (float) r.nextGaussian();
    }

    private static float expected(float v, float[] bias, int at, boolean relu) {
        float a = bias == null ? v : v + bias[at];
        return relu && a < 0f ? 0f : a;
    }

    @Test
    void everyWidthActivatesItsChannelsInPlace() {
        qt().withExamples(300).forAll(integers().between(1, 30), integers().between(1, 3), integers().between(0, 3),
                integers().between(0, 1 << 20)).checkAssert((positions, vectors, mode, seed) -> {
            Random r = new Random(seed);
            boolean relu = (mode & 1) == 1, addBias = (mode & 2) == 2;
            for (int bits : VectorSupport.MODULE_PRESENT ? new int[] {512, 256, 128, 0} : new int[] {0}) {
                MicroKernel kernel = KernelTrial.kernelOf(bits);
                int lanes = Math.max(1, bits / 32), channels = vectors * lanes, ldc = channels + r.nextInt(9);
                int at = r.nextInt(4), biasAt = r.nextInt(3);
                float[] c = new float[at + positions * ldc + 2];
                for (int i = 0; i < c.length; i++) {
                    c[i] = value(r);
                }
                float[] bias = addBias ? new float[biasAt + channels] : null;
                for (int i = 0; bias != null && i < bias.length; i++) {
                    bias[i] = value(r);
                }
                float[] want = c.clone();
                for (int p = 0; p < positions; p++) {
                    for (int j = 0; j < channels; j++) {
                        int i = at + p * ldc + j;
                        want[i] = expected(c[i], bias, biasAt + j, relu);
                    }
                }
                int lanesOrOne = bits == 0 ? 1 : lanes;
                kernel.activateChannels(c, at, positions, ldc, bits == 0 ? channels : vectors,
                        MicroKernel.biasOrNone(bias), bias == null ? 0 : biasAt, bias == null ? 0 : lanesOrOne,
                        MicroKernel.reluFloor(relu));
                for (int i = 0; i < c.length; i++) {
                    assertEquals(want[i], c[i], bits + "-bit kernel, element " + i + ", mode " + mode);
                }
            }
        });
    }

    @Test
    void theChosenKernelWritesThePlanes() {
        qt().withExamples(300).forAll(integers().between(1, 40), integers().between(1, 40), integers().between(0, 7),
                integers().between(0, 1 << 20)).checkAssert((positions, channels, mode, seed) -> {
            Random r = new Random(seed);
            boolean relu = (mode & 1) == 1, addBias = (mode & 2) == 2, shortBias = (mode & 4) == 4;
            int ldc = (channels + 15) / 16 * 16 + 16 * r.nextInt(2), srcAt = r.nextInt(4), dstAt = r.nextInt(4);
            int biasAt = r.nextInt(3);
            float[] src = new float[srcAt + positions * ldc];
            for (int i = 0; i < src.length; i++) {
                src[i] = value(r);
            }
            float[] bias = addBias ? new float[biasAt + channels + (shortBias ? 0 : 64)] : null;
            for (int i = 0; bias != null && i < bias.length; i++) {
                bias[i] = value(r);
            }
            float[] want = new float[dstAt + channels * positions + 3], got = new float[want.length];
            Arrays.fill(want, 7.5f);
            Arrays.fill(got, 7.5f);
            for (int ch = 0; ch < channels; ch++) {
                for (int p = 0; p < positions; p++) {
                    want[dstAt + ch * positions + p] = expected(src[srcAt + p * ldc + ch], bias, biasAt + ch, relu);
                }
            }
            Gemm.positionsToPlanes(src, srcAt, positions, ldc, channels, bias, biasAt, relu, got, dstAt);
            for (int i = 0; i < got.length; i++) {
                assertEquals(want[i], got[i], "element " + i + ", " + channels + " channels, ldc " + ldc
                        + ", mode " + mode);
            }
        });
    }

    @Test
    void aWorkedExample() {
        // two positions of three channels (ldc 16), bias {1, −1, 0}, ReLU: planes [2, 0], [0, 4], [0, NaN] (−0 + 0 = +0)
        float[] src = new float[32];
        src[0] = 1f;
        src[1] = 0.5f;
        src[2] = -0f;
        src[16] = -3f;
        src[17] = 5f;
        src[18] = Float.NaN;
        float[] dst = new float[6];
        Gemm.positionsToPlanes(src, 0, 2, 16, 3, new float[] {1f, -1f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f,
            0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f}, 0, true, dst, 0);
        assertEquals("[2.0, 0.0, 0.0, 4.0, 0.0, NaN]", Arrays.toString(dst));
    }
}

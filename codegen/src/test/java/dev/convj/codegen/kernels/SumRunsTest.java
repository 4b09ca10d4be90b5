package dev.convj.codegen.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A bias gradient's per-channel sum, count runs of run floats stride apart: every width, the plain-Java kernel too,
 * within rounding of the float64 sum, reading nothing outside the runs (the gaps and both ends hold NaN).
 */
class SumRunsTest {

    @Test
    void everyWidthSumsExactlyItsRuns() {
        qt().withExamples(300).forAll(integers().between(1, 200), integers().between(1, 9), integers().between(0, 3),
                integers().between(0, 1 << 20)).checkAssert((run, count, width, seed) -> {
            int bits = VectorSupport.MODULE_PRESENT ? new int[] {512, 256, 128, 0}[width] : 0;
            MicroKernel kernel = KernelTrial.kernelOf(bits);
            Random r = new Random(seed);
            int at = r.nextInt(5), stride = run + r.nextInt(20);
            float[] x = new float[at + count * stride + 3];
            java.util.Arrays.fill(x, Float.NaN);
            double expected = 0, magnitude = 0;
            for (int k = 0; k < count; k++) {
                for (int j = 0; j < run; j++) {
                    float v = (float) r.nextGaussian();
                    x[at + k * stride + j] = v;
                    expected += v;
                    magnitude += Math.abs(v);
                }
            }
            float got = kernel.sumRuns(x, at, run, count, stride);
            assertEquals(expected, got, 1e-6 * magnitude + 1e-30, "bits " + bits + ", run " + run + ", count " + count);
        });
    }

    @Test
    void aWorkedExample() {
        // two images of one channel's 3×3 plane, a second channel between them: 1 + … + 9 and 10 × 9
        float[] x = new float[36];
        for (int i = 0; i < 9; i++) {
            x[i] = i + 1;
            x[9 + i] = 1000f;
            x[18 + i] = 10f;
            x[27 + i] = 1000f;
        }
        for (int bits : VectorSupport.MODULE_PRESENT ? new int[] {512, 256, 128, 0} : new int[] {0}) {
            assertEquals(45f + 90f, KernelTrial.kernelOf(bits).sumRuns(x, 0, 9, 2, 18), "bits " + bits);
        }
    }
}

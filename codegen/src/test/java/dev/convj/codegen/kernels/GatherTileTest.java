package dev.convj.codegen.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The gathered tile reads A through a row table and a step table: every width, the plain-Java kernel too, the wide
 * tile and the narrow one (twelve rows by one vector), gives each element's chain of fused multiply-adds bit for bit,
 * within rounding of a float64 reference; rows may come in any order and repeat, and an offset past the image fails its
 * range check instead of reading past the array.
 */
class GatherTileTest {

    @Test
    void everyWidthEqualsThePlainKernelAndTheFloat64Sums() {
        qt().withExamples(300).forAll(integers().between(1, 70), integers().between(0, 3), integers().between(0, 3),
                integers().between(0, 1 << 20)).checkAssert((kc, width, mode, seed) -> {
            int add = mode & 1, narrow = mode >> 1;
            int bits = VectorSupport.MODULE_PRESENT ? new int[] {512, 256, 128, 0}[width] : 0;
            MicroKernel kernel = KernelTrial.kernelOf(bits);
            int nr = kernel.columns(), ldc = nr + 3;
            // the narrow tile: twelve rows, the first half of B's panel (one vector)
            int tileRows = narrow == 1 ? MicroKernel.NARROW_ROWS : Gemm.MR, columns = narrow == 1 ? nr / 2 : nr;
            Random r = new Random(seed);
            int xAt = r.nextInt(5);
            int[] rows = new int[tileRows + 2];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = r.nextInt(60); // any order, repeats allowed
            }
            int[] steps = new int[kc + 3];
            for (int p = 0; p < steps.length; p++) {
                steps[p] = r.nextInt(90);
            }
            float[] x = new float[xAt + 60 + 90];
            float[] b = new float[4 + kc * nr];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) r.nextGaussian();
            }
            float[] got = new float[2 + tileRows * ldc];
            for (int i = 0; i < got.length; i++) {
                got[i] = add == 1 ? (float) r.nextGaussian() : 7f;
            }
            float[] before = got.clone();
            float[] start = add == 1 ? got : MicroKernel.ZEROS;
            int startAt = add == 1 ? 2 : 0, startLd = add == 1 ? ldc : 0;
            if (narrow == 1) {
                kernel.gatherTileNarrow(kc, x, xAt, rows, 2, steps, 3, b, 4, got, 2, ldc, start, startAt, startLd);
            } else {
                kernel.gatherTile(kc, x, xAt, rows, 2, steps, 3, b, 4, got, 2, ldc, start, startAt, startLd);
            }
            for (int i = 0; i < tileRows; i++) {
                for (int j = 0; j < ldc; j++) {
                    int at = 2 + i * ldc + j;
                    if (j >= columns) {
                        assertEquals(before[at], got[at], "a column past the tile was written");
                        continue;
                    }
                    float fused = add == 1 ? before[at] : 0f;
                    double sum = fused;
                    for (int p = 0; p < kc; p++) {
                        float a = x[xAt + rows[2 + i] + steps[3 + p]], bj = b[4 + p * nr + j];
                        fused = Math.fma(a, bj, fused);
                        sum += (double) a * bj;
                    }
                    assertEquals(fused, got[at], bits + "-bit kernel, row " + i + ", column " + j);
                    assertEquals(sum, got[at], 1e-5 * (1 + Math.abs(sum)) + 1e-6 * kc);
                }
            }
        });
    }

    @Test
    void anOffsetPastTheImageFailsItsRangeCheck() {
        for (int bits : VectorSupport.MODULE_PRESENT ? new int[] {512, 256, 128, 0} : new int[] {0}) {
            MicroKernel kernel = KernelTrial.kernelOf(bits);
            int nr = kernel.columns();
            int[] rows = {0, 1, 2, 3, 4, 40, 0, 1, 2, 3, 4, 5};
            int[] steps = {0, 5, 1};
            float[] x = new float[44], b = new float[3 * nr], c = new float[MicroKernel.NARROW_ROWS * nr];
            // row 5 reads x[40 + 5]: one past the end
            assertThrows(IndexOutOfBoundsException.class,
                    () -> kernel.gatherTile(3, x, 0, rows, 0, steps, 0, b, 0, c, 0, nr, MicroKernel.ZEROS, 0, 0), bits + " bits");
            assertThrows(IndexOutOfBoundsException.class,
                    () -> kernel.gatherTileNarrow(3, x, 0, rows, 0, steps, 0, b, 0, c, 0, nr, MicroKernel.ZEROS, 0, 0),
                    bits + " bits, narrow");
        }
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "case {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {0, 1, 2})
    void theGatheredGemmBlocksDeepSumsAndFillsEveryPanel(int wide) {
        int n = new int[] {Gemm.NR + 5, Gemm.CHANNEL_LANES, 3}[wide];
        Random r = new Random(5 + n);
        // n of one vector or fewer takes the narrow tiles, twelve rows each
        int m = 2 * Gemm.gatherRows(n), k = 2 * Gemm.KC_GATHER + 37, panels = (n + Gemm.NR - 1) / Gemm.NR;
        int ldc = panels * Gemm.NR;
        int[] rows = new int[m], steps = new int[k];
        for (int i = 0; i < m; i++) {
            rows[i] = r.nextInt(50);
        }
        for (int p = 0; p < k; p++) {
            steps[p] = r.nextInt(200);
        }
        float[] x = new float[250], w = new float[n * k];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian();
        }
        // B[p][j] = w[j][p], packed in panels of NR as the generated code packs filters
        float[] packed = new float[panels * Gemm.NR * k];
        Gemm.packTransposedPanels(k, n, w, 0, k, 0, panels, packed, 0);
        float[] c = new float[m * ldc];
        Gemm.multiplyGathered(m, n, k, x, 0, rows, steps, 0, packed, 0, c, 0, ldc, false);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < ldc; j++) {
                double sum = 0;
                for (int p = 0; j < n && p < k; p++) {
                    sum += (double) x[rows[i] + steps[p]] * w[j * k + p];
                }
                assertEquals(sum, c[i * ldc + j], 1e-4 * (1 + Math.abs(sum)), "row " + i + ", column " + j);
            }
        }
        assertThrows(IllegalArgumentException.class,
                () -> Gemm.multiplyGathered(m - Gemm.MR / 2, n, k, x, 0, rows, steps, 0, packed, 0, c, 0, ldc, false));
    }
}

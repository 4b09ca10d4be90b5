package dev.convj.codegen.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The weight gradient by kernel rows ({@link MicroKernel#kernelRowsTile}, {@link Gemm#multiplyKernelRows}): every
 * width and the plain kernel give each sum's chain of fused multiply-adds bit for bit (the positions in order, as the
 * narrow gathered tile takes them), within rounding of a float64 reference; odd counts of kernel rows and output
 * rows; nothing written outside the tile's rows and lanes; a read past the image fails its range check.
 */
class KernelRowsWeightGradientTest {

    @Test
    void everyWidthTakesEachSumsTermsInPositionOrder() {
        qt().withExamples(200).forAll(integers().between(0, 40), integers().between(0, 3), integers().between(0, 1),
                integers().between(0, 1 << 20)).checkAssert((cols, width, second, seed) -> {
            int bits = VectorSupport.MODULE_PRESENT ? new int[] {512, 256, 128, 0}[width] : 0;
            MicroKernel kernel = KernelTrial.kernelOf(bits);
            int nr = kernel.columns(), lanes = nr / 2, ldc = nr + 3, secondCols = second == 1 ? cols : 0;
            Random r = new Random(seed);
            float[] x = new float[3 * (cols + 4) + 20];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
            int xa = r.nextInt(10), xb = r.nextInt(10), xa2 = r.nextInt(10), xb2 = r.nextInt(10);
            float[] b = new float[3 + 2 * cols * nr];
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) r.nextGaussian();
            }
            float[] c = new float[2 + 10 * ldc];
            for (int i = 0; i < c.length; i++) {
                c[i] = (float) r.nextGaussian();
            }
            float[] before = c.clone();
            kernel.kernelRowsTile(cols, x, xa, xb, xa2, xb2, secondCols, b, 3, c, 2, ldc);
            for (int row = 0; row < 10; row++) {
                int from = (row < 5 ? xa : xb) + row % 5, from2 = (row < 5 ? xa2 : xb2) + row % 5;
                for (int j = 0; j < ldc; j++) {
                    int at = 2 + row * ldc + j;
                    if (j >= lanes) {
                        assertEquals(before[at], c[at], "a lane past the vector was written");
                        continue;
                    }
                    float fused = before[at];
                    double sum = fused;
                    for (int q = 0; q < cols + secondCols; q++) {
                        float a = x[q < cols ? from + q : from2 + q - cols], bq = b[3 + q * nr + j];
                        fused = Math.fma(a, bq, fused);
                        sum += (double) a * bq;
                    }
                    assertEquals(fused, c[at], bits + "-bit kernel, row " + row + ", lane " + j);
                    assertEquals(sum, c[at], 1e-5 * (1 + Math.abs(sum)) + 1e-6 * cols);
                }
            }
        });
    }

    @Test
    void aReadPastTheImageFailsItsRangeCheck() {
        for (int bits : VectorSupport.MODULE_PRESENT ? new int[] {512, 256, 128, 0} : new int[] {0}) {
            MicroKernel kernel = KernelTrial.kernelOf(bits);
            int nr = kernel.columns();
            float[] x = new float[20], b = new float[6 * nr], c = new float[10 * nr];
            // kernel row B's last tap of position 2 reads x[14 + 2 + 4] = x[20]
            assertThrows(IndexOutOfBoundsException.class,
                    () -> kernel.kernelRowsTile(3, x, 0, 14, 0, 0, 0, b, 0, c, 0, nr), bits + " bits");
        }
    }

    /** A 5-wide weight gradient of a random image: odd kernel rows (3 channels × 3 rows) and odd output rows. */
    @Test
    void theGemmSumsEveryKernelRowOverEveryPosition() {
        Random r = new Random(11);
        int channels = 3, kh = 3, kw = 5, h = 9, w = 12, outRows = h - kh + 1, outCols = w - kw + 1;
        int kernelRows = channels * kh, o = Math.min(Gemm.CHANNEL_LANES, 5), ldc = Gemm.NR;
        float[] x = new float[channels * h * w];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        float[] dy = new float[o * outRows * outCols];
        for (int i = 0; i < dy.length; i++) {
            dy[i] = (float) r.nextGaussian();
        }
        int[] rowTaps = new int[kernelRows], rowStarts = new int[outRows];
        for (int k = 0; k < kernelRows; k++) {
            rowTaps[k] = k / kh * h * w + k % kh * w;
        }
        for (int i = 0; i < outRows; i++) {
            rowStarts[i] = i * w;
        }
        int positions = outRows * outCols;
        float[] packed = new float[Gemm.packedSize(positions, o)];
        Gemm.packTransposedPanels(positions, o, dy, 0, positions, 0, 1, packed, 0);
        int rows = (kernelRows + 1) / 2 * 2 * kw;
        float[] c = new float[rows * ldc];
        Gemm.multiplyKernelRows(kernelRows, outRows, outCols, x, 0, rowTaps, rowStarts, packed, 0, c, 0, ldc);
        for (int k = 0; k < kernelRows; k++) {
            for (int t = 0; t < kw; t++) {
                for (int ch = 0; ch < o; ch++) {
                    double sum = 0;
                    for (int i = 0; i < outRows; i++) {
                        for (int j = 0; j < outCols; j++) {
                            sum += (double) x[rowTaps[k] + rowStarts[i] + j + t] * dy[ch * positions + i * outCols + j];
                        }
                    }
                    assertEquals(sum, c[(k * kw + t) * ldc + ch], 1e-4 * (1 + Math.abs(sum)),
                            "kernel row " + k + ", tap " + t + ", channel " + ch);
                }
            }
        }
    }
}

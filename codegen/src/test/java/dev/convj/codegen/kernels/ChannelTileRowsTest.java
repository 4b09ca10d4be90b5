package dev.convj.codegen.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The kernel-row form of the channel-vector tile (a 5-wide kernel's row of taps reads one run of image values,
 * broadcast once) equals the plain tile over the same taps bit for bit, in every width and in the plain-Java kernel:
 * the same fused multiply-adds in the same order.
 */
class ChannelTileRowsTest {

    private static final int POSITIONS = MicroKernel.CHANNEL_POSITIONS;

    @Test
    void kernelRowsEqualThePlainTileOverTheSameTaps() {
        qt().withExamples(200).forAll(integers().between(1, 12), integers().between(0, 40), integers().between(0, 3),
                integers().between(0, 1 << 20)).checkAssert((rows, stride, width, seed) -> {
            int bits = VectorSupport.MODULE_PRESENT ? new int[] {512, 256, 128, 0}[width] : 0;
            MicroKernel kernel = KernelTrial.kernelOf(bits);
            int lanes = kernel.columns() / 2;
            Random r = new Random(seed);
            // kernel rows start anywhere in an image with room for sixteen values past each
            int[] rowTaps = new int[rows];
            int[] taps = new int[rows * MicroKernel.ROW_TAPS];
            for (int i = 0; i < rows; i++) {
                rowTaps[i] = i * (16 + stride) + r.nextInt(3);
                for (int t = 0; t < MicroKernel.ROW_TAPS; t++) {
                    taps[i * MicroKernel.ROW_TAPS + t] = rowTaps[i] + t;
                }
            }
            int xAt = r.nextInt(4);
            float[] x = new float[xAt + rowTaps[rows - 1] + 16];
            float[] w = new float[taps.length * lanes + 3];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) r.nextGaussian();
            }
            float[] expected = new float[POSITIONS * lanes + 2], got = new float[POSITIONS * lanes + 2];
            kernel.channelTile(taps.length, w, 3, x, xAt, taps, expected, 2);
            kernel.channelTileRows(rows, w, 3, x, xAt, rowTaps, got, 2);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], got[i], bits + "-bit kernel, element " + i + ", " + rows + " rows");
            }
        });
    }
}

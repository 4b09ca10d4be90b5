package dev.convj.codegen.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The transform matrices compute the correlation they stand for, exactly in double, and any changed entry shows. */
class WinogradTransformTest {

    private static double worstError(WinogradTransform t, long seed) {
        Random r = new Random(seed);
        double worst = 0;
        for (int trial = 0; trial < 100; trial++) {
            double[] d = new double[t.alpha()], g = new double[3];
            for (int i = 0; i < d.length; i++) {
                d[i] = r.nextDouble() * 2 - 1;
            }
            for (int i = 0; i < 3; i++) {
                g[i] = r.nextDouble() * 2 - 1;
            }
            double[] y = t.correlate1d(d, g);
            for (int i = 0; i < t.m(); i++) {
                double direct = d[i] * g[0] + d[i + 1] * g[1] + d[i + 2] * g[2];
                worst = Math.max(worst, Math.abs(y[i] - direct));
            }
        }
        return worst;
    }

    @Test
    void bothTransformsComputeTheCorrelation() {
        assertTrue(worstError(WinogradTransform.F2, 1) < 1e-14, "F(2,3): " + worstError(WinogradTransform.F2, 1));
        assertTrue(worstError(WinogradTransform.F4, 2) < 1e-13, "F(4,3): " + worstError(WinogradTransform.F4, 2));
    }

    @Test
    void changingAnyNonZeroEntryBreaksTheIdentity() {
        for (WinogradTransform t : new WinogradTransform[] {WinogradTransform.F2, WinogradTransform.F4}) {
            for (int which = 0; which < 3; which++) {
                double[][] matrix = which == 0 ? t.bt() : which == 1 ? t.g() : t.at();
                for (int i = 0; i < matrix.length; i++) {
                    for (int j = 0; j < matrix[i].length; j++) {
                        if (matrix[i][j] == 0) {
                            continue;
                        }
                        double[][] changed = copy(matrix);
                        changed[i][j] *= 1.01;
                        WinogradTransform wrong = new WinogradTransform(t.m(), which == 0 ? changed : t.bt(),
                                which == 1 ? changed : t.g(), which == 2 ? changed : t.at());
                        double err = worstError(wrong, 3);
                        assertTrue(err > 1e-4, "F(" + t.m() + ",3) with one entry 1% off: " + err);
                    }
                }
            }
        }
    }

    private static double[][] copy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }

    @Test
    void tilesAndOperationCounts() {
        assertEquals(4, WinogradTransform.F4.tiles(14));
        assertEquals(7, WinogradTransform.F2.tiles(14));
        assertEquals(6, WinogradTransform.F4.alpha());
        // Bᵀ of F(2,3) holds 8 non-zeros: 2 passes × 4 columns × 8
        assertEquals(64, WinogradTransform.F2.inputTransformOps());
    }
}

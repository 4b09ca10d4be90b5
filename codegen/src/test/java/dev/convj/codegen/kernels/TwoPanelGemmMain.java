package dev.convj.codegen.kernels;

import java.util.Random;

/**
 * Checks {@link Gemm#multiply} against products in double over shapes whose row counts end every way a run of panels
 * can (6·k, 6·k + 4, 6·k + 8, …) and depths beyond one block of K, for {@link KernelChoiceTest}'s JVM started with
 * {@code -Dconvj.twoPanels=true}: there the GEMM stacks two panels per tile, which JDK 17's own choice never does.
 * Prints the JVM's setting and "ok", or the first product that differs.
 */
public final class TwoPanelGemmMain {
    private TwoPanelGemmMain() {}

    public static void main(String[] args) {
        System.out.println("twoPanels=" + Gemm.TWO_PANELS + " bits=" + KernelChoice.vectorBits());
        Random r = new Random(3);
        Gemm.Workspace ws = new Gemm.Workspace();
        int[] ms = {1, 6, 10, 12, 14, 16, 18, 20, 24, 30, 32, 36, 64, 100, 130};
        for (int m : ms) {
            for (int[] nk : new int[][] {{Gemm.NR, 7}, {3 * Gemm.NR + 5, 33}, {2 * Gemm.NR, 2 * 384 + 17}}) {
                for (boolean accumulate : new boolean[] {false, true}) {
                    int n = nk[0], k = nk[1];
                    float[] a = random(r, m * k), b = random(r, k * n), c = random(r, m * n);
                    double[] expected = new double[m * n];
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            double s = accumulate ? c[i * n + j] : 0;
                            for (int p = 0; p < k; p++) {
                                s += (double) a[i * k + p] * b[p * n + j];
                            }
                            expected[i * n + j] = s;
                        }
                    }
                    Gemm.multiply(false, false, m, n, k, a, 0, k, b, 0, n, c, 0, n, accumulate, ws);
                    for (int i = 0; i < m * n; i++) {
                        if (Math.abs(c[i] - expected[i]) > 1e-5 * k * (1 + Math.abs(expected[i]))) {
                            System.out.println("FAIL m=" + m + " n=" + n + " k=" + k + " accumulate=" + accumulate
                                    + " at row " + i / n + ", column " + i % n + ": " + c[i] + " against "
                                    + expected[i]);
                            return;
                        }
                    }
                }
            }
        }
        System.out.println("ok");
    }

    private static float[] random(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextFloat() - 0.5f;
        }
        return v;
    }
}

package dev.convj.codegen.kernels;

/**
 * The micro-kernel in plain Java, for JVMs without the Vector API: the JIT vectorizes the inner j loop. B's row p
 * starts at {@code bAt + p · bStride}, or at {@code bAt + rows[rowAt + p]} when a row table is given.
 */
final class ScalarKernel {
    private ScalarKernel() {}

    static void tile(int kc, float[] pa, int aAt, float[] pb, int bAt, int bStride, int[] rows, int rowAt,
                     float[] c, int cAt, int ldc, boolean add, int nr) {
        for (int i = 0; i < Gemm.MR; i++) {
            int row = cAt + i * ldc;
            if (!add) {
                for (int j = 0; j < nr; j++) {
                    c[row + j] = 0f;
                }
            }
            for (int p = 0; p < kc; p++) {
                float a = pa[aAt + p * Gemm.MR + i];
                int bRow = bAt + (rows == null ? p * bStride : rows[rowAt + p]);
                for (int j = 0; j < nr; j++) {
                    c[row + j] += a * pb[bRow + j];
                }
            }
        }
    }

    /** Adds the terms p ∈ [from, k) of {@link Gemm#multiplyRows}'s tile: sums[i · 4 + j] += Σ_p a[ai + p] · b[bj + p]. */
    static void addDots(int from, int k, float[] a, int a0, int a1, int a2, float[] b, int b0, int b1, int b2,
                        int b3, float[] sums) {
        for (int i = 0; i < 3; i++) {
            int ai = i == 0 ? a0 : i == 1 ? a1 : a2;
            for (int j = 0; j < 4; j++) {
                int bj = j == 0 ? b0 : j == 1 ? b1 : j == 2 ? b2 : b3;
                float sum = 0f;
                for (int p = from; p < k; p++) {
                    sum += a[ai + p] * b[bj + p];
                }
                sums[i * 4 + j] += sum;
            }
        }
    }
}

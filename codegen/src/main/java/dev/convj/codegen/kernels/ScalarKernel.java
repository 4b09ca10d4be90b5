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
}

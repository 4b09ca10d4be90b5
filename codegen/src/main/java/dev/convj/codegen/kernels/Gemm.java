package dev.convj.codegen.kernels;

/**
 * Single-precision matrix product C = op(A)·op(B) (+ C), row-major, blocked and packed as in BLIS: B is packed
 * in panels of {@link #NR} columns, A in panels of {@link #MR} rows, and a register-blocked micro-kernel
 * computes each MR×NR tile of C with K innermost. The micro-kernel uses the Vector API when the
 * {@code jdk.incubator.vector} module is present (run with {@code --add-modules jdk.incubator.vector}), else a
 * plain-Java kernel that the JIT auto-vectorizes less well. No allocation: scratch space comes from a
 * {@link Workspace}, one per thread.
 * <p>Exported standalone classes carry this source as a nested class; in their portable form the lines marked
 * {@code portable-drop} are left out and a line marked {@code portable: X} becomes X.
 */
public final class Gemm {
    private Gemm() {}

    /** Rows of A per micro-tile. */
    public static final int MR = 6;
    /** Columns of B per micro-tile: two vectors of the preferred float species, or 16 without the Vector API. */
    public static final int NR = VectorSupport.AVAILABLE ? VectorKernel.NR : 16; // portable: public static final int NR = 16;
    /** Depth of one packed block of K, sized so that a B panel stays in L1 and A's block in L2. */
    static final int KC = 256;
    /** Rows of A per packed block. */
    static final int MC = 96;
    /** Columns of B per packed block. */
    static final int NC = 1024;

    /** Per-thread scratch space for packing and edge tiles. */
    public static final class Workspace {
        final float[] packA = new float[MC * KC];
        final float[] packB = new float[KC * ((NC + NR - 1) / NR) * NR];
        final float[] tile = new float[MR * NR];
    }

    /**
     * C[m×n] = op(A)[m×k] · op(B)[k×n], added to C when {@code accumulate}. op(A) = Aᵀ when {@code transA}, where
     * A is stored row-major from {@code aOff} with leading dimension {@code lda} (likewise B and C).
     */
    public static void multiply(boolean transA, boolean transB, int m, int n, int k,
                                float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                float[] c, int cOff, int ldc, boolean accumulate, Workspace ws) {
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) {
                    java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
                }
            }
            return;
        }
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                boolean add = accumulate || pc > 0;
                packB(transB, kc, nc, b, bOff, ldb, pc, jc, ws.packB);
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic);
                    packA(transA, mc, kc, a, aOff, lda, ic, pc, ws.packA);
                    for (int jr = 0; jr < nc; jr += NR) {
                        int nr = Math.min(NR, nc - jr);
                        int bPanel = (jr / NR) * kc * NR;
                        for (int ir = 0; ir < mc; ir += MR) {
                            int mr = Math.min(MR, mc - ir);
                            int aPanel = (ir / MR) * kc * MR;
                            int cAt = cOff + (ic + ir) * ldc + jc + jr;
                            if (mr == MR && nr == NR) {
                                tile(kc, ws.packA, aPanel, ws.packB, bPanel, c, cAt, ldc, add);
                            } else {
                                edgeTile(kc, ws, aPanel, bPanel, c, cAt, ldc, add, mr, nr);
                            }
                        }
                    }
                }
            }
        }
    }

    private static void tile(int kc, float[] pa, int aAt, float[] pb, int bAt, float[] c, int cAt, int ldc,
                             boolean add) {
        if (VectorSupport.AVAILABLE) { // portable-drop
            VectorKernel.tile(kc, pa, aAt, pb, bAt, c, cAt, ldc, add); // portable-drop
            return; // portable-drop
        } // portable-drop
        ScalarKernel.tile(kc, pa, aAt, pb, bAt, c, cAt, ldc, add, NR);
    }

    /** A partial tile at the right or bottom edge: computed whole into scratch, then the valid part is copied. */
    private static void edgeTile(int kc, Workspace ws, int aAt, int bAt, float[] c, int cAt, int ldc, boolean add,
                                 int mr, int nr) {
        tile(kc, ws.packA, aAt, ws.packB, bAt, ws.tile, 0, NR, false);
        for (int i = 0; i < mr; i++) {
            for (int j = 0; j < nr; j++) {
                float v = ws.tile[i * NR + j];
                c[cAt + i * ldc + j] = add ? c[cAt + i * ldc + j] + v : v;
            }
        }
    }

    /** Packs op(B)[pc:pc+kc, jc:jc+nc] into panels of NR columns, each kc rows deep, zero-padded. */
    private static void packB(boolean transB, int kc, int nc, float[] b, int bOff, int ldb, int pc, int jc,
                              float[] dst) {
        int at = 0;
        for (int j0 = 0; j0 < nc; j0 += NR) {
            int width = Math.min(NR, nc - j0);
            for (int p = 0; p < kc; p++) {
                if (!transB) {
                    int src = bOff + (pc + p) * ldb + jc + j0;
                    System.arraycopy(b, src, dst, at, width);
                } else {
                    int src = bOff + (jc + j0) * ldb + pc + p;
                    for (int j = 0; j < width; j++) {
                        dst[at + j] = b[src + j * ldb];
                    }
                }
                for (int j = width; j < NR; j++) {
                    dst[at + j] = 0f;
                }
                at += NR;
            }
        }
    }

    /** Packs op(A)[ic:ic+mc, pc:pc+kc] into panels of MR rows, each kc columns long, zero-padded. */
    private static void packA(boolean transA, int mc, int kc, float[] a, int aOff, int lda, int ic, int pc,
                              float[] dst) {
        int at = 0;
        for (int i0 = 0; i0 < mc; i0 += MR) {
            int height = Math.min(MR, mc - i0);
            for (int p = 0; p < kc; p++) {
                for (int i = 0; i < height; i++) {
                    int row = ic + i0 + i, col = pc + p;
                    dst[at + i] = transA ? a[aOff + col * lda + row] : a[aOff + row * lda + col];
                }
                for (int i = height; i < MR; i++) {
                    dst[at + i] = 0f;
                }
                at += MR;
            }
        }
    }
}

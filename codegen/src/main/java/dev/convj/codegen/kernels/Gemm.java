package dev.convj.codegen.kernels;

/**
 * Single-precision matrix product C = op(A)·op(B) (+ C), row-major, blocked and packed as in BLIS: B is packed
 * in panels of {@link #NR} columns, A in panels of {@link #MR} rows, and a register-blocked micro-kernel
 * computes each MR×NR tile of C with K innermost. The micro-kernel is the one {@link KernelChoice} found this JVM to
 * compile best: the Vector API at the widest width that runs allocation-free and fastest, else plain Java that the
 * JIT auto-vectorizes less well. No allocation: scratch space comes from a {@link Workspace}, one per thread.
 * <p>Exported standalone classes carry this source as a nested class; in their portable form the lines marked
 * {@code portable-drop} are left out and a line marked {@code portable: X} becomes X.
 */
public final class Gemm {
    private Gemm() {}

    /** Rows of A per micro-tile. */
    public static final int MR = 6;
    /** The micro-kernel in use: a constant, so every call on it is bound statically. */
    static final MicroKernel KERNEL = KernelChoice.kernel(); // portable: static final MicroKernel KERNEL = ScalarKernel.INSTANCE;
    /**
     * Whether full tiles run two panels of A at a time ({@link MicroKernel#tile2}, 2·MR rows): the kernel trial timed
     * that faster than single tiles in this JVM.
     */
    static final boolean TWO_PANELS = KernelChoice.twoPanels(); // portable: static final boolean TWO_PANELS = false;
    /** Columns of B per micro-tile: two vectors of the kernel's width, or 16 for the plain-Java kernel. */
    public static final int NR = KERNEL.columns();
    /** Floats per vector of the kernel (1 for the plain-Java kernel): the epilogues' unit. */
    static final int LANES = Math.max(1, KERNEL.vectorBits() / 32);
    /** Depth of one packed block of K, sized so that a B panel stays in L1 and A's block in L2. */
    static final int KC = 384;
    /**
     * Depth of one block of K in {@link #multiplyImplicit}: deep enough that a 3×3 convolution over 64 channels
     * (K = 576) runs in one block: splitting it is slower, though its B panel then slightly overflows L1.
     */
    public static final int KC_IMPLICIT = 768;
    /** Rows of A per packed block. */
    static final int MC = 96;
    /** Columns of B per packed block. */
    static final int NC = 1024;

    /** Per-thread scratch space for packing and edge tiles. */
    public static final class Workspace {
        final float[] packA = new float[MC * KC];
        final float[] packB = new float[KC * ((NC + NR - 1) / NR) * NR];
        final float[] tile = new float[MR * NR];
        final float[] dots = new float[MicroKernel.DOTS_FLOATS];
    }

    /** Rows of A and rows of B per tile of {@link #multiplyRows}: 12 vector sums, held in registers. */
    public static final int DOT_ROWS_A = 3;
    public static final int DOT_ROWS_B = 4;

    /**
     * C[m×n] = op(A)[m×k] · op(B)[k×n], added to C when {@code accumulate}. op(A) = Aᵀ when {@code transA}, where
     * A is stored row-major from {@code aOff} with leading dimension {@code lda} (likewise B and C).
     */
    public static void multiply(boolean transA, boolean transB, int m, int n, int k,
                                float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                float[] c, int cOff, int ldc, boolean accumulate, Workspace ws) {
        run(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, false, c, cOff, ldc, accumulate, ws);
    }

    /**
     * As {@link #multiply}, with B already packed by the caller in panels of NR columns: element (row p, column j)
     * at {@code bOff + (j / NR) · k · NR + p · NR + j % NR} (see {@link #packedSize}). Generated im2col code writes
     * this layout directly, saving a copy of the column matrix; columns past n in the last panel are ignored.
     */
    public static void multiplyPacked(boolean transA, int m, int n, int k, float[] a, int aOff, int lda,
                                      float[] packedB, int bOff, float[] c, int cOff, int ldc, boolean accumulate,
                                      Workspace ws) {
        run(transA, false, m, n, k, a, aOff, lda, packedB, bOff, 0, true, c, cOff, ldc, accumulate, ws);
    }

    /** Rows of a panel {@link #packTransposedPanels} writes at a time: 8 KB of a 32-column panel. */
    static final int TRANSPOSE_BLOCK = 64;

    /**
     * Packs panels [panelFrom, panelTo) of B = bᵀ for {@link #multiplyPacked}, where b is n×k row-major from
     * {@code bOff} (leading dimension {@code ldb}): B[p][j] = b[j][p], e.g. a dense layer's weights [out, in] as the
     * [in × out] operand of y = x·wᵀ. Each row of b is read once, in runs of {@link #TRANSPOSE_BLOCK}; columns past n
     * are zeros. Packing the weights once per call, shared by every thread, replaces a strided transposing copy per
     * thread and block.
     */
    public static void packTransposedPanels(int k, int n, float[] b, int bOff, int ldb, int panelFrom, int panelTo,
                                            float[] dst, int dstOff) {
        // Blocks of TRANSPOSE_BLOCK rows of the panel: its NR·TRANSPOSE_BLOCK floats stay in L1 while each column is
        // written down them. Column by column over the whole panel (400 KB for the small VGG's fc1) every store
        // reached for a line evicted since the column before: 0.81 ms a step for fc1's 3136×256, 0.63 in blocks (one
        // thread, AVX-512 Zen 5).
        for (int panel = panelFrom; panel < panelTo; panel++) {
            int at = dstOff + panel * k * NR;
            for (int p0 = 0; p0 < k; p0 += TRANSPOSE_BLOCK) {
                int p1 = Math.min(p0 + TRANSPOSE_BLOCK, k);
                for (int jj = 0; jj < NR; jj++) {
                    int j = panel * NR + jj;
                    if (j < n) {
                        int src = bOff + j * ldb;
                        for (int p = p0; p < p1; p++) {
                            dst[at + p * NR + jj] = b[src + p];
                        }
                    } else {
                        for (int p = p0; p < p1; p++) {
                            dst[at + p * NR + jj] = 0f;
                        }
                    }
                }
            }
        }
    }

    /**
     * {@link #packTransposedPanels} of all of B's panels, its columns below n only: the panels' columns past n keep
     * what they hold, so a caller packing one image after another zeroes them once (a gathered weight gradient's dy:
     * LeNet-5's 16 channels in AVX-512's 32-column panels, where writing the zeros per image doubled the stores). Four
     * rows of a panel at a time, so each of b's rows is read in runs of four.
     */
    public static void packTransposedColumns(int k, int n, float[] b, int bOff, int ldb, float[] dst, int dstOff) {
        for (int j0 = 0, at = dstOff; j0 < n; j0 += NR, at += k * NR) {
            int width = Math.min(NR, n - j0), src = bOff + j0 * ldb, p = 0;
            for (; p + 4 <= k; p += 4) {
                int row = at + p * NR;
                for (int j = 0; j < width; j++) {
                    int from = src + j * ldb + p;
                    float b0 = b[from], b1 = b[from + 1], b2 = b[from + 2], b3 = b[from + 3];
                    dst[row + j] = b0;
                    dst[row + NR + j] = b1;
                    dst[row + 2 * NR + j] = b2;
                    dst[row + 3 * NR + j] = b3;
                }
            }
            for (; p < k; p++) {
                for (int j = 0; j < width; j++) {
                    dst[at + p * NR + j] = b[src + j * ldb + p];
                }
            }
        }
    }

    /**
     * Packs panels [panelFrom, panelTo) of B for {@link #multiplyPacked}, where B is k×n row-major from {@code bOff}
     * (leading dimension {@code ldb}), e.g. a dense layer's weights [out, in] as the B of dx = dy·w: each row's NR
     * columns of a panel copied whole; columns past n are zeros.
     */
    public static void packPanels(int k, int n, float[] b, int bOff, int ldb, int panelFrom, int panelTo,
                                  float[] dst, int dstOff) {
        for (int panel = panelFrom; panel < panelTo; panel++) {
            int at = dstOff + panel * k * NR, j0 = panel * NR, width = Math.min(NR, n - j0);
            if (width < NR) {
                java.util.Arrays.fill(dst, at, at + k * NR, 0f);
            }
            // one call for the panel's k rows: a call per row of NR floats cost more than the copying
            copyRows(b, bOff + j0, ldb, dst, at, NR, k, width);
        }
    }

    /** Output channels per {@link #convChannelRows} vector: the kernel's lanes (half of NR). */
    public static final int CHANNEL_LANES = NR / 2;
    /** Positions per tile of {@link #convChannelRows}. */
    public static final int CHANNEL_POSITIONS = MicroKernel.CHANNEL_POSITIONS;

    /**
     * Packs filters w[o][k] (row-major from wAt, o ≤ {@link #CHANNEL_LANES}) as [k][lanes] for
     * {@link #convChannelRows}: dst[dstAt + p·lanes + j] = w[wAt + j·k + p], zero for j ≥ o.
     */
    public static void packChannels(int o, int k, float[] w, int wAt, float[] dst, int dstAt) {
        if (o > CHANNEL_LANES) {
            throw new IllegalArgumentException(o + " output channels do not fit one vector of " + CHANNEL_LANES);
        }
        for (int p = 0; p < k; p++) {
            for (int j = 0; j < CHANNEL_LANES; j++) {
                dst[dstAt + p * CHANNEL_LANES + j] = j < o ? w[wAt + j * k + p] : 0f;
            }
        }
    }

    /**
     * A stride-1 convolution with the output channels in the vector lanes: for each of {@code rows} output rows, the
     * {@code cols} positions starting at xAt + row·rowStride of a zero-padded image (read through the taps), in tiles
     * of {@link #CHANNEL_POSITIONS}; out[outAt + (row·cols + c)·lanes + j] for output channel j. A row of fewer
     * than 12 positions computes 12, the extra ones written into the next row's place before that row is (or, after
     * the last row, into 12·lanes floats of slack); a longer row's last tile overlaps the one before it. With
     * {@code rowTaps} (a 5-wide kernel at dilation 1: the offset of each kernel row's first tap, taps[5r]) the tiles
     * may go by kernel rows, the same sums in the same order.
     */
    public static void convChannelRows(int k, float[] packedW, int wAt, float[] x, int xAt, int[] taps, int[] rowTaps,
                                       int rows, int rowStride, int cols, float[] out, int outAt) {
        int last = Math.max(0, cols - CHANNEL_POSITIONS);
        boolean byKernelRows = rowTaps != null && BY_KERNEL_ROWS;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; ; c = Math.min(c + CHANNEL_POSITIONS, last)) {
                int at = xAt + r * rowStride + c, to = outAt + (r * cols + c) * CHANNEL_LANES;
                if (byKernelRows) {
                    KERNEL.channelTileRows(k / KERNEL_ROW_TAPS, packedW, wAt, x, at, rowTaps, out, to);
                } else {
                    KERNEL.channelTile(k, packedW, wAt, x, at, taps, out, to);
                }
                if (c == last) {
                    break;
                }
            }
        }
    }

    /** Taps per kernel row that {@link #convChannelRows} can take by kernel rows: kernels 5 wide. */
    public static final int KERNEL_ROW_TAPS = MicroKernel.ROW_TAPS;

    /**
     * Whether tiles go by kernel rows ({@link MicroKernel#channelTileRows}) when given them: its 18 live vectors fit
     * AVX-512's 32 registers (with 16 they would spill, so there the taps go one at a time). {@code
     * -Dconvj.kernelRows=true|false} overrides.
     */
    private static final boolean BY_KERNEL_ROWS = VectorSupport.kernelRows(); // portable: private static final boolean BY_KERNEL_ROWS = false;

    /** Floats needed for a k×n matrix packed in panels of NR columns. */
    public static int packedSize(int k, int n) {
        return (n + NR - 1) / NR * NR * k;
    }

    /**
     * C[m×n] = A[m×k] · B (+ C when {@code accumulate}) where B is the column matrix of a stride-1 convolution
     * read in place from its (zero-padded) image: B[p][j] = src[srcOff + taps[p] + j], j running over the padded
     * image's positions ("implicit im2col": no column matrix is written). A comes packed by {@link #packA} (the
     * filters, packed once for all images). Reads reach up to NR − 1 floats past column n − 1 of the last row
     * (tile columns past n are computed in scratch and dropped), so src must hold
     * {@code srcOff + max(taps) + roundUp(n, NR)} floats.
     */
    public static void multiplyImplicit(int m, int n, int k, float[] packedA, int aOff, float[] src, int srcOff,
                                        int[] taps, float[] c, int cOff, int ldc, boolean accumulate, Workspace ws) {
        int kStep = kStep(k, KC_IMPLICIT), mPad = packedRows(m);
        for (int pc = 0; pc < k; pc += kStep) {
            int kc = Math.min(kStep, k - pc);
            boolean add = accumulate || pc > 0;
            for (int ic = 0; ic < m; ic += MC) {
                int mc = Math.min(MC, m - ic), aAt = aOff + pc * mPad + ic * kc;
                for (int jr = 0; jr < n; jr += NR) {
                    int nr = Math.min(NR, n - jr), cAt = cOff + ic * ldc + jr;
                    if (mc <= 4 * MR) {
                        tiles(mc, nr, kc, ws, packedA, aAt, src, srcOff + jr, 0, taps, pc, c, cAt, ldc, add);
                    } else {
                        // Many row tiles reuse this panel: copy its rows once into L1 rather than read them from
                        // the image (in L2) once per tile.
                        packShifted(kc, src, srcOff + jr, taps, pc, ws.packB);
                        tiles(mc, nr, kc, ws, packedA, aAt, ws.packB, 0, NR, null, 0, c, cAt, ldc, add);
                    }
                }
            }
        }
    }

    /**
     * As {@link #multiplyImplicit} (C is overwritten), for a B of which most rows are zero for most columns: the
     * zero-padded dy of a transposed convolution, whose top and bottom padding rows only meet some rows of the
     * kernel. Column j of B lies in row j / rowLength of the output grid, and for the columns of grid row i only rows
     * [rowFrom[i], rowTo[i]) of B (of K) can be non-zero; each tile multiplies only the rows its columns can see.
     * K must fit one block ({@code k ≤ KC_IMPLICIT}), as A is then packed.
     */
    public static void multiplyImplicitBanded(int m, int n, int k, float[] packedA, int aOff, float[] src,
                                              int srcOff, int[] taps, int rowLength, int[] rowFrom, int[] rowTo,
                                              float[] c, int cOff, int ldc, Workspace ws) {
        if (k > KC_IMPLICIT) {
            throw new IllegalArgumentException("a banded implicit GEMM takes K ≤ " + KC_IMPLICIT + ", got " + k);
        }
        for (int ic = 0; ic < m; ic += MC) {
            int mc = Math.min(MC, m - ic), aAt = aOff + ic * k;
            for (int jr = 0; jr < n; jr += NR) {
                int nr = Math.min(NR, n - jr), cAt = cOff + ic * ldc + jr;
                long band = band(jr, nr, rowLength, rowFrom, rowTo);
                int k0 = (int) (band >>> 32), kc = (int) band;
                // the A panels stay k·MR apart; the band starts k0 rows into each
                if (mc <= 4 * MR) {
                    tiles(mc, nr, kc, k, ws, packedA, aAt + k0 * MR, src, srcOff + jr, 0, taps, k0, c, cAt, ldc,
                            false);
                } else {
                    packShifted(kc, src, srcOff + jr, taps, k0, ws.packB);
                    tiles(mc, nr, kc, k, ws, packedA, aAt + k0 * MR, ws.packB, 0, NR, null, 0, c, cAt, ldc, false);
                }
            }
        }
    }

    /** Multiply-adds per row of C that {@link #multiplyImplicitBanded} does for these bands. */
    public static long bandedMultiplyAdds(int n, int rowLength, int[] rowFrom, int[] rowTo) {
        long sum = 0;
        for (int jr = 0; jr < n; jr += NR) {
            int nr = Math.min(NR, n - jr);
            sum += (long) nr * (int) band(jr, nr, rowLength, rowFrom, rowTo);
        }
        return sum;
    }

    /** The rows of K that columns [jr, jr + nr) see: the union of their grid rows' bands, as first << 32 | count. */
    private static long band(int jr, int nr, int rowLength, int[] rowFrom, int[] rowTo) {
        int first = jr / rowLength, last = (jr + nr - 1) / rowLength;
        int k0 = rowFrom[first], k1 = rowTo[first];
        for (int i = first + 1; i <= last; i++) {
            k0 = Math.min(k0, rowFrom[i]);
            k1 = Math.max(k1, rowTo[i]);
        }
        return (long) k0 << 32 | Math.max(0, k1 - k0);
    }

    /**
     * C[m×n] = A[m×k] · B (+ C when {@code accumulate}) with A packed by {@link #packA} and B read in place, row p
     * at {@code bOff + p · ldb}: no copy of B, whose rows may overlap. This is one tap of a stride-1 convolution's
     * weight gradient over a channels-last image (B's row p is position p + tap, its columns the channels), the
     * packed A (dy) shared by every tap. Only a last partial panel of B is copied, zero-padded.
     */
    public static void multiplyStrided(int m, int n, int k, float[] packedA, int aOff, float[] b, int bOff, int ldb,
                                       float[] c, int cOff, int ldc, boolean accumulate, Workspace ws) {
        if (k == 0) {
            run(false, false, m, n, 0, packedA, aOff, 0, b, bOff, ldb, false, c, cOff, ldc, accumulate, ws);
            return;
        }
        int kStep = kStep(k, KC_IMPLICIT), mPad = packedRows(m);
        for (int pc = 0; pc < k; pc += kStep) {
            int kc = Math.min(kStep, k - pc);
            boolean add = accumulate || pc > 0;
            for (int jr = 0; jr < n; jr += NR) {
                int nr = Math.min(NR, n - jr);
                float[] pb = b;
                int bAt = bOff + pc * ldb + jr, bStride = ldb;
                if (nr < NR) {
                    packB(false, kc, nr, b, bOff, ldb, pc, jr, ws.packB);
                    pb = ws.packB;
                    bAt = 0;
                    bStride = NR;
                }
                for (int ic = 0; ic < m; ic += MC) {
                    tiles(Math.min(MC, m - ic), nr, kc, ws, packedA, aOff + pc * mPad + ic * kc, pb, bAt, bStride,
                            null, 0, c, cOff + ic * ldc + jr, ldc, add);
                }
            }
        }
    }

    /**
     * C[i][j] += Σ_p A[aOff + i·lda + p] · B[bOff + rows[j] + p] for p < k, i < m, j < n: each element of C the dot
     * product of a row of A with a row of B that a table places. This is a stride-1 convolution's weight gradient
     * read in place: A is dy spread over the padded image's grid (zeros where a padded row holds no output), and
     * row (c, t) of B is the padded image shifted by tap t's offset — no column matrix is written. Tiles of
     * {@link #DOT_ROWS_A} rows of A by {@link #DOT_ROWS_B} of B; a partial tile repeats its last row, and the
     * repeats are dropped. Fastest when k is a multiple of the vector length (pad A's rows with zeros).
     */
    public static void multiplyRows(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff,
                                    int[] rows, float[] c, int cOff, int ldc, Workspace ws) {
        float[] sums = ws.dots;
        for (int j0 = 0; j0 < n; j0 += DOT_ROWS_B) {
            int nb = Math.min(DOT_ROWS_B, n - j0);
            int b0 = bOff + rows[j0], b1 = bOff + rows[j0 + Math.min(1, nb - 1)];
            int b2 = bOff + rows[j0 + Math.min(2, nb - 1)], b3 = bOff + rows[j0 + nb - 1];
            for (int i0 = 0; i0 < m; i0 += DOT_ROWS_A) {
                int mb = Math.min(DOT_ROWS_A, m - i0);
                int a0 = aOff + i0 * lda, a1 = a0 + Math.min(1, mb - 1) * lda, a2 = a0 + (mb - 1) * lda;
                dots(k, a, a0, a1, a2, b, b0, b1, b2, b3, sums);
                for (int i = 0; i < mb; i++) {
                    int row = cOff + (i0 + i) * ldc + j0;
                    for (int j = 0; j < nb; j++) {
                        c[row + j] += sums[i * DOT_ROWS_B + j];
                    }
                }
            }
        }
    }

    /**
     * {@link #multiplyRows} for sums that go on over many calls (one per image): each C[i][j] is kept as
     * {@link #CHANNEL_LANES} partial sums in {@code lanes} from lanesAt ({@link #lanesSize} floats, zeroed before the
     * first call), added up once by {@link #sumLanes}. The dot products' lanes are then added into memory after each
     * call instead of across (LeNet-5's conv1 weight gradient spent a tenth of its time adding lanes). Tiles of
     * {@link #DOT_ROWS_A} by {@link #DOT_ROWS_B}, each tile's twelve sums together; a partial tile's repeated rows land
     * in sums that sumLanes skips.
     */
    public static void multiplyRowsInLanes(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff,
                                           int[] rows, float[] lanes, int lanesAt, Workspace ws) {
        int kv = k - k % CHANNEL_LANES, tile = DOT_ROWS_A * DOT_ROWS_B * CHANNEL_LANES, tilesA = tilesOf(m, DOT_ROWS_A);
        for (int j0 = 0; j0 < n; j0 += DOT_ROWS_B) {
            int nb = Math.min(DOT_ROWS_B, n - j0);
            int b0 = bOff + rows[j0], b1 = bOff + rows[j0 + Math.min(1, nb - 1)];
            int b2 = bOff + rows[j0 + Math.min(2, nb - 1)], b3 = bOff + rows[j0 + nb - 1];
            for (int i0 = 0; i0 < m; i0 += DOT_ROWS_A) {
                int mb = Math.min(DOT_ROWS_A, m - i0);
                int a0 = aOff + i0 * lda, a1 = a0 + Math.min(1, mb - 1) * lda, a2 = a0 + (mb - 1) * lda;
                int at = lanesAt + (j0 / DOT_ROWS_B * tilesA + i0 / DOT_ROWS_A) * tile;
                KERNEL.dotLanes(kv, a, a0, a1, a2, b, b0, b1, b2, b3, lanes, at);
                if (kv < k) { // the terms past the last whole vector, into lane 0
                    float[] tail = ws.dots;
                    java.util.Arrays.fill(tail, 0, DOT_ROWS_A * DOT_ROWS_B, 0f);
                    ScalarKernel.addDots(kv, k, a, a0, a1, a2, b, b0, b1, b2, b3, tail);
                    for (int s = 0; s < DOT_ROWS_A * DOT_ROWS_B; s++) {
                        lanes[at + s * CHANNEL_LANES] += tail[s];
                    }
                }
            }
        }
    }

    /** Floats of the lanes {@link #multiplyRowsInLanes} keeps for an m×n C. */
    public static int lanesSize(int m, int n) {
        return tilesOf(m, DOT_ROWS_A) * tilesOf(n, DOT_ROWS_B) * DOT_ROWS_A * DOT_ROWS_B * CHANNEL_LANES;
    }

    /** C[i][j] += the sum of {@link #multiplyRowsInLanes}'s lanes for it, in lane order. */
    public static void sumLanes(int m, int n, float[] lanes, int lanesAt, float[] c, int cOff, int ldc) {
        int tile = DOT_ROWS_A * DOT_ROWS_B * CHANNEL_LANES, tilesA = tilesOf(m, DOT_ROWS_A);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                int at = lanesAt + (j / DOT_ROWS_B * tilesA + i / DOT_ROWS_A) * tile
                        + (i % DOT_ROWS_A * DOT_ROWS_B + j % DOT_ROWS_B) * CHANNEL_LANES;
                float sum = lanes[at];
                for (int l = 1; l < CHANNEL_LANES; l++) {
                    sum += lanes[at + l];
                }
                c[cOff + i * ldc + j] += sum;
            }
        }
    }

    private static int tilesOf(int size, int tile) {
        return (size + tile - 1) / tile;
    }

    /**
     * C[m×n] (+= when add) = A·B with A read from an image through two offset tables, A[i][p] = x[xAt + rows[i] +
     * steps[stepAt + p]], and B packed in panels of NR columns, panel j at bOff + j·k·NR (as
     * {@link #packTransposedPanels} writes it). m is whole tiles of {@link #gatherRows}(n) rows (pad rows by repeating
     * a valid offset) and C holds whole panels (ldc ≥ n rounded up to NR): the tiles are written whole. Each B panel
     * serves every tile of rows while it is in L1. A C of one vector of columns or fewer takes the narrow tiles of
     * twelve rows by one vector, whose lanes it fills.
     */
    public static void multiplyGathered(int m, int n, int k, float[] x, int xAt, int[] rows, int[] steps, int stepAt,
                                        float[] packedB, int bOff, float[] c, int cOff, int ldc, boolean add) {
        int tileRows = gatherRows(n);
        if (m % tileRows != 0 || rows.length < m || ldc < (n + NR - 1) / NR * NR) {
            throw new IllegalArgumentException("a gathered GEMM needs whole tiles: m = " + m + " (rows " + rows.length
                    + "), n = " + n + ", ldc = " + ldc + " with tiles of " + tileRows + "×" + NR);
        }
        boolean narrow = tileRows == MicroKernel.NARROW_ROWS;
        for (int j0 = 0, panel = 0; j0 < n; j0 += NR, panel++) {
            for (int p0 = 0; p0 < k; p0 += KC_GATHER) {
                int kc = Math.min(KC_GATHER, k - p0), bAt = bOff + panel * k * NR + p0 * NR;
                boolean adds = add || p0 > 0;
                for (int i0 = 0; i0 < m; i0 += tileRows) {
                    int cAt = cOff + i0 * ldc + j0;
                    if (narrow) {
                        KERNEL.gatherTileNarrow(kc, x, xAt, rows, i0, steps, stepAt + p0, packedB, bAt, c, cAt, ldc,
                                adds ? c : MicroKernel.ZEROS, adds ? cAt : 0, adds ? ldc : 0);
                    } else {
                        KERNEL.gatherTile(kc, x, xAt, rows, i0, steps, stepAt + p0, packedB, bAt, c, cAt, ldc,
                                adds ? c : MicroKernel.ZEROS, adds ? cAt : 0, adds ? ldc : 0);
                    }
                }
            }
        }
    }

    /**
     * Rows per tile of {@link #multiplyGathered} for n columns of C: {@link MicroKernel#NARROW_ROWS} when n fits one
     * vector (the narrow tile), else {@link #MR}. Its callers pad their row tables to a multiple of this.
     */
    public static int gatherRows(int n) {
        return n <= CHANNEL_LANES ? MicroKernel.NARROW_ROWS : MR;
    }

    /**
     * A weight gradient's dwᵀ (+=) two kernel rows at a time by {@link MicroKernel#kernelRowsTile}: kernel row k's
     * {@link #KERNEL_ROW_TAPS} taps are C's rows [5k, 5k + 5) (ldc apart, one vector of output channels each), its
     * first tap at x[xAt + rowTaps[k]], output row i's first position at rowStarts[i], B packed as
     * {@link #multiplyGathered} takes it (row i·outCols + j for output position (i, j)). An odd last row is paired
     * with itself, the copy's sums going to C's rows [5·kernelRows, 5·kernelRows + 5), which C must hold. Only where
     * {@link #kernelRowsWeightGradient} says so.
     */
    public static void multiplyKernelRows(int kernelRows, int outRows, int outCols, float[] x, int xAt, int[] rowTaps,
                                          int[] rowStarts, float[] packedB, int bOff, float[] c, int cOff, int ldc) {
        for (int k = 0; k < kernelRows; k += 2) {
            int rowA = xAt + rowTaps[k], rowB = xAt + rowTaps[Math.min(k + 1, kernelRows - 1)];
            int cAt = cOff + k * KERNEL_ROW_TAPS * ldc;
            for (int i = 0; i < outRows; i += 2) {
                int second = Math.min(i + 1, outRows - 1);
                KERNEL.kernelRowsTile(outCols, x, rowA + rowStarts[i], rowB + rowStarts[i], rowA + rowStarts[second],
                        rowB + rowStarts[second], i + 1 < outRows ? outCols : 0, packedB, bOff + i * outCols * NR, c,
                        cAt, ldc);
            }
        }
    }

    /**
     * Whether a weight gradient goes by {@link #multiplyKernelRows}: kernels {@link #KERNEL_ROW_TAPS} wide at unit
     * stride and dilation across, output channels in one vector, and the registers for its 21 live vectors (as
     * {@link #convChannelRows}'s kernel rows).
     */
    public static boolean kernelRowsWeightGradient(int kernelWidth, int strideAcross, int dilationAcross, int channels) {
        return BY_KERNEL_ROWS && kernelWidth == KERNEL_ROW_TAPS && strideAcross == 1 && dilationAcross == 1
                && channels <= CHANNEL_LANES;
    }

    /** Depth of one block of K in {@link #multiplyGathered}: its slice of a B panel, 16 KB, stays in L1. */
    static final int KC_GATHER = 4096 / NR;

    private static void dots(int k, float[] a, int a0, int a1, int a2, float[] b, int b0, int b1, int b2, int b3,
                             float[] sums) {
        KERNEL.dots(k, a, a0, a1, a2, b, b0, b1, b2, b3, sums);
    }

    /**
     * dst[dstOff + i] = src[srcOff + i] + bias for i < n, then ReLU'd ({@code v < 0 ? 0 : v}, so NaN and −0 stay) when
     * {@code relu}: a GEMM result's valid positions copied out with the bias and a fused ReLU. Vectorized here
     * because the JIT does not vectorize the generated code's branch-free scalar ReLU. src and dst must not share
     * memory.
     */
    public static void copyOut(float[] src, int srcOff, float[] dst, int dstOff, int n, float bias, boolean relu) {
        // rows shorter than a vector stay here, so that the kernel decides nothing per call (MicroKernel#reluFloor)
        if (n >= LANES) {
            KERNEL.copyOutRows(src, srcOff, n, dst, dstOff, n, 1, n, bias, MicroKernel.reluFloor(relu));
            return;
        }
        for (int i = 0; i < n; i++) {
            float v = src[srcOff + i] + bias;
            dst[dstOff + i] = relu && v < 0f ? 0f : v;
        }
    }

    /**
     * rows rows of n floats, bit for bit: row r from src[srcOff + r·srcStride] to dst[dstOff + r·dstStride]; src and
     * dst must not share memory. One kernel call for all rows where a row holds a vector.
     */
    public static void copyRows(float[] src, int srcOff, int srcStride, float[] dst, int dstOff, int dstStride,
                                int rows, int n) {
        if (srcStride == n && dstStride == n) {
            System.arraycopy(src, srcOff, dst, dstOff, rows * n); // the rows lie end to end on both sides
        } else if (n >= LANES) {
            KERNEL.copyRows(src, srcOff, srcStride, dst, dstOff, dstStride, rows, n);
        } else {
            for (int r = 0; r < rows; r++) {
                System.arraycopy(src, srcOff + r * srcStride, dst, dstOff + r * dstStride, n);
            }
        }
    }

    /**
     * {@link #copyOut} for {@code rows} rows of n: row r from src[srcOff + r·srcStride] to dst[dstOff + r·dstStride].
     */
    public static void copyOutRows(float[] src, int srcOff, int srcStride, float[] dst, int dstOff, int dstStride,
                                   int rows, int n, float bias, boolean relu) {
        if (n >= LANES) {
            KERNEL.copyOutRows(src, srcOff, srcStride, dst, dstOff, dstStride, rows, n, bias,
                    MicroKernel.reluFloor(relu));
        } else {
            for (int r = 0; r < rows; r++) {
                copyOut(src, srcOff + r * srcStride, dst, dstOff + r * dstStride, n, bias, relu);
            }
        }
    }

    /**
     * A position-major result (src[srcAt + p·ldc + c] for p &lt; positions, c &lt; channels) into channel planes,
     * dst[dstAt + c·positions + p] = src + bias[biasAt + c] (when bias is not null), then 0 where below 0 (when relu):
     * the epilogue of a convolution whose GEMM put the channels in the vector lanes. The bias and ReLU run in place in
     * src, a vector of channels at a time, then a plain transpose moves the values (the former loop did all three a
     * strided float at a time: 969–999 µs against 92–125 for LeNet-5's conv2 over 64 images). Gathering a vector of
     * one channel's positions instead ran no faster, and on JDK 17 a third of the JVMs ran it four times slower.
     */
    public static void positionsToPlanes(float[] src, int srcAt, int positions, int ldc, int channels, float[] bias,
                                         int biasAt, boolean relu, float[] dst, int dstAt) {
        int lanes = LANES, vectors = (channels + lanes - 1) / lanes;
        boolean whole = vectors * lanes <= ldc && (bias == null || biasAt + vectors * lanes <= bias.length);
        if (bias != null || relu) {
            float[] addend = MicroKernel.biasOrNone(bias);
            int addendAt = bias == null ? 0 : biasAt;
            float floor = MicroKernel.reluFloor(relu);
            if (whole) {
                KERNEL.activateChannels(src, srcAt, positions, ldc, vectors, addend, addendAt, bias == null ? 0 : lanes,
                        floor);
            } else {
                ScalarKernel.INSTANCE.activateChannels(src, srcAt, positions, ldc, channels, addend, addendAt,
                        bias == null ? 0 : 1, floor);
            }
        }
        for (int c = 0; c < channels; c++) {
            for (int p = 0, out = dstAt + c * positions, in = srcAt + c; p < positions; p++, in += ldc) {
                dst[out + p] = src[in];
            }
        }
    }

    /** {@link MicroKernel#sumRuns} with the chosen kernel: one channel's bias gradient. */
    public static float sumRuns(float[] x, int at, int run, int count, int stride) {
        return KERNEL.sumRuns(x, at, run, count, stride);
    }

    /**
     * Packs A[m×k] (row-major from {@code aOff}, leading dimension {@code lda}) for {@link #multiplyImplicit}: for
     * each block of K, panels of MR rows (zero-padded) — {@link #packedASize} floats from {@code dstOff}.
     */
    public static void packA(int m, int k, float[] a, int aOff, int lda, float[] dst, int dstOff) {
        packABlocks(false, m, k, a, aOff, lda, dst, dstOff);
    }

    /**
     * As {@link #packA}, for A = aᵀ: A[i][p] = a[aOff + p · lda + i], e.g. filters [o, (c, t)] packed as the
     * [(c, t), o] operand of a transposed convolution's column-matrix GEMM.
     */
    public static void packATransposed(int m, int k, float[] a, int aOff, int lda, float[] dst, int dstOff) {
        packABlocks(true, m, k, a, aOff, lda, dst, dstOff);
    }

    /** The whole of op(A) in the layout of {@link #packA}: per block of K, per block of MC rows. */
    private static void packABlocks(boolean transA, int m, int k, float[] a, int aOff, int lda, float[] dst,
                                    int dstOff) {
        int kStep = kStep(k, KC_IMPLICIT), mPad = packedRows(m);
        for (int pc = 0; pc < k; pc += kStep) {
            int kc = Math.min(kStep, k - pc);
            for (int ic = 0; ic < m; ic += MC) {
                packA(transA, Math.min(MC, m - ic), kc, a, aOff, lda, ic, pc, dst, dstOff + pc * mPad + ic * kc);
            }
        }
    }

    /** Floats of A[m×k] packed by {@link #packA}. */
    public static int packedASize(int m, int k) {
        return packedRows(m) * k;
    }

    private static int packedRows(int m) {
        return (m + MR - 1) / MR * MR;
    }

    /** Blocks of K of near-equal depth: 288 → 2 × 144 rather than 256 + 32. */
    private static int kStep(int k, int kc) {
        int kBlocks = (k + kc - 1) / kc;
        return (k + kBlocks - 1) / kBlocks;
    }

    private static void run(boolean transA, boolean transB, int m, int n, int k,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb, boolean prepacked,
                            float[] c, int cOff, int ldc, boolean accumulate, Workspace ws) {
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) {
                    java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
                }
            }
            return;
        }
        int kStep = kStep(k, KC);
        // With few rows of A, each element of B is used only a few times: reading B in place beats packing it.
        boolean direct = !prepacked && !transB && m <= 4 * MR;
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += kStep) {
                int kc = Math.min(kStep, k - pc);
                boolean add = accumulate || pc > 0;
                if (!prepacked && !direct) {
                    packB(transB, kc, nc, b, bOff, ldb, pc, jc, ws.packB);
                }
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic);
                    int aAt = aOff + pc * lda + ic;
                    // Aᵀ read in place where at most four column panels would share its packed copy: packing reads
                    // and writes A once, the kernel then reads it per panel; the tiles' MR-wide reads must stay in a
                    // (a short last panel reads past the valid rows; those rows are computed and dropped)
                    boolean unpacked = transA && !TWO_PANELS && nc <= 4 * NR
                            && aAt + (kc - 1) * lda + (mc + MR - 1) / MR * MR <= a.length;
                    if (!unpacked) {
                        packA(transA, mc, kc, a, aOff, lda, ic, pc, ws.packA, 0);
                    }
                    for (int jr = 0; jr < nc; jr += NR) {
                        int nr = Math.min(NR, nc - jr);
                        float[] pb;
                        int bPanel, bStride;
                        if (prepacked) {
                            pb = b;
                            bPanel = bOff + (jc + jr) / NR * k * NR + pc * NR;
                            bStride = NR;
                        } else if (!direct) {
                            pb = ws.packB;
                            bPanel = (jr / NR) * kc * NR;
                            bStride = NR;
                        } else if (nr == NR) {
                            pb = b;
                            bPanel = bOff + pc * ldb + jc + jr;
                            bStride = ldb;
                        } else {
                            // The last, partial panel is packed with zeros so the kernel never reads past B.
                            packB(false, kc, nr, b, bOff, ldb, pc, jc + jr, ws.packB);
                            pb = ws.packB;
                            bPanel = 0;
                            bStride = NR;
                        }
                        if (unpacked) {
                            unpackedTiles(mc, nr, kc, a, aAt, lda, pb, bPanel, bStride, ws.tile,
                                    c, cOff + ic * ldc + jc + jr, ldc, add);
                        } else {
                            tiles(mc, nr, kc, ws, ws.packA, 0, pb, bPanel, bStride, null, 0, c,
                                    cOff + ic * ldc + jc + jr, ldc, add);
                        }
                    }
                }
            }
        }
    }

    /**
     * One column panel of C with A read in place ({@link MicroKernel#tileUnpackedA}): tiles of MR rows, the short last
     * one and those of a partial panel computed whole into scratch and their valid part copied.
     */
    private static void unpackedTiles(int mc, int nr, int kc, float[] a, int aAt, int lda, float[] pb, int bAt,
                                      int bStride, float[] scratch, float[] c, int cAt, int ldc, boolean add) {
        for (int ir = 0; ir < mc; ir += MR) {
            int mr = Math.min(MR, mc - ir);
            if (mr == MR && nr == NR) {
                int cTile = cAt + ir * ldc;
                KERNEL.tileUnpackedA(kc, a, aAt + ir, lda, pb, bAt, bStride, c, cTile, ldc,
                        add ? c : MicroKernel.ZEROS, add ? cTile : 0, add ? ldc : 0);
            } else {
                KERNEL.tileUnpackedA(kc, a, aAt + ir, lda, pb, bAt, bStride, scratch, 0, NR, MicroKernel.ZEROS, 0,
                        0);
                copyEdge(scratch, c, cAt + ir * ldc, ldc, add, mr, nr);
            }
        }
    }

    /**
     * One column panel of C: its row tiles ({@link #panelHeight}), the short ones and those of a partial panel
     * through the edge kernels. B's rows are bStride apart, or at bAt + rows[rowAt + p] when rows is not null.
     */
    private static void tiles(int mc, int nr, int kc, Workspace ws, float[] pa, int aAt, float[] pb, int bAt,
                              int bStride, int[] rows, int rowAt, float[] c, int cAt, int ldc, boolean add) {
        tiles(mc, nr, kc, kc, ws, pa, aAt, pb, bAt, bStride, rows, rowAt, c, cAt, ldc, add);
    }

    /** As above, with A's panels kPanel rows deep, of which the tiles use the kc from aAt on. */
    private static void tiles(int mc, int nr, int kc, int kPanel, Workspace ws, float[] pa, int aAt, float[] pb,
                              int bAt, int bStride, int[] rows, int rowAt, float[] c, int cAt, int ldc, boolean add) {
        for (int ir = 0, aPanel = aAt; ir < mc; aPanel += kPanel * MR) {
            int mr = panelHeight(mc, ir);
            if (TWO_PANELS && nr == NR && mr == MR && ir + MR < mc && panelHeight(mc, ir + MR) == MR) {
                int a2 = aPanel + kPanel * MR, cTile = cAt + ir * ldc;
                float[] start = add ? c : MicroKernel.ZEROS;
                int startAt = add ? cTile : 0, startLd = add ? ldc : 0;
                if (rows == null) {
                    KERNEL.tile2(kc, pa, aPanel, a2, pb, bAt, bStride, c, cTile, ldc, start, startAt, startLd);
                } else {
                    KERNEL.tileAt2(kc, pa, aPanel, a2, pb, bAt, rows, rowAt, c, cTile, ldc, start, startAt, startLd);
                }
                ir += MR; // and MR more below: two panels
                aPanel += kPanel * MR;
            } else if (mr == MR && nr == NR) {
                tile(kc, pa, aPanel, pb, bAt, bStride, rows, rowAt, c, cAt + ir * ldc, ldc, add);
            } else {
                edgeTile(kc, pa, aPanel, pb, bAt, bStride, rows, rowAt, ws.tile, c, cAt + ir * ldc, ldc, add, mr,
                        nr);
            }
            ir += mr;
        }
    }

    /** One whole tile; its sums start from C when add, else from zeros (chosen here, in scalar code). */
    private static void tile(int kc, float[] pa, int aAt, float[] pb, int bAt, int bStride, int[] rows, int rowAt,
                             float[] c, int cAt, int ldc, boolean add) {
        float[] start = add ? c : MicroKernel.ZEROS;
        int startAt = add ? cAt : 0, startLd = add ? ldc : 0;
        if (rows == null) {
            KERNEL.tile(kc, pa, aAt, pb, bAt, bStride, c, cAt, ldc, start, startAt, startLd);
        } else {
            KERNEL.tileAt(kc, pa, aAt, pb, bAt, rows, rowAt, c, cAt, ldc, start, startAt, startLd);
        }
    }

    /**
     * A partial tile at the right or bottom edge: computed whole into scratch, then the valid part is copied. Four
     * rows or fewer take the four-row kernel (two thirds of a tile's work), straight into C when they are exactly
     * four rows of full width: M = 16, 32 and 64 all end so.
     */
    private static void edgeTile(int kc, float[] pa, int aAt, float[] pb, int bAt, int bStride, int[] rows, int rowAt,
                                 float[] scratch, float[] c, int cAt, int ldc, boolean add, int mr, int nr) {
        if (mr <= 4) {
            if (mr == 4 && nr == NR) {
                KERNEL.tile4(kc, pa, aAt, pb, bAt, bStride, rows, rowAt, c, cAt, ldc, add ? c : MicroKernel.ZEROS,
                        add ? cAt : 0, add ? ldc : 0);
                return;
            }
            KERNEL.tile4(kc, pa, aAt, pb, bAt, bStride, rows, rowAt, scratch, 0, NR, MicroKernel.ZEROS, 0, 0);
        } else {
            tile(kc, pa, aAt, pb, bAt, bStride, rows, rowAt, scratch, 0, NR, false);
        }
        copyEdge(scratch, c, cAt, ldc, add, mr, nr);
    }

    private static void copyEdge(float[] scratch, float[] c, int cAt, int ldc, boolean add, int mr, int nr) {
        for (int i = 0; i < mr; i++) {
            for (int j = 0; j < nr; j++) {
                float v = scratch[i * NR + j];
                c[cAt + i * ldc + j] = add ? c[cAt + i * ldc + j] + v : v;
            }
        }
    }

    /** Packs one panel of an implicit column matrix: row p is src[base + taps[pc + p] ..] for NR columns. */
    private static void packShifted(int kc, float[] src, int base, int[] taps, int pc, float[] dst) {
        KERNEL.packShifted(kc, src, base, taps, pc, dst);
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

    /**
     * Rows of the A panel at row ir of an mc-row block: MR, except that a block which would end in a panel of 2 rows
     * ends in two of 4. The four-row kernel computes 4 rows at two thirds of a whole tile's cost, and 2 rows cost as
     * much as 4: M = 32 as 6,6,6,6,4,4 is 5⅓ tiles of work, as 6,6,6,6,6,2 it is 5⅔. The panels stay MR apart.
     */
    static int panelHeight(int mc, int ir) {
        int left = mc - ir;
        return left == MR + 2 ? 4 : Math.min(MR, left);
    }

    /** Packs op(A)[ic:ic+mc, pc:pc+kc] into panels of up to MR rows ({@link #panelHeight}), zero-padded to MR. */
    private static void packA(boolean transA, int mc, int kc, float[] a, int aOff, int lda, int ic, int pc,
                              float[] dst, int dstOff) {
        int at = dstOff;
        for (int i0 = 0, height; i0 < mc; i0 += height) {
            height = panelHeight(mc, i0);
            if (transA) {
                // Row p of Aᵀ's panel is a contiguous run of A's row pc + p. A copy of constant length: C2 turns
                // it into a few vector moves, where a loop of six scalar copies made the packing cost as much as
                // the multiplies in the Winograd weight gradient's GEMMs (32×32×147: the layer 1.16× faster)
                int src = aOff + pc * lda + ic + i0;
                if (height == MR) {
                    for (int p = 0, to = at; p < kc; p++, src += lda, to += MR) {
                        System.arraycopy(a, src, dst, to, MR);
                    }
                } else if (height == 4) {
                    for (int p = 0, to = at; p < kc; p++, src += lda, to += MR) {
                        System.arraycopy(a, src, dst, to, 4);
                    }
                } else {
                    for (int p = 0, to = at; p < kc; p++, src += lda, to += MR) {
                        System.arraycopy(a, src, dst, to, height);
                    }
                }
            } else {
                // One row of A at a time: contiguous reads, writes MR apart.
                for (int i = 0; i < height; i++) {
                    int src = aOff + (ic + i0 + i) * lda + pc, to = at + i;
                    for (int p = 0; p < kc; p++) {
                        dst[to + p * MR] = a[src + p];
                    }
                }
            }
            for (int i = height; i < MR; i++) {
                for (int p = 0; p < kc; p++) {
                    dst[at + p * MR + i] = 0f;
                }
            }
            at += kc * MR;
        }
    }
}

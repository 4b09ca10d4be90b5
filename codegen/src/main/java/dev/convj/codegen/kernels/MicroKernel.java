package dev.convj.codegen.kernels;

/**
 * The innermost loops of {@link Gemm}, in one vector width: {@link KernelChoice} holds the one in use, a constant,
 * so the JIT binds every call statically. C is row-major with leading dimension ldc; A comes packed in panels of
 * {@link Gemm#MR} rows (element (i, p) at aAt + p·MR + i); a tile of C is MR rows by {@link #columns()} columns.
 */
interface MicroKernel {

    /** Bits per vector, or 0 for the plain-Java kernel. */
    int vectorBits();

    /** Columns of B per tile, NR: two vectors. */
    int columns();

    /**
     * One MR×NR tile of C with B's row p at bAt + p·bStride. The sums start from row i of {@code start} at
     * startAt + i·startLd: C itself to add to it, or {@link #ZEROS} with startLd 0. The caller decides, so that no
     * kernel merges vectors from a branch (JDK 17's C2 has compiled such merges with their vectors boxed). Every
     * tile kernel below takes its start so.
     */
    void tile(int kc, float[] pa, int aAt, float[] pb, int bAt, int bStride, float[] c, int cAt, int ldc,
              float[] start, int startAt, int startLd);

    /**
     * As {@link #tile}, with A read where it lies instead of packed: the tile's MR values of step p at
     * a[aAt + p·lda ..] (all MR read, rows beyond the valid ones included). The sums start from row i of
     * {@code start} at startAt + i·startLd, as in {@link #gatherTile}.
     */
    void tileUnpackedA(int kc, float[] a, int aAt, int lda, float[] pb, int bAt, int bStride, float[] c, int cAt,
                       int ldc, float[] start, int startAt, int startLd);

    /** As {@link #tile}, with B's row p at bAt + rows[rowAt + p]. */
    void tileAt(int kc, float[] pa, int aAt, float[] pb, int bAt, int[] rows, int rowAt, float[] c, int cAt, int ldc,
                float[] start, int startAt, int startLd);

    /**
     * The first four rows of a tile (A still packed in panels of MR): B's row p at bAt + rows[rowAt + p] when rows is
     * not null, else bAt + p·bStride.
     */
    void tile4(int kc, float[] pa, int aAt, float[] pb, int bAt, int bStride, int[] rows, int rowAt, float[] c,
               int cAt, int ldc, float[] start, int startAt, int startLd);

    /**
     * Two tiles stacked (2·MR×NR of C, the sums from start's 2·MR rows): A's rows [0, MR) from the panel at aAt, [MR, 2·MR) from the panel
     * at aAt2; B's row p at bAt + p·bStride.
     */
    void tile2(int kc, float[] pa, int aAt, int aAt2, float[] pb, int bAt, int bStride, float[] c, int cAt, int ldc,
               float[] start, int startAt, int startLd);

    /** As {@link #tile2}, with B's row p at bAt + rows[rowAt + p]. */
    void tileAt2(int kc, float[] pa, int aAt, int aAt2, float[] pb, int bAt, int[] rows, int rowAt, float[] c, int cAt,
                 int ldc, float[] start, int startAt, int startLd);

    /**
     * Floats of the sums array {@link #dots} takes: its twelve results, then room for the lanes of its twelve vector
     * sums (up to 16 lanes each), which it adds in scratch there.
     */
    int DOTS_FLOATS = 12 + 12 * 16;

    /**
     * sums[i·4 + j] = Σ_{p<k} a[a_i + p] · b[b_j + p] for the three rows of A and four of B given; sums holds
     * {@link #DOTS_FLOATS} floats.
     */
    void dots(int k, float[] a, int a0, int a1, int a2, float[] b, int b0, int b1, int b2, int b3, float[] sums);

    /**
     * {@link #dots} left in vector lanes, for sums that go on over many calls: lanes[at + (i·4 + j)·V + l] += the sum
     * of the terms p ≡ l (mod V) of a_i · b_j, p &lt; k, where V = {@link #columns()} / 2 and k is a multiple of V.
     * The lanes are added up once at the end ({@link Gemm#sumLanes}) instead of after every call.
     */
    void dotLanes(int k, float[] a, int a0, int a1, int a2, float[] b, int b0, int b1, int b2, int b3, float[] lanes,
                  int at);

    /**
     * One MR×NR tile of C (+= when add) whose A is read from an image through two offset tables:
     * A[i][p] = x[xAt + rows[rowAt + i] + steps[stepAt + p]], B's row p at bAt + p·NR (packed). With rows the output
     * positions and steps the taps it is a convolution with the channels in the lanes; with rows the taps and steps
     * the positions, a weight gradient. No column matrix is formed, and the rows need not be one image row's.
     * The sums start from row i of {@code start} at startAt + i·startLd: C itself to add to it, or {@link #ZEROS}
     * with startLd 0. The caller decides, so that the kernel merges no vectors from a branch (JDK 17's C2 has
     * compiled such merges with their vectors boxed).
     */
    void gatherTile(int kc, float[] x, int xAt, int[] rows, int rowAt, int[] steps, int stepAt, float[] pb, int bAt,
                    float[] c, int cAt, int ldc, float[] start, int startAt, int startLd);

    /** Rows of a {@link #gatherTileNarrow}. */
    int NARROW_ROWS = 12;

    /**
     * {@link #gatherTile} for a C of at most one vector of columns ({@link #columns()} / 2 lanes): a tile of
     * {@link #NARROW_ROWS} rows by one vector, with B still packed in panels of {@link #columns()} (only each row's
     * first half is read). Where the wide tile would leave half of its multiply-adds in empty columns (LeNet-5's
     * sixteen channels on AVX-512's 32-column tile), this one fills its lanes; the sums start as in gatherTile.
     */
    void gatherTileNarrow(int kc, float[] x, int xAt, int[] rows, int rowAt, int[] steps, int stepAt, float[] pb,
                          int bAt, float[] c, int cAt, int ldc, float[] start, int startAt, int startLd);

    /**
     * Two output rows of two kernel rows' weight gradient, the output channels in one vector ({@link #columns()} / 2
     * lanes), for a kernel {@link #ROW_TAPS} wide at unit stride and dilation across: C's ten rows at cAt + r·ldc, r =
     * 5·k + t for tap t of kernel row k, each += Σ_{j &lt; outCols} x[(k == 0 ? xa : xb) + j + t] · B[j], then
     * Σ_{j &lt; secondCols} x[(k == 0 ? xa2 : xb2) + j + t] · B[outCols + j] (the second row; secondCols 0 for none,
     * its offsets still readable), B's row j at bAt + j·{@link #columns()} (packed as {@link #gatherTileNarrow} takes
     * it). Each image value is broadcast once and serves the five taps that read it, where the narrow gathered tile
     * broadcasts one per multiply-add; each sum takes its terms in the order that tile takes them with the positions
     * as its steps: the same bits.
     */
    void kernelRowsTile(int outCols, float[] x, int xa, int xb, int xa2, int xb2, int secondCols, float[] pb, int bAt,
                        float[] c, int cAt, int ldc);

    /** Positions per {@link #channelTile}. */
    int CHANNEL_POSITIONS = 12;

    /**
     * Twelve consecutive positions of a stride-1 convolution by one vector of output channels ({@link #columns()} / 2
     * lanes): out[outAt + q·lanes + j] = Σ_{p<k} x[xAt + taps[p] + q] · w[wAt + p·lanes + j], for q &lt; 12. The
     * channels are the vector lanes and each image value is broadcast, so a layer with few positions per row fills
     * the registers as well as a wide one does.
     */
    void channelTile(int k, float[] w, int wAt, float[] x, int xAt, int[] taps, float[] out, int outAt);

    /** Taps per kernel row of {@link #channelTileRows}. */
    int ROW_TAPS = 5;

    /**
     * {@link #channelTile} for kernel rows of {@link #ROW_TAPS} consecutive taps (a 5-wide kernel at dilation 1, the
     * taps in row-major order, k = 5·rows): rowTaps[r] is the offset of kernel row r's first tap. The sixteen image
     * values a row's taps read for twelve positions are broadcast once and serve all five, where the plain tile
     * broadcasts sixty; the sums are the same, in the same order.
     */
    void channelTileRows(int rows, float[] w, int wAt, float[] x, int xAt, int[] rowTaps, float[] out, int outAt);

    /** Row p of a packed panel, NR floats at dst[NR·p], from src[base + taps[pc + p]]. */
    void packShifted(int kc, float[] src, int base, int[] taps, int pc, float[] dst);

    /**
     * dst[dstOff + r·dstStride + i] = src[srcOff + r·srcStride + i] + bias, then 0 where below floor (the ReLU:
     * {@link MicroKernel#reluFloor}), for r &lt; rows and i &lt; n, n at least the kernel's lanes: a convolution's output
     * plane out of the GEMM's padded grid in one call ({@link Gemm#copyOut} is its one-row case). src and dst must not
     * share memory.
     */
    void copyOutRows(float[] src, int srcOff, int srcStride, float[] dst, int dstOff, int dstStride, int rows, int n,
                     float bias, float floor);

    /**
     * {@code rows} rows of n ≥ lanes floats copied bit for bit: row r from src[srcOff + r·srcStride] to
     * dst[dstOff + r·dstStride] (an image into its zero-padded grid, or a grid's valid region out of it). src and dst
     * must not share memory.
     */
    void copyRows(float[] src, int srcOff, int srcStride, float[] dst, int dstOff, int dstStride, int rows, int n);

    /**
     * The sum of {@code count} runs of {@code run} floats, run r at x[at + r·stride]: one channel's share of a bias
     * gradient (count images, run the spatial positions). The order of the adds is the kernel's own.
     */
    float sumRuns(float[] x, int at, int run, int count, int stride);

    /**
     * In place, for each of {@code positions} positions (ldc floats apart from at) and each channel c &lt; vectors·(the
     * kernel's lanes): v + the bias's vector at biasAt + (c / lanes)·biasStep ({@link MicroKernel#biasOrNone}: −0
     * at step 0 without a bias), then 0 where below floor ({@link MicroKernel#reluFloor}). The bias array must hold
     * whole vectors; the plain kernel takes vectors as channels and one lane a vector.
     */
    void activateChannels(float[] c, int at, int positions, int ldc, int vectors, float[] bias, int biasAt,
                          int biasStep, float floor);

    /** Twelve independent chains of {@code iterations} vector FMAs and their sum: the core's peak, for benchmarks. */
    float fmaChains(int iterations);

    /**
     * The threshold of a vector kernel's ReLU, which sets lanes below it to 0: 0 with the ReLU (NaN and −0 kept, as the
     * scalar ReLU), −∞ without (nothing is below it). Kernels take the ReLU as this number rather than as a flag they
     * branch on: a branch inside a vector method that one graph never takes and a later one does makes C2 discard the
     * method's code (an unstable_if trap), and until C2 compiles it again it runs interpreted and in C1, which box
     * every vector (docs/performance.md).
     */
    static float reluFloor(boolean relu) {
        return relu ? 0f : Float.NEGATIVE_INFINITY;
    }

    /**
     * What a channel-vector kernel adds, as an array it always reads (a branch on a missing bias inside the kernel is
     * what {@link #reluFloor} warns of): the bias, or one vector of −0 read at step 0. −0, not +0: x + (−0) is x for
     * every x, −0 included, where + 0 would turn −0 into +0.
     */
    static float[] biasOrNone(float[] bias) {
        return bias == null ? NEGATIVE_ZEROS : bias;
    }

    /** Two vectors of +0 at the widest width: where a tile's sums start when they overwrite C. */
    float[] ZEROS = new float[32];

    /** One vector of −0 at the widest width. */
    float[] NEGATIVE_ZEROS = {-0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f,
        -0f, -0f};
}

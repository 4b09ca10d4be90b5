package dev.convj.codegen.kernels;

/**
 * The input and output transforms of Winograd F(4×4, 3×3) over whole planes, a vector of positions at a time: what
 * generated code calls when the Vector API runs here (it emits its own straight-line scalar transforms otherwise,
 * as for {@link WinogradF2}).
 * <p>Tiles of a small plane fill few lanes when a vector holds the tiles of one tile row (four at 14×14), so the
 * plane is first copied into six <em>phase arrays</em>, one per column b of a tile: array b holds, for padded row r
 * and tile column tx, the value at padded column 4tx + b, in slot (r mod 4)·(tilesHigh + 1) + r div 4 of rows of
 * tilesWide (the rows grouped by r mod 4). Then both passes of Bᵀ d B run over consecutive positions of whole arrays:
 * the row pass at every (slot, tx), the column pass at every tile, a tile row's six rows lying at fixed offsets (rows
 * 4ty … 4ty + 3 are slot ty of row groups 0–3, rows 4ty + 4 and 4ty + 5 slot ty + 1 of groups 0 and 1). The output
 * transform likewise runs over a chunk's tiles in order, into rows of scratch that {@link #scatter} writes into the
 * planes.
 * <p>Vectors reaching past the positions read and write up to L − 1 floats further: into each phase array's slack
 * (16 floats), past V's tiles onto the next image's tiles or the row's slack (written after, as for
 * {@link WinogradF2}), and M's next columns (read only). Their lanes are never stored where a result is read.
 */
public final class WinogradF4 {
    private WinogradF4() {}

    /** The vector width of the transforms, or 0 when generated code should use its own scalar ones. */
    public static int bits() {
        return WinogradF2.bits();
    }

    /** Floats of one phase array of a plane of tilesHigh × tilesWide tiles, slack included. */
    public static int phaseSize(int tilesHigh, int tilesWide) {
        return 4 * (tilesHigh + 1) * tilesWide + 16;
    }

    /** Rows of scratch {@link #output} and {@link #outputPooled} use, each at least the chunk's tiles + 16 long. */
    public static final int SCRATCH_ROWS = 44;

    /**
     * Copies an h×w plane from x[xAt..) into the six phase arrays at col[phases + b·size) (size =
     * {@link #phaseSize}), top-left padding pt and pl; positions outside the image are left as they are (zero: the
     * caller clears the arrays once, and every copy writes the same positions).
     */
    static void copyPhases(float[] x, int xAt, int h, int w, float[] col, int phases, int pt, int pl, int tilesHigh,
                           int tilesWide) {
        int size = phaseSize(tilesHigh, tilesWide);
        for (int b = 0; b < 6; b++) { // phase by phase: each row has the same tile columns inside the image
            int first = Math.max(0, Math.floorDiv(pl - b + 3, 4)); // 0 ≤ 4tx + b − pl < w
            int last = Math.min(tilesWide - 1, Math.floorDiv(w - 1 + pl - b, 4));
            int phase = phases + b * size, shift = b - pl;
            for (int i = 0; i < h; i++) {
                int r = pt + i, dst = phase + ((r & 3) * (tilesHigh + 1) + (r >> 2)) * tilesWide;
                int from = xAt + i * w + shift;
                for (int tx = first; tx <= last; tx++) {
                    col[dst + tx] = x[from + 4 * tx];
                }
            }
        }
    }

    /**
     * V = Bᵀ d B of every tile of the h×w plane at x[xAt..), top-left padding pt and pl: the plane copied into the
     * phase arrays at col[phases..) ({@link #copyPhases}; zero them once per call), the six row-transformed arrays
     * at col[phases + 6·size..), V[ξ] of tile f stored at v + ξ·xiStride + f. With x null the phase arrays are
     * taken as filled already ({@link #inputTransform}).
     */
    public static void input(float[] x, int xAt, int h, int w, int pt, int pl, float[] col, int phases, int tilesHigh,
                             int tilesWide, int v, int xiStride) {
        int size = phaseSize(tilesHigh, tilesWide), rows = phases + 6 * size;
        switch (bits()) { // two passes, two methods: each stays well inside JDK 17's C2 inlining budget
            case 512 -> {
                Vector512WinogradF4.inputRows(x, xAt, h, w, pt, pl, col, phases, rows, size, tilesHigh, tilesWide);
                Vector512WinogradF4.inputColumns(col, rows, size, tilesHigh, tilesWide, col, v, xiStride);
            }
            case 256 -> {
                Vector256WinogradF4.inputRows(x, xAt, h, w, pt, pl, col, phases, rows, size, tilesHigh, tilesWide);
                Vector256WinogradF4.inputColumns(col, rows, size, tilesHigh, tilesWide, col, v, xiStride);
            }
            default -> {
                if (x != null) {
                    copyPhases(x, xAt, h, w, col, phases, pt, pl, tilesHigh, tilesWide);
                }
                inputPlain(col, phases, rows, size, tilesHigh, tilesWide, col, v, xiStride);
            }
        }
    }

    /**
     * V = Bᵀ d B of every tile from the six phase arrays at col[phases..), filled already: by generated code's copy
     * for one plane shape, which unrolls what {@link #copyPhases} loops over (about twice as fast on a 28×28 plane).
     */
    public static void inputTransform(float[] col, int phases, int tilesHigh, int tilesWide, int v, int xiStride) {
        input(null, 0, 0, 0, 0, 0, col, phases, tilesHigh, tilesWide, v, xiStride);
    }

    /**
     * y = Aᵀ M A + bias (ReLU'd when relu) of n consecutive tiles, M[ξ] of tile f at col[mk + ξ·xiStride + f], into
     * scratch rows 24 + 4r + s (output (r, s) of tile f at scratch[at + (24 + 4r + s)·stride + f]); {@link #scatter}
     * then writes them into y. Rows 0–23 are scratch of the transform.
     */
    public static void output(float[] col, int mk, int xiStride, int n, float[] scratch, int at, int stride,
                              float bias, boolean relu) {
        switch (bits()) {
            case 512 -> {
                Vector512WinogradF4.outputColumns(col, mk, xiStride, n, scratch, at, stride);
                Vector512WinogradF4.outputRows(scratch, at, stride, n, bias, MicroKernel.reluFloor(relu));
            }
            case 256 -> {
                Vector256WinogradF4.outputColumns(col, mk, xiStride, n, scratch, at, stride);
                Vector256WinogradF4.outputRows(scratch, at, stride, n, bias, MicroKernel.reluFloor(relu));
            }
            default -> outputPlain(col, mk, xiStride, n, scratch, at, stride, bias, relu);
        }
    }

    /**
     * {@link #output}, then each tile's four 2×2 max-pooling windows (a tile starts at a multiple of 4, so its windows
     * are whole), window (pr, ps) scanned as MaxPool2x2 scans (row-major, the first maximum, the last NaN) into
     * scratch row 40 + 2pr + ps: {@link #scatter} with m = 2 writes them into the pooled plane.
     */
    public static void outputPooled(float[] col, int mk, int xiStride, int n, float[] scratch, int at, int stride,
                                    float bias, boolean relu) {
        output(col, mk, xiStride, n, scratch, at, stride, bias, relu);
        switch (bits()) {
            case 512 -> Vector512WinogradF4.pool(scratch, at, stride, n);
            case 256 -> Vector256WinogradF4.pool(scratch, at, stride, n);
            default -> poolPlain(scratch, at, stride, n);
        }
    }

    /**
     * Writes the m×m values of each tile of one image, value (r, s) of tile f = ty·tilesWide + tx at src[from + (r·m +
     * s)·stride + f], into the ho×wo plane at y[yAt..) at row m·ty + r, column m·tx + s, where inside it; m is 4 (the
     * outputs) or 2 (the pooled windows). The general form: generated code emits this loop for its own plane shapes,
     * with constant bounds that C2 unrolls (WinogradConvEmitter).
     */
    public static void scatter(float[] src, int from, int stride, int m, int tilesHigh, int tilesWide, float[] y,
                               int yAt, int ho, int wo) {
        int whole = Math.min(tilesWide, wo / m); // tiles whose m columns all lie inside the plane
        for (int ty = 0; ty < tilesHigh; ty++) {
            for (int r = 0; r < m && m * ty + r < ho; r++) {
                int row = yAt + (m * ty + r) * wo, f = from + ty * tilesWide + r * m * stride;
                if (m == 4) { // unrolled: four loads from four rows of src, four consecutive stores
                    for (int tx = 0; tx < whole; tx++) {
                        int at = row + 4 * tx, in = f + tx;
                        y[at] = src[in];
                        y[at + 1] = src[in + stride];
                        y[at + 2] = src[in + 2 * stride];
                        y[at + 3] = src[in + 3 * stride];
                    }
                } else {
                    for (int tx = 0; tx < whole; tx++) {
                        y[row + 2 * tx] = src[f + tx];
                        y[row + 2 * tx + 1] = src[f + stride + tx];
                    }
                }
                for (int tx = whole; tx < tilesWide; tx++) { // the last tile, cut by the plane's right edge
                    for (int s = 0; s < m && m * tx + s < wo; s++) {
                        y[row + m * tx + s] = src[f + s * stride + tx];
                    }
                }
            }
        }
    }

    /**
     * A ReLU's backward in place over y[at, at + n): +0 where mask[at + i] ≤ 0 (−0 included), y unchanged elsewhere (a
     * NaN in the mask passes it): the bits of the graph's relu_backward(y, mask). Run on a plane just scattered, while
     * it is in L1, so that the unmasked input gradient is never stored and read back.
     */
    public static void maskReluBackward(float[] y, int at, float[] mask, int n) {
        int done = switch (bits()) {
            case 512 -> Vector512WinogradF4.maskReluBackward(y, at, mask, n);
            case 256 -> Vector256WinogradF4.maskReluBackward(y, at, mask, n);
            default -> 0;
        };
        for (int i = at + done; i < at + n; i++) {
            if (mask[i] <= 0f) {
                y[i] = 0f;
            }
        }
    }

    /**
     * Channels per vector of the weight gradient's transforms ({@link #inputChannels}, {@link #gradientChannels}), or 0
     * where generated code should keep its emitted scalar ones (as {@link WinogradF2#channelLanes}).
     */
    public static int channelLanes() {
        return WinogradF2.channelLanes();
    }

    /**
     * Whether a weight gradient of {@code channels} input and {@code outputs} output channels runs the vector
     * transforms over channels (F(2×2)'s and F(4×4)'s alike): both whole vectors. The emitter and the cost model ask
     * here, so that the model prices the transforms that run.
     */
    public static boolean channelVectorsFit(int channels, int outputs) {
        int lanes = channelLanes();
        return lanes > 0 && channels % lanes == 0 && outputs % lanes == 0;
    }

    /** Floats of scratch {@link #inputChannels} and {@link #gradientChannels} use for planes this wide. */
    public static int channelScratch(int tilesWide, int channels) {
        return 36 * tilesWide * channels;
    }

    /**
     * The weight gradient's input transform over a channels-last padded plane (d[a][b] of tile (ty, tx), channel c
     * at src[at + ((4ty + a)·pw + 4tx + b)·channels + c]), a vector of channels at a time: (Bᵀ d B)[ξ] stored at
     * v[vAt + ξ·xiStride + tile·tileStride + c]; v[scratch, scratch + {@link #channelScratch}) is overwritten. Only
     * with {@link #channelLanes()} &gt; 0 and channels a multiple of it.
     */
    public static void inputChannels(float[] src, int at, int pw, int channels, int tilesHigh, int tilesWide,
                                     float[] v, int vAt, int xiStride, int tileStride, int scratch) {
        for (int ty = 0; ty < tilesHigh; ty++) { // a tile row's Bᵀ d, then its (Bᵀ d) B
            int out = vAt + ty * tilesWide * tileStride;
            if (bits() == 512) {
                Vector512WinogradF4.inputChannelColumns(src, at, pw, channels, ty, tilesWide, v, scratch);
                Vector512WinogradF4.inputChannelRows(v, scratch, channels, tilesWide, v, out, xiStride, tileStride);
            } else {
                Vector256WinogradF4.inputChannelColumns(src, at, pw, channels, ty, tilesWide, v, scratch);
                Vector256WinogradF4.inputChannelRows(v, scratch, channels, tilesWide, v, out, xiStride, tileStride);
            }
        }
    }

    /**
     * The weight gradient's transform of dy over a channels-last plane of 4·tilesWide columns (D[r][s] of tile
     * (ty, tx) at src[at + ((4ty + r)·4·tilesWide + 4tx + s)·channels + c]): (A D Aᵀ)[ξ] stored at m[mAt +
     * ξ·xiStride + tile·tileStride + c]; m[scratch, scratch + {@link #channelScratch}) is overwritten. As
     * {@link #inputChannels}, only with vectors.
     */
    public static void gradientChannels(float[] src, int at, int channels, int tilesHigh, int tilesWide, float[] m,
                                        int mAt, int xiStride, int tileStride, int scratch) {
        for (int ty = 0; ty < tilesHigh; ty++) { // a tile row's A D, then its (A D) Aᵀ
            int out = mAt + ty * tilesWide * tileStride;
            if (bits() == 512) {
                Vector512WinogradF4.gradientChannelColumns(src, at, channels, ty, tilesWide, m, scratch);
                Vector512WinogradF4.gradientChannelRows(m, scratch, channels, tilesWide, m, out, xiStride,
                        tileStride);
            } else {
                Vector256WinogradF4.gradientChannelColumns(src, at, channels, ty, tilesWide, m, scratch);
                Vector256WinogradF4.gradientChannelRows(m, scratch, channels, tilesWide, m, out, xiStride,
                        tileStride);
            }
        }
    }

    // The plain forms: the vector forms' arithmetic, operation for operation (tests compare them bit for bit).

    static void inputPlain(float[] col, int phases, int rows, int size, int tilesHigh, int tilesWide, float[] v,
                           int vAt, int xiStride) {
        int positions = 4 * (tilesHigh + 1) * tilesWide;
        for (int f = 0; f < positions; f++) {
            int c = phases + f;
            float[] t = bt(col[c], col[c + size], col[c + 2 * size], col[c + 3 * size], col[c + 4 * size],
                    col[c + 5 * size]);
            for (int j = 0; j < 6; j++) {
                col[rows + j * size + f] = t[j];
            }
        }
        int tiles = tilesHigh * tilesWide, next = (tilesHigh + 1) * tilesWide;
        for (int j = 0; j < 6; j++) {
            int h = rows + j * size;
            for (int f = 0; f < tiles; f++) {
                float[] t = bt(col[h + f], col[h + next + f], col[h + 2 * next + f], col[h + 3 * next + f],
                        col[h + tilesWide + f], col[h + next + tilesWide + f]);
                for (int i = 0; i < 6; i++) {
                    v[vAt + (6 * i + j) * xiStride + f] = t[i];
                }
            }
        }
    }

    /** Bᵀ d of six values, as the vector forms compute it. */
    private static float[] bt(float d0, float d1, float d2, float d3, float d4, float d5) {
        float s1 = Math.fma(d2, -4f, d4), s2 = Math.fma(d1, -4f, d3), s3 = d4 - d2, s4 = (d3 - d1) * 2f;
        return new float[] {Math.fma(d0, 4f, Math.fma(d2, -5f, d4)), s1 + s2, s1 - s2, s3 + s4, s3 - s4,
            Math.fma(d1, 4f, Math.fma(d3, -5f, d5))};
    }

    static void outputPlain(float[] col, int mk, int xiStride, int n, float[] scratch, int at, int stride, float bias,
                            boolean relu) {
        for (int j = 0; j < 6; j++) {
            for (int f = 0; f < n; f++) {
                int m = mk + j * xiStride + f;
                float[] p = at(col[m], col[m + 6 * xiStride], col[m + 12 * xiStride], col[m + 18 * xiStride],
                        col[m + 24 * xiStride], col[m + 30 * xiStride]);
                for (int r = 0; r < 4; r++) {
                    scratch[at + (6 * r + j) * stride + f] = p[r];
                }
            }
        }
        for (int r = 0; r < 4; r++) {
            for (int f = 0; f < n; f++) {
                int p = at + 6 * r * stride + f;
                float[] o = at(scratch[p], scratch[p + stride], scratch[p + 2 * stride], scratch[p + 3 * stride],
                        scratch[p + 4 * stride], scratch[p + 5 * stride]);
                for (int s = 0; s < 4; s++) {
                    float value = o[s] + bias;
                    scratch[at + (24 + 4 * r + s) * stride + f] = relu && value < 0f ? 0f : value;
                }
            }
        }
    }

    /** Aᵀ m of six values, as the vector forms compute it. */
    private static float[] at(float m0, float m1, float m2, float m3, float m4, float m5) {
        float a = m1 + m2, b = m1 - m2, c = m3 + m4, d = m3 - m4;
        return new float[] {m0 + a + c, Math.fma(d, 2f, b), Math.fma(c, 4f, a), Math.fma(d, 8f, b) + m5};
    }

    static void poolPlain(float[] scratch, int at, int stride, int n) {
        for (int w = 0; w < 4; w++) {
            int o = at + (24 + 8 * (w >> 1) + 2 * (w & 1)) * stride;
            for (int f = 0; f < n; f++) {
                float best = scratch[o + f];
                for (int step : new int[] {1, 4, 5}) {
                    float v = scratch[o + step * stride + f];
                    best = v > best || v != v ? v : best;
                }
                scratch[at + (40 + w) * stride + f] = best;
            }
        }
    }
}

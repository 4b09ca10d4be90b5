package dev.convj.codegen.kernels;

/**
 * The input and output transforms of Winograd F(2×2, 3×3) over whole planes, a vector of tiles at a time: what
 * generated code calls when the Vector API runs here (it emits its own straight-line scalar transforms otherwise).
 * <p>The input plane is deinterleaved: padded row r holds its even columns at {@code plane + r·2·half} and its odd
 * ones at {@code plane + r·2·half + half}, where half = tilesWide + 1 (the padded row has 2·tilesWide + 2 columns).
 * A tile row's last vector may reach past the row's tiles, on both sides: loads read up to L floats past the plane
 * (the caller keeps them inside the array); stores of V write up to L − 1 floats past the tile row, which land on
 * the next tile row's tiles, the next image's, or the slack that ends each row of V, all of which are written after
 * (the caller transforms planes in order and leaves at least 16 floats of slack).
 */
public final class WinogradF2 {
    private WinogradF2() {}

    /** The vector width of the transforms, or 0 when generated code should use its own scalar ones. */
    public static int bits() {
        return Width.BITS;
    }

    /**
     * In a holder: the GEMM kernel's width, decided once, when it is 256 or 512 bits. At 128 bits (4 tiles a vector)
     * the emitted scalar transforms are kept: the vector form gains little there, and in a JVM that had run many
     * shapes C2 left it boxing its vectors (WinogradConvTest's allocation check failed at -Dconvj.vectorBits=128).
     */
    private static final class Width {
        static final int BITS = KernelChoice.poolBits() >= 256 ? KernelChoice.poolBits() : 0;
    }

    /**
     * Copies an h×w plane from x[xAt..) into the deinterleaved padded plane at col[plane..), top-left padding pt and
     * pl; positions outside the image are left as they are (zero: the caller clears the plane once).
     */
    public static void copyDeinterleaved(float[] x, int xAt, int h, int w, float[] col, int plane, int half, int pt,
                                         int pl) {
        for (int r = 0; r < h; r++) {
            int row = plane + (pt + r) * 2 * half, from = xAt + r * w;
            // plane column pl + i: even ones at row + (pl + i) / 2, odd ones half further on
            int first = pl & 1; // the parity of the plane column of x's column 0
            for (int i = 0; i < w; i += 2) {
                col[row + first * half + (pl + i) / 2] = x[from + i];
            }
            for (int i = 1; i < w; i += 2) {
                col[row + (1 - first) * half + (pl + i) / 2] = x[from + i];
            }
        }
    }

    /** V = Bᵀ d B of every tile of the plane: V[ξ] of tile (ty, tx) at col[v + ξ·xiStride + ty·tilesWide + tx]. */
    public static void input(float[] col, int plane, int tilesHigh, int tilesWide, int v, int xiStride) {
        int half = tilesWide + 1;
        switch (Width.BITS) {
            case 512 -> Vector512Winograd.input(col, plane, half, tilesHigh, tilesWide, v, xiStride);
            case 256 -> Vector256Winograd.input(col, plane, half, tilesHigh, tilesWide, v, xiStride);
            default -> inputPlain(col, plane, half, tilesHigh, tilesWide, v, xiStride);
        }
    }

    /**
     * y = Aᵀ M A + bias (ReLU'd when relu) of every tile of an ho×wo output plane at y[yAt..), M[ξ] of tile (ty, tx)
     * at col[mk + ξ·xiStride + ty·tilesWide + tx]; scratch holds 32 floats from scratchAt. Writes only the plane.
     */
    public static void output(float[] col, int mk, int xiStride, int tilesHigh, int tilesWide, float[] y, int yAt,
                              int ho, int wo, float bias, boolean relu, float[] scratch, int scratchAt) {
        switch (Width.BITS) {
            case 512 -> Vector512Winograd.output(col, mk, xiStride, tilesHigh, tilesWide, y, yAt, ho, wo, bias, relu,
                    scratch, scratchAt);
            case 256 -> Vector256Winograd.output(col, mk, xiStride, tilesHigh, tilesWide, y, yAt, ho, wo, bias, relu,
                    scratch, scratchAt);
            default -> outputPlain(col, mk, xiStride, tilesHigh, tilesWide, y, yAt, ho, wo, bias, relu);
        }
    }

    /**
     * {@link #output} with a 2×2, stride-2 max pool fused: each whole 2×2 output tile is one pooling window, so
     * y[yAt + ty·wo + tx] for the pooled ho×wo plane = the first maximum (as {@link MaxPool2x2} scans: row-major, the
     * last NaN) of tile (ty, tx)'s four outputs, each computed as {@link #output} computes and stores it. The
     * unpooled plane is never written; scratch holds a vector of floats from scratchAt.
     */
    public static void outputPooled(float[] col, int mk, int xiStride, int tilesWide, float[] y, int yAt, int ho,
                                    int wo, float bias, boolean relu, float[] scratch, int scratchAt) {
        switch (Width.BITS) {
            case 512 -> Vector512Winograd.outputPooled(col, mk, xiStride, tilesWide, y, yAt, ho, wo, bias, relu,
                    scratch, scratchAt);
            case 256 -> Vector256Winograd.outputPooled(col, mk, xiStride, tilesWide, y, yAt, ho, wo, bias, relu,
                    scratch, scratchAt);
            default -> outputPooledPlain(col, mk, xiStride, tilesWide, y, yAt, ho, wo, bias, relu);
        }
    }

    static void outputPooledPlain(float[] col, int mk, int xiStride, int tilesWide, float[] y, int yAt, int ho,
                                  int wo, float bias, boolean relu) {
        for (int ty = 0; ty < ho; ty++) {
            for (int tx = 0; tx < wo; tx++) {
                int j = mk + ty * tilesWide + tx;
                float best = 0f;
                for (int r = 0; r < 2; r++) {
                    float q0 = row(col, j, xiStride, r, 0), q1 = row(col, j, xiStride, r, 1);
                    float q2 = row(col, j, xiStride, r, 2), q3 = row(col, j, xiStride, r, 3);
                    float o0 = q0 + q1 + q2 + bias, o1 = q1 - q2 - q3 + bias;
                    o0 = relu && o0 < 0f ? 0f : o0;
                    o1 = relu && o1 < 0f ? 0f : o1;
                    best = r == 0 ? o0 : o0 > best || o0 != o0 ? o0 : best;
                    best = o1 > best || o1 != o1 ? o1 : best;
                }
                y[yAt + ty * wo + tx] = best;
            }
        }
    }

    /**
     * Channels per vector of the weight gradient's transforms ({@link #inputChannels}, {@link #gradientChannels}), or 0
     * where generated code should keep its emitted scalar ones: without vectors, or with
     * {@code -Dconvj.winogradChannelVectors=false} (the tests run both forms).
     */
    public static int channelLanes() {
        boolean vectors = !"false".equals(System.getProperty("convj.winogradChannelVectors"));
        return vectors ? Width.BITS / 32 : 0;
    }

    /**
     * The weight gradient's input transform over a channels-last padded plane (d[a][b] of tile (ty, tx), channel c at
     * src[at + ((2ty + a)·pw + 2tx + b)·channels + c]), a vector of channels at a time: (Bᵀ d B)[ξ] stored at
     * v[vAt + ξ·xiStride + tile·tileStride + c]. Only with {@link #bits()} &gt; 0 and channels a multiple of
     * {@link #lanes()}.
     */
    public static void inputChannels(float[] src, int at, int pw, int channels, int tilesHigh, int tilesWide,
                                     float[] v, int vAt, int xiStride, int tileStride) {
        if (Width.BITS == 512) {
            Vector512Winograd.inputChannels(src, at, pw, channels, tilesHigh, tilesWide, v, vAt, xiStride, tileStride);
        } else {
            Vector256Winograd.inputChannels(src, at, pw, channels, tilesHigh, tilesWide, v, vAt, xiStride, tileStride);
        }
    }

    /**
     * The weight gradient's transform of dy over a channels-last plane of 2·tilesWide columns (D[r][s] of tile
     * (ty, tx) at src[at + ((2ty + r)·2·tilesWide + 2tx + s)·channels + c]): (A D Aᵀ)[ξ] stored at
     * m[mAt + ξ·xiStride + tile·tileStride + c]. As {@link #inputChannels}, only with vectors.
     */
    public static void gradientChannels(float[] src, int at, int channels, int tilesHigh, int tilesWide, float[] m,
                                        int mAt, int xiStride, int tileStride) {
        if (Width.BITS == 512) {
            Vector512Winograd.gradientChannels(src, at, channels, tilesHigh, tilesWide, m, mAt, xiStride, tileStride);
        } else {
            Vector256Winograd.gradientChannels(src, at, channels, tilesHigh, tilesWide, m, mAt, xiStride, tileStride);
        }
    }

    static void inputPlain(float[] col, int plane, int half, int tilesHigh, int tilesWide, int v, int xiStride) {
        for (int ty = 0; ty < tilesHigh; ty++) {
            for (int tx = 0; tx < tilesWide; tx++) {
                int out = v + ty * tilesWide + tx;
                for (int b = 0; b < 4; b++) { // Bᵀ d, column b (even columns 0 and 2, odd ones 1 and 3), then · B
                    int at = plane + (b & 1) * half + tx + b / 2, row = 2 * half;
                    float d0 = col[at + 2 * ty * row], d1 = col[at + (2 * ty + 1) * row];
                    float d2 = col[at + (2 * ty + 2) * row], d3 = col[at + (2 * ty + 3) * row];
                    col[out + b * xiStride] = d0 - d2;
                    col[out + (4 + b) * xiStride] = d1 + d2;
                    col[out + (8 + b) * xiStride] = d2 - d1;
                    col[out + (12 + b) * xiStride] = d1 - d3;
                }
                for (int a = 0; a < 4; a++) { // (Bᵀ d) B, row a, in place
                    int r = out + 4 * a * xiStride;
                    float p0 = col[r], p1 = col[r + xiStride], p2 = col[r + 2 * xiStride], p3 = col[r + 3 * xiStride];
                    col[r] = p0 - p2;
                    col[r + xiStride] = p1 + p2;
                    col[r + 2 * xiStride] = p2 - p1;
                    col[r + 3 * xiStride] = p1 - p3;
                }
            }
        }
    }

    static void outputPlain(float[] col, int mk, int xiStride, int tilesHigh, int tilesWide, float[] y, int yAt,
                            int ho, int wo, float bias, boolean relu) {
        for (int ty = 0; ty < tilesHigh; ty++) {
            for (int tx = 0; tx < tilesWide; tx++) {
                int j = mk + ty * tilesWide + tx;
                for (int r = 0; r < 2 && 2 * ty + r < ho; r++) {
                    float q0 = row(col, j, xiStride, r, 0), q1 = row(col, j, xiStride, r, 1);
                    float q2 = row(col, j, xiStride, r, 2), q3 = row(col, j, xiStride, r, 3);
                    float o0 = q0 + q1 + q2 + bias, o1 = q1 - q2 - q3 + bias;
                    int at = yAt + (2 * ty + r) * wo + 2 * tx;
                    y[at] = relu && o0 < 0f ? 0f : o0;
                    if (2 * tx + 1 < wo) {
                        y[at + 1] = relu && o1 < 0f ? 0f : o1;
                    }
                }
            }
        }
    }

    /** Row r of Aᵀ M at column b: M0 + M1 + M2 (r = 0) or M1 − M2 − M3 (r = 1). */
    private static float row(float[] col, int j, int xiStride, int r, int b) {
        float m1 = col[j + (4 + b) * xiStride], m2 = col[j + (8 + b) * xiStride];
        return r == 0 ? col[j + b * xiStride] + m1 + m2 : m1 - m2 - col[j + (12 + b) * xiStride];
    }
}

package dev.convj.codegen.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link WinogradF2}'s transforms with 256-bit vectors, L tiles of a tile row at a time: lane t holds tile tx0 + t.
 * The input plane is stored deinterleaved (even columns, then odd ones, per row), so that each of a tile's four columns
 * is one unit-stride load across L tiles; the output's even and odd columns are zipped back together before they are
 * stored. The build derives the 512-bit form from this file (128 bits keep the scalar transforms: WinogradF2).
 */
final class Vector256Winograd {
    private Vector256Winograd() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    static final int L = S.length();
    /** Lanes 2i and 2i + 1 take lane i: the low half spread over pairs of lanes. */
    private static final VectorShuffle<Float> SPREAD_LOW;
    /** Lanes 2i and 2i + 1 take lane L/2 + i: the high half spread over pairs of lanes. */
    private static final VectorShuffle<Float> SPREAD_HIGH;
    /** The odd lanes. */
    private static final VectorMask<Float> ODD;

    static {
        int[] low = new int[L], high = new int[L];
        boolean[] odd = new boolean[L];
        for (int i = 0; i < L; i++) {
            low[i] = i / 2;
            high[i] = L / 2 + i / 2;
            odd[i] = (i & 1) == 1;
        }
        SPREAD_LOW = VectorShuffle.fromArray(S, low, 0);
        SPREAD_HIGH = VectorShuffle.fromArray(S, high, 0);
        ODD = VectorMask.fromArray(S, odd, 0);
    }

    /** Modes of a row of Bᵀ d: a − b, a + b, b − a (rows d0 − d2, d1 + d2, d2 − d1, d1 − d3). */
    private static final int SUB = 0, ADD = 1, RSUB = 2;

    /**
     * V = Bᵀ d B of every tile of one deinterleaved plane (row r's even columns at plane + r·2·half, its odd ones half
     * further on): V[ξ] of tile (ty, tx) stored at v + ξ·xiStride + ty·tilesWide + tx. A tile row's last vector may
     * reach past its tiles: those lanes are stored where a later tile row, a later image or the row's slack is
     * written (WinogradF2 states the layout this relies on).
     */
    static void input(float[] col, int plane, int half, int tilesHigh, int tilesWide, int v, int xiStride) {
        int row = 2 * half;
        // rows a and b of each tile's Bᵀ d row: d0 − d2, d1 + d2, d2 − d1, d1 − d3; a tile's columns are its even
        // ones at +0 and +1, its odd ones half further on
        inputRows(col, plane, plane + 2 * row, half, 1, half + 1, SUB, col, v, xiStride, tilesHigh, 2 * row,
                tilesWide, tilesWide);
        inputRows(col, plane + row, plane + 2 * row, half, 1, half + 1, ADD, col, v + 4 * xiStride, xiStride,
                tilesHigh, 2 * row, tilesWide, tilesWide);
        inputRows(col, plane + row, plane + 2 * row, half, 1, half + 1, RSUB, col, v + 8 * xiStride, xiStride,
                tilesHigh, 2 * row, tilesWide, tilesWide);
        inputRows(col, plane + row, plane + 3 * row, half, 1, half + 1, SUB, col, v + 12 * xiStride, xiStride,
                tilesHigh, 2 * row, tilesWide, tilesWide);
    }

    /**
     * One row of Bᵀ d B over a grid of runs × n lanes: for run r and lane offset i (a multiple of L below n), p = (row
     * a) op (row b) at each of the tile's four columns, which lie 0, c1, c2 and c3 floats from a + r·srcStep + i and
     * b + r·srcStep + i; then p0 − p2, p1 + p2, p2 − p1, p1 − p3 stored xiStride apart from out + r·dstStep + i in
     * dst. The lanes are L tiles of a tile row (the forward pass) or L channels of one tile (the weight gradient).
     * <p>Every method here that computes with vectors holds its own loops: C2 then compiles it alone (it is larger
     * than what C2 inlines), where its vector calls fit the inlining budget. Inlined four times into a caller, or
     * into generated code, the budget ran out part-way and JDK 17's C2 left vectors as heap objects
     * (KernelShapeTest checks the rule; docs/performance.md).
     */
    private static void inputRows(float[] src, int a, int b, int c1, int c2, int c3, int mode, float[] dst, int out,
                                  int xiStride, int runs, int srcStep, int dstStep, int n) {
        for (int r = 0; r < runs; r++) {
            for (int i = 0; i < n; i += L) {
                int ai = a + r * srcStep + i, bi = b + r * srcStep + i, o = out + r * dstStep + i;
                FloatVector a0 = FloatVector.fromArray(S, src, ai), b0 = FloatVector.fromArray(S, src, bi);
                FloatVector a1 = FloatVector.fromArray(S, src, ai + c1), b1 = FloatVector.fromArray(S, src, bi + c1);
                FloatVector a2 = FloatVector.fromArray(S, src, ai + c2), b2 = FloatVector.fromArray(S, src, bi + c2);
                FloatVector a3 = FloatVector.fromArray(S, src, ai + c3), b3 = FloatVector.fromArray(S, src, bi + c3);
                FloatVector p0, p1, p2, p3;
                if (mode == SUB) {
                    p0 = a0.sub(b0);
                    p1 = a1.sub(b1);
                    p2 = a2.sub(b2);
                    p3 = a3.sub(b3);
                } else if (mode == ADD) {
                    p0 = a0.add(b0);
                    p1 = a1.add(b1);
                    p2 = a2.add(b2);
                    p3 = a3.add(b3);
                } else {
                    p0 = b0.sub(a0);
                    p1 = b1.sub(a1);
                    p2 = b2.sub(a2);
                    p3 = b3.sub(a3);
                }
                p0.sub(p2).intoArray(dst, o);
                p1.add(p2).intoArray(dst, o + xiStride);
                p2.sub(p1).intoArray(dst, o + 2 * xiStride);
                p1.sub(p3).intoArray(dst, o + 3 * xiStride);
            }
        }
    }

    /**
     * y = Aᵀ M A (+ bias, ReLU'd when relu) of every tile of one output plane of ho×wo at y[yAt..): M[ξ] of tile
     * (ty, tx) at col[mk + ξ·xiStride + ty·tilesWide + tx]. Rows whose vectors would reach past the plane's row go
     * through {@code scratch} (2·L floats from scratchAt), so nothing outside the plane is written.
     * <p>What differs between calls (a row's sign, the ReLU, where a vector's outputs go) is decided here, in scalar
     * code, and reaches the row kernels as numbers and arrays, not as branches ({@link MicroKernel#reluFloor} says
     * why).
     */
    static void output(float[] col, int mk, int xiStride, int tilesHigh, int tilesWide, float[] y, int yAt, int ho,
                       int wo, float bias, boolean relu, float[] scratch, int scratchAt) {
        float floor = MicroKernel.reluFloor(relu);
        int whole = wo / (2 * L) * L; // the tiles whose 2·L outputs of a row all lie inside the plane's row
        for (int ty = 0; ty < tilesHigh; ty++) {
            int j = mk + ty * tilesWide, at = yAt + 2 * ty * wo;
            boolean bottom = 2 * ty + 1 < ho;
            for (int tx = 0; tx < whole; tx += L) {
                outputRow(col, j + tx, j + tx + 4 * xiStride, j + tx + 8 * xiStride, 1f, xiStride, bias, floor, y,
                        at + 2 * tx);
                if (bottom) {
                    outputRow(col, j + tx + 4 * xiStride, j + tx + 8 * xiStride, j + tx + 12 * xiStride, -1f,
                            xiStride, bias, floor, y, at + wo + 2 * tx);
                }
            }
            for (int tx = whole; tx < tilesWide; tx += L) { // the row ends inside these vectors: staged, then copied
                int room = wo - 2 * tx;
                outputRow(col, j + tx, j + tx + 4 * xiStride, j + tx + 8 * xiStride, 1f, xiStride, bias, floor,
                        scratch, scratchAt);
                System.arraycopy(scratch, scratchAt, y, at + 2 * tx, room);
                if (bottom) {
                    outputRow(col, j + tx + 4 * xiStride, j + tx + 8 * xiStride, j + tx + 12 * xiStride, -1f,
                            xiStride, bias, floor, scratch, scratchAt);
                    System.arraycopy(scratch, scratchAt, y, at + wo + 2 * tx, room);
                }
            }
        }
    }

    /**
     * {@link WinogradF2#outputPooled}, L tiles a step: per tile row, the top output row's two columns (as
     * {@link #outputRow} computes them, with the epilogue) give each tile's best of its top pair, staged in scratch;
     * the bottom row's then replace it where greater or NaN. One pooled value per tile, in its tile's lane: no
     * interleaving. Each row is its own method, as in {@link #output}: one method holding both rows' vectors ran out
     * of JDK 17's C2 inlining budget and boxed them.
     */
    static void outputPooled(float[] col, int mk, int xiStride, int tilesWide, float[] y, int yAt, int ho, int wo,
                             float bias, boolean relu, float[] scratch, int scratchAt) {
        float floor = MicroKernel.reluFloor(relu);
        for (int ty = 0; ty < ho; ty++) {
            for (int tx = 0; tx < wo; tx += L) {
                int j = mk + ty * tilesWide + tx, at = yAt + ty * wo + tx;
                pooledRow(col, j, j + 4 * xiStride, j + 8 * xiStride, 1f, xiStride, bias, floor, NO_BEST, 0,
                        scratch, scratchAt);
                if (tx + L <= wo) {
                    pooledRow(col, j + 4 * xiStride, j + 8 * xiStride, j + 12 * xiStride, -1f, xiStride, bias, floor,
                            scratch, scratchAt, y, at);
                } else { // the pooled row ends inside this vector: staged, and only its part copied
                    pooledRow(col, j + 4 * xiStride, j + 8 * xiStride, j + 12 * xiStride, -1f, xiStride, bias, floor,
                            scratch, scratchAt, scratch, scratchAt);
                    System.arraycopy(scratch, scratchAt, y, at, wo - tx);
                }
            }
        }
    }

    /** −∞ in every lane: the best so far before a tile's top row (any value, NaN included, replaces it or equals it). */
    private static final float[] NO_BEST = filled(L, Float.NEGATIVE_INFINITY);

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    /**
     * One output row of L tiles, as {@link #outputRow} computes it, reduced to each tile's later of the two (the odd
     * column replaces the even when greater or NaN), which replaces the best so far read from best[bestAt] likewise
     * (−∞ for the top row, the top row's for the bottom one), stored at dst[dstAt]: MaxPool2x2's row-major scan.
     */
    private static void pooledRow(float[] col, int a, int b, int c, float sign, int xiStride, float bias,
                                  float floor, float[] best, int bestAt, float[] dst, int dstAt) {
        FloatVector s = FloatVector.broadcast(S, sign);
        FloatVector q0 = FloatVector.fromArray(S, col, a), q1 = FloatVector.fromArray(S, col, a + xiStride);
        FloatVector q2 = FloatVector.fromArray(S, col, a + 2 * xiStride);
        FloatVector q3 = FloatVector.fromArray(S, col, a + 3 * xiStride);
        FloatVector m0 = FloatVector.fromArray(S, col, b), m1 = FloatVector.fromArray(S, col, b + xiStride);
        FloatVector m2 = FloatVector.fromArray(S, col, b + 2 * xiStride);
        FloatVector m3 = FloatVector.fromArray(S, col, b + 3 * xiStride);
        FloatVector n0 = FloatVector.fromArray(S, col, c), n1 = FloatVector.fromArray(S, col, c + xiStride);
        FloatVector n2 = FloatVector.fromArray(S, col, c + 2 * xiStride);
        FloatVector n3 = FloatVector.fromArray(S, col, c + 3 * xiStride);
        // M[a] ± M[b] ± M[c]: ±1 · M is exact, so each fused step rounds as the add or subtract it stands for
        q0 = n0.fma(s, m0.fma(s, q0));
        q1 = n1.fma(s, m1.fma(s, q1));
        q2 = n2.fma(s, m2.fma(s, q2));
        q3 = n3.fma(s, m3.fma(s, q3));
        FloatVector even = q0.add(q1).add(q2).add(bias), odd = q1.sub(q2).sub(q3).add(bias);
        even = even.blend(0f, even.compare(VectorOperators.LT, floor));
        odd = odd.blend(0f, odd.compare(VectorOperators.LT, floor));
        FloatVector pair = even.blend(odd, odd.compare(VectorOperators.GT, even).or(odd.compare(VectorOperators.NE, odd)));
        // unconditionally, with −∞ as the best so far for the top row: a vector merged from two branches here made
        // JDK 17's C2 box it at 256 bits (FusedPoolConvTest's allocation check)
        FloatVector top = FloatVector.fromArray(S, best, bestAt);
        pair = top.blend(pair, pair.compare(VectorOperators.GT, top).or(pair.compare(VectorOperators.NE, pair)));
        pair.intoArray(dst, dstAt);
    }

    /**
     * One output row of L tiles: q = M[a] + sign·M[b] + sign·M[c] per tile column (sign 1: the first row of Aᵀ M,
     * −1: the second), then columns q0 + q1 + q2 (even) and q1 − q2 − q3 (odd) + bias, 0 where below floor,
     * interleaved into 2·L floats at dst[dstAt].
     */
    private static void outputRow(float[] col, int a, int b, int c, float sign, int xiStride, float bias, float floor,
                                  float[] dst, int dstAt) {
        FloatVector s = FloatVector.broadcast(S, sign);
        FloatVector q0 = FloatVector.fromArray(S, col, a), q1 = FloatVector.fromArray(S, col, a + xiStride);
        FloatVector q2 = FloatVector.fromArray(S, col, a + 2 * xiStride);
        FloatVector q3 = FloatVector.fromArray(S, col, a + 3 * xiStride);
        FloatVector m0 = FloatVector.fromArray(S, col, b), m1 = FloatVector.fromArray(S, col, b + xiStride);
        FloatVector m2 = FloatVector.fromArray(S, col, b + 2 * xiStride);
        FloatVector m3 = FloatVector.fromArray(S, col, b + 3 * xiStride);
        FloatVector n0 = FloatVector.fromArray(S, col, c), n1 = FloatVector.fromArray(S, col, c + xiStride);
        FloatVector n2 = FloatVector.fromArray(S, col, c + 2 * xiStride);
        FloatVector n3 = FloatVector.fromArray(S, col, c + 3 * xiStride);
        // M[a] ± M[b] ± M[c]: ±1 · M is exact, so each fused step rounds as the add or subtract it stands for
        q0 = n0.fma(s, m0.fma(s, q0));
        q1 = n1.fma(s, m1.fma(s, q1));
        q2 = n2.fma(s, m2.fma(s, q2));
        q3 = n3.fma(s, m3.fma(s, q3));
        FloatVector even = q0.add(q1).add(q2).add(bias), odd = q1.sub(q2).sub(q3).add(bias);
        even = even.blend(0f, even.compare(VectorOperators.LT, floor));
        odd = odd.blend(0f, odd.compare(VectorOperators.LT, floor));
        // one-vector shuffles and a blend (the two-vector rearrange builds its wrapped shuffle on every call)
        even.rearrange(SPREAD_LOW).blend(odd.rearrange(SPREAD_LOW), ODD).intoArray(dst, dstAt);
        even.rearrange(SPREAD_HIGH).blend(odd.rearrange(SPREAD_HIGH), ODD).intoArray(dst, dstAt + L);
    }

    /**
     * The weight gradient's input transform over a channels-last padded plane, L channels a vector: for each tile
     * (ty, tx) and block of L channels, V[ξ] = (Bᵀ d B)[ξ] stored at v + ξ·xiStride + tile·tileStride + c, where
     * d[a][b] is at src[at + ((2ty + a)·pw + 2tx + b)·channels + c]. channels must be a multiple of L.
     */
    static void inputChannels(float[] src, int at, int pw, int channels, int tilesHigh, int tilesWide, float[] v,
                              int vAt, int xiStride, int tileStride) {
        int row = pw * channels, c1 = channels, c2 = 2 * channels, c3 = 3 * channels; // a tile's columns
        for (int ty = 0; ty < tilesHigh; ty++) {
            int r0 = at + 2 * ty * row, r1 = r0 + row, r2 = r1 + row, r3 = r2 + row;
            int out = vAt + ty * tilesWide * tileStride;
            // the tiles of a tile row lie 2·channels apart in src, tileStride apart in v
            inputRows(src, r0, r2, c1, c2, c3, SUB, v, out, xiStride, tilesWide, 2 * channels, tileStride, channels);
            inputRows(src, r1, r2, c1, c2, c3, ADD, v, out + 4 * xiStride, xiStride, tilesWide, 2 * channels,
                    tileStride, channels);
            inputRows(src, r1, r2, c1, c2, c3, RSUB, v, out + 8 * xiStride, xiStride, tilesWide, 2 * channels,
                    tileStride, channels);
            inputRows(src, r1, r3, c1, c2, c3, SUB, v, out + 12 * xiStride, xiStride, tilesWide, 2 * channels,
                    tileStride, channels);
        }
    }

    /**
     * The weight gradient's transform of dy over a channels-last plane of 2·tilesWide columns, L channels a vector:
     * for each 2×2 tile and block of L channels, M[ξ] = (A D Aᵀ)[ξ] stored at m + ξ·xiStride + tile·tileStride + c,
     * where D[r][s] is at src[at + ((2ty + r)·2·tilesWide + 2tx + s)·channels + c]. channels must be a multiple of L.
     */
    static void gradientChannels(float[] src, int at, int channels, int tilesHigh, int tilesWide, float[] m, int mAt,
                                 int xiStride, int tileStride) {
        int row = 2 * tilesWide * channels;
        for (int ty = 0; ty < tilesHigh; ty++) {
            int r0 = at + 2 * ty * row;
            gradientRows(src, r0, r0 + row, channels, m, mAt + ty * tilesWide * tileStride, xiStride, tilesWide,
                    tileStride);
        }
    }

    /**
     * A D Aᵀ of a tile row's tiles, L channels at a time: tile t's rows start at r0 + 2t·channels and r1 +
     * 2t·channels, its 16 values go xiStride apart from out + t·tileStride + c. A = (Aᵀ)ᵀ gives the rows of A D as
     * D0, D0 + D1, D0 − D1, −D1, and each row p gives p0, p0 + p1, p0 − p1, −p1.
     */
    private static void gradientRows(float[] src, int r0, int r1, int channels, float[] m, int out, int xiStride,
                                     int tiles, int tileStride) {
        for (int t = 0; t < tiles; t++) {
            for (int c = 0; c < channels; c += L) {
                int top = r0 + 2 * t * channels + c, bottom = r1 + 2 * t * channels + c, o = out + t * tileStride + c;
                FloatVector d00 = FloatVector.fromArray(S, src, top);
                FloatVector d01 = FloatVector.fromArray(S, src, top + channels);
                FloatVector d10 = FloatVector.fromArray(S, src, bottom);
                FloatVector d11 = FloatVector.fromArray(S, src, bottom + channels);
                FloatVector s0 = d00.add(d10), s1 = d01.add(d11), e0 = d00.sub(d10), e1 = d01.sub(d11);
                d00.intoArray(m, o);
                d00.add(d01).intoArray(m, o + xiStride);
                d00.sub(d01).intoArray(m, o + 2 * xiStride);
                d01.neg().intoArray(m, o + 3 * xiStride);
                s0.intoArray(m, o + 4 * xiStride);
                s0.add(s1).intoArray(m, o + 5 * xiStride);
                s0.sub(s1).intoArray(m, o + 6 * xiStride);
                s1.neg().intoArray(m, o + 7 * xiStride);
                e0.intoArray(m, o + 8 * xiStride);
                e0.add(e1).intoArray(m, o + 9 * xiStride);
                e0.sub(e1).intoArray(m, o + 10 * xiStride);
                e1.neg().intoArray(m, o + 11 * xiStride);
                d10.neg().intoArray(m, o + 12 * xiStride);
                d10.add(d11).neg().intoArray(m, o + 13 * xiStride); // row 3: p = −D1
                d11.sub(d10).intoArray(m, o + 14 * xiStride);
                d11.intoArray(m, o + 15 * xiStride);
            }
        }
    }
}

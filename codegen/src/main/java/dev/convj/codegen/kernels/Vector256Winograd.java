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

    /**
     * V = Bᵀ d B of every tile of one deinterleaved plane (row r's even columns at plane + r·2·half, its odd ones half
     * further on): V[ξ] of tile (ty, tx) stored at v + ξ·xiStride + ty·tilesWide + tx. A tile row's last vector may
     * reach past its tiles: those lanes are stored where a later tile row, a later image or the row's slack is
     * written (WinogradF2 states the layout this relies on). Straight-line code with no helper taking or returning a
     * vector: a helper C2 does not inline makes it box every vector it passes.
     */
    static void input(float[] col, int plane, int half, int tilesHigh, int tilesWide, int v, int xiStride) {
        int row = 2 * half;
        for (int ty = 0; ty < tilesHigh; ty++) {
            int r0 = plane + 2 * ty * row, r1 = r0 + row, r2 = r1 + row, r3 = r2 + row;
            for (int tx = 0; tx < tilesWide; tx += L) {
                int out = v + ty * tilesWide + tx;
                // column b of the tiles' rows a: d_ab; columns 0 and 2 are even plane columns, 1 and 3 odd ones
                FloatVector d00 = FloatVector.fromArray(S, col, r0 + tx);
                FloatVector d01 = FloatVector.fromArray(S, col, r0 + half + tx);
                FloatVector d02 = FloatVector.fromArray(S, col, r0 + tx + 1);
                FloatVector d03 = FloatVector.fromArray(S, col, r0 + half + tx + 1);
                FloatVector d10 = FloatVector.fromArray(S, col, r1 + tx);
                FloatVector d11 = FloatVector.fromArray(S, col, r1 + half + tx);
                FloatVector d12 = FloatVector.fromArray(S, col, r1 + tx + 1);
                FloatVector d13 = FloatVector.fromArray(S, col, r1 + half + tx + 1);
                FloatVector d20 = FloatVector.fromArray(S, col, r2 + tx);
                FloatVector d21 = FloatVector.fromArray(S, col, r2 + half + tx);
                FloatVector d22 = FloatVector.fromArray(S, col, r2 + tx + 1);
                FloatVector d23 = FloatVector.fromArray(S, col, r2 + half + tx + 1);
                FloatVector d30 = FloatVector.fromArray(S, col, r3 + tx);
                FloatVector d31 = FloatVector.fromArray(S, col, r3 + half + tx);
                FloatVector d32 = FloatVector.fromArray(S, col, r3 + tx + 1);
                FloatVector d33 = FloatVector.fromArray(S, col, r3 + half + tx + 1);
                // Bᵀ d, row i of each column b: d0 − d2, d1 + d2, d2 − d1, d1 − d3
                FloatVector p00 = d00.sub(d20);
                FloatVector p01 = d01.sub(d21);
                FloatVector p02 = d02.sub(d22);
                FloatVector p03 = d03.sub(d23);
                FloatVector p10 = d10.add(d20);
                FloatVector p11 = d11.add(d21);
                FloatVector p12 = d12.add(d22);
                FloatVector p13 = d13.add(d23);
                FloatVector p20 = d20.sub(d10);
                FloatVector p21 = d21.sub(d11);
                FloatVector p22 = d22.sub(d12);
                FloatVector p23 = d23.sub(d13);
                FloatVector p30 = d10.sub(d30);
                FloatVector p31 = d11.sub(d31);
                FloatVector p32 = d12.sub(d32);
                FloatVector p33 = d13.sub(d33);
                // (Bᵀ d) B, column j of each row i: p0 − p2, p1 + p2, p2 − p1, p1 − p3, at ξ = 4i + j
                p00.sub(p02).intoArray(col, out);
                p01.add(p02).intoArray(col, out + xiStride);
                p02.sub(p01).intoArray(col, out + 2 * xiStride);
                p01.sub(p03).intoArray(col, out + 3 * xiStride);
                p10.sub(p12).intoArray(col, out + 4 * xiStride);
                p11.add(p12).intoArray(col, out + 5 * xiStride);
                p12.sub(p11).intoArray(col, out + 6 * xiStride);
                p11.sub(p13).intoArray(col, out + 7 * xiStride);
                p20.sub(p22).intoArray(col, out + 8 * xiStride);
                p21.add(p22).intoArray(col, out + 9 * xiStride);
                p22.sub(p21).intoArray(col, out + 10 * xiStride);
                p21.sub(p23).intoArray(col, out + 11 * xiStride);
                p30.sub(p32).intoArray(col, out + 12 * xiStride);
                p31.add(p32).intoArray(col, out + 13 * xiStride);
                p32.sub(p31).intoArray(col, out + 14 * xiStride);
                p31.sub(p33).intoArray(col, out + 15 * xiStride);
            }
        }
    }

    /**
     * y = Aᵀ M A (+ bias, ReLU'd when relu) of every tile of one output plane of ho×wo at y[yAt..): M[ξ] of tile
     * (ty, tx) at col[mk + ξ·xiStride + ty·tilesWide + tx]. Rows whose vectors would reach past the plane's row go
     * through {@code scratch} (4·L floats from scratchAt), so nothing outside the plane is written. Straight-line, as
     * {@link #input}.
     */
    static void output(float[] col, int mk, int xiStride, int tilesHigh, int tilesWide, float[] y, int yAt, int ho,
                       int wo, float bias, boolean relu, float[] scratch, int scratchAt) {
        FloatVector b = FloatVector.broadcast(S, bias);
        for (int ty = 0; ty < tilesHigh; ty++) {
            for (int tx = 0; tx < tilesWide; tx += L) {
                int j = mk + ty * tilesWide + tx;
                FloatVector m00 = FloatVector.fromArray(S, col, j);
                FloatVector m01 = FloatVector.fromArray(S, col, j + xiStride);
                FloatVector m02 = FloatVector.fromArray(S, col, j + 2 * xiStride);
                FloatVector m03 = FloatVector.fromArray(S, col, j + 3 * xiStride);
                FloatVector m10 = FloatVector.fromArray(S, col, j + 4 * xiStride);
                FloatVector m11 = FloatVector.fromArray(S, col, j + 5 * xiStride);
                FloatVector m12 = FloatVector.fromArray(S, col, j + 6 * xiStride);
                FloatVector m13 = FloatVector.fromArray(S, col, j + 7 * xiStride);
                FloatVector m20 = FloatVector.fromArray(S, col, j + 8 * xiStride);
                FloatVector m21 = FloatVector.fromArray(S, col, j + 9 * xiStride);
                FloatVector m22 = FloatVector.fromArray(S, col, j + 10 * xiStride);
                FloatVector m23 = FloatVector.fromArray(S, col, j + 11 * xiStride);
                FloatVector m30 = FloatVector.fromArray(S, col, j + 12 * xiStride);
                FloatVector m31 = FloatVector.fromArray(S, col, j + 13 * xiStride);
                FloatVector m32 = FloatVector.fromArray(S, col, j + 14 * xiStride);
                FloatVector m33 = FloatVector.fromArray(S, col, j + 15 * xiStride);
                // Aᵀ M: rows q0 = M0 + M1 + M2 and q1 = M1 − M2 − M3, per column
                FloatVector q00 = m00.add(m10).add(m20);
                FloatVector q01 = m01.add(m11).add(m21);
                FloatVector q02 = m02.add(m12).add(m22);
                FloatVector q03 = m03.add(m13).add(m23);
                FloatVector q10 = m10.sub(m20).sub(m30);
                FloatVector q11 = m11.sub(m21).sub(m31);
                FloatVector q12 = m12.sub(m22).sub(m32);
                FloatVector q13 = m13.sub(m23).sub(m33);
                // (Aᵀ M) A + bias: output columns q0 + q1 + q2 (even) and q1 − q2 − q3 (odd) of rows 0 and 1
                FloatVector e0 = q00.add(q01).add(q02).add(b), o0 = q01.sub(q02).sub(q03).add(b);
                FloatVector e1 = q10.add(q11).add(q12).add(b), o1 = q11.sub(q12).sub(q13).add(b);
                if (relu) { // 0 where below 0: NaN and −0 kept, as the scalar ReLU
                    e0 = e0.blend(0f, e0.compare(VectorOperators.LT, 0f));
                    o0 = o0.blend(0f, o0.compare(VectorOperators.LT, 0f));
                    e1 = e1.blend(0f, e1.compare(VectorOperators.LT, 0f));
                    o1 = o1.blend(0f, o1.compare(VectorOperators.LT, 0f));
                }
                // even and odd columns interleaved: one-vector shuffles and a blend (the two-vector rearrange builds
                // its wrapped shuffle anew on every call)
                FloatVector low0 = e0.rearrange(SPREAD_LOW).blend(o0.rearrange(SPREAD_LOW), ODD);
                FloatVector high0 = e0.rearrange(SPREAD_HIGH).blend(o0.rearrange(SPREAD_HIGH), ODD);
                FloatVector low1 = e1.rearrange(SPREAD_LOW).blend(o1.rearrange(SPREAD_LOW), ODD);
                FloatVector high1 = e1.rearrange(SPREAD_HIGH).blend(o1.rearrange(SPREAD_HIGH), ODD);
                int x0 = 2 * tx, room = wo - x0, at = yAt + 2 * ty * wo + x0;
                boolean second = 2 * ty + 1 < ho;
                if (room >= 2 * L) {
                    low0.intoArray(y, at);
                    high0.intoArray(y, at + L);
                    if (second) {
                        low1.intoArray(y, at + wo);
                        high1.intoArray(y, at + wo + L);
                    }
                } else { // the row ends inside these vectors: staged, and only its part copied
                    low0.intoArray(scratch, scratchAt);
                    high0.intoArray(scratch, scratchAt + L);
                    low1.intoArray(scratch, scratchAt + 2 * L);
                    high1.intoArray(scratch, scratchAt + 3 * L);
                    System.arraycopy(scratch, scratchAt, y, at, room);
                    if (second) {
                        System.arraycopy(scratch, scratchAt + 2 * L, y, at + wo, room);
                    }
                }
            }
        }
    }

    /**
     * The weight gradient's input transform over a channels-last padded plane, L channels a vector: for each tile
     * (ty, tx) and block of L channels, V[ξ] = (Bᵀ d B)[ξ] stored at v + ξ·xiStride + tile·tileStride + c, where
     * d[a][b] is at src[at + ((2ty + a)·pw + 2tx + b)·channels + c]. channels must be a multiple of L.
     */
    static void inputChannels(float[] src, int at, int pw, int channels, int tilesHigh, int tilesWide, float[] v,
                              int vAt, int xiStride, int tileStride) {
        int row = pw * channels;
        for (int ty = 0, tile = 0; ty < tilesHigh; ty++) {
            for (int tx = 0; tx < tilesWide; tx++, tile++) {
                int r0 = at + 2 * ty * row + 2 * tx * channels, r1 = r0 + row, r2 = r1 + row, r3 = r2 + row;
                for (int c = 0; c < channels; c += L) {
                    int out = vAt + tile * tileStride + c;
                    FloatVector d00 = FloatVector.fromArray(S, src, r0 + c);
                    FloatVector d01 = FloatVector.fromArray(S, src, r0 + channels + c);
                    FloatVector d02 = FloatVector.fromArray(S, src, r0 + 2 * channels + c);
                    FloatVector d03 = FloatVector.fromArray(S, src, r0 + 3 * channels + c);
                    FloatVector d10 = FloatVector.fromArray(S, src, r1 + c);
                    FloatVector d11 = FloatVector.fromArray(S, src, r1 + channels + c);
                    FloatVector d12 = FloatVector.fromArray(S, src, r1 + 2 * channels + c);
                    FloatVector d13 = FloatVector.fromArray(S, src, r1 + 3 * channels + c);
                    FloatVector d20 = FloatVector.fromArray(S, src, r2 + c);
                    FloatVector d21 = FloatVector.fromArray(S, src, r2 + channels + c);
                    FloatVector d22 = FloatVector.fromArray(S, src, r2 + 2 * channels + c);
                    FloatVector d23 = FloatVector.fromArray(S, src, r2 + 3 * channels + c);
                    FloatVector d30 = FloatVector.fromArray(S, src, r3 + c);
                    FloatVector d31 = FloatVector.fromArray(S, src, r3 + channels + c);
                    FloatVector d32 = FloatVector.fromArray(S, src, r3 + 2 * channels + c);
                    FloatVector d33 = FloatVector.fromArray(S, src, r3 + 3 * channels + c);
                    FloatVector p00 = d00.sub(d20);
                    FloatVector p01 = d01.sub(d21);
                    FloatVector p02 = d02.sub(d22);
                    FloatVector p03 = d03.sub(d23);
                    FloatVector p10 = d10.add(d20);
                    FloatVector p11 = d11.add(d21);
                    FloatVector p12 = d12.add(d22);
                    FloatVector p13 = d13.add(d23);
                    FloatVector p20 = d20.sub(d10);
                    FloatVector p21 = d21.sub(d11);
                    FloatVector p22 = d22.sub(d12);
                    FloatVector p23 = d23.sub(d13);
                    FloatVector p30 = d10.sub(d30);
                    FloatVector p31 = d11.sub(d31);
                    FloatVector p32 = d12.sub(d32);
                    FloatVector p33 = d13.sub(d33);
                    p00.sub(p02).intoArray(v, out);
                    p01.add(p02).intoArray(v, out + xiStride);
                    p02.sub(p01).intoArray(v, out + 2 * xiStride);
                    p01.sub(p03).intoArray(v, out + 3 * xiStride);
                    p10.sub(p12).intoArray(v, out + 4 * xiStride);
                    p11.add(p12).intoArray(v, out + 5 * xiStride);
                    p12.sub(p11).intoArray(v, out + 6 * xiStride);
                    p11.sub(p13).intoArray(v, out + 7 * xiStride);
                    p20.sub(p22).intoArray(v, out + 8 * xiStride);
                    p21.add(p22).intoArray(v, out + 9 * xiStride);
                    p22.sub(p21).intoArray(v, out + 10 * xiStride);
                    p21.sub(p23).intoArray(v, out + 11 * xiStride);
                    p30.sub(p32).intoArray(v, out + 12 * xiStride);
                    p31.add(p32).intoArray(v, out + 13 * xiStride);
                    p32.sub(p31).intoArray(v, out + 14 * xiStride);
                    p31.sub(p33).intoArray(v, out + 15 * xiStride);
                }
            }
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
        for (int ty = 0, tile = 0; ty < tilesHigh; ty++) {
            for (int tx = 0; tx < tilesWide; tx++, tile++) {
                int r0 = at + 2 * ty * row + 2 * tx * channels, r1 = r0 + row;
                for (int c = 0; c < channels; c += L) {
                    int out = mAt + tile * tileStride + c;
                    FloatVector d00 = FloatVector.fromArray(S, src, r0 + c);
                    FloatVector d01 = FloatVector.fromArray(S, src, r0 + channels + c);
                    FloatVector d10 = FloatVector.fromArray(S, src, r1 + c);
                    FloatVector d11 = FloatVector.fromArray(S, src, r1 + channels + c);
                    // A D, A = (Aᵀ)ᵀ: rows D0, D0 + D1, D0 − D1, −D1, per column
                    FloatVector p00 = d00, p01 = d01;
                    FloatVector p10 = d00.add(d10), p11 = d01.add(d11);
                    FloatVector p20 = d00.sub(d10), p21 = d01.sub(d11);
                    FloatVector p30 = d10.neg(), p31 = d11.neg();
                    p00.intoArray(m, out);
                    p00.add(p01).intoArray(m, out + xiStride);
                    p00.sub(p01).intoArray(m, out + 2 * xiStride);
                    p01.neg().intoArray(m, out + 3 * xiStride);
                    p10.intoArray(m, out + 4 * xiStride);
                    p10.add(p11).intoArray(m, out + 5 * xiStride);
                    p10.sub(p11).intoArray(m, out + 6 * xiStride);
                    p11.neg().intoArray(m, out + 7 * xiStride);
                    p20.intoArray(m, out + 8 * xiStride);
                    p20.add(p21).intoArray(m, out + 9 * xiStride);
                    p20.sub(p21).intoArray(m, out + 10 * xiStride);
                    p21.neg().intoArray(m, out + 11 * xiStride);
                    p30.intoArray(m, out + 12 * xiStride);
                    p30.add(p31).intoArray(m, out + 13 * xiStride);
                    p30.sub(p31).intoArray(m, out + 14 * xiStride);
                    p31.neg().intoArray(m, out + 15 * xiStride);
                }
            }
        }
    }
}

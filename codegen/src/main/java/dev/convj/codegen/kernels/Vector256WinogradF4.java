package dev.convj.codegen.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link WinogradF4}'s transforms with 256-bit vectors: lane t holds flat position f0 + t of a plane (a slot row and
 * tile column of the phase arrays, or a tile), so that every lane is used whatever the plane's width. The arithmetic
 * is {@link WinogradF4}'s plain forms', operation for operation. The build derives the 512-bit form from this file.
 * <p>Every method that computes with vectors holds its own loops and takes no vector: C2 then compiles it alone,
 * with its own inlining budget (KernelShapeTest).
 */
final class Vector256WinogradF4 {
    private Vector256WinogradF4() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    static final int L = S.length();

    /**
     * The h×w plane at x[xAt..) copied into the six phase arrays at col[phases + b·size) (WinogradF4#copyPhases; x
     * null: generated code has filled them with its own copy), then the row pass of V = Bᵀ d B over them: h_j =
     * Bᵀ[j] · (c_0 … c_5) at every slot position, into the six arrays at col[rows + j·size). Lanes past the positions
     * read and write the arrays' slack.
     */
    static void inputRows(float[] x, int xAt, int h, int w, int pt, int pl, float[] col, int phases, int rows, int size,
                          int tilesHigh, int tilesWide) {
        // the copy stays here: without it this method is small enough for C2 to inline (KernelShapeTest)
        if (x != null) {
            WinogradF4.copyPhases(x, xAt, h, w, col, phases, pt, pl, tilesHigh, tilesWide);
        }
        FloatVector four = FloatVector.broadcast(S, 4f), minusFour = FloatVector.broadcast(S, -4f);
        FloatVector minusFive = FloatVector.broadcast(S, -5f);
        for (int f = 0, positions = 4 * (tilesHigh + 1) * tilesWide; f < positions; f += L) {
            int c = phases + f, to = rows + f;
            FloatVector d0 = FloatVector.fromArray(S, col, c), d1 = FloatVector.fromArray(S, col, c + size);
            FloatVector d2 = FloatVector.fromArray(S, col, c + 2 * size);
            FloatVector d3 = FloatVector.fromArray(S, col, c + 3 * size);
            FloatVector d4 = FloatVector.fromArray(S, col, c + 4 * size);
            FloatVector d5 = FloatVector.fromArray(S, col, c + 5 * size);
            FloatVector s1 = d2.fma(minusFour, d4), s2 = d1.fma(minusFour, d3);
            FloatVector s3 = d4.sub(d2), s4 = d3.sub(d1).mul(2f);
            d0.fma(four, d2.fma(minusFive, d4)).intoArray(col, to);
            s1.add(s2).intoArray(col, to + size);
            s1.sub(s2).intoArray(col, to + 2 * size);
            s3.add(s4).intoArray(col, to + 3 * size);
            s3.sub(s4).intoArray(col, to + 4 * size);
            d1.fma(four, d3.fma(minusFive, d5)).intoArray(col, to + 5 * size);
        }
    }

    /**
     * The column pass of V = Bᵀ d B: V[6i + j] of tile f = Bᵀ[i] · (h_j at the tile's six rows), stored at v + (6i +
     * j)·xiStride + f, from the row pass's arrays at col[rows + j·size). Lanes past the tiles write V past them
     * (WinogradF4 says why that is safe).
     */
    static void inputColumns(float[] col, int rows, int size, int tilesHigh, int tilesWide, float[] v, int vAt,
                             int xiStride) {
        FloatVector four = FloatVector.broadcast(S, 4f), minusFour = FloatVector.broadcast(S, -4f);
        FloatVector minusFive = FloatVector.broadcast(S, -5f);
        int tiles = tilesHigh * tilesWide, next = (tilesHigh + 1) * tilesWide; // the next row group's slots
        for (int j = 0; j < 6; j++) {
            int h = rows + j * size, out = vAt + j * xiStride;
            for (int f = 0; f < tiles; f += L) {
                // tile row ty's rows 4ty … 4ty + 5: row groups 0–3 at slot ty, groups 0–1 at slot ty + 1
                FloatVector d0 = FloatVector.fromArray(S, col, h + f);
                FloatVector d1 = FloatVector.fromArray(S, col, h + next + f);
                FloatVector d2 = FloatVector.fromArray(S, col, h + 2 * next + f);
                FloatVector d3 = FloatVector.fromArray(S, col, h + 3 * next + f);
                FloatVector d4 = FloatVector.fromArray(S, col, h + tilesWide + f);
                FloatVector d5 = FloatVector.fromArray(S, col, h + next + tilesWide + f);
                FloatVector s1 = d2.fma(minusFour, d4), s2 = d1.fma(minusFour, d3);
                FloatVector s3 = d4.sub(d2), s4 = d3.sub(d1).mul(2f);
                int o = out + f;
                d0.fma(four, d2.fma(minusFive, d4)).intoArray(v, o);
                s1.add(s2).intoArray(v, o + 6 * xiStride);
                s1.sub(s2).intoArray(v, o + 12 * xiStride);
                s3.add(s4).intoArray(v, o + 18 * xiStride);
                s3.sub(s4).intoArray(v, o + 24 * xiStride);
                d1.fma(four, d3.fma(minusFive, d5)).intoArray(v, o + 30 * xiStride);
            }
        }
    }

    /**
     * The first pass of Aᵀ M A over n tiles (M[ξ] of tile f at col[mk + ξ·xiStride + f]): P = Aᵀ M column by column,
     * P[r][j] of tile f into scratch row 6r + j, rows {@code stride} apart from {@code at}.
     */
    static void outputColumns(float[] col, int mk, int xiStride, int n, float[] scratch, int at, int stride) {
        FloatVector two = FloatVector.broadcast(S, 2f), four = FloatVector.broadcast(S, 4f);
        FloatVector eight = FloatVector.broadcast(S, 8f);
        for (int j = 0; j < 6; j++) {
            int m = mk + j * xiStride, p = at + j * stride;
            for (int f = 0; f < n; f += L) {
                FloatVector m0 = FloatVector.fromArray(S, col, m + f);
                FloatVector m1 = FloatVector.fromArray(S, col, m + 6 * xiStride + f);
                FloatVector m2 = FloatVector.fromArray(S, col, m + 12 * xiStride + f);
                FloatVector m3 = FloatVector.fromArray(S, col, m + 18 * xiStride + f);
                FloatVector m4 = FloatVector.fromArray(S, col, m + 24 * xiStride + f);
                FloatVector m5 = FloatVector.fromArray(S, col, m + 30 * xiStride + f);
                FloatVector a = m1.add(m2), b = m1.sub(m2), c = m3.add(m4), d = m3.sub(m4);
                m0.add(a).add(c).intoArray(scratch, p + f);
                d.fma(two, b).intoArray(scratch, p + 6 * stride + f);
                c.fma(four, a).intoArray(scratch, p + 12 * stride + f);
                d.fma(eight, b).add(m5).intoArray(scratch, p + 18 * stride + f);
            }
        }
    }

    /**
     * The second pass of Aᵀ M A: output (r, s) of tile f = P[r] · Aᵀ[s] + bias, 0 where below floor (the ReLU's
     * threshold as a number, not a branch: {@link Vector256Winograd#output} says why), from scratch rows 6r + j into
     * scratch row 24 + 4r + s.
     */
    static void outputRows(float[] scratch, int at, int stride, int n, float bias, float floor) {
        FloatVector two = FloatVector.broadcast(S, 2f), four = FloatVector.broadcast(S, 4f);
        FloatVector eight = FloatVector.broadcast(S, 8f);
        for (int r = 0; r < 4; r++) {
            int p = at + 6 * r * stride, o = at + (24 + 4 * r) * stride;
            for (int f = 0; f < n; f += L) {
                FloatVector m0 = FloatVector.fromArray(S, scratch, p + f);
                FloatVector m1 = FloatVector.fromArray(S, scratch, p + stride + f);
                FloatVector m2 = FloatVector.fromArray(S, scratch, p + 2 * stride + f);
                FloatVector m3 = FloatVector.fromArray(S, scratch, p + 3 * stride + f);
                FloatVector m4 = FloatVector.fromArray(S, scratch, p + 4 * stride + f);
                FloatVector m5 = FloatVector.fromArray(S, scratch, p + 5 * stride + f);
                FloatVector a = m1.add(m2), b = m1.sub(m2), c = m3.add(m4), d = m3.sub(m4);
                FloatVector o0 = m0.add(a).add(c).add(bias), o1 = d.fma(two, b).add(bias);
                FloatVector o2 = c.fma(four, a).add(bias), o3 = d.fma(eight, b).add(m5).add(bias);
                o0 = o0.blend(0f, o0.compare(VectorOperators.LT, floor));
                o1 = o1.blend(0f, o1.compare(VectorOperators.LT, floor));
                o2 = o2.blend(0f, o2.compare(VectorOperators.LT, floor));
                o3 = o3.blend(0f, o3.compare(VectorOperators.LT, floor));
                o0.intoArray(scratch, o + f);
                o1.intoArray(scratch, o + stride + f);
                o2.intoArray(scratch, o + 2 * stride + f);
                o3.intoArray(scratch, o + 3 * stride + f);
            }
        }
    }

    /**
     * {@link WinogradF4#maskReluBackward} over the whole vectors of y[at, at + n); returns how many floats it did. Four
     * vectors a step, then one: the loads of a step go out together, and the method stays too large for C2 to inline
     * into its caller (KernelShapeTest says why that matters).
     */
    static int maskReluBackward(float[] y, int at, float[] mask, int n) {
        int whole = S.loopBound(n), i = 0;
        for (; i + 4 * L <= whole; i += 4 * L) {
            int p = at + i;
            FloatVector v0 = FloatVector.fromArray(S, y, p), v1 = FloatVector.fromArray(S, y, p + L);
            FloatVector v2 = FloatVector.fromArray(S, y, p + 2 * L), v3 = FloatVector.fromArray(S, y, p + 3 * L);
            VectorMask<Float> z0 = FloatVector.fromArray(S, mask, p).compare(VectorOperators.LE, 0f);
            VectorMask<Float> z1 = FloatVector.fromArray(S, mask, p + L).compare(VectorOperators.LE, 0f);
            VectorMask<Float> z2 = FloatVector.fromArray(S, mask, p + 2 * L).compare(VectorOperators.LE, 0f);
            VectorMask<Float> z3 = FloatVector.fromArray(S, mask, p + 3 * L).compare(VectorOperators.LE, 0f);
            v0.blend(0f, z0).intoArray(y, p);
            v1.blend(0f, z1).intoArray(y, p + L);
            v2.blend(0f, z2).intoArray(y, p + 2 * L);
            v3.blend(0f, z3).intoArray(y, p + 3 * L);
        }
        for (; i < whole; i += L) {
            FloatVector v = FloatVector.fromArray(S, y, at + i);
            v.blend(0f, FloatVector.fromArray(S, mask, at + i).compare(VectorOperators.LE, 0f)).intoArray(y, at + i);
        }
        return whole;
    }

    /**
     * The 2×2 max pools of {@link #outputRows}' tiles: window (pr, ps) of tile f, outputs (2pr + a, 2ps + b) read from
     * scratch row 24 + 4(2pr + a) + 2ps + b, scanned as MaxPool2x2 scans (row-major, the first maximum, the last
     * NaN), stored in scratch row 40 + 2pr + ps.
     */
    static void pool(float[] scratch, int at, int stride, int n) {
        for (int pr = 0; pr < 2; pr++) { // both windows of a pair of output rows a step
            int o = at + (24 + 8 * pr) * stride, q = at + (40 + 2 * pr) * stride;
            for (int f = 0; f < n; f += L) {
                FloatVector left = FloatVector.fromArray(S, scratch, o + f);
                FloatVector v1 = FloatVector.fromArray(S, scratch, o + stride + f);
                FloatVector v2 = FloatVector.fromArray(S, scratch, o + 4 * stride + f);
                FloatVector v3 = FloatVector.fromArray(S, scratch, o + 5 * stride + f);
                left = left.blend(v1, v1.compare(VectorOperators.GT, left).or(v1.compare(VectorOperators.NE, v1)));
                left = left.blend(v2, v2.compare(VectorOperators.GT, left).or(v2.compare(VectorOperators.NE, v2)));
                left = left.blend(v3, v3.compare(VectorOperators.GT, left).or(v3.compare(VectorOperators.NE, v3)));
                left.intoArray(scratch, q + f);
                FloatVector right = FloatVector.fromArray(S, scratch, o + 2 * stride + f);
                FloatVector w1 = FloatVector.fromArray(S, scratch, o + 3 * stride + f);
                FloatVector w2 = FloatVector.fromArray(S, scratch, o + 6 * stride + f);
                FloatVector w3 = FloatVector.fromArray(S, scratch, o + 7 * stride + f);
                right = right.blend(w1, w1.compare(VectorOperators.GT, right).or(w1.compare(VectorOperators.NE, w1)));
                right = right.blend(w2, w2.compare(VectorOperators.GT, right).or(w2.compare(VectorOperators.NE, w2)));
                right = right.blend(w3, w3.compare(VectorOperators.GT, right).or(w3.compare(VectorOperators.NE, w3)));
                right.intoArray(scratch, q + stride + f);
            }
        }
    }

    /*
     * The weight gradient's transforms over channels-last planes, L channels a vector, one tile row (ty) a call, in
     * two passes of one method each (each pass about 30 vector operations: two in one method left vectors boxed on
     * JDK 17, as F(4×4)'s forward transforms once did). Tile tx's intermediate values, value (i, b) of channel c, lie
     * at t[tAt + ((tx·6 + i)·width + b)·channels + c], width 6 (input) or 4 (dy).
     */

    /**
     * Bᵀ d of each tile of tile row ty, column by column: d[a][b] of tile tx at src[at + ((4ty + a)·pw + 4tx + b)·
     * channels + c]. channels must be a multiple of L.
     */
    static void inputChannelColumns(float[] src, int at, int pw, int channels, int ty, int tilesWide, float[] t,
                                    int tAt) {
        FloatVector four = FloatVector.broadcast(S, 4f), minusFour = FloatVector.broadcast(S, -4f);
        FloatVector minusFive = FloatVector.broadcast(S, -5f);
        int row = pw * channels, i1 = 6 * channels; // a column of d: rows pw·channels apart; of Bᵀ d: 6·channels
        for (int tx = 0; tx < tilesWide; tx++) {
            int origin = at + (4 * ty * pw + 4 * tx) * channels, to = tAt + 36 * tx * channels;
            for (int b = 0; b < 6; b++) {
                for (int c = 0; c < channels; c += L) {
                    int d = origin + b * channels + c, o = to + b * channels + c;
                    FloatVector d0 = FloatVector.fromArray(S, src, d);
                    FloatVector d1 = FloatVector.fromArray(S, src, d + row);
                    FloatVector d2 = FloatVector.fromArray(S, src, d + 2 * row);
                    FloatVector d3 = FloatVector.fromArray(S, src, d + 3 * row);
                    FloatVector d4 = FloatVector.fromArray(S, src, d + 4 * row);
                    FloatVector d5 = FloatVector.fromArray(S, src, d + 5 * row);
                    FloatVector s1 = d2.fma(minusFour, d4), s2 = d1.fma(minusFour, d3);
                    FloatVector s3 = d4.sub(d2), s4 = d3.sub(d1).mul(2f);
                    d0.fma(four, d2.fma(minusFive, d4)).intoArray(t, o);
                    s1.add(s2).intoArray(t, o + i1);
                    s1.sub(s2).intoArray(t, o + 2 * i1);
                    s3.add(s4).intoArray(t, o + 3 * i1);
                    s3.sub(s4).intoArray(t, o + 4 * i1);
                    d1.fma(four, d3.fma(minusFive, d5)).intoArray(t, o + 5 * i1);
                }
            }
        }
    }

    /**
     * (Bᵀ d) B of each tile of a tile row, row by row, from {@link #inputChannelColumns}' values: V[6i + j] of tile tx,
     * channel c, stored at v[out + tx·tileStride + (6i + j)·xiStride + c].
     */
    static void inputChannelRows(float[] t, int tAt, int channels, int tilesWide, float[] v, int out, int xiStride,
                                 int tileStride) {
        FloatVector four = FloatVector.broadcast(S, 4f), minusFour = FloatVector.broadcast(S, -4f);
        FloatVector minusFive = FloatVector.broadcast(S, -5f);
        for (int tx = 0; tx < tilesWide; tx++) {
            for (int i = 0; i < 6; i++) {
                int p0 = tAt + (6 * tx + i) * 6 * channels, o0 = out + tx * tileStride + 6 * i * xiStride;
                for (int c = 0; c < channels; c += L) {
                    int p = p0 + c, o = o0 + c;
                    FloatVector d0 = FloatVector.fromArray(S, t, p);
                    FloatVector d1 = FloatVector.fromArray(S, t, p + channels);
                    FloatVector d2 = FloatVector.fromArray(S, t, p + 2 * channels);
                    FloatVector d3 = FloatVector.fromArray(S, t, p + 3 * channels);
                    FloatVector d4 = FloatVector.fromArray(S, t, p + 4 * channels);
                    FloatVector d5 = FloatVector.fromArray(S, t, p + 5 * channels);
                    FloatVector s1 = d2.fma(minusFour, d4), s2 = d1.fma(minusFour, d3);
                    FloatVector s3 = d4.sub(d2), s4 = d3.sub(d1).mul(2f);
                    d0.fma(four, d2.fma(minusFive, d4)).intoArray(v, o);
                    s1.add(s2).intoArray(v, o + xiStride);
                    s1.sub(s2).intoArray(v, o + 2 * xiStride);
                    s3.add(s4).intoArray(v, o + 3 * xiStride);
                    s3.sub(s4).intoArray(v, o + 4 * xiStride);
                    d1.fma(four, d3.fma(minusFive, d5)).intoArray(v, o + 5 * xiStride);
                }
            }
        }
    }

    /**
     * A D of each 4×4 tile of tile row ty, column by column: D[r][s] of tile tx at src[at + ((4ty + r)·4·tilesWide
     * + 4tx + s)·channels + c]. A = (Aᵀ)ᵀ turns four values g into g0, (g0 + g2) ± (g1 + g3), (g0 + 4g2) ±
     * 2(g1 + 4g3), g3. channels must be a multiple of L.
     */
    static void gradientChannelColumns(float[] src, int at, int channels, int ty, int tilesWide, float[] t, int tAt) {
        FloatVector four = FloatVector.broadcast(S, 4f);
        int row = 4 * tilesWide * channels, i1 = 4 * channels;
        for (int tx = 0; tx < tilesWide; tx++) {
            int origin = at + 4 * ty * row + 4 * tx * channels, to = tAt + 24 * tx * channels;
            for (int s = 0; s < 4; s++) {
                for (int c = 0; c < channels; c += L) {
                    int d = origin + s * channels + c, o = to + s * channels + c;
                    FloatVector g0 = FloatVector.fromArray(S, src, d);
                    FloatVector g1 = FloatVector.fromArray(S, src, d + row);
                    FloatVector g2 = FloatVector.fromArray(S, src, d + 2 * row);
                    FloatVector g3 = FloatVector.fromArray(S, src, d + 3 * row);
                    FloatVector e = g0.add(g2), f = g1.add(g3);
                    FloatVector e4 = g2.fma(four, g0), f4 = g3.fma(four, g1).mul(2f);
                    g0.intoArray(t, o);
                    e.add(f).intoArray(t, o + i1);
                    e.sub(f).intoArray(t, o + 2 * i1);
                    e4.add(f4).intoArray(t, o + 3 * i1);
                    e4.sub(f4).intoArray(t, o + 4 * i1);
                    g3.intoArray(t, o + 5 * i1);
                }
            }
        }
    }

    /**
     * (A D) Aᵀ of each tile of a tile row, two rows at a time, from {@link #gradientChannelColumns}' values: M[6i + j]
     * of tile tx, channel c, stored at m[out + tx·tileStride + (6i + j)·xiStride + c]. (Two rows a step also keep
     * this method above C2's inlining size.)
     */
    static void gradientChannelRows(float[] t, int tAt, int channels, int tilesWide, float[] m, int out, int xiStride,
                                    int tileStride) {
        FloatVector four = FloatVector.broadcast(S, 4f);
        for (int tx = 0; tx < tilesWide; tx++) {
            for (int i = 0; i < 6; i += 2) {
                int p0 = tAt + (6 * tx + i) * 4 * channels, o0 = out + tx * tileStride + 6 * i * xiStride;
                int q0 = p0 + 4 * channels, r0 = o0 + 6 * xiStride; // row i + 1
                for (int c = 0; c < channels; c += L) {
                    int p = p0 + c, o = o0 + c, q = q0 + c, r = r0 + c;
                    FloatVector g0 = FloatVector.fromArray(S, t, p);
                    FloatVector g1 = FloatVector.fromArray(S, t, p + channels);
                    FloatVector g2 = FloatVector.fromArray(S, t, p + 2 * channels);
                    FloatVector g3 = FloatVector.fromArray(S, t, p + 3 * channels);
                    FloatVector h0 = FloatVector.fromArray(S, t, q);
                    FloatVector h1 = FloatVector.fromArray(S, t, q + channels);
                    FloatVector h2 = FloatVector.fromArray(S, t, q + 2 * channels);
                    FloatVector h3 = FloatVector.fromArray(S, t, q + 3 * channels);
                    FloatVector e = g0.add(g2), f = g1.add(g3);
                    FloatVector e4 = g2.fma(four, g0), f4 = g3.fma(four, g1).mul(2f);
                    g0.intoArray(m, o);
                    e.add(f).intoArray(m, o + xiStride);
                    e.sub(f).intoArray(m, o + 2 * xiStride);
                    e4.add(f4).intoArray(m, o + 3 * xiStride);
                    e4.sub(f4).intoArray(m, o + 4 * xiStride);
                    g3.intoArray(m, o + 5 * xiStride);
                    FloatVector k = h0.add(h2), l = h1.add(h3);
                    FloatVector k4 = h2.fma(four, h0), l4 = h3.fma(four, h1).mul(2f);
                    h0.intoArray(m, r);
                    k.add(l).intoArray(m, r + xiStride);
                    k.sub(l).intoArray(m, r + 2 * xiStride);
                    k4.add(l4).intoArray(m, r + 3 * xiStride);
                    k4.sub(l4).intoArray(m, r + 4 * xiStride);
                    h3.intoArray(m, r + 5 * xiStride);
                }
            }
        }
    }
}

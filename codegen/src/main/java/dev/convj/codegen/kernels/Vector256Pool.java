package dev.convj.codegen.kernels;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link MaxPool2x2} with 256-bit vectors: a vector holds L/2 whole windows of a row pair, lanes 2j and 2j + 1 the
 * left and right taps of window j. The build derives the 128- and 512-bit forms from this file.
 */
final class Vector256Pool {
    private Vector256Pool() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    static final int L = S.length();
    /** The right tap's lanes. */
    private static final VectorMask<Float> RIGHT;
    /** Swaps each lane with its window neighbour. */
    private static final VectorShuffle<Float> NEIGHBOUR;
    /** Lane i takes lane i / 2: one upstream gradient per window, to both of its lanes. */
    private static final VectorShuffle<Float> PER_WINDOW;
    /** Lane i takes lane 2i (mod L): the windows' maxima, held in their left lanes, packed into the low half. */
    private static final VectorShuffle<Float> LEFT_LANES;
    /** The high half of the lanes. */
    private static final VectorMask<Float> HIGH;

    static {
        boolean[] right = new boolean[L];
        boolean[] high = new boolean[L];
        int[] neighbour = new int[L], perWindow = new int[L], leftLanes = new int[L];
        for (int i = 0; i < L; i++) {
            right[i] = (i & 1) == 1;
            high[i] = i >= L / 2;
            neighbour[i] = i ^ 1;
            perWindow[i] = i / 2;
            leftLanes[i] = 2 * i % L;
        }
        RIGHT = VectorMask.fromArray(S, right, 0);
        NEIGHBOUR = VectorShuffle.fromArray(S, neighbour, 0);
        PER_WINDOW = VectorShuffle.fromArray(S, perWindow, 0);
        LEFT_LANES = VectorShuffle.fromArray(S, leftLanes, 0);
        HIGH = VectorMask.fromArray(S, high, 0);
    }

    /**
     * Per thread: a row pair of fewer than L windows, copied into zero-padded rows of whole vectors (top, bottom), and
     * the maxima, so planes narrower than the vectors take the vector form too.
     */
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[5 * L]);

    /**
     * Two vectors of a row pair (L windows) give one vector of maxima; needs w / 2 ≥ L / 2: a row pair of fewer than
     * L windows goes through the scratch rows (with fewer than L / 2 the copies cost more than the plain form saves).
     */
    static void maxForward2x2(float[] x, float[] y, int planeFrom, int planeTo, int h, int w) {
        int ho = h / 2, wo = w / 2, yEnd = planeTo * ho * wo;
        boolean narrow = wo < L;
        // the last chunk overlaps the one before it if need be; a narrow row pair is one chunk
        int last = narrow ? 0 : 2 * (wo - L);
        float[] s = narrow ? SCRATCH.get() : null;
        if (narrow) {
            Arrays.fill(s, 0, 4 * L, 0f);
        }
        for (int plane = planeFrom; plane < planeTo; plane++) {
            for (int o0 = 0; o0 < ho; o0++) {
                int top = plane * h * w + 2 * o0 * w, bottom = top + w, yRow = (plane * ho + o0) * wo;
                float[] src = x, dst = y;
                int srcTop = top, srcBottom = bottom, at = yRow;
                // A narrow row pair is read in place, the chunk's taps past the row from the rows after it, and its L
                // maxima written whole: those past the row land in the next row's place, which is written after. The
                // last row pair of the planes (no next row to spill into) goes through the zero-padded scratch rows.
                boolean scratch = narrow && (yRow + L > yEnd || bottom + 2 * L > x.length);
                if (scratch) {
                    System.arraycopy(x, top, s, 0, 2 * wo);
                    System.arraycopy(x, bottom, s, 2 * L, 2 * wo);
                    src = s;
                    dst = s;
                    srcTop = 0;
                    srcBottom = 2 * L;
                    at = 4 * L;
                }
                if (forwardRow(src, srcTop, srcBottom, dst, at, last, x, y, plane, o0, h, w) && scratch) {
                    System.arraycopy(s, 4 * L, y, yRow, wo);
                }
            }
        }
    }

    /**
     * The maxima of a row pair's windows, 2·L taps of each row a chunk, the last chunk at {@code last}: from src's rows
     * at top and bottom into dst from at. A chunk with a NaN tap (rare) goes window by window from x into y instead;
     * then this returns false.
     * <p>Every method here that computes with vectors holds its own loop, so C2 compiles it alone (it is larger than
     * what C2 inlines): inlined twice into its caller, the budget ran out and JDK 17's C2 boxed the vectors
     * (KernelShapeTest).
     */
    private static boolean forwardRow(float[] src, int top, int bottom, float[] dst, int at, int last, float[] x,
                                      float[] y, int plane, int o0, int h, int w) {
        boolean vectors = true;
        for (int c = 0; ; c = Math.min(c + 2 * L, last)) {
            FloatVector t0 = FloatVector.fromArray(S, src, top + c), b0 = FloatVector.fromArray(S, src, bottom + c);
            FloatVector t1 = FloatVector.fromArray(S, src, top + c + L);
            FloatVector b1 = FloatVector.fromArray(S, src, bottom + c + L);
            if (t0.compare(VectorOperators.NE, t0).or(b0.compare(VectorOperators.NE, b0))
                    .or(t1.compare(VectorOperators.NE, t1)).or(b1.compare(VectorOperators.NE, b1)).anyTrue()) {
                MaxPool2x2.forwardWindows(x, y, plane, o0, c / 2, Math.min(w / 2, c / 2 + L), h, w);
                vectors = false;
            } else {
                // each window's first maximum in row-major order, in its left lane: a tap replaces the best so far
                // only when greater, so ties, −0 against +0 included, keep the earlier tap, as PyTorch's kernel does
                FloatVector tn0 = t0.rearrange(NEIGHBOUR), bn0 = b0.rearrange(NEIGHBOUR);
                FloatVector tn1 = t1.rearrange(NEIGHBOUR), bn1 = b1.rearrange(NEIGHBOUR);
                FloatVector top0 = t0.blend(tn0, tn0.compare(VectorOperators.GT, t0));
                FloatVector bottom0 = b0.blend(bn0, bn0.compare(VectorOperators.GT, b0));
                FloatVector top1 = t1.blend(tn1, tn1.compare(VectorOperators.GT, t1));
                FloatVector bottom1 = b1.blend(bn1, bn1.compare(VectorOperators.GT, b1));
                FloatVector m0 = top0.blend(bottom0, bottom0.compare(VectorOperators.GT, top0));
                FloatVector m1 = top1.blend(bottom1, bottom1.compare(VectorOperators.GT, top1));
                m0.rearrange(LEFT_LANES).blend(m1.rearrange(LEFT_LANES), HIGH).intoArray(dst, at + c / 2);
            }
            if (c == last) {
                return vectors;
            }
        }
    }

    /**
     * Whether {@link #copyOutPooled} can take this row: it has windows, a row of fewer than L windows has room for L
     * values before dstEnd, and src holds whole chunks from top and bottom. Asked by the caller, so that the vector
     * kernel holds no branch that a later graph could be the first to take ({@link MicroKernel#reluFloor}).
     */
    static boolean copiesOut(int srcLength, int top, int bottom, int at, int wo, int dstEnd) {
        return wo >= 1 && (wo >= L || at + L <= dstEnd) && Math.max(top, bottom) + 2 * Math.max(wo, L) <= srcLength;
    }

    /**
     * {@link MaxPool2x2#copyOutPooled} for a row that {@link #copiesOut}: L windows a chunk, two vectors of each row,
     * the last chunk overlapping the one before it. A row of fewer than L windows writes L values (the extra ones in
     * the next row's place, written after). NaN needs no plain form here: each step's select also takes a NaN tap.
     */
    static void copyOutPooled(float[] src, int top, int bottom, float[] dst, int at, int wo, float bias, float floor) {
        FloatVector zero = FloatVector.zero(S);
        int last = Math.max(0, wo - L);
        for (int c = 0; ; c = Math.min(c + L, last)) {
            FloatVector t0 = FloatVector.fromArray(S, src, top + 2 * c).add(bias);
            FloatVector t1 = FloatVector.fromArray(S, src, top + 2 * c + L).add(bias);
            FloatVector b0 = FloatVector.fromArray(S, src, bottom + 2 * c).add(bias);
            FloatVector b1 = FloatVector.fromArray(S, src, bottom + 2 * c + L).add(bias);
            // the ReLU (floor 0; −∞ without it): 0 where below, NaN and −0 kept, as Gemm.copyOut's
            t0 = t0.blend(zero, t0.compare(VectorOperators.LT, floor));
            t1 = t1.blend(zero, t1.compare(VectorOperators.LT, floor));
            b0 = b0.blend(zero, b0.compare(VectorOperators.LT, floor));
            b1 = b1.blend(zero, b1.compare(VectorOperators.LT, floor));
            // in each window's left lane: the right tap replaces the left when greater or NaN, then the bottom pair's
            // best replaces the top pair's likewise: MaxPool2x2's scan (the first maximum, or the last NaN)
            FloatVector tn0 = t0.rearrange(NEIGHBOUR), tn1 = t1.rearrange(NEIGHBOUR);
            FloatVector bn0 = b0.rearrange(NEIGHBOUR), bn1 = b1.rearrange(NEIGHBOUR);
            t0 = t0.blend(tn0, tn0.compare(VectorOperators.GT, t0).or(tn0.compare(VectorOperators.NE, tn0)));
            t1 = t1.blend(tn1, tn1.compare(VectorOperators.GT, t1).or(tn1.compare(VectorOperators.NE, tn1)));
            b0 = b0.blend(bn0, bn0.compare(VectorOperators.GT, b0).or(bn0.compare(VectorOperators.NE, bn0)));
            b1 = b1.blend(bn1, bn1.compare(VectorOperators.GT, b1).or(bn1.compare(VectorOperators.NE, bn1)));
            FloatVector m0 = t0.blend(b0, b0.compare(VectorOperators.GT, t0).or(b0.compare(VectorOperators.NE, b0)));
            FloatVector m1 = t1.blend(b1, b1.compare(VectorOperators.GT, t1).or(b1.compare(VectorOperators.NE, b1)));
            m0.rearrange(LEFT_LANES).blend(m1.rearrange(LEFT_LANES), HIGH).intoArray(dst, at + c);
            if (c == last) {
                return;
            }
        }
    }

    /**
     * Max pooling of a position-major result, channels in the lanes ({@link MaxPool2x2#poolChannels} and
     * {@link MaxPool2x2#poolPositionsToPlanes}): for each window (i, j) of the h×w positions, ldc floats a position
     * from srcAt, and each of {@code vectors} vectors of channels, its four position vectors, the bias's vector at
     * biasAt + v·biasStep added (−0 without a bias: {@link MicroKernel#biasOrNone}), the ReLU applied (floor:
     * {@link MicroKernel#reluFloor}), then each replacing the best so far when greater or NaN in row-major order;
     * the result goes to dst[dstAt + i·dstRow + j·dstCol + v·L]. dst may be src itself when that place is the
     * window's first position, which nothing reads again.
     */
    static void poolChannelWindows(float[] src, int srcAt, int h, int w, int ldc, int vectors, float[] bias,
                                   int biasAt, int biasStep, float floor, float[] dst, int dstAt, int dstRow,
                                   int dstCol) {
        FloatVector zero = FloatVector.zero(S);
        for (int i = 0; i < h / 2; i++) {
            for (int j = 0; j < w / 2; j++) {
                int first = srcAt + (2 * i * w + 2 * j) * ldc, out = dstAt + i * dstRow + j * dstCol;
                for (int v = 0; v < vectors; v++) {
                    int p = first + v * L;
                    FloatVector v0 = FloatVector.fromArray(S, src, p), v1 = FloatVector.fromArray(S, src, p + ldc);
                    FloatVector v2 = FloatVector.fromArray(S, src, p + w * ldc);
                    FloatVector v3 = FloatVector.fromArray(S, src, p + (w + 1) * ldc);
                    FloatVector b = FloatVector.fromArray(S, bias, biasAt + v * biasStep);
                    v0 = v0.add(b);
                    v1 = v1.add(b);
                    v2 = v2.add(b);
                    v3 = v3.add(b);
                    v0 = v0.blend(zero, v0.compare(VectorOperators.LT, floor));
                    v1 = v1.blend(zero, v1.compare(VectorOperators.LT, floor));
                    v2 = v2.blend(zero, v2.compare(VectorOperators.LT, floor));
                    v3 = v3.blend(zero, v3.compare(VectorOperators.LT, floor));
                    FloatVector best = v0.blend(v1,
                            v1.compare(VectorOperators.GT, v0).or(v1.compare(VectorOperators.NE, v1)));
                    best = best.blend(v2,
                            v2.compare(VectorOperators.GT, best).or(v2.compare(VectorOperators.NE, v2)));
                    best = best.blend(v3,
                            v3.compare(VectorOperators.GT, best).or(v3.compare(VectorOperators.NE, v3)));
                    best.intoArray(dst, out + v * L);
                }
            }
        }
    }

    /**
     * Each window's gradient to its argmax, a vector of a row pair at a time; needs w ≥ L (copying narrower rows
     * through scratch costs more than the plain form saves).
     */
    static void maxBackward2x2(float[] x, float[] dy, float[] mask, float[] dx, int planeFrom, int planeTo, int h,
                               int w) {
        // the last chunk overlaps the one before it when L does not divide w; a narrow row (even, below L) is one
        boolean narrow = w < L;
        int wo = w / 2, last = narrow ? 0 : w - L;
        // without a mask the rows gate against x itself below NaN, which nothing is (≤ NaN is never true): the row
        // kernel then holds no branch on the mask (MicroKernel#reluFloor says why); this method holds no vectors
        float[] gate = mask == null ? x : mask;
        float gateFloor = mask == null ? Float.NaN : 0f;
        for (int plane = planeFrom; plane < planeTo; plane++) {
            for (int o0 = 0; o0 < h / 2; o0++) {
                int top = plane * h * w + 2 * o0 * w, bottom = top + w, yRow = (plane * (h / 2) + o0) * wo;
                // A narrow row pair is read in place, the lanes past a row from the rows after it, and its dx rows
                // stored whole: the top row's spill is overwritten by the bottom row's store, the bottom's by the
                // next row pairs'. A row pair whose spill would land past the planes (which another thread may
                // write) goes window by window (the small VGG's 14-wide planes on 512 bits: 2.15 ms a step in the
                // plain form on one thread, AVX-512 Zen 5).
                if (narrow && bottom + L > planeTo * h * w) {
                    MaxPool2x2.backwardWindows(x, dy, mask, dx, plane, o0, 0, wo, h, w, true);
                } else {
                    backwardRow(x, top, bottom, dy, yRow, mask, gate, gateFloor, dx, last, plane, o0, h, w);
                }
            }
        }
    }

    /**
     * The gradient of one row pair's windows, L/2 windows a chunk, the last chunk at {@code last}: x's rows at top and
     * bottom, the upstream gradients from dy[yRow], +0 where gate's rows at the same places are ≤ gateFloor (the
     * ReLU mask and 0; x and NaN without a mask); dx's rows written whole. NaN (the last NaN wins) is rare: those
     * windows, and a row whose gradients end dy too close to load a whole vector, go one at a time, with the mask.
     */
    private static void backwardRow(float[] x, int top, int bottom, float[] dy, int yRow, float[] mask, float[] gate,
                                    float gateFloor, float[] dx, int last, int plane, int o0, int h, int w) {
        FloatVector zero = FloatVector.zero(S);
        for (int c = 0; ; c = Math.min(c + L, last)) {
            int y = yRow + c / 2;
            FloatVector t = FloatVector.fromArray(S, x, top + c), b = FloatVector.fromArray(S, x, bottom + c);
            if (y > dy.length - L || t.compare(VectorOperators.NE, t).or(b.compare(VectorOperators.NE, b)).anyTrue()) {
                MaxPool2x2.backwardWindows(x, dy, mask, dx, plane, o0, c / 2, Math.min(c / 2 + L / 2, w / 2), h, w,
                        true);
            } else {
                FloatVector tn = t.rearrange(NEIGHBOUR), bn = b.rearrange(NEIGHBOUR);
                FloatVector tLeft = t.blend(tn, RIGHT), tRight = tn.blend(t, RIGHT);
                FloatVector bLeft = b.blend(bn, RIGHT), bRight = bn.blend(b, RIGHT);
                // a row's right tap wins only when greater (ties keep the left); the bottom row only when its best
                // is greater than the top row's: the first maximum in row-major order
                VectorMask<Float> topRightWins = tRight.compare(VectorOperators.GT, tLeft);
                VectorMask<Float> bottomRightWins = bRight.compare(VectorOperators.GT, bLeft);
                VectorMask<Float> bottomWins = bLeft.max(bRight).compare(VectorOperators.GT, tLeft.max(tRight));
                VectorMask<Float> topArg = topRightWins.eq(RIGHT).andNot(bottomWins);
                VectorMask<Float> bottomArg = bottomRightWins.eq(RIGHT).and(bottomWins);
                // + 0: −0 becomes +0, as adding into cleared memory does (PyTorch, the interpreter)
                FloatVector g = FloatVector.fromArray(S, dy, y).rearrange(PER_WINDOW).add(0f);
                // +0 where mask ≤ 0, as the scalar form and ReLU's gradient select
                FloatVector gTop = g.blend(zero,
                        FloatVector.fromArray(S, gate, top + c).compare(VectorOperators.LE, gateFloor));
                FloatVector gBottom = g.blend(zero,
                        FloatVector.fromArray(S, gate, bottom + c).compare(VectorOperators.LE, gateFloor));
                zero.blend(gTop, topArg).intoArray(dx, top + c);
                zero.blend(gBottom, bottomArg).intoArray(dx, bottom + c);
            }
            if (c == last) {
                return;
            }
        }
    }
}

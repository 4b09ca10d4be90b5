package dev.convj.codegen.kernels;

import java.util.Arrays;

/**
 * Max pooling with 2×2 windows, stride 2 and no padding, forward and backward, over planes of h×w: the commonest
 * pooling of CNNs, given kernels that handle whole row pairs a vector at a time. The argmax is PyTorch's CPU
 * kernel's: the first maximum in row-major order, or the last NaN when the window holds one.
 * <p>Buffers are indexed from 0: plane p of the unpooled x, mask and dx at p·h·w, of the pooled y and dy at
 * p·(h/2)·(w/2). Planes [planeFrom, planeTo) are computed. Without the Vector API (or for planes narrower than
 * the kernels take: half a vector of windows a row forward, a vector of floats backward) the plain forms run.
 */
public final class MaxPool2x2 {
    private MaxPool2x2() {}

    /**
     * The vector kernels' width, or 0 for the plain forms; in a holder, as the kernels call back into this class
     * while {@link KernelChoice} tries them.
     */
    private static final class Width {
        static final int BITS = KernelChoice.poolBits();
    }

    /**
     * y = the first maximum of each window in row-major order (a tap replaces the best so far when greater or NaN:
     * ties, −0 against +0 included, keep the earlier tap, and the last NaN wins); an odd last row or column is in no
     * window.
     */
    public static void forward(float[] x, float[] y, int planeFrom, int planeTo, int h, int w) {
        if (Width.BITS == 512 && w / 2 >= 2) {
            Vector512Pool.maxForward2x2(x, y, planeFrom, planeTo, h, w);
            return;
        }
        if (Width.BITS == 256 && w / 2 >= 2) {
            Vector256Pool.maxForward2x2(x, y, planeFrom, planeTo, h, w);
            return;
        }
        if (Width.BITS == 128 && w / 2 >= 2) {
            Vector128Pool.maxForward2x2(x, y, planeFrom, planeTo, h, w);
            return;
        }
        forwardPlain(x, y, planeFrom, planeTo, h, w);
    }

    static void forwardPlain(float[] x, float[] y, int planeFrom, int planeTo, int h, int w) {
        for (int plane = planeFrom; plane < planeTo; plane++) {
            for (int o0 = 0; o0 < h / 2; o0++) {
                forwardWindows(x, y, plane, o0, 0, w / 2, h, w);
            }
        }
    }

    /** Windows [from, to) of row o0 of a plane, one at a time. */
    static void forwardWindows(float[] x, float[] y, int plane, int o0, int from, int to, int h, int w) {
        for (int o1 = from, out = (plane * (h / 2) + o0) * (w / 2) + from; o1 < to; o1++, out++) {
            int at = plane * h * w + 2 * o0 * w + 2 * o1;
            y[out] = later(later(later(x[at], x[at + 1]), x[at + w]), x[at + w + 1]);
        }
    }

    /** The scan's step: v when it is greater than the best so far or NaN, else the best. */
    private static float later(float best, float v) {
        return v > best || v != v ? v : best;
    }

    /**
     * The gradient, for windows that tile the planes (h and w even): each window's upstream gradient goes to its
     * argmax, or +0 where mask ≤ 0 when a mask is given (a fused ReLU backward: mask is the ReLU's output), and
     * every other element of dx is zero.
     */
    public static void backward(float[] x, float[] dy, float[] mask, float[] dx, int planeFrom, int planeTo, int h,
                                 int w) {
        if (Width.BITS == 512 && w >= 16) {
            Vector512Pool.maxBackward2x2(x, dy, mask, dx, planeFrom, planeTo, h, w);
            return;
        }
        if (Width.BITS == 256 && w >= 8) {
            Vector256Pool.maxBackward2x2(x, dy, mask, dx, planeFrom, planeTo, h, w);
            return;
        }
        if (Width.BITS == 128 && w >= 4) {
            Vector128Pool.maxBackward2x2(x, dy, mask, dx, planeFrom, planeTo, h, w);
            return;
        }
        backwardPlain(x, dy, mask, dx, planeFrom, planeTo, h, w);
    }

    /** The plain form: clear the planes, then store each window's argmax. */
    static void backwardPlain(float[] x, float[] dy, float[] mask, float[] dx, int planeFrom, int planeTo, int h,
                              int w) {
        Arrays.fill(dx, planeFrom * h * w, planeTo * h * w, 0f);
        for (int plane = planeFrom; plane < planeTo; plane++) {
            for (int o0 = 0; o0 < h / 2; o0++) {
                backwardWindows(x, dy, mask, dx, plane, o0, 0, w / 2, h, w, false);
            }
        }
    }

    /**
     * Windows [from, to) of row o0 of a plane, one at a time; with {@code dense} all four taps are written, else
     * only the argmax (dx already cleared).
     */
    static void backwardWindows(float[] x, float[] dy, float[] mask, float[] dx, int plane, int o0, int from,
                                int to, int h, int w, boolean dense) {
        int wo = w / 2, y = (plane * (h / 2) + o0) * wo + from;
        for (int o1 = from; o1 < to; o1++, y++) {
            int at = plane * h * w + 2 * o0 * w + 2 * o1;
            float v0 = x[at], v1 = x[at + 1], v2 = x[at + w], v3 = x[at + w + 1];
            // branch-free selects for the first maximum; a NaN anywhere makes best NaN, then the last NaN wins
            float best = v0;
            int arg = 0;
            arg = v1 > best ? 1 : arg;
            best = Math.max(best, v1);
            arg = v2 > best ? w : arg;
            best = Math.max(best, v2);
            arg = v3 > best ? w + 1 : arg;
            best = Math.max(best, v3);
            if (best != best) {
                arg = v3 != v3 ? w + 1 : v2 != v2 ? w : v1 != v1 ? 1 : v0 != v0 ? 0 : arg;
            }
            if (dense) {
                dx[at] = 0f;
                dx[at + 1] = 0f;
                dx[at + w] = 0f;
                dx[at + w + 1] = 0f;
            }
            float g = dy[y] + 0f; // −0 becomes +0, as adding into cleared memory does (PyTorch, the interpreter)
            dx[at + arg] = mask == null || !(mask[at + arg] <= 0f) ? g : 0f;
        }
    }
}

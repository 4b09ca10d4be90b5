package dev.convj.codegen.kernels;

import java.util.Arrays;

/**
 * Max pooling with 2×2 windows, stride 2 and no padding, forward and backward, over planes of h×w: the commonest
 * pooling of CNNs, given kernels that handle whole row pairs a vector at a time. The argmax is PyTorch's CPU
 * kernel's: the first maximum in row-major order, or the last NaN when the window holds one.
 * <p>Buffers are indexed from 0: plane p of the unpooled x, mask and dx at p·h·w, of the pooled y and dy at
 * p·(h/2)·(w/2). Planes [planeFrom, planeTo) are computed. Without the Vector API (or for planes narrower than
 * the kernels take: half a vector of windows a row forward, a quarter vector of floats backward) the plain forms
 * run.
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
     * A convolution's epilogue with this pool fused, one pooled row: dst[at + j] for j < wo = the first maximum (as
     * {@link #forward} scans) of window j's taps v = src[top + 2j], src[top + 2j + 1], src[bottom + 2j],
     * src[bottom + 2j + 1], each taken as v + bias and then, with {@code relu}, 0 where it is below 0: what the
     * unfused epilogue stores and the pool then reads. The vector forms may write past wo, up to dstEnd (the next
     * row's place, written after), and read up to a vector's windows' taps from top and bottom.
     */
    public static void copyOutPooled(float[] src, int top, int bottom, float[] dst, int at, int wo, int dstEnd,
                                     float bias, boolean relu) {
        int length = src.length;
        float floor = MicroKernel.reluFloor(relu);
        if (Width.BITS == 512 && Vector512Pool.copiesOut(length, top, bottom, at, wo, dstEnd)) {
            Vector512Pool.copyOutPooled(src, top, bottom, dst, at, wo, bias, floor);
        } else if (Width.BITS == 256 && Vector256Pool.copiesOut(length, top, bottom, at, wo, dstEnd)) {
            Vector256Pool.copyOutPooled(src, top, bottom, dst, at, wo, bias, floor);
        } else if (Width.BITS == 128 && Vector128Pool.copiesOut(length, top, bottom, at, wo, dstEnd)) {
            Vector128Pool.copyOutPooled(src, top, bottom, dst, at, wo, bias, floor);
        } else {
            copyOutPooledPlain(src, top, bottom, dst, at, wo, bias, relu);
        }
    }

    static void copyOutPooledPlain(float[] src, int top, int bottom, float[] dst, int at, int wo, float bias,
                                   boolean relu) {
        for (int j = 0; j < wo; j++) {
            float best = activated(src[top + 2 * j], bias, relu);
            best = later(best, activated(src[top + 2 * j + 1], bias, relu));
            best = later(best, activated(src[bottom + 2 * j], bias, relu));
            dst[at + j] = later(best, activated(src[bottom + 2 * j + 1], bias, relu));
        }
    }

    /** v + bias, then 0 where below 0 when {@code relu}: the convolution's epilogue. */
    private static float activated(float v, float bias, boolean relu) {
        float a = v + bias;
        return relu && a < 0f ? 0f : a;
    }

    /**
     * A convolution's epilogue with this pool fused, its result held position-major with the channels in
     * {@code lanes} lanes (src[srcAt + (i·w + j)·lanes + c] for h×w positions): for each of the (h/2)×(w/2) windows,
     * a vector of lanes at dst[dstAt + (i·(w/2) + j)·lanes], each lane the first maximum of its channel's four taps,
     * each tap taken as v (+ bias[biasAt + c] when bias is not null) and then, with {@code relu}, 0 where below 0.
     */
    public static void poolChannels(float[] src, int srcAt, int h, int w, int lanes, float[] bias, int biasAt,
                                    boolean relu, float[] dst, int dstAt) {
        float floor = MicroKernel.reluFloor(relu);
        float[] addend = MicroKernel.biasOrNone(bias);
        int addendAt = bias == null ? 0 : biasAt, step = bias == null ? 0 : lanes;
        if (Width.BITS == 512 && lanes == 16) {
            Vector512Pool.poolChannelWindows(src, srcAt, h, w, lanes, 1, addend, addendAt, step, floor, dst,
                    dstAt, w / 2 * lanes, lanes);
        } else if (Width.BITS == 256 && lanes == 8) {
            Vector256Pool.poolChannelWindows(src, srcAt, h, w, lanes, 1, addend, addendAt, step, floor, dst,
                    dstAt, w / 2 * lanes, lanes);
        } else if (Width.BITS == 128 && lanes == 4) {
            Vector128Pool.poolChannelWindows(src, srcAt, h, w, lanes, 1, addend, addendAt, step, floor, dst,
                    dstAt, w / 2 * lanes, lanes);
        } else {
            poolChannelsPlain(src, srcAt, h, w, lanes, bias, biasAt, relu, dst, dstAt);
        }
    }

    static void poolChannelsPlain(float[] src, int srcAt, int h, int w, int lanes, float[] bias, int biasAt,
                                  boolean relu, float[] dst, int dstAt) {
        for (int i = 0; i < h / 2; i++) {
            for (int j = 0; j < w / 2; j++) {
                int p = srcAt + (2 * i * w + 2 * j) * lanes, out = dstAt + (i * (w / 2) + j) * lanes;
                for (int c = 0; c < lanes; c++) {
                    float b = bias == null ? 0f : bias[biasAt + c];
                    float best = channelTap(src[p + c], bias != null, b, relu);
                    best = later(best, channelTap(src[p + lanes + c], bias != null, b, relu));
                    best = later(best, channelTap(src[p + w * lanes + c], bias != null, b, relu));
                    dst[out + c] = later(best, channelTap(src[p + (w + 1) * lanes + c], bias != null, b, relu));
                }
            }
        }
    }

    /**
     * A convolution's epilogue with this pool fused, its result held position-major with {@code ldc} floats a
     * position (src[srcAt + (i·w + j)·ldc + c] for h×w positions): for each channel c &lt; channels and each of the
     * (h/2)×(w/2) windows, the first maximum of its four taps (taken as {@link #poolChannels} takes them) at
     * dst[dstAt + c·(h/2)·(w/2) + i·(w/2) + j], the pool's output planes. The vector forms pool whole vectors of
     * channels (reading up to ldc floats a position, and bias up to a whole vector) and overwrite src in the process.
     */
    public static void poolPositionsToPlanes(float[] src, int srcAt, int h, int w, int ldc, int channels, float[] bias,
                                             int biasAt, boolean relu, float[] dst, int dstAt) {
        poolPositionsToPlanes(Width.BITS, src, srcAt, h, w, ldc, channels, bias, biasAt, relu, dst, dstAt);
    }

    /** {@link #poolPositionsToPlanes} with the vector kernels of {@code bits} (0: the plain form). */
    static void poolPositionsToPlanes(int bits, float[] src, int srcAt, int h, int w, int ldc, int channels,
                                      float[] bias, int biasAt, boolean relu, float[] dst, int dstAt) {
        int lanes = bits / 32, vectors = lanes == 0 ? 0 : (channels + lanes - 1) / lanes;
        boolean fits = lanes > 0 && ldc >= vectors * lanes && (bias == null || biasAt + vectors * lanes <= bias.length);
        if (!fits) {
            poolPositionsToPlanesPlain(src, srcAt, h, w, ldc, channels, bias, biasAt, relu, dst, dstAt);
            return;
        }
        // each window's maxima, the channels in the lanes, over the window's first position (read once, not again)
        float floor = MicroKernel.reluFloor(relu);
        float[] addend = MicroKernel.biasOrNone(bias);
        int addendAt = bias == null ? 0 : biasAt, step = bias == null ? 0 : lanes;
        if (bits == 512) {
            Vector512Pool.poolChannelWindows(src, srcAt, h, w, ldc, vectors, addend, addendAt, step, floor, src,
                    srcAt, 2 * w * ldc, 2 * ldc);
        } else if (bits == 256) {
            Vector256Pool.poolChannelWindows(src, srcAt, h, w, ldc, vectors, addend, addendAt, step, floor, src,
                    srcAt, 2 * w * ldc, 2 * ldc);
        } else {
            Vector128Pool.poolChannelWindows(src, srcAt, h, w, ldc, vectors, addend, addendAt, step, floor, src,
                    srcAt, 2 * w * ldc, 2 * ldc);
        }
        // then into the planes: a transpose
        int ho = h / 2, wo = w / 2;
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < ho; i++) {
                int out = dstAt + (c * ho + i) * wo, p = srcAt + 2 * i * w * ldc + c;
                for (int j = 0; j < wo; j++) {
                    dst[out + j] = src[p + 2 * j * ldc];
                }
            }
        }
    }

    static void poolPositionsToPlanesPlain(float[] src, int srcAt, int h, int w, int ldc, int channels, float[] bias,
                                           int biasAt, boolean relu, float[] dst, int dstAt) {
        int ho = h / 2, wo = w / 2;
        for (int c = 0; c < channels; c++) {
            boolean addBias = bias != null;
            float b = addBias ? bias[biasAt + c] : 0f;
            for (int i = 0; i < ho; i++) {
                int out = dstAt + (c * ho + i) * wo;
                for (int j = 0; j < wo; j++) {
                    int p = srcAt + (2 * i * w + 2 * j) * ldc + c;
                    float best = channelTap(src[p], addBias, b, relu);
                    best = later(best, channelTap(src[p + ldc], addBias, b, relu));
                    best = later(best, channelTap(src[p + w * ldc], addBias, b, relu));
                    dst[out + j] = later(best, channelTap(src[p + (w + 1) * ldc], addBias, b, relu));
                }
            }
        }
    }

    /** The channels-last epilogue's value: v, + b when there is a bias (no + 0 without: it would turn −0 into +0). */
    private static float channelTap(float v, boolean addBias, float b, boolean relu) {
        float a = addBias ? v + b : v;
        return relu && a < 0f ? 0f : a;
    }

    /**
     * The gradient, for windows that tile the planes (h and w even): each window's upstream gradient goes to its
     * argmax, or +0 where mask ≤ 0 when a mask is given (a fused ReLU backward: mask is the ReLU's output), and
     * every other element of dx is zero.
     */
    public static void backward(float[] x, float[] dy, float[] mask, float[] dx, int planeFrom, int planeTo, int h,
                                 int w) {
        // rows narrower than a vector: even ones only, and at least a quarter vector wide (narrower ones would load
        // more of the rows after them than they compute)
        if (Width.BITS == 512 && (w >= 16 || w % 2 == 0 && w >= 4)) {
            Vector512Pool.maxBackward2x2(x, dy, mask, dx, planeFrom, planeTo, h, w);
            return;
        }
        if (Width.BITS == 256 && (w >= 8 || w % 2 == 0 && w >= 2)) {
            Vector256Pool.maxBackward2x2(x, dy, mask, dx, planeFrom, planeTo, h, w);
            return;
        }
        if (Width.BITS == 128 && (w >= 4 || w == 2)) {
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

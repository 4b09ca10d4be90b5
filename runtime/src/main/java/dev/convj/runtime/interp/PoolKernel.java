package dev.convj.runtime.interp;

import dev.convj.graph.Shape;
import dev.convj.graph.ops.PoolGeometry;
import dev.convj.runtime.Tensor;

/**
 * Reference kernels of max and average pooling. Window o along an axis covers input positions
 * [o·s − p, o·s − p + k); positions in the padding are skipped (max) or counted as zeros (average).
 */
final class PoolKernel {
    private PoolKernel() {}

    /** The input positions of each window in row-major window order, and PyTorch's average-pool divisors. */
    private record Windows(int[][] members, int[] divisorWithPad, int inPositions, int outPositions) {

        static Windows of(PoolGeometry g, int[] in, int[] out) {
            int r = in.length;
            int outPositions = SpatialIndex.product(out);
            int[] k = SpatialIndex.array(g.kernel());
            int kernelPositions = SpatialIndex.product(k);
            int[][] members = new int[outPositions][];
            int[] divisorWithPad = new int[outPositions];
            int[] p = new int[r], q = new int[r];
            for (int po = 0; po < outPositions; po++) {
                SpatialIndex.decode(po, out, p);
                int padded = 1;
                for (int i = 0; i < r; i++) {
                    int start = p[i] * g.stride().get(i) - g.padding().get(i);
                    int end = Math.min(start + k[i], in[i] + g.padding().get(i));
                    padded *= end - start;
                }
                divisorWithPad[po] = padded;
                int[] list = new int[kernelPositions];
                int count = 0;
                for (int qk = 0; qk < kernelPositions; qk++) {
                    SpatialIndex.decode(qk, k, q);
                    int flat = 0;
                    for (int i = 0; i < r && flat >= 0; i++) {
                        int pos = p[i] * g.stride().get(i) - g.padding().get(i) + q[i];
                        flat = pos < 0 || pos >= in[i] ? -1 : flat * in[i] + pos;
                    }
                    if (flat >= 0) {
                        list[count++] = flat;
                    }
                }
                members[po] = java.util.Arrays.copyOf(list, count);
            }
            return new Windows(members, divisorWithPad, SpatialIndex.product(in), outPositions);
        }

        int divisor(int window, boolean countIncludePad) {
            return countIncludePad ? divisorWithPad[window] : members[window].length;
        }

        /**
         * The flat input position of the window's argmax of x within plane {@code base}, as PyTorch's CPU kernel
         * picks it ({@code val > maxval || isnan(val)} in window order): the first maximum, or the last NaN.
         */
        int argmax(Tensor x, int base, int window) {
            int best = -1;
            double bestValue = Double.NEGATIVE_INFINITY;
            for (int at : members[window]) {
                double v = x.get(base + at);
                if (best < 0 || v > bestValue || Double.isNaN(v)) {
                    best = at;
                    bestValue = v;
                }
            }
            return best;
        }
    }

    private static Windows windows(PoolGeometry g, Shape input, Shape pooled) {
        return Windows.of(g, SpatialIndex.array(input.tail(2)), SpatialIndex.array(pooled.tail(2)));
    }

    private static int planes(Shape s) {
        return s.dim(0) * s.dim(1);
    }

    static Tensor maxPool(Tensor x, PoolGeometry g, Shape outShape) {
        return maxPoolSelect(x, x, g, outShape);
    }

    /** out[window] = v at the argmax of x in the window. */
    static Tensor maxPoolSelect(Tensor x, Tensor v, PoolGeometry g, Shape outShape) {
        Windows w = windows(g, x.shape(), outShape);
        double[] y = new double[outShape.size()];
        for (int plane = 0; plane < planes(x.shape()); plane++) {
            int base = plane * w.inPositions;
            for (int p = 0; p < w.outPositions; p++) {
                y[plane * w.outPositions + p] = v.get(base + w.argmax(x, base, p));
            }
        }
        return Tensor.wrap(outShape, y);
    }

    /** The flat input position of each window's argmax, window after window, plane after plane. */
    static int[] argmaxes(Tensor x, PoolGeometry g, Shape outShape) {
        Windows w = windows(g, x.shape(), outShape);
        int[] at = new int[outShape.size()];
        for (int plane = 0; plane < planes(x.shape()); plane++) {
            int base = plane * w.inPositions;
            for (int p = 0; p < w.outPositions; p++) {
                at[plane * w.outPositions + p] = base + w.argmax(x, base, p);
            }
        }
        return at;
    }

    /** dx[argmax of window] += dy[window]. */
    static Tensor maxPoolBackward(Tensor x, Tensor dy, PoolGeometry g) {
        Windows w = windows(g, x.shape(), dy.shape());
        double[] dx = new double[x.size()];
        for (int plane = 0; plane < planes(x.shape()); plane++) {
            int base = plane * w.inPositions;
            for (int p = 0; p < w.outPositions; p++) {
                dx[base + w.argmax(x, base, p)] += dy.get(plane * w.outPositions + p);
            }
        }
        return Tensor.wrap(x.shape(), dx);
    }

    static Tensor avgPool(Tensor x, PoolGeometry g, boolean countIncludePad, Shape outShape) {
        Windows w = windows(g, x.shape(), outShape);
        double[] y = new double[outShape.size()];
        for (int plane = 0; plane < planes(x.shape()); plane++) {
            int base = plane * w.inPositions;
            for (int p = 0; p < w.outPositions; p++) {
                double sum = 0;
                for (int at : w.members[p]) {
                    sum += x.get(base + at);
                }
                y[plane * w.outPositions + p] = sum / w.divisor(p, countIncludePad);
            }
        }
        return Tensor.wrap(outShape, y);
    }

    /** dx[i] = Σ over windows containing i of dy[window] / divisor(window). */
    static Tensor avgPoolBackward(Tensor dy, PoolGeometry g, boolean countIncludePad, Shape outShape) {
        Windows w = windows(g, outShape, dy.shape());
        double[] dx = new double[outShape.size()];
        for (int plane = 0; plane < planes(outShape); plane++) {
            int base = plane * w.inPositions;
            for (int p = 0; p < w.outPositions; p++) {
                double share = dy.get(plane * w.outPositions + p) / w.divisor(p, countIncludePad);
                for (int at : w.members[p]) {
                    dx[base + at] += share;
                }
            }
        }
        return Tensor.wrap(outShape, dx);
    }
}

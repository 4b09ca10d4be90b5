package dev.convj.runtime.interp;

import dev.convj.graph.Shape;
import dev.convj.runtime.Tensor;
import java.util.List;

/** Reference kernels that rearrange elements: flips, slices and concatenations along one axis. */
final class ShapeKernel {
    private ShapeKernel() {}

    /** y[…, i, …] = x[…, n−1−i, …] on each flipped axis. */
    static Tensor flip(Tensor x, List<Integer> axes) {
        Shape s = x.shape();
        int[] extents = s.toArray(), strides = s.strides(), idx = new int[s.rank()];
        return Tensor.generate(s, i -> {
            SpatialIndex.decode(i, extents, idx);
            int from = 0;
            for (int a = 0; a < idx.length; a++) {
                from += (axes.contains(a) ? extents[a] - 1 - idx[a] : idx[a]) * strides[a];
            }
            return x.get(from);
        });
    }

    /**
     * Viewing a tensor as [outer, extent along axis, inner], copies rows [from, from + count) of x into rows
     * [to, to + count) of y; slices and concatenations are both made of such copies.
     */
    private static void copyRows(Tensor x, int axis, int from, double[] y, Shape yShape, int to, int count) {
        int inner = yShape.strides()[axis];
        int xExtent = x.shape().dim(axis), yExtent = yShape.dim(axis);
        int outer = x.size() / (xExtent * inner);
        for (int o = 0; o < outer; o++) {
            for (int k = 0; k < count; k++) {
                for (int i = 0; i < inner; i++) {
                    y[(o * yExtent + to + k) * inner + i] = x.get((o * xExtent + from + k) * inner + i);
                }
            }
        }
    }

    static Tensor slice(Tensor x, int axis, int start, Shape outShape) {
        double[] y = new double[outShape.size()];
        copyRows(x, axis, start, y, outShape, 0, outShape.dim(axis));
        return Tensor.wrap(outShape, y);
    }

    static Tensor concat(List<Tensor> parts, int axis, Shape outShape) {
        double[] y = new double[outShape.size()];
        int offset = 0;
        for (Tensor part : parts) {
            int extent = part.shape().dim(axis);
            copyRows(part, axis, 0, y, outShape, offset, extent);
            offset += extent;
        }
        return Tensor.wrap(outShape, y);
    }
}

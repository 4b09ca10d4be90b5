package dev.convj.runtime.interp;

import dev.convj.graph.Shape;
import dev.convj.runtime.Tensor;
import java.util.List;

/** Reference kernels that move values between shapes: broadcasting and its adjoint, and axis reductions. */
final class ReduceKernel {
    private ReduceKernel() {}

    /**
     * For each position of {@code big}, the position of {@code small} it reads under NumPy broadcasting
     * (aligned at the right; extents of 1 repeat).
     */
    private static int[] broadcastMap(Shape small, Shape big) {
        int[] map = new int[big.size()];
        int offset = big.rank() - small.rank();
        int[] smallStrides = small.strides();
        int[] idx = new int[big.rank()];
        int[] extents = big.toArray();
        for (int i = 0; i < map.length; i++) {
            SpatialIndex.decode(i, extents, idx);
            int flat = 0;
            for (int a = 0; a < small.rank(); a++) {
                int coordinate = small.dim(a) == 1 ? 0 : idx[a + offset];
                flat += coordinate * smallStrides[a];
            }
            map[i] = flat;
        }
        return map;
    }

    static Tensor broadcastTo(Tensor x, Shape target) {
        int[] map = broadcastMap(x.shape(), target);
        return Tensor.generate(target, i -> x.get(map[i]));
    }

    static Tensor sumTo(Tensor x, Shape target) {
        int[] map = broadcastMap(target, x.shape());
        double[] out = new double[target.size()];
        for (int i = 0; i < map.length; i++) {
            out[map[i]] += x.get(i);
        }
        return Tensor.wrap(target, out);
    }

    /** Sums over {@code axes}; dividing by {@code divisor} gives the mean. */
    static Tensor sum(Tensor x, List<Integer> axes, Shape outShape, double divisor) {
        Shape kept = x.shape();
        for (int a : axes) {
            kept = kept.with(a, 1);
        }
        double[] out = sumTo(x, kept).data();
        for (int i = 0; i < out.length; i++) {
            out[i] /= divisor;
        }
        return Tensor.wrap(outShape, out);
    }
}

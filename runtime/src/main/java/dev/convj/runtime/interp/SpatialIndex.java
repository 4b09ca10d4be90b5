package dev.convj.runtime.interp;

import java.util.List;

/** Row-major flattening of spatial positions, shared by the convolution and pooling kernels. */
final class SpatialIndex {
    private SpatialIndex() {}

    static int[] array(List<Integer> extents) {
        return extents.stream().mapToInt(Integer::intValue).toArray();
    }

    static int product(int[] extents) {
        int p = 1;
        for (int e : extents) {
            p *= e;
        }
        return p;
    }

    /** Writes the multi-index of flat position {@code flat} within {@code extents} into {@code out}. */
    static void decode(int flat, int[] extents, int[] out) {
        for (int i = extents.length - 1; i >= 0; i--) {
            out[i] = flat % extents[i];
            flat /= extents[i];
        }
    }
}

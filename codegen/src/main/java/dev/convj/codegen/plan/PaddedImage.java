package dev.convj.codegen.plan;

/**
 * Where a convolution's column matrix reads one image from: x itself, or a zero-padded copy when the convolution
 * pads. Along the last axis the padded rows share their zeros: a row's low padding is also the previous row's high
 * padding, so a row is about max(low, high) wider than the image rather than low + high (3×3 "same" on 14×14: rows
 * of 15, not 16). Reads of every valid output stay in zeros or their own row; those of the last row reach
 * {@code tail} floats past the copy, which is zeroed with it. Grids over padded rows then hold fewer positions
 * without an output.
 */
public record PaddedImage(boolean padded, int[] extent, int[] stride, int size, int tail) {

    public static PaddedImage of(ConvDims d) {
        boolean padded = d.padded();
        int r = d.r(), last = r - 1;
        int[] extent = new int[r], stride = new int[r];
        int size = 1;
        for (int a = last; a >= 0; a--) {
            extent[a] = !padded ? d.in().get(a) : a < last ? d.paddedExtent(a) : d.in().get(a) + sharedGap(d);
            stride[a] = size;
            size *= extent[a];
        }
        int tail = padded ? d.paddedExtent(last) - extent[last] : 0;
        return new PaddedImage(padded, extent, stride, size, tail);
    }

    /**
     * Zeros between two rows along the last axis: at least each side's padding, and enough that a row is as long as
     * the output row, so that output positions on the grid never fall on the next row's (a 1×1 kernel with padding
     * 1 has outputs two wider than the image).
     */
    private static int sharedGap(ConvDims d) {
        int last = d.r() - 1, low = d.g().padLow().get(last), high = d.padAfter(last);
        int reach = d.g().dilation().get(last) * (d.k().get(last) - 1);
        return Math.max(Math.max(low, high), low + high - reach);
    }

    /** Floats the padded copy of {@code channels} channels covers, the zeroed tail included. */
    public long floats(int channels) {
        return (long) channels * size + tail;
    }

    /** Positions of the padded image's grid that hold an output: out[0] rows of the padded row length. */
    public int gridPositions(ConvDims d) {
        return d.out().get(0) * stride[0];
    }

    /** Offset of row (c, q) of the column matrix from its window's corner in this layout. */
    public int[] tapOffsets(ConvDims d) {
        int[] tapOffset = new int[d.kg()];
        for (int row = 0; row < d.kg(); row++) {
            int c = row / d.taps(), t = row % d.taps(), offset = c * size;
            for (int a = d.r() - 1; a >= 0; a--) {
                offset += (t % d.k().get(a)) * d.g().dilation().get(a) * stride[a];
                t /= d.k().get(a);
            }
            tapOffset[row] = offset;
        }
        return tapOffset;
    }
}

package dev.convj.codegen.plan;

import dev.convj.graph.Shape;
import dev.convj.graph.ops.ConvGeometry;
import java.util.List;

/**
 * The static sizes of one convolution-family node, seen as the forward convolution it belongs to: the big side in
 * (x), the small side out (y), the kernel k, and their channels c (of x) and o (of y).
 */
public record ConvDims(ConvGeometry g, List<Integer> in, List<Integer> out, List<Integer> k, int c, int o) {

    public ConvDims {
        in = List.copyOf(in);
        out = List.copyOf(out);
        k = List.copyOf(k);
    }

    /** The sizes of x (N, C, …), the weight (O, C/G, …) and y (N, O, …) of a convolution with geometry g. */
    public static ConvDims of(ConvGeometry g, Shape x, Shape w, Shape y) {
        return new ConvDims(g, x.tail(2), y.tail(2), w.tail(2), x.dim(1), y.dim(1));
    }

    public int r() {
        return g.spatialRank();
    }

    public int inSize() {
        return product(in);
    }

    public int outSize() {
        return product(out);
    }

    public int taps() {
        return product(k);
    }

    public int cg() {
        return c / g.groups();
    }

    public int og() {
        return o / g.groups();
    }

    /** Rows of the column matrix: C/G channels × kernel taps. */
    public int kg() {
        return cg() * taps();
    }

    public boolean unitStride() {
        return g.stride().stream().allMatch(s -> s == 1);
    }

    /** A 1×1 kernel at unit stride without padding: the input itself is the column matrix. */
    public boolean pointwise() {
        return taps() == 1 && unitStride() && g.padLow().stream().allMatch(p -> p == 0)
                && g.padHigh().stream().allMatch(p -> p == 0);
    }

    /** Whether any axis is zero-padded. */
    public boolean padded() {
        for (int a = 0; a < r(); a++) {
            if (g.padLow().get(a) != 0 || padAfter(a) != 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Zeros after axis {@code a} in a padded copy. A negative amount crops: no output reads the image's last
     * positions, so the copy keeps the whole image and pads nothing after it (sized for −p, it would overrun).
     */
    public int padAfter(int a) {
        return Math.max(0, g.padHigh().get(a));
    }

    /** Extent of axis {@code a} of one channel after zero padding. */
    public int paddedExtent(int a) {
        return in.get(a) + g.padLow().get(a) + padAfter(a);
    }

    static int product(List<Integer> v) {
        return v.stream().reduce(1, (a, b) -> a * b);
    }
}

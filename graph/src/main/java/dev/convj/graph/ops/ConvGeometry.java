package dev.convj.graph.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The static attributes shared by the convolution family, per spatial axis: stride, zero padding before and
 * after, dilation, and the number of channel groups.
 */
public record ConvGeometry(List<Integer> stride, List<Integer> padLow, List<Integer> padHigh, List<Integer> dilation,
                           int groups) {

    public ConvGeometry {
        stride = Checks.positive(stride, "stride");
        dilation = Checks.positive(dilation, "dilation");
        padLow = List.copyOf(padLow);
        padHigh = List.copyOf(padHigh);
        int r = stride.size();
        if (r < 1 || padLow.size() != r || padHigh.size() != r || dilation.size() != r) {
            throw new IllegalArgumentException("stride " + stride + ", padding " + padLow + "/" + padHigh
                    + " and dilation " + dilation + " must all name the same number (≥ 1) of spatial axes");
        }
        for (int i = 0; i < r; i++) {
            // A negative amount after an axis is a crop: the last positions are never read. Transposed convolutions
            // need it when their output padding is at least the stride (allowed, as in PyTorch, below the dilation).
            if (padLow.get(i) < 0 || padHigh.get(i) < 0 && padHigh.get(i) <= -dilation.get(i)) {
                throw new IllegalArgumentException("padding must be ≥ 0, got " + padLow + " before and " + padHigh
                        + " after");
            }
        }
        if (groups < 1) {
            throw new IllegalArgumentException("groups must be ≥ 1, got " + groups);
        }
    }

    /** Unit stride and dilation, no padding, one group. */
    public static ConvGeometry unit(int spatialRank) {
        List<Integer> ones = List.copyOf(java.util.Collections.nCopies(spatialRank, 1));
        List<Integer> zeros = List.copyOf(java.util.Collections.nCopies(spatialRank, 0));
        return new ConvGeometry(ones, zeros, zeros, ones, 1);
    }

    public int spatialRank() {
        return stride.size();
    }

    /**
     * Output extents of a window of {@code kernel} sliding over {@code input}:
     * floor((n + p_low + p_high − d(f−1) − 1)/s) + 1 per axis, the textbook floor((n+2p−f)/s)+1 when d = 1.
     */
    public List<Integer> outputSpatial(List<Integer> input, List<Integer> kernel) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < spatialRank(); i++) {
            int n = input.get(i), k = kernel.get(i), s = stride.get(i), d = dilation.get(i);
            int pl = padLow.get(i), ph = padHigh.get(i);
            int o = Math.floorDiv(n + pl + ph - d * (k - 1) - 1, s) + 1;
            if (o < 1) {
                throw new IllegalArgumentException("kernel " + dims(kernel) + " with dilation " + dims(dilation)
                        + " does not fit input " + dims(input) + " padded by " + padString()
                        + ": along spatial axis " + i + " the output size floor((n+p_low+p_high-d(f-1)-1)/s)+1"
                        + " = floor((" + n + "+" + pl + "+" + ph + "-" + d + "·" + (k - 1) + "-1)/" + s + ")+1 = "
                        + o + "; use a smaller kernel or dilation, or pad the input");
            }
            out.add(o);
        }
        return out;
    }

    /** The padding as {@code [low,high]} pairs per axis, e.g. {@code [(2,2),(2,2)]}. */
    public String padString() {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < spatialRank(); i++) {
            b.append(i == 0 ? "" : ",").append('(').append(padLow.get(i)).append(',').append(padHigh.get(i)).append(')');
        }
        return b.append(']').toString();
    }

    /** The dump form, e.g. {@code stride=[1,1] pad=[(2,2),(2,2)] dilation=[1,1] groups=1}. */
    public String attributes() {
        return "stride=" + list(stride) + " pad=" + padString() + " dilation=" + list(dilation) + " groups=" + groups;
    }

    static String list(List<Integer> v) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < v.size(); i++) {
            b.append(i == 0 ? "" : ",").append(v.get(i));
        }
        return b.append(']').toString();
    }

    static String dims(List<Integer> v) {
        return v.stream().map(String::valueOf).collect(Collectors.joining("×"));
    }
}

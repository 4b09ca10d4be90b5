package dev.convj.graph.ops;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Window, stride and symmetric zero padding of a pooling op, per spatial axis, and PyTorch's ceil mode.
 * Window o along an axis covers input positions [o·s − p, o·s − p + k).
 */
public record PoolGeometry(List<Integer> kernel, List<Integer> stride, List<Integer> padding, boolean ceilMode) {

    public PoolGeometry {
        kernel = Checks.positive(kernel, "pooling window");
        stride = Checks.positive(stride, "pooling stride");
        padding = List.copyOf(padding);
        if (stride.size() != kernel.size() || padding.size() != kernel.size()) {
            throw new IllegalArgumentException("pooling window " + kernel + ", stride " + stride + " and padding "
                    + padding + " must name the same number of spatial axes");
        }
        for (int i = 0; i < kernel.size(); i++) {
            int p = padding.get(i);
            if (p < 0 || 2 * p > kernel.get(i)) {
                throw new IllegalArgumentException("pooling padding must be between 0 and half the window, got "
                        + padding + " for window " + kernel + " (as in PyTorch; pad the input explicitly instead)");
            }
        }
    }

    public int spatialRank() {
        return kernel.size();
    }

    /**
     * floor((n + 2p − f)/s) + 1 per axis, or with ceil mode ceil(…) + 1 minus a last window that would start in the
     * right padding, as in PyTorch.
     */
    public List<Integer> outputSpatial(List<Integer> input) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < spatialRank(); i++) {
            int n = input.get(i), k = kernel.get(i), s = stride.get(i), p = padding.get(i);
            int span = n + 2 * p - k;
            int o = Math.floorDiv(span + (ceilMode ? s - 1 : 0), s) + 1;
            if (ceilMode && (o - 1) * s >= n + p) {
                o--;
            }
            if (span < 0 || o < 1) {
                throw new IllegalArgumentException("pooling window " + ConvGeometry.dims(kernel)
                        + " does not fit input " + ConvGeometry.dims(input) + " padded by " + padding
                        + ": along spatial axis " + i + " the output size floor((n+2p-f)/s)+1 = floor((" + n + "+2·"
                        + p + "-" + k + ")/" + s + ")+1 = " + (Math.floorDiv(span, s) + 1)
                        + "; use a smaller window or a larger input");
            }
            out.add(o);
        }
        return out;
    }

    public String attributes() {
        return "window=" + ConvGeometry.list(kernel) + " stride=" + ConvGeometry.list(stride) + " pad="
                + ConvGeometry.list(padding) + (ceilMode ? " ceil_mode" : "");
    }

    /** The pooled shape [N, C, *out] of input {@code x}. */
    Shape pooledShape(Node x) {
        int r = spatialRank();
        Checks.rank(x, r + 2, "input", "N,C" + Conv.spatialLetters(r));
        return Shape.concat(x.shape().dims().subList(0, 2), outputSpatial(x.shape().tail(2)));
    }

    String kind(String family) {
        return family + spatialRank() + "d";
    }
}

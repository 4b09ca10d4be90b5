package dev.convj.dsl;

import dev.convj.graph.ops.Padding;
import java.util.Arrays;
import java.util.List;

/**
 * Optional arguments of convolution and pooling layers, meant for static import:
 * {@code conv2d(16, 3, same(), stride(2))}, {@code maxPool(3, stride(2), pad(1), ceilMode())}. A layer that
 * has no use for an option rejects it with an error naming the layer.
 */
public sealed interface LayerOption {

    record Pad(Padding padding) implements LayerOption {
        @Override
        public String toString() {
            return "pad(" + padding + ")";
        }
    }

    record Stride(List<Integer> values) implements LayerOption {
        @Override
        public String toString() {
            return "stride" + values;
        }
    }

    record Dilation(List<Integer> values) implements LayerOption {
        @Override
        public String toString() {
            return "dilation" + values;
        }
    }

    record Groups(int groups) implements LayerOption {
        @Override
        public String toString() {
            return "groups(" + groups + ")";
        }
    }

    record NoBias() implements LayerOption {
        @Override
        public String toString() {
            return "noBias()";
        }
    }

    record CeilMode() implements LayerOption {
        @Override
        public String toString() {
            return "ceilMode()";
        }
    }

    record ExcludePad() implements LayerOption {
        @Override
        public String toString() {
            return "excludePad()";
        }
    }

    record TrueConvolution() implements LayerOption {
        @Override
        public String toString() {
            return "trueConvolution()";
        }
    }

    record Connectivity(boolean[][] mask) implements LayerOption {
        public Connectivity {
            mask = java.util.Arrays.stream(mask).map(boolean[]::clone).toArray(boolean[][]::new);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Connectivity c && java.util.Arrays.deepEquals(mask, c.mask);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.deepHashCode(mask);
        }

        @Override
        public String toString() {
            return "connectivity(" + mask.length + "×" + (mask.length == 0 ? 0 : mask[0].length) + ")";
        }
    }

    record OutputPadding(List<Integer> values) implements LayerOption {
        @Override
        public String toString() {
            return "outputPadding" + values;
        }
    }

    record Seed(long seed) implements LayerOption {
        @Override
        public String toString() {
            return "seed(" + seed + ")";
        }
    }

    /**
     * The true convolution S(i,j) = Σ I(m,n)·K(i−m, j−n): the kernel is flipped along every spatial axis
     * before the cross-correlation that layers compute by default.
     */
    static LayerOption trueConvolution() {
        return new TrueConvolution();
    }

    /**
     * Partial connectivity between channels: {@code mask[o][c]} says whether input channel c (within the group) feeds
     * output channel o; one row per filter. All true is an ordinary convolution.
     */
    static LayerOption connectivity(boolean[][] mask) {
        return new Connectivity(mask);
    }

    /**
     * Extra positions added after each spatial axis of a transposed convolution's output, as PyTorch's
     * output_padding; each must be smaller than the stride or the dilation of its axis.
     */
    static LayerOption outputPadding(int... p) {
        return new OutputPadding(Arrays.stream(p).boxed().toList());
    }

    /** The seed of a dropout layer's masks (default: derived from the layer's name). */
    static LayerOption seed(long seed) {
        return new Seed(seed);
    }

    /** {@code p} zeros on every side. */
    static LayerOption pad(int p) {
        return new Pad(Padding.of(p));
    }

    /**
     * Explicit zero padding: one value per spatial axis (both sides), or two per axis in the order
     * before-axis-0, after-axis-0, before-axis-1, … (for 2-D: top, bottom, left, right).
     */
    static LayerOption pad(int first, int... rest) {
        int[] all = new int[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return new Pad(PaddingSpec.explicit(all));
    }

    /** Pads so that the output has ceil(n/s) positions, as padding='same'. */
    static LayerOption same() {
        return new Pad(Padding.same());
    }

    /** No padding (the default). */
    static LayerOption valid() {
        return new Pad(Padding.valid());
    }

    /** d(f−1) on each side: a full convolution. */
    static LayerOption full() {
        return new Pad(Padding.full());
    }

    /** The step between windows: one value for every axis, or one per axis. */
    static LayerOption stride(int... s) {
        return new Stride(Arrays.stream(s).boxed().toList());
    }

    /** The spacing between kernel taps: one value for every axis, or one per axis. */
    static LayerOption dilation(int... d) {
        return new Dilation(Arrays.stream(d).boxed().toList());
    }

    /** Splits the channels into groups convolved separately; groups = channels is depthwise. */
    static LayerOption groups(int g) {
        return new Groups(g);
    }

    /** Leaves out the layer's bias. */
    static LayerOption noBias() {
        return new NoBias();
    }

    /** Pooling output size rounds up, as PyTorch's ceil_mode=True. */
    static LayerOption ceilMode() {
        return new CeilMode();
    }

    /** Average pooling divides by the real input positions in each window (count_include_pad=False). */
    static LayerOption excludePad() {
        return new ExcludePad();
    }
}

package dev.convj.graph.ops;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * How a convolution pads its input: valid, same and full, or explicit amounts per side. It is
 * resolved to explicit amounts when a layer is lowered, since "same" depends on the input size.
 */
public sealed interface Padding {

    /** Resolved amounts before and after each spatial axis. */
    record Amounts(List<Integer> low, List<Integer> high) {
        public Amounts {
            low = List.copyOf(low);
            high = List.copyOf(high);
        }
    }

    Amounts resolve(List<Integer> input, List<Integer> kernel, List<Integer> stride, List<Integer> dilation);

    /** No padding: the output shrinks by d(f−1). */
    record Valid() implements Padding {
        @Override
        public String toString() {
            return "valid";
        }

        @Override
        public Amounts resolve(List<Integer> input, List<Integer> kernel, List<Integer> stride, List<Integer> dilation) {
            List<Integer> z = Collections.nCopies(input.size(), 0);
            return new Amounts(z, z);
        }
    }

    /**
     * Output size ceil(n/s); the total padding d(f−1) (for s = 1) is split with the odd element after, as
     * PyTorch's padding='same' and TensorFlow's SAME do.
     */
    record Same() implements Padding {
        @Override
        public String toString() {
            return "same";
        }

        @Override
        public Amounts resolve(List<Integer> input, List<Integer> kernel, List<Integer> stride, List<Integer> dilation) {
            List<Integer> low = new ArrayList<>(), high = new ArrayList<>();
            for (int i = 0; i < input.size(); i++) {
                int n = input.get(i), s = stride.get(i);
                int out = (n + s - 1) / s;
                int total = Math.max((out - 1) * s + dilation.get(i) * (kernel.get(i) - 1) + 1 - n, 0);
                low.add(total / 2);
                high.add(total - total / 2);
            }
            return new Amounts(low, high);
        }
    }

    /** d(f−1) on each side: every position where the kernel touches the input at all. */
    record Full() implements Padding {
        @Override
        public String toString() {
            return "full";
        }

        @Override
        public Amounts resolve(List<Integer> input, List<Integer> kernel, List<Integer> stride, List<Integer> dilation) {
            List<Integer> p = new ArrayList<>();
            for (int i = 0; i < input.size(); i++) {
                p.add(dilation.get(i) * (kernel.get(i) - 1));
            }
            return new Amounts(p, p);
        }
    }

    /** Explicit amounts per axis before and after; a single value applies to every axis. */
    record Explicit(List<Integer> low, List<Integer> high) implements Padding {
        public Explicit {
            low = List.copyOf(low);
            high = List.copyOf(high);
            if (low.size() != high.size() || low.isEmpty()) {
                throw new IllegalArgumentException("explicit padding needs as many amounts before as after, got "
                        + low + " and " + high);
            }
        }

        @Override
        public String toString() {
            return low.equals(high) ? "explicit " + low : "explicit " + low + " before, " + high + " after";
        }

        @Override
        public Amounts resolve(List<Integer> input, List<Integer> kernel, List<Integer> stride, List<Integer> dilation) {
            int r = input.size();
            if (low.size() == 1) {
                return new Amounts(Collections.nCopies(r, low.get(0)), Collections.nCopies(r, high.get(0)));
            }
            if (low.size() != r) {
                throw new IllegalArgumentException("padding " + low + "/" + high + " names " + low.size()
                        + " axes but the input has " + r + " spatial axes");
            }
            return new Amounts(low, high);
        }
    }

    static Padding valid() {
        return new Valid();
    }

    static Padding same() {
        return new Same();
    }

    static Padding full() {
        return new Full();
    }

    /** {@code p} zeros on every side of every spatial axis. */
    static Padding of(int p) {
        return new Explicit(List.of(p), List.of(p));
    }
}

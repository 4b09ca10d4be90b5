package dev.convj.dsl;

import dev.convj.graph.ops.Padding;
import java.util.ArrayList;
import java.util.List;

/** Turns the flat integer forms users write into {@link Padding.Explicit}. */
final class PaddingSpec {
    private PaddingSpec() {}

    /** One value per axis (both sides), or pairs (before, after) per axis. */
    static Padding explicit(int[] values) {
        List<Integer> low = new ArrayList<>(), high = new ArrayList<>();
        // Two values are read as one per axis of a 2-D layer (pad(ph, pw)), as PyTorch's padding=(ph, pw).
        if (values.length <= 3) {
            for (int v : values) {
                low.add(v);
                high.add(v);
            }
        } else if (values.length % 2 == 0) {
            for (int i = 0; i < values.length; i += 2) {
                low.add(values[i]);
                high.add(values[i + 1]);
            }
        } else {
            throw new IllegalArgumentException("padding takes one value per axis or a (before, after) pair per axis, "
                    + "got " + values.length + " values");
        }
        return new Padding.Explicit(low, high);
    }

    /** Symmetric per-axis amounts, as pooling requires. */
    static List<Integer> symmetric(Padding padding, int rank, String layer) {
        if (padding instanceof Padding.Valid) {
            return java.util.Collections.nCopies(rank, 0);
        }
        if (padding instanceof Padding.Explicit e) {
            Padding.Amounts a = e.resolve(java.util.Collections.nCopies(rank, 1), null, null, null);
            if (a.low().equals(a.high())) {
                return a.low();
            }
        }
        throw new IllegalArgumentException(layer + ": pooling pads the same amount on both sides of an axis; use "
                + "pad(p) or one value per axis, not " + padding);
    }
}

package dev.convj.dsl;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import dev.convj.graph.ops.Concat;
import java.util.List;

/**
 * Pads every axis but the batch with a constant: {@code low.get(i)} values before and {@code high.get(i)} after
 * axis i + 1, as ONNX's Pad in constant mode or {@code torch.nn.functional.pad}. Lowers to a concatenation with
 * filled constants along each padded axis, so its gradient is the slice of the input's place.
 */
public record PadLayer(String name, List<Integer> low, List<Integer> high, double value) implements Layer {

    public PadLayer {
        low = List.copyOf(low);
        high = List.copyOf(high);
        if (low.size() != high.size()) {
            throw new IllegalArgumentException("padding before " + low + " and after " + high
                    + " must name the same axes");
        }
        for (int i = 0; i < low.size(); i++) {
            if (low.get(i) < 0 || high.get(i) < 0) {
                throw new IllegalArgumentException("padding must be ≥ 0 (cropping is not padding), got before " + low
                        + " and after " + high);
            }
        }
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("the padding value must be finite, got " + value);
        }
    }

    @Override
    public String kind() {
        return "pad";
    }

    @Override
    public String namePrefix() {
        return "pad";
    }

    @Override
    public Layer withName(String newName) {
        return new PadLayer(newName, low, high, value);
    }

    @Override
    public Node lower(Lowering lowering, Node input) {
        if (low.size() != input.shape().rank() - 1) {
            throw new IllegalArgumentException("padding before " + low + " and after " + high + " names "
                    + low.size() + " axes but " + input.name() + " " + input.typeString() + " has "
                    + (input.shape().rank() - 1) + " besides the batch");
        }
        int last = -1;
        for (int a = 0; a < low.size(); a++) {
            if (low.get(a) + high.get(a) > 0) {
                last = a;
            }
        }
        if (last < 0) {
            return lowering.output(this, new dev.convj.graph.ops.Scale(1), input);
        }
        Node out = input;
        for (int a = 0; a <= last; a++) {
            int before = low.get(a), after = high.get(a), axis = a + 1;
            if (before + after == 0) {
                continue;
            }
            Shape s = out.shape();
            Node[] parts = new Node[(before > 0 ? 1 : 0) + 1 + (after > 0 ? 1 : 0)];
            int i = 0;
            if (before > 0) {
                parts[i++] = lowering.constant(this, "before" + axis, s.with(axis, before), value);
            }
            parts[i++] = out;
            if (after > 0) {
                parts[i] = lowering.constant(this, "after" + axis, s.with(axis, after), value);
            }
            out = a == last ? lowering.output(this, new Concat(axis), parts)
                    : lowering.inner(this, "axis" + axis, new Concat(axis), parts);
        }
        return out;
    }
}

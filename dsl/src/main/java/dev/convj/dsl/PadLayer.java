package dev.convj.dsl;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import dev.convj.graph.ops.Concat;
import dev.convj.graph.ops.Scale;
import dev.convj.graph.ops.Slice;
import java.util.List;

/**
 * Pads every axis but the batch with a constant: {@code low.get(i)} values before and {@code high.get(i)} after
 * axis i + 1, as ONNX's Pad in constant mode or {@code torch.nn.functional.pad}; a negative amount crops instead.
 * Lowers to a slice (crops) and a concatenation with filled constants along each padded axis, so its gradient is
 * the slice of the input's place.
 */
public record PadLayer(String name, List<Integer> low, List<Integer> high, double value) implements Layer {

    public PadLayer {
        low = List.copyOf(low);
        high = List.copyOf(high);
        if (low.size() != high.size()) {
            throw new IllegalArgumentException("padding before " + low + " and after " + high
                    + " must name the same axes");
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
            if (low.get(a) != 0 || high.get(a) != 0) {
                last = a;
            }
        }
        if (last < 0) {
            return lowering.output(this, new Scale(1), input);
        }
        Node out = input;
        for (int a = 0; a <= last; a++) {
            int before = low.get(a), after = high.get(a), axis = a + 1;
            if (before == 0 && after == 0) {
                continue;
            }
            boolean pads = before > 0 || after > 0;
            if (before < 0 || after < 0) {
                int extent = out.shape().dim(axis), from = Math.max(0, -before), to = extent - Math.max(0, -after);
                if (to <= from) {
                    throw new IllegalArgumentException("cropping " + Math.max(0, -before) + " before and "
                            + Math.max(0, -after) + " after axis " + axis + " of extent " + extent + " of "
                            + input.name() + " " + input.typeString() + " leaves nothing");
                }
                Slice crop = new Slice(axis, from, to);
                out = a == last && !pads ? lowering.output(this, crop, out)
                        : lowering.inner(this, "crop" + axis, crop, out);
            }
            if (!pads) {
                continue;
            }
            Shape s = out.shape();
            int b = Math.max(0, before), e = Math.max(0, after);
            Node[] parts = new Node[(b > 0 ? 1 : 0) + 1 + (e > 0 ? 1 : 0)];
            int i = 0;
            if (b > 0) {
                parts[i++] = lowering.constant(this, "before" + axis, s.with(axis, b), value);
            }
            parts[i++] = out;
            if (e > 0) {
                parts[i] = lowering.constant(this, "after" + axis, s.with(axis, e), value);
            }
            out = a == last ? lowering.output(this, new Concat(axis), parts)
                    : lowering.inner(this, "axis" + axis, new Concat(axis), parts);
        }
        return out;
    }
}

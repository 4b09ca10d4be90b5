package dev.convj.onnx.export;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import dev.convj.graph.ops.ChannelMask;
import dev.convj.graph.ops.Flip;
import dev.convj.graph.ops.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Parameters and what the builder does to them before use: a true convolution flips its kernel, a connectivity mask
 * zeroes some of it. Both are exact, so a known weight is folded into one initializer; anything else is written as
 * ONNX ops (a Slice with step −1, a Mul by the mask).
 */
final class WeightTransforms {
    private final GraphTranslation t;
    private final Map<String, float[]> weights;

    WeightTransforms(GraphTranslation t, Map<String, float[]> weights) {
        this.t = t;
        this.weights = weights;
    }

    /** A flipped or masked weight: folded into the initializer when the weight is known, else written as ops. */
    String translate(Node n) {
        float[] folded = constantOrNull(n);
        if (folded != null) {
            return t.out().floats(n.name(), n.shape().dims(), folded);
        }
        Node x = t.in(n, 0);
        if (n.op() instanceof Flip f) {
            int r = f.axes().size();
            long[] starts = new long[r], ends = new long[r], steps = new long[r], flipAxes = new long[r];
            for (int i = 0; i < r; i++) {
                starts[i] = -1;
                ends[i] = Long.MIN_VALUE; // past the first element, walking backwards
                steps[i] = -1;
                flipAxes[i] = f.axes().get(i);
            }
            return t.out().node("Slice", t.own(n), List.of(t.tensor(x), t.out().longs(n.name() + "/starts", starts),
                    t.out().longs(n.name() + "/ends", ends), t.out().longs(n.name() + "/axes", flipAxes),
                    t.out().longs(n.name() + "/steps", steps)));
        }
        ChannelMask m = (ChannelMask) n.op();
        List<Integer> dims = new ArrayList<>(List.of(m.outputs(), m.inputs()));
        while (dims.size() < n.shape().rank()) {
            dims.add(1);
        }
        float[] mask = new float[m.outputs() * m.inputs()];
        for (int o = 0; o < m.outputs(); o++) {
            for (int c = 0; c < m.inputs(); c++) {
                mask[o * m.inputs() + c] = m.connected(o, c) ? 1 : 0;
            }
        }
        return t.out().node("Mul", t.own(n), List.of(t.tensor(x), t.out().floats(n.name() + "/mask", dims, mask)));
    }

    /** A parameter's weights, checked against its shape. */
    float[] constant(Node p) {
        float[] w = weights.get(p.name());
        if (w == null) {
            throw GraphTranslation.refusal(p, "no weights for this parameter; pass a value for every parameter of the inference graph "
                    + "(weights, biases and batch-norm running statistics)");
        }
        if (w.length != p.shape().size()) {
            throw GraphTranslation.refusal(p, "its weights hold " + w.length + " values but its shape " + p.shape() + " needs "
                    + p.shape().size());
        }
        return w;
    }

    /** The value of a parameter, possibly flipped or masked; null when the node depends on something else. */
    private float[] constantOrNull(Node n) {
        if (n.op() instanceof Parameter) {
            return constant(n);
        }
        if (n.op() instanceof Flip f) {
            float[] v = constantOrNull(t.in(n, 0));
            return v == null ? null : flip(v, n.shape(), f.axes());
        }
        if (n.op() instanceof ChannelMask m) {
            float[] v = constantOrNull(t.in(n, 0));
            if (v == null) {
                return null;
            }
            float[] masked = v.clone();
            int per = n.shape().size() / (m.outputs() * m.inputs());
            for (int i = 0; i < masked.length; i++) {
                int oc = i / per;
                if (!m.connected(oc / m.inputs(), oc % m.inputs())) {
                    masked[i] = 0;
                }
            }
            return masked;
        }
        return null;
    }

    private static float[] flip(float[] v, Shape shape, List<Integer> flipAxes) {
        int[] dims = shape.toArray(), strides = shape.strides();
        float[] r = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            int from = 0;
            for (int a = 0; a < dims.length; a++) {
                int idx = i / strides[a] % dims[a];
                from += (flipAxes.contains(a) ? dims[a] - 1 - idx : idx) * strides[a];
            }
            r[i] = v[from];
        }
        return r;
    }
}

package dev.convj.dsl;

import dev.convj.graph.Node;
import dev.convj.graph.ParamInit;
import dev.convj.graph.Shape;
import dev.convj.graph.ops.Add;
import dev.convj.graph.ops.BroadcastTo;
import dev.convj.graph.ops.Mul;
import dev.convj.graph.ops.Reshape;
import java.util.ArrayList;
import java.util.List;

/**
 * y = x·scale + shift with learnable {@code name.scale} (init 1) and {@code name.shift} (init 0) of a shape that
 * broadcasts over the batch: all ones for one scalar pair, [C, 1, 1] per channel, [features] per feature, or the
 * whole image. Imported models use it for arithmetic with constants, e.g. {@code (x − mean) / std} per channel.
 */
public record AffineLayer(String name, List<Integer> shape, boolean scale, boolean shift) implements Layer {

    public AffineLayer {
        shape = List.copyOf(shape);
        if (!scale && !shift) {
            throw new IllegalArgumentException("an affine layer needs a scale, a shift or both");
        }
        for (int d : shape) {
            if (d < 1) {
                throw new IllegalArgumentException("every extent of the scale and shift must be ≥ 1, got " + shape);
            }
        }
    }

    @Override
    public String kind() {
        return "affine";
    }

    @Override
    public String namePrefix() {
        return "affine";
    }

    @Override
    public Layer withName(String newName) {
        return new AffineLayer(newName, shape, scale, shift);
    }

    @Override
    public Node lower(Lowering lowering, Node input) {
        Shape x = input.shape();
        if (shape.size() != x.rank() - 1) {
            throw new IllegalArgumentException("scale and shift of shape " + shape + " must have one extent per axis"
                    + " of " + input.name() + " " + input.typeString() + " but the batch, " + (x.rank() - 1));
        }
        for (int a = 0; a < shape.size(); a++) {
            if (shape.get(a) != 1 && shape.get(a) != x.dim(a + 1)) {
                throw new IllegalArgumentException("scale and shift of shape " + shape + " do not broadcast to "
                        + input.name() + " " + input.typeString() + " (axis " + (a + 1) + ": " + shape.get(a)
                        + " is neither 1 nor " + x.dim(a + 1) + ")");
            }
        }
        Shape own = new Shape(shape);
        Node out = input;
        if (scale) {
            Node s = lowering.parameter(this, "scale", own, new ParamInit.Constant(1));
            Node spread = spread(lowering, "scale_b", s, x);
            out = shift ? lowering.inner(this, "scaled", new Mul(), out, spread)
                    : lowering.output(this, new Mul(), out, spread);
        }
        if (shift) {
            Node t = lowering.parameter(this, "shift", own, new ParamInit.Constant(0));
            out = lowering.output(this, new Add(), out, spread(lowering, "shift_b", t, x));
        }
        return out;
    }

    /** The parameter with a leading axis of 1, broadcast to x's shape [N, …]. */
    private Node spread(Lowering lowering, String suffix, Node parameter, Shape x) {
        List<Integer> withBatch = new ArrayList<>(List.of(1));
        withBatch.addAll(shape);
        Node r = lowering.inner(this, suffix + ".r", new Reshape(new Shape(withBatch)), parameter);
        return lowering.inner(this, suffix, new BroadcastTo(x), r);
    }
}

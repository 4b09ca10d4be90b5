package dev.convj.graph.ops;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.List;

/**
 * The adjoint of {@link TiledConv} (its input gradient): dy [N, O, *out], weight [O, *t, C/groups, *k] →
 * [N, C, *inputSpatial], each dy[n,o,p]·w[o, p mod t, c, q] added back to the input position it was read from.
 */
public record TiledConvTranspose(TiledGeometry geometry, List<Integer> inputSpatial) implements Op {

    public TiledConvTranspose {
        inputSpatial = Checks.spatial(inputSpatial, geometry.spatialRank(), "input size");
    }

    @Override
    public String kind() {
        return geometry.kind("_transpose");
    }

    @Override
    public Shape inferShape(List<Node> in) {
        Checks.arity(in, 2, 2, "dy, weight");
        int r = geometry.spatialRank();
        Node dy = in.get(0), w = in.get(1);
        Checks.rank(dy, r + 2, "output gradient", "N,O" + Conv.spatialLetters(r));
        List<Integer> kernel = geometry.kernelOf(w);
        if (w.shape().dim(0) != dy.shape().dim(1)) {
            throw new IllegalArgumentException("output gradient " + dy.typeString() + " has " + dy.shape().dim(1)
                    + " channels but weight " + w.typeString() + " has " + w.shape().dim(0) + " filters");
        }
        List<Integer> out = geometry.conv().outputSpatial(inputSpatial, kernel);
        if (!out.equals(dy.shape().tail(2))) {
            throw new IllegalArgumentException("output gradient " + dy.typeString() + " does not match the tiled "
                    + "convolution of input size " + inputSpatial + ", which gives " + out);
        }
        return Shape.concat(List.of(dy.shape().dim(0), geometry.channelsPerGroup(w) * geometry.conv().groups()),
                inputSpatial);
    }

    /** Linear in both operands, like {@link ConvTranspose}. */
    @Override
    public List<Node> gradients(GradientContext g) {
        Node dy = g.input(0), w = g.input(1), dz = g.gradOutput();
        return List.of(g.apply(new TiledConv(geometry), dz, w),
                g.apply(new TiledConvWeightGrad(geometry, geometry.kernelOf(w)), dz, dy));
    }

    @Override
    public String attributes() {
        return geometry.attributes() + " input=" + ConvGeometry.list(inputSpatial);
    }

    @Override
    public <R> R accept(OpVisitor<R> visitor) {
        return visitor.visit(this);
    }
}

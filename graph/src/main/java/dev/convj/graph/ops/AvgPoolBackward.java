package dev.convj.graph.ops;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.List;

/** Average pooling's gradient and adjoint: dy [N,C,*out] → [N,C,*inputSpatial], each dy spread over its window. */
public record AvgPoolBackward(PoolGeometry geometry, boolean countIncludePad, List<Integer> inputSpatial)
        implements Op {

    public AvgPoolBackward {
        inputSpatial = Checks.positive(inputSpatial, "input size");
    }

    @Override
    public String kind() {
        return geometry.kind("avg_pool") + "_backward";
    }

    @Override
    public Shape inferShape(List<Node> in) {
        Checks.arity(in, 1, 1, "dy");
        Node dy = in.get(0);
        Checks.rank(dy, geometry.spatialRank() + 2, "output gradient", "N,C,spatial");
        List<Integer> pooled = geometry.outputSpatial(inputSpatial);
        if (!pooled.equals(dy.shape().tail(2))) {
            throw new IllegalArgumentException("output gradient " + dy.typeString() + " does not match pooling "
                    + inputSpatial + ", which gives " + pooled);
        }
        return Shape.concat(dy.shape().dims().subList(0, 2), inputSpatial);
    }

    @Override
    public List<Node> gradients(GradientContext g) {
        return List.of(g.apply(new AvgPool(geometry, countIncludePad), g.gradOutput()));
    }

    @Override
    public String attributes() {
        return geometry.attributes() + (countIncludePad ? "" : " exclude_pad") + " input="
                + ConvGeometry.list(inputSpatial);
    }

    @Override
    public <R> R accept(OpVisitor<R> visitor) {
        return visitor.visit(this);
    }
}

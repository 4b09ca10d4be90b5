package dev.convj.graph.ops;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.List;

/**
 * The weight gradient of a convolution, dL/dW = correlate(X, dL/dY):
 * x [N, C, *in], dy [N, O, *out] → [O, C/groups, *kernel].
 * <pre>dw[o,c,q] = Σ_n Σ_p x[n, g·C/G + c, p·s − p_low + q·d] · dy[n, o, p]</pre>
 */
public record ConvWeightGrad(ConvGeometry geometry, List<Integer> kernel) implements Op {

    public ConvWeightGrad {
        kernel = Checks.spatial(kernel, geometry.spatialRank(), "kernel size");
    }

    @Override
    public String kind() {
        return "conv" + geometry.spatialRank() + "d_weight_grad";
    }

    @Override
    public Shape inferShape(List<Node> in) {
        Checks.arity(in, 2, 2, "x, dy");
        int r = geometry.spatialRank();
        Node x = in.get(0), dy = in.get(1);
        Checks.rank(x, r + 2, "input", "N,C" + Conv.spatialLetters(r));
        Checks.rank(dy, r + 2, "output gradient", "N,O" + Conv.spatialLetters(r));
        if (x.shape().dim(0) != dy.shape().dim(0)) {
            throw new IllegalArgumentException("batch sizes differ: " + x.name() + " " + x.typeString() + " and "
                    + dy.name() + " " + dy.typeString());
        }
        int c = x.shape().dim(1), o = dy.shape().dim(1), g = geometry.groups();
        if (c % g != 0 || o % g != 0) {
            throw new IllegalArgumentException(g + " groups must divide both " + c + " input and " + o
                    + " output channels");
        }
        List<Integer> out = geometry.outputSpatial(x.shape().tail(2), kernel);
        if (!out.equals(dy.shape().tail(2))) {
            throw new IllegalArgumentException("output gradient " + dy.typeString() + " does not match the "
                    + "convolution of " + x.typeString() + " with kernel " + kernel + ", which gives " + out);
        }
        return Shape.concat(List.of(o, c / g), kernel);
    }

    /** Bilinear in (x, dy): each operand's gradient is the convolution-family op that pairs with it. */
    @Override
    public List<Node> gradients(GradientContext g) {
        Node x = g.input(0), dw = g.gradOutput();
        return List.of(
                g.apply(new ConvTranspose(geometry, x.shape().tail(2)), g.input(1), dw),
                g.apply(new Conv(geometry), x, dw));
    }

    @Override
    public String attributes() {
        return geometry.attributes() + " kernel=" + ConvGeometry.list(kernel);
    }

    @Override
    public <R> R accept(OpVisitor<R> visitor) {
        return visitor.visit(this);
    }
}

package dev.convj.graph.ops;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.List;

/**
 * The weight gradient of {@link TiledConv}: x [N, C, *in], dy [N, O, *out] → [O, *t, C/groups, *kernel],
 * <pre>dw[o,t,c,q] = Σ_n Σ_{p mod T = t} x[n, group(o)·C/G + c, p·s − p_low + q·d] · dy[n, o, p]</pre>
 */
public record TiledConvWeightGrad(TiledGeometry geometry, List<Integer> kernel) implements Op {

    public TiledConvWeightGrad {
        kernel = Checks.spatial(kernel, geometry.spatialRank(), "kernel size");
    }

    @Override
    public String kind() {
        return geometry.kind("_weight_grad");
    }

    @Override
    public Shape inferShape(List<Node> in) {
        Checks.arity(in, 2, 2, "x, dy");
        int r = geometry.spatialRank();
        Node x = in.get(0), dy = in.get(1);
        Checks.rank(x, r + 2, "input", "N,C" + Conv.spatialLetters(r));
        Checks.rank(dy, r + 2, "output gradient", "N,O" + Conv.spatialLetters(r));
        int c = x.shape().dim(1), o = dy.shape().dim(1), g = geometry.conv().groups();
        if (x.shape().dim(0) != dy.shape().dim(0) || c % g != 0 || o % g != 0) {
            throw new IllegalArgumentException("input " + x.typeString() + " and output gradient " + dy.typeString()
                    + " need equal batch sizes and channel counts divisible by " + g + " groups");
        }
        List<Integer> out = geometry.conv().outputSpatial(x.shape().tail(2), kernel);
        if (!out.equals(dy.shape().tail(2))) {
            throw new IllegalArgumentException("output gradient " + dy.typeString() + " does not match the tiled "
                    + "convolution of " + x.typeString() + " with kernel " + kernel + ", which gives " + out);
        }
        geometry.checkTiles(out);
        return geometry.weightShape(o, c / g, kernel);
    }

    /** Bilinear in (x, dy), like {@link ConvWeightGrad}. */
    @Override
    public List<Node> gradients(GradientContext g) {
        Node x = g.input(0), dw = g.gradOutput();
        return List.of(g.apply(new TiledConvTranspose(geometry, x.shape().tail(2)), g.input(1), dw),
                g.apply(new TiledConv(geometry), x, dw));
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

package dev.convj.graph.ops;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Tiled convolution: a cross-correlation whose kernels change with the output position, cycling through t sets per
 * axis. x [N, C, *in], weight [O, *t, C/groups, *k], optional bias [O, *t] → [N, O, *out]:
 * <pre>y[n,o,p] = b[o, p mod t] + Σ_c Σ_q x[n, group(o)·C/G + c, p·s − p_low + q·d] · w[o, p mod t, c, q]</pre>
 * t = 1 is {@link Conv}; t = the output size is a locally connected layer, one kernel per output position.
 */
public record TiledConv(TiledGeometry geometry) implements Op {

    @Override
    public String kind() {
        return geometry.kind("");
    }

    @Override
    public Shape inferShape(List<Node> in) {
        Checks.arity(in, 2, 3, "x, weight, optional bias");
        int r = geometry.spatialRank();
        Node x = in.get(0), w = in.get(1);
        Checks.rank(x, r + 2, "input", "N,C" + Conv.spatialLetters(r));
        List<Integer> kernel = geometry.kernelOf(w);
        int c = x.shape().dim(1), o = w.shape().dim(0), g = geometry.conv().groups();
        if (c % g != 0 || o % g != 0 || geometry.channelsPerGroup(w) * g != c) {
            throw new IllegalArgumentException("input " + x.name() + " " + x.typeString() + " has " + c
                    + " channels and weight " + w.name() + " " + w.typeString() + " " + o + " filters of "
                    + geometry.channelsPerGroup(w) + " channels in " + g + " group(s); need C = " + g
                    + " × channels per filter and filters divisible by " + g);
        }
        List<Integer> out = geometry.conv().outputSpatial(x.shape().tail(2), kernel);
        geometry.checkTiles(out);
        if (in.size() == 3 && !in.get(2).shape().equals(geometry.biasShape(o))) {
            throw new IllegalArgumentException("bias " + in.get(2).name() + " " + in.get(2).typeString()
                    + " must have shape " + geometry.biasShape(o) + ", one value per filter and tile");
        }
        return Shape.concat(List.of(x.shape().dim(0), o), out);
    }

    /** As for {@link Conv}: dL/dx a transposed tiled convolution, dL/dw a per-tile correlation of x with dL/dy. */
    @Override
    public List<Node> gradients(GradientContext g) {
        Node x = g.input(0), w = g.input(1), dy = g.gradOutput();
        List<Node> grads = new ArrayList<>();
        grads.add(g.apply(new TiledConvTranspose(geometry, x.shape().tail(2)), dy, w));
        grads.add(g.apply(new TiledConvWeightGrad(geometry, geometry.kernelOf(w)), x, dy));
        if (g.inputCount() == 3) {
            grads.add(biasGradient(g, dy));
        }
        return grads;
    }

    /**
     * db[o, t] = Σ_n Σ_{p mod T = t} dy[n, o, p]: split each output axis p = a·T + t into (a, t), then sum over n
     * and every a.
     */
    private Node biasGradient(GradientContext g, Node dy) {
        int r = geometry.spatialRank();
        List<Integer> split = new ArrayList<>(dy.shape().dims().subList(0, 2));
        List<Integer> axes = new ArrayList<>(List.of(0));
        for (int i = 0; i < r; i++) {
            int t = geometry.tiles().get(i);
            axes.add(split.size());
            split.add(dy.shape().dim(2 + i) / t);
            split.add(t);
        }
        return g.apply(new Sum(axes), g.reshape(dy, new Shape(split)));
    }

    @Override
    public String attributes() {
        return geometry.attributes();
    }

    @Override
    public <R> R accept(OpVisitor<R> visitor) {
        return visitor.visit(this);
    }
}

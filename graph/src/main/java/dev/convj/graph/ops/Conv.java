package dev.convj.graph.ops;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * N-d convolution as every framework computes it (cross-correlation), PyTorch layouts:
 * x [N, C, *in], weight [O, C/groups, *k], optional bias [O] → [N, O, *out].
 * <pre>y[n,o,p] = b[o] + Σ_c Σ_q x[n, g·C/G + c, p·s − p_low + q·d] · w[o, c, q]   (g = o ÷ (O/G))</pre>
 */
public record Conv(ConvGeometry geometry) implements Op {

    @Override
    public String kind() {
        return "conv" + geometry.spatialRank() + "d";
    }

    @Override
    public Shape inferShape(List<Node> in) {
        Checks.arity(in, 2, 3, "x, weight, optional bias");
        int r = geometry.spatialRank();
        Node x = in.get(0), w = in.get(1);
        Checks.rank(x, r + 2, "input", "N,C" + spatialLetters(r));
        Checks.rank(w, r + 2, "weight", "O,C/groups" + spatialLetters(r).toLowerCase());
        int c = x.shape().dim(1), o = w.shape().dim(0), g = geometry.groups();
        checkChannels(x, w, c, o, g);
        List<Integer> out = geometry.outputSpatial(x.shape().tail(2), w.shape().tail(2));
        if (in.size() == 3) {
            checkBias(in.get(2), o);
        }
        return Shape.concat(List.of(x.shape().dim(0), o), out);
    }

    /** The gradients: dL/dX a transposed convolution, dL/dW a correlation of X with dL/dY. */
    @Override
    public List<Node> gradients(GradientContext g) {
        Node x = g.input(0), w = g.input(1), dy = g.gradOutput();
        List<Node> grads = new ArrayList<>();
        grads.add(g.apply(new ConvTranspose(geometry, x.shape().tail(2)), dy, w));
        grads.add(g.apply(new ConvWeightGrad(geometry, w.shape().tail(2)), x, dy));
        if (g.inputCount() == 3) {
            grads.add(g.sumToChannels(dy));
        }
        return grads;
    }

    @Override
    public String attributes() {
        return geometry.attributes();
    }

    @Override
    public <R> R accept(OpVisitor<R> visitor) {
        return visitor.visit(this);
    }

    static void checkChannels(Node x, Node w, int c, int o, int g) {
        if (c % g != 0) {
            throw new IllegalArgumentException("input " + x.name() + " " + x.typeString() + " has " + c
                    + " channels, which " + g + " groups do not divide; choose groups that divide " + c);
        }
        if (o % g != 0) {
            throw new IllegalArgumentException("weight " + w.name() + " " + w.typeString() + " has " + o
                    + " filters, which " + g + " groups do not divide; choose a filter count divisible by " + g);
        }
        if (w.shape().dim(1) != c / g) {
            throw new IllegalArgumentException("input " + x.name() + " " + x.typeString() + " has " + c
                    + " channels in " + g + " group(s), so the weight needs " + c / g + " input channels per filter,"
                    + " but " + w.name() + " " + w.typeString() + " has " + w.shape().dim(1));
        }
    }

    static void checkBias(Node b, int channels) {
        if (!b.shape().equals(Shape.of(channels))) {
            throw new IllegalArgumentException("bias " + b.name() + " " + b.typeString() + " must have shape ["
                    + channels + "], one value per output channel");
        }
    }

    static String spatialLetters(int r) {
        return switch (r) {
            case 1 -> ",W";
            case 2 -> ",H,W";
            case 3 -> ",D,H,W";
            default -> ",spatial×" + r;
        };
    }
}

package dev.convj.graph.ops;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Zeroes the kernels of a convolution weight [O, C/groups, *k] whose input channel does not feed the output channel:
 * y[o,c,…] = mask[o][c] ? w[o,c,…] : 0. Applied to a weight before {@link Conv}, it gives partial
 * connectivity between channels; a mask of all true is the ordinary convolution.
 */
public record ChannelMask(List<List<Boolean>> mask) implements Op {

    public ChannelMask {
        if (mask.isEmpty() || mask.get(0).isEmpty()) {
            throw new IllegalArgumentException("a connectivity mask needs at least one output and one input channel");
        }
        int width = mask.get(0).size();
        for (int o = 0; o < mask.size(); o++) {
            if (mask.get(o).size() != width) {
                throw new IllegalArgumentException("connectivity mask row " + o + " has " + mask.get(o).size()
                        + " entries but row 0 has " + width + "; every output channel needs one entry per input channel");
            }
        }
        mask = mask.stream().map(List::copyOf).toList();
    }

    /** The mask from rows of booleans, one row per output channel. */
    public static ChannelMask of(boolean[][] rows) {
        return new ChannelMask(java.util.Arrays.stream(rows).map(r -> {
            Boolean[] b = new Boolean[r.length];
            for (int i = 0; i < r.length; i++) {
                b[i] = r[i];
            }
            return List.of(b);
        }).toList());
    }

    public int outputs() {
        return mask.size();
    }

    public int inputs() {
        return mask.get(0).size();
    }

    public boolean connected(int output, int input) {
        return mask.get(output).get(input);
    }

    @Override
    public String kind() {
        return "channel_mask";
    }

    @Override
    public Shape inferShape(List<Node> in) {
        Shape w = Checks.unary(in);
        if (w.rank() < 2 || w.dim(0) != outputs() || w.dim(1) != inputs()) {
            throw new IllegalArgumentException("connectivity mask of " + outputs() + " output × " + inputs()
                    + " input channels does not fit weight " + in.get(0).name() + " " + in.get(0).typeString()
                    + " [O, C/groups, k…]; give one row per filter and one entry per input channel");
        }
        return w;
    }

    /** Linear and self-adjoint: dL/dw = mask ⊙ dL/dy. */
    @Override
    public List<Node> gradients(GradientContext g) {
        return List.of(g.apply(this, g.gradOutput()));
    }

    @Override
    public String attributes() {
        return "mask=" + mask.stream().map(r -> r.stream().map(b -> b ? "1" : "0").collect(Collectors.joining()))
                .collect(Collectors.joining(",", "[", "]"));
    }

    @Override
    public <R> R accept(OpVisitor<R> visitor) {
        return visitor.visit(this);
    }
}

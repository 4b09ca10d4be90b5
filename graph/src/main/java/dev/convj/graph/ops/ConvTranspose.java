package dev.convj.graph.ops;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Transposed convolution ("deconvolution"), the adjoint of {@link Conv} with the same geometry:
 * y [N, O, *out], weight [O, C/groups, *k] (PyTorch's conv_transpose layout: in, out/groups, k…), optional
 * bias [C] → [N, C, *outputSpatial].
 * <p>It is dL/dX of a convolution: the full convolution of the 180°-rotated filter with dL/dY, after spreading
 * dL/dY out by the stride and cropping the padding:
 * <pre>x[n,c,i] = Σ_o Σ_q y[n, o, (i + p_low − q·d)/s] · w[o, c', q]   where the division is exact</pre>
 * {@code outputSpatial} fixes the size, which the stride alone leaves ambiguous (PyTorch's output_padding).
 */
public record ConvTranspose(ConvGeometry geometry, List<Integer> outputSpatial) implements Op {

    public ConvTranspose {
        outputSpatial = Checks.spatial(outputSpatial, geometry.spatialRank(), "output size");
    }

    @Override
    public String kind() {
        return "conv_transpose" + geometry.spatialRank() + "d";
    }

    @Override
    public Shape inferShape(List<Node> in) {
        Checks.arity(in, 2, 3, "y, weight, optional bias");
        int r = geometry.spatialRank();
        Node y = in.get(0), w = in.get(1);
        Checks.rank(y, r + 2, "input", "N,C" + Conv.spatialLetters(r));
        Checks.rank(w, r + 2, "weight", "C_in,C_out/groups" + Conv.spatialLetters(r).toLowerCase());
        int o = y.shape().dim(1), g = geometry.groups();
        if (w.shape().dim(0) != o) {
            throw new IllegalArgumentException("input " + y.name() + " " + y.typeString() + " has " + o
                    + " channels but weight " + w.name() + " " + w.typeString() + " expects " + w.shape().dim(0));
        }
        if (o % g != 0) {
            throw new IllegalArgumentException("input " + y.name() + " has " + o + " channels, which " + g
                    + " groups do not divide");
        }
        List<Integer> forward = geometry.outputSpatial(outputSpatial, w.shape().tail(2));
        if (!forward.equals(y.shape().tail(2))) {
            throw new IllegalArgumentException("output size " + outputSpatial + " does not match input "
                    + y.typeString() + ": a convolution of size " + outputSpatial + " with kernel "
                    + w.shape().tail(2) + " and " + geometry.attributes() + " gives " + forward + ", not "
                    + y.shape().tail(2));
        }
        int c = w.shape().dim(1) * g;
        if (in.size() == 3) {
            Conv.checkBias(in.get(2), c);
        }
        return Shape.concat(List.of(y.shape().dim(0), c), outputSpatial);
    }

    /** Linear in both operands: dL/dy is a convolution, dL/dw the weight-gradient correlation. */
    @Override
    public List<Node> gradients(GradientContext g) {
        Node y = g.input(0), w = g.input(1), dz = g.gradOutput();
        List<Node> grads = new ArrayList<>();
        grads.add(g.apply(new Conv(geometry), dz, w));
        grads.add(g.apply(new ConvWeightGrad(geometry, w.shape().tail(2)), dz, y));
        if (g.inputCount() == 3) {
            grads.add(g.sumToChannels(dz));
        }
        return grads;
    }

    @Override
    public String attributes() {
        return geometry.attributes() + " output=" + ConvGeometry.list(outputSpatial);
    }

    @Override
    public <R> R accept(OpVisitor<R> visitor) {
        return visitor.visit(this);
    }
}

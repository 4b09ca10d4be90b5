package dev.convj.dsl;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import dev.convj.graph.ShapeException;
import dev.convj.graph.ops.ConvGeometry;
import dev.convj.graph.ops.ConvTranspose;
import dev.convj.graph.ops.Padding;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A transposed convolution ("deconvolution") layer as PyTorch's ConvTranspose: weight [C_in, filters/groups, *k],
 * bias [filters], output size (n − 1)·s − 2p + d(k − 1) + output_padding + 1 per axis.
 */
public record ConvTransposeLayer(String name, int spatialRank, int filters, List<Integer> kernel, List<Integer> padding,
                                 List<Integer> stride, List<Integer> outputPadding, List<Integer> dilation, int groups,
                                 boolean bias) implements Layer {

    public ConvTransposeLayer {
        kernel = List.copyOf(kernel);
        padding = List.copyOf(padding);
        stride = List.copyOf(stride);
        outputPadding = List.copyOf(outputPadding);
        dilation = List.copyOf(dilation);
    }

    static ConvTransposeLayer of(String name, int spatialRank, int filters, List<Integer> kernel,
                                 LayerOption... options) {
        String kind = "conv_transpose" + spatialRank + "d";
        ConvOptions o = ConvOptions.parse(name, kind, Set.of(LayerOption.Pad.class, LayerOption.Stride.class,
                        LayerOption.OutputPadding.class, LayerOption.Dilation.class, LayerOption.Groups.class,
                        LayerOption.NoBias.class), kind + " (padding is pad(p) or one value per axis, the same on both"
                        + " sides, as in PyTorch)", options);
        List<Integer> padding;
        if (o.padding() instanceof Padding.Explicit e && e.low().equals(e.high())) {
            padding = e.low();
        } else if (o.padding() instanceof Padding.Valid) {
            padding = List.of(0);
        } else {
            throw new ShapeException(name + " (" + kind + "): option pad(" + o.padding() + ") does not apply to " + kind
                    + " (padding is pad(p) or one value per axis, the same on both sides, as in PyTorch)");
        }
        return new ConvTransposeLayer(name, spatialRank, filters, kernel, padding, o.stride(), o.outputPadding(),
                o.dilation(), o.groups(), o.bias());
    }

    @Override
    public String kind() {
        return "conv_transpose" + spatialRank + "d";
    }

    @Override
    public String namePrefix() {
        return "deconv";
    }

    @Override
    public Layer withName(String newName) {
        return new ConvTransposeLayer(newName, spatialRank, filters, kernel, padding, stride, outputPadding, dilation,
                groups, bias);
    }

    @Override
    public Node lower(Lowering lowering, Node input) {
        Layer.checkConvInput(filters, spatialRank, input);
        List<Integer> k = Layer.perAxis(kernel, spatialRank, "kernel", name);
        List<Integer> s = Layer.perAxis(stride, spatialRank, "stride", name);
        List<Integer> d = Layer.perAxis(dilation, spatialRank, "dilation", name);
        List<Integer> p = Layer.perAxis(padding, spatialRank, "padding", name);
        List<Integer> op = Layer.perAxis(outputPadding, spatialRank, "output padding", name);
        int channels = input.shape().dim(1);
        if (channels % groups != 0 || filters % groups != 0) {
            throw new IllegalArgumentException(groups + " groups must divide both the " + channels
                    + " input channels of " + input.name() + " " + input.typeString() + " and the " + filters
                    + " filters");
        }
        List<Integer> out = new ArrayList<>(), padHigh = new ArrayList<>();
        for (int i = 0; i < spatialRank; i++) {
            int si = s.get(i), di = d.get(i), pi = p.get(i), opi = op.get(i), n = input.shape().dim(2 + i);
            if (si < 1 || di < 1 || pi < 0 || opi < 0) {
                throw new IllegalArgumentException("stride " + s + " and dilation " + d + " must be ≥ 1, padding " + p
                        + " and output padding " + op + " ≥ 0");
            }
            if (opi >= si && opi >= di) {
                throw new IllegalArgumentException("output padding " + op + " must be smaller than either stride " + s
                        + " or dilation " + d + " (axis " + i + ": " + opi + " ≥ " + si + " and ≥ " + di
                        + "), as in PyTorch, for input " + input.name() + " " + input.typeString()
                        + "; lower the output padding");
            }
            int size = (n - 1) * si - 2 * pi + di * (k.get(i) - 1) + opi + 1;
            if (size < 1) {
                throw new IllegalArgumentException("input " + input.typeString() + " gives output size "
                        + "(n-1)·s-2p+d(k-1)+output_padding+1 = (" + n + "-1)·" + si + "-2·" + pi + "+" + di + "·"
                        + (k.get(i) - 1) + "+" + opi + "+1 = " + size + " along spatial axis " + i
                        + "; use less padding");
            }
            out.add(size);
            // The adjoint convolution pads p before; after, p less the output padding (a crop when that exceeds the
            // stride), so that it maps size back to n exactly.
            padHigh.add(opi < si ? pi : pi - opi + si - 1);
        }
        ConvGeometry geometry = new ConvGeometry(s, p, padHigh, d, groups);
        int fanIn = filters / groups * k.stream().reduce(1, (a, b) -> a * b);
        List<Integer> weightShape = new ArrayList<>(List.of(channels, filters / groups));
        weightShape.addAll(k);
        Node w = lowering.parameter(this, "weight", new Shape(weightShape), Lowering.defaultInit(fanIn));
        ConvTranspose op2 = new ConvTranspose(geometry, out);
        if (!bias) {
            return lowering.output(this, op2, input, w);
        }
        Node b = lowering.parameter(this, "bias", Shape.of(filters), Lowering.defaultInit(fanIn));
        return lowering.output(this, op2, input, w, b);
    }
}

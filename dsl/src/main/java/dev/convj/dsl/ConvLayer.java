package dev.convj.dsl;

import dev.convj.graph.Node;
import dev.convj.graph.ShapeException;
import dev.convj.graph.Shape;
import dev.convj.graph.ops.ChannelMask;
import dev.convj.graph.ops.Conv;
import dev.convj.graph.ops.Flip;
import dev.convj.graph.ops.ConvGeometry;
import dev.convj.graph.ops.Padding;
import java.util.ArrayList;
import java.util.List;

/** An N-d convolution layer (cross-correlation, as in every framework) with its weight and optional bias. */
public record ConvLayer(String name, int spatialRank, int filters, List<Integer> kernel, Padding padding,
                        List<Integer> stride, List<Integer> dilation, int groups, boolean bias, boolean flipped,
                        List<List<Boolean>> connectivity) implements Layer {

    public ConvLayer {
        kernel = List.copyOf(kernel);
        stride = List.copyOf(stride);
        dilation = List.copyOf(dilation);
        connectivity = connectivity == null ? null : connectivity.stream().map(List::copyOf).toList();
    }

    /** A cross-correlation layer with every input channel of its group feeding every filter. */
    public ConvLayer(String name, int spatialRank, int filters, List<Integer> kernel, Padding padding,
                     List<Integer> stride, List<Integer> dilation, int groups, boolean bias) {
        this(name, spatialRank, filters, kernel, padding, stride, dilation, groups, bias, false, null);
    }

    static ConvLayer of(String name, int spatialRank, int filters, List<Integer> kernel, LayerOption... options) {
        Padding padding = Padding.valid();
        List<Integer> stride = List.of(1), dilation = List.of(1);
        int groups = 1;
        boolean bias = true, flipped = false;
        List<List<Boolean>> mask = null;
        for (LayerOption o : options) {
            if (o instanceof LayerOption.Pad p) {
                padding = p.padding();
            } else if (o instanceof LayerOption.Stride s) {
                stride = s.values();
            } else if (o instanceof LayerOption.Dilation d) {
                dilation = d.values();
            } else if (o instanceof LayerOption.Groups g) {
                groups = g.groups();
            } else if (o instanceof LayerOption.NoBias) {
                bias = false;
            } else if (o instanceof LayerOption.TrueConvolution) {
                flipped = true;
            } else if (o instanceof LayerOption.Connectivity c) {
                mask = ChannelMask.of(c.mask()).mask();
            } else {
                throw new ShapeException(name + " (conv" + spatialRank + "d): option " + o
                        + " does not apply to convolutions");
            }
        }
        return new ConvLayer(name, spatialRank, filters, kernel, padding, stride, dilation, groups, bias, flipped,
                mask);
    }

    @Override
    public String kind() {
        return (flipped ? "true_conv" : "conv") + spatialRank + "d";
    }

    @Override
    public String namePrefix() {
        return "conv";
    }

    @Override
    public Layer withName(String newName) {
        return new ConvLayer(newName, spatialRank, filters, kernel, padding, stride, dilation, groups, bias, flipped,
                connectivity);
    }

    @Override
    public Node lower(Lowering lowering, Node input) {
        if (filters < 1) {
            throw new IllegalArgumentException("the number of filters must be ≥ 1, got " + filters);
        }
        if (input.shape().rank() != spatialRank + 2) {
            throw new IllegalArgumentException("expects an input of rank " + (spatialRank + 2) + " (N,C,spatial), got "
                    + input.typeString() + (input.shape().rank() == 2 ? " (a dense output; convolve before flatten)" : ""));
        }
        List<Integer> k = Layer.perAxis(kernel, spatialRank, "kernel", name);
        List<Integer> s = Layer.perAxis(stride, spatialRank, "stride", name);
        List<Integer> d = Layer.perAxis(dilation, spatialRank, "dilation", name);
        Padding.Amounts pads = padding.resolve(input.shape().tail(2), k, s, d);
        ConvGeometry geometry = new ConvGeometry(s, pads.low(), pads.high(), d, groups);
        int channels = input.shape().dim(1);
        if (channels % groups != 0) {
            throw new IllegalArgumentException("input " + input.name() + " " + input.typeString() + " has " + channels
                    + " channels, which " + groups + " groups do not divide; choose groups that divide " + channels);
        }
        int fanIn = channels / groups * k.stream().reduce(1, (a, b) -> a * b);
        List<Integer> weightShape = new ArrayList<>(List.of(filters, channels / groups));
        weightShape.addAll(k);
        Node w = lowering.parameter(this, "weight", new Shape(weightShape), Lowering.defaultInit(fanIn));
        if (connectivity != null) {
            if (connectivity.size() != filters || connectivity.get(0).size() != channels / groups) {
                throw new IllegalArgumentException("connectivity mask of " + connectivity.size() + " rows × "
                        + connectivity.get(0).size() + " columns does not fit input " + input.name() + " "
                        + input.typeString() + " and " + filters + " filters: it needs one row per filter and one "
                        + "column per input channel" + (groups > 1 ? " of a group" : "") + ", " + filters + " × "
                        + channels / groups);
            }
            w = lowering.inner(this, "masked", new ChannelMask(connectivity), w);
        }
        if (flipped) {
            // True convolution = cross-correlation with the kernel rotated 180° (reversed on every spatial axis).
            List<Integer> spatialAxes = new ArrayList<>();
            for (int a = 2; a < spatialRank + 2; a++) {
                spatialAxes.add(a);
            }
            w = lowering.inner(this, "flipped", new Flip(spatialAxes), w);
        }
        if (!bias) {
            return lowering.output(this, new Conv(geometry), input, w);
        }
        Node b = lowering.parameter(this, "bias", Shape.of(filters), Lowering.defaultInit(fanIn));
        return lowering.output(this, new Conv(geometry), input, w, b);
    }
}

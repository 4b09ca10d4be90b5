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
import java.util.Set;

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
        ConvOptions o = ConvOptions.parse(name, "conv" + spatialRank + "d", Set.of(LayerOption.Pad.class,
                LayerOption.Stride.class, LayerOption.Dilation.class, LayerOption.Groups.class, LayerOption.NoBias.class,
                LayerOption.TrueConvolution.class, LayerOption.Connectivity.class), "convolutions", options);
        return new ConvLayer(name, spatialRank, filters, kernel, o.padding(), o.stride(), o.dilation(), o.groups(),
                o.bias(), o.flipped(), o.mask());
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
        Layer.checkConvInput(filters, spatialRank, input);
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

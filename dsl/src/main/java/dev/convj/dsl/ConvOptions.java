package dev.convj.dsl;

import dev.convj.graph.ShapeException;
import dev.convj.graph.ops.ChannelMask;
import dev.convj.graph.ops.Padding;
import java.util.List;
import java.util.Set;

/**
 * The options of a convolution-like layer, read once from the {@link LayerOption}s a user passed; each layer says
 * which options it accepts, and any other is an error naming the layer.
 */
record ConvOptions(Padding padding, List<Integer> stride, List<Integer> dilation, List<Integer> outputPadding,
                   int groups, boolean bias, boolean flipped, List<List<Boolean>> mask) {

    static ConvOptions parse(String layer, String kind, Set<Class<? extends LayerOption>> accepted, String hint,
                             LayerOption... options) {
        Padding padding = Padding.valid();
        List<Integer> stride = List.of(1), dilation = List.of(1), outputPadding = List.of(0);
        int groups = 1;
        boolean bias = true, flipped = false;
        List<List<Boolean>> mask = null;
        for (LayerOption o : options) {
            if (!accepted.contains(o.getClass())) {
                throw new ShapeException(layer + " (" + kind + "): option " + o + " does not apply to " + hint);
            }
            if (o instanceof LayerOption.Pad p) {
                padding = p.padding();
            } else if (o instanceof LayerOption.Stride s) {
                stride = s.values();
            } else if (o instanceof LayerOption.Dilation d) {
                dilation = d.values();
            } else if (o instanceof LayerOption.OutputPadding p) {
                outputPadding = p.values();
            } else if (o instanceof LayerOption.Groups g) {
                groups = g.groups();
            } else if (o instanceof LayerOption.NoBias) {
                bias = false;
            } else if (o instanceof LayerOption.TrueConvolution) {
                flipped = true;
            } else if (o instanceof LayerOption.Connectivity c) {
                mask = ChannelMask.of(c.mask()).mask();
            }
        }
        return new ConvOptions(padding, stride, dilation, outputPadding, groups, bias, flipped, mask);
    }
}

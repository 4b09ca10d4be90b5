package dev.convj.dsl;

import dev.convj.graph.Node;
import dev.convj.graph.ShapeException;
import dev.convj.graph.ops.ConvGeometry;
import dev.convj.graph.ops.Padding;
import dev.convj.graph.ops.TiledConv;
import dev.convj.graph.ops.TiledGeometry;
import java.util.List;
import java.util.Set;

/**
 * A convolution with unshared kernels: a tiled convolution cycles {@code tileSize} kernel sets along each axis, a
 * locally connected layer ({@code tileSize} empty) has one kernel per output position. Weight
 * [filters, *tiles, C, *k], bias [filters, *tiles].
 */
public record TiledConvLayer(String name, int spatialRank, int filters, List<Integer> kernel, List<Integer> tileSize,
                             Padding padding, List<Integer> stride, List<Integer> dilation, boolean bias)
        implements Layer {

    public TiledConvLayer {
        kernel = List.copyOf(kernel);
        tileSize = List.copyOf(tileSize);
        stride = List.copyOf(stride);
        dilation = List.copyOf(dilation);
    }

    static TiledConvLayer of(String name, int spatialRank, int filters, List<Integer> kernel, List<Integer> tileSize,
                             LayerOption... options) {
        ConvOptions o = ConvOptions.parse(name, kind(tileSize, spatialRank), Set.of(LayerOption.Pad.class,
                LayerOption.Stride.class, LayerOption.Dilation.class, LayerOption.NoBias.class),
                "unshared convolutions", options);
        return new TiledConvLayer(name, spatialRank, filters, kernel, tileSize, o.padding(), o.stride(), o.dilation(),
                o.bias());
    }

    private static String kind(List<Integer> tileSize, int spatialRank) {
        return (tileSize.isEmpty() ? "locally_connected" : "tiled_conv") + spatialRank + "d";
    }

    /** Whether this is a locally connected layer (one kernel per output position). */
    public boolean locallyConnected() {
        return tileSize.isEmpty();
    }

    @Override
    public String kind() {
        return kind(tileSize, spatialRank);
    }

    @Override
    public String namePrefix() {
        return locallyConnected() ? "local" : "tiled";
    }

    @Override
    public Layer withName(String newName) {
        return new TiledConvLayer(newName, spatialRank, filters, kernel, tileSize, padding, stride, dilation, bias);
    }

    @Override
    public Node lower(Lowering lowering, Node input) {
        Layer.checkConvInput(filters, spatialRank, input);
        List<Integer> k = Layer.perAxis(kernel, spatialRank, "kernel", name);
        List<Integer> s = Layer.perAxis(stride, spatialRank, "stride", name);
        List<Integer> d = Layer.perAxis(dilation, spatialRank, "dilation", name);
        Padding.Amounts pads = padding.resolve(input.shape().tail(2), k, s, d);
        ConvGeometry conv = new ConvGeometry(s, pads.low(), pads.high(), d, 1);
        List<Integer> out = conv.outputSpatial(input.shape().tail(2), k);
        List<Integer> tiles = locallyConnected() ? out : Layer.perAxis(tileSize, spatialRank, "tile size", name);
        TiledGeometry geometry = new TiledGeometry(conv, tiles);
        int channels = input.shape().dim(1);
        int fanIn = channels * k.stream().reduce(1, (a, b) -> a * b);
        geometry.checkTiles(out);
        Node w = lowering.parameter(this, "weight", geometry.weightShape(filters, channels, k),
                Lowering.defaultInit(fanIn));
        if (!bias) {
            return lowering.output(this, new TiledConv(geometry), input, w);
        }
        Node b = lowering.parameter(this, "bias", geometry.biasShape(filters), Lowering.defaultInit(fanIn));
        return lowering.output(this, new TiledConv(geometry), input, w, b);
    }
}

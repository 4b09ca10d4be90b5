package dev.convj.dsl;

import dev.convj.graph.Node;
import dev.convj.graph.ShapeException;
import dev.convj.graph.ops.AvgPool;
import dev.convj.graph.ops.MaxPool;
import dev.convj.graph.ops.Padding;
import dev.convj.graph.ops.PoolGeometry;
import java.util.List;

/** Max or average pooling over windows of each channel; the stride defaults to the window, as in PyTorch. */
public record PoolLayer(String name, boolean max, int spatialRank, List<Integer> window, List<Integer> stride,
                        Padding padding, boolean ceilMode, boolean countIncludePad) implements Layer {

    public PoolLayer {
        window = List.copyOf(window);
        stride = stride == null ? window : List.copyOf(stride);
    }

    static PoolLayer of(String name, boolean max, int spatialRank, List<Integer> window, LayerOption... options) {
        List<Integer> stride = null;
        Padding padding = Padding.valid();
        boolean ceil = false, includePad = true;
        String kind = (max ? "max_pool" : "avg_pool") + spatialRank + "d";
        for (LayerOption o : options) {
            if (o instanceof LayerOption.Stride s) {
                stride = s.values();
            } else if (o instanceof LayerOption.Pad p) {
                padding = p.padding();
            } else if (o instanceof LayerOption.CeilMode) {
                ceil = true;
            } else if (o instanceof LayerOption.ExcludePad && !max) {
                includePad = false;
            } else {
                throw new ShapeException(name + " (" + kind + "): option " + o + " does not apply to "
                        + kind);
            }
        }
        return new PoolLayer(name, max, spatialRank, window, stride, padding, ceil, includePad);
    }

    @Override
    public String kind() {
        return (max ? "max_pool" : "avg_pool") + spatialRank + "d";
    }

    @Override
    public String namePrefix() {
        return "pool";
    }

    @Override
    public Layer withName(String newName) {
        return new PoolLayer(newName, max, spatialRank, window, stride, padding, ceilMode, countIncludePad);
    }

    @Override
    public Node lower(Lowering lowering, Node input) {
        if (input.shape().rank() != spatialRank + 2) {
            throw new IllegalArgumentException("expects an input of rank " + (spatialRank + 2) + " (N,C,spatial), got "
                    + input.typeString());
        }
        PoolGeometry geometry = new PoolGeometry(
                Layer.perAxis(window, spatialRank, "window", name),
                Layer.perAxis(stride, spatialRank, "stride", name),
                PaddingSpec.symmetric(padding, spatialRank, name),
                ceilMode);
        return lowering.output(this, max ? new MaxPool(geometry) : new AvgPool(geometry, countIncludePad), input);
    }
}

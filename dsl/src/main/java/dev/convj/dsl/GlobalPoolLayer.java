package dev.convj.dsl;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import dev.convj.graph.ops.MaxPool;
import dev.convj.graph.ops.Mean;
import dev.convj.graph.ops.PoolGeometry;
import dev.convj.graph.ops.Reshape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Global average or max pooling: [N, C, *spatial] → [N, C], one value per channel whatever the input size, so that
 * one set of weights serves inputs of any size. Lowers to a mean over the spatial axes, or to a max pool whose
 * window is the whole input followed by a reshape.
 */
public record GlobalPoolLayer(String name, boolean max) implements Layer {

    @Override
    public String kind() {
        return max ? "global_max_pool" : "global_avg_pool";
    }

    @Override
    public String namePrefix() {
        return "gpool";
    }

    @Override
    public Layer withName(String newName) {
        return new GlobalPoolLayer(newName, max);
    }

    @Override
    public Node lower(Lowering lowering, Node input) {
        Shape s = input.shape();
        if (s.rank() < 3) {
            throw new IllegalArgumentException("expects an input with spatial axes [N,C,spatial…], got "
                    + input.name() + " " + input.typeString() + "; pool before flatten");
        }
        List<Integer> spatial = s.tail(2);
        Shape pooled = Shape.of(s.dim(0), s.dim(1));
        if (!max) {
            List<Integer> axes = new ArrayList<>();
            for (int a = 2; a < s.rank(); a++) {
                axes.add(a);
            }
            return lowering.output(this, new Mean(axes), input);
        }
        PoolGeometry whole = new PoolGeometry(spatial, spatial, Collections.nCopies(spatial.size(), 0), false);
        Node window = lowering.inner(this, "pool", new MaxPool(whole), input);
        return lowering.output(this, new Reshape(pooled), window);
    }
}

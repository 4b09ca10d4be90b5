package dev.convj.dsl;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import dev.convj.graph.ops.MaxPool;
import dev.convj.graph.ops.PoolGeometry;
import dev.convj.graph.ops.Reshape;
import java.util.ArrayList;
import java.util.List;

/**
 * Cross-channel pooling (maxout): the maximum over each group of {@code k} consecutive channels,
 * [N, C, *spatial] → [N, C/k, *spatial] (also [N, C] → [N, C/k] after a dense layer). It reuses max pooling: the
 * channels are viewed as [N, C/k, k, positions] and pooled with a k × 1 window, so ties go to the first channel.
 */
public record MaxoutLayer(String name, int k) implements Layer {

    @Override
    public String kind() {
        return "maxout";
    }

    @Override
    public String namePrefix() {
        return "maxout";
    }

    @Override
    public Layer withName(String newName) {
        return new MaxoutLayer(newName, k);
    }

    @Override
    public Node lower(Lowering lowering, Node input) {
        Shape s = input.shape();
        if (k < 1) {
            throw new IllegalArgumentException("the maxout group size must be ≥ 1, got " + k);
        }
        if (s.rank() < 2 || s.dim(1) % k != 0) {
            throw new IllegalArgumentException("maxout groups of " + k + " channels do not divide the "
                    + (s.rank() < 2 ? "?" : s.dim(1)) + " channels of " + input.name() + " " + input.typeString()
                    + "; choose a group size that divides the channel count");
        }
        int groups = s.dim(1) / k, positions = s.size() / (s.dim(0) * s.dim(1));
        Node split = lowering.inner(this, "split", new Reshape(Shape.of(s.dim(0), groups, k, positions)), input);
        PoolGeometry window = new PoolGeometry(List.of(k, 1), List.of(k, 1), List.of(0, 0), false);
        Node pooled = lowering.inner(this, "pool", new MaxPool(window), split);
        List<Integer> out = new ArrayList<>(List.of(s.dim(0), groups));
        out.addAll(s.tail(2));
        return lowering.output(this, new Reshape(new Shape(out)), pooled);
    }
}

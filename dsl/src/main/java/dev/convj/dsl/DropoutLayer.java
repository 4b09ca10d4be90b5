package dev.convj.dsl;

import dev.convj.graph.Node;
import dev.convj.graph.ops.Dropout;

/**
 * Inverted dropout: in a training graph, {@link Dropout} with the layer's seed and the {@code step} input; in an
 * inference graph, the identity: no node at all.
 */
public record DropoutLayer(String name, double rate, long seed) implements Layer {

    public DropoutLayer {
        new Dropout(rate, seed); // validates the rate where the layer is declared
    }

    @Override
    public String kind() {
        return "dropout";
    }

    @Override
    public String namePrefix() {
        return "dropout";
    }

    @Override
    public Layer withName(String newName) {
        return new DropoutLayer(newName, rate, seed);
    }

    @Override
    public Node lower(Lowering lowering, Node input) {
        if (!lowering.training()) {
            return input; // the identity: no node, so the layer before keeps its fused epilogue
        }
        return lowering.output(this, new Dropout(rate, seed), input, lowering.step());
    }
}

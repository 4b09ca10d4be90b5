package dev.convj.dsl;

import dev.convj.graph.Node;
import dev.convj.graph.ops.Dropout;
import dev.convj.graph.ops.Scale;

/**
 * Inverted dropout: in a training graph, {@link Dropout} with the layer's seed and the {@code step} input; in an
 * inference graph, the identity (a scale by 1, so that the layer keeps its node).
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
            return lowering.output(this, new Scale(1), input);
        }
        return lowering.output(this, new Dropout(rate, seed), input, lowering.step());
    }
}

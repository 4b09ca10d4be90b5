package dev.convj.dsl;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import dev.convj.graph.ops.Dense;

/** A fully connected layer, weight [units, in] and optional bias [units], as PyTorch's Linear. */
public record DenseLayer(String name, int units, boolean bias) implements Layer {

    @Override
    public String kind() {
        return "dense";
    }

    @Override
    public String namePrefix() {
        return "fc";
    }

    @Override
    public Layer withName(String newName) {
        return new DenseLayer(newName, units, bias);
    }

    @Override
    public Node lower(Lowering lowering, Node input) {
        if (units < 1) {
            throw new IllegalArgumentException("the number of units must be ≥ 1, got " + units);
        }
        if (input.shape().rank() != 2) {
            throw new IllegalArgumentException("expects [N, features], got " + input.name() + " "
                    + input.typeString() + "; add flatten() before it");
        }
        int in = input.shape().dim(1);
        Node w = lowering.parameter(this, "weight", Shape.of(units, in), Lowering.defaultInit(in));
        if (!bias) {
            return lowering.output(this, new Dense(), input, w);
        }
        Node b = lowering.parameter(this, "bias", Shape.of(units), Lowering.defaultInit(in));
        return lowering.output(this, new Dense(), input, w, b);
    }
}

package dev.convj.dsl;

import dev.convj.graph.Node;
import dev.convj.graph.ops.Add;
import dev.convj.graph.ops.Scale;

/**
 * Standardizes the input, y = (x − mean) / std, with constants fixed when the network is declared (the training
 * set's pixel statistics, as torchvision's {@code Normalize} or Keras's {@code Normalization} layer hold them).
 * Being a layer, it is saved with the model and applied by evaluation, prediction and exported classes alike.
 */
public record NormalizeLayer(String name, double mean, double std) implements Layer {

    public NormalizeLayer {
        if (!Double.isFinite(mean) || !Double.isFinite(std) || std <= 0) {
            throw new IllegalArgumentException("needs a finite mean and a finite std > 0, got mean " + mean
                    + " and std " + std);
        }
    }

    @Override
    public String kind() {
        return "normalize";
    }

    @Override
    public String namePrefix() {
        return "normalize";
    }

    @Override
    public Layer withName(String newName) {
        return new NormalizeLayer(newName, mean, std);
    }

    @Override
    public Node lower(Lowering lowering, Node input) {
        Node scaled = lowering.inner(this, "scaled", new Scale(1 / std), input);
        Node shift = lowering.constant(this, "shift", input.shape(), -mean / std);
        return lowering.output(this, new Add(), scaled, shift);
    }
}

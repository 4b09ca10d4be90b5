package dev.convj.dsl;

import dev.convj.graph.Node;
import dev.convj.graph.ops.LogSoftmax;
import dev.convj.graph.ops.Op;
import dev.convj.graph.ops.Relu;
import dev.convj.graph.ops.Sigmoid;
import dev.convj.graph.ops.Softmax;
import dev.convj.graph.ops.Tanh;

/** An elementwise or per-row function without parameters. */
public record ActivationLayer(String name, Function function) implements Layer {

    /** The functions, each with its graph op. */
    public enum Function {
        RELU("relu"), SIGMOID("sigmoid"), TANH("tanh"), SOFTMAX("softmax"), LOG_SOFTMAX("log_softmax");

        private final String kind;

        Function(String kind) {
            this.kind = kind;
        }

        Op op() {
            return switch (this) {
                case RELU -> new Relu();
                case SIGMOID -> new Sigmoid();
                case TANH -> new Tanh();
                case SOFTMAX -> new Softmax(1);
                case LOG_SOFTMAX -> new LogSoftmax(1);
            };
        }
    }

    @Override
    public String kind() {
        return function.kind;
    }

    @Override
    public String namePrefix() {
        return function.kind;
    }

    @Override
    public Layer withName(String newName) {
        return new ActivationLayer(newName, function);
    }

    @Override
    public Node lower(Lowering lowering, Node input) {
        return lowering.output(this, function.op(), input);
    }
}

package dev.convj.graph;

/** How a trainable parameter is initialized; the seed is chosen by whoever materializes the weights. */
public sealed interface ParamInit {

    /** Independent draws from U(-bound, bound): PyTorch's default for conv and dense layers. */
    record Uniform(double bound) implements ParamInit {
        @Override
        public String toString() {
            return "uniform(±" + Fmt.num(bound) + ")";
        }
    }

    /** Independent draws from N(0, std²): Kaiming-normal and Glorot-normal are special cases. */
    record Normal(double std) implements ParamInit {
        @Override
        public String toString() {
            return "normal(0," + Fmt.num(std) + ")";
        }
    }

    /** Every element equal to {@code value}, e.g. batch-norm scales of one. */
    record Constant(double value) implements ParamInit {
        @Override
        public String toString() {
            return "constant(" + Fmt.num(value) + ")";
        }
    }
}

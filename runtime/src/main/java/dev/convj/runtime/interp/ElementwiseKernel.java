package dev.convj.runtime.interp;

import dev.convj.runtime.Tensor;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/** Reference kernels of elementwise ops; the functions themselves are named where the visitor calls these. */
final class ElementwiseKernel {
    private ElementwiseKernel() {}

    static Tensor unary(Tensor x, DoubleUnaryOperator f) {
        return Tensor.generate(x.shape(), i -> f.applyAsDouble(x.get(i)));
    }

    static Tensor binary(Tensor a, Tensor b, DoubleBinaryOperator f) {
        return Tensor.generate(a.shape(), i -> f.applyAsDouble(a.get(i), b.get(i)));
    }

    static double sigmoid(double x) {
        // Written so that neither branch overflows: e^−|x| ≤ 1.
        if (x >= 0) {
            return 1 / (1 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1 + e);
    }
}

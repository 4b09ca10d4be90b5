package dev.convj.onnx.imports;

import dev.convj.dsl.Network;
import java.util.function.UnaryOperator;

/** Residual joins through the builder's {@code residual} layers. */
final class Residuals {
    private Residuals() {}

    static Network identity(Network net, UnaryOperator<Network> body) {
        return net.residual(body);
    }

    static Network projection(Network net, UnaryOperator<Network> body, UnaryOperator<Network> shortcut) {
        return net.residual(body, shortcut);
    }
}

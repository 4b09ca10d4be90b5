package dev.convj.onnx.imports;

import dev.convj.dsl.Network;
import dev.convj.onnx.OnnxFormatException;
import java.util.function.UnaryOperator;

/** Residual joins through the builder's {@code residual} layers. */
final class Residuals {
    private Residuals() {}

    static Network identity(Network net, UnaryOperator<Network> body) {
        throw new OnnxFormatException("residual additions need Network.residual, not in this build yet");
    }

    static Network projection(Network net, UnaryOperator<Network> body, UnaryOperator<Network> shortcut) {
        throw new OnnxFormatException("residual additions need Network.residual, not in this build yet");
    }
}

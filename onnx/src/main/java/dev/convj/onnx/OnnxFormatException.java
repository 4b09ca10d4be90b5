package dev.convj.onnx;

/** An ONNX file that cannot be read or a model that cannot be imported or exported; the message says why. */
public final class OnnxFormatException extends RuntimeException {
    public OnnxFormatException(String message) {
        super(message);
    }

    public OnnxFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}

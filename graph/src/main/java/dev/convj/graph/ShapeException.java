package dev.convj.graph;

/**
 * A graph could not be built or fed because shapes or hyper-parameters do not fit. The message names the
 * layer, the op, the shapes and what to change.
 */
public final class ShapeException extends IllegalArgumentException {
    public ShapeException(String message) {
        super(message);
    }

    public ShapeException(String message, Throwable cause) {
        super(message, cause);
    }
}

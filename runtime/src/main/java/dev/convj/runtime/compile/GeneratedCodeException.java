package dev.convj.runtime.compile;

/** Generated code failed to compile or load; the message shows the offending lines and the graph node. */
public final class GeneratedCodeException extends RuntimeException {
    public GeneratedCodeException(String message) {
        super(message);
    }

    public GeneratedCodeException(String message, Throwable cause) {
        super(message, cause);
    }
}

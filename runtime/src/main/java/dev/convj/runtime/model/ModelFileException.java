package dev.convj.runtime.model;

import java.io.IOException;

/** A model file that cannot be trusted: not a ConvJ model, another version, truncated, or corrupted. */
public final class ModelFileException extends IOException {
    private static final long serialVersionUID = 1L;

    public ModelFileException(String message) {
        super(message);
    }
}

package dev.convj.runtime.data;

import java.io.IOException;

/** An IDX file that is not what it claims: bad magic number, wrong rank, truncated data, mismatched counts. */
public final class IdxFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public IdxFormatException(String message) {
        super(message);
    }
}

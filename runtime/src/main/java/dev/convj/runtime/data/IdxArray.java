package dev.convj.runtime.data;

import java.util.Arrays;

/** The content of an IDX file of unsigned bytes: its dimensions and its values in row-major order. */
public final class IdxArray {
    private final int[] dims;
    private final byte[] data;

    IdxArray(int[] dims, byte[] data) {
        this.dims = dims.clone();
        this.data = data;
    }

    /** The dimensions as written in the header, e.g. [60000, 28, 28]. */
    public int[] dims() {
        return dims.clone();
    }

    public int rank() {
        return dims.length;
    }

    /** Items along the first axis (images or labels). */
    public int count() {
        return dims[0];
    }

    /** Value {@code i} as an unsigned byte, 0..255. */
    public int get(int i) {
        return data[i] & 0xFF;
    }

    public int length() {
        return data.length;
    }

    @Override
    public String toString() {
        return "IdxArray" + Arrays.toString(dims);
    }
}

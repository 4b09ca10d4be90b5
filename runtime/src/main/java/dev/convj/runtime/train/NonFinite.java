package dev.convj.runtime.train;

/** Finds the first NaN or infinity in an array: the trainer checks inputs and weights with it to name a cause. */
final class NonFinite {
    private NonFinite() {}

    /** The index of the first non-finite value of {@code v}, or -1. */
    static int find(float[] v) {
        for (int i = 0; i < v.length; i++) {
            // v − v is 0 for every finite value and NaN for NaN and ±infinity: one test per element.
            if (v[i] - v[i] != 0) {
                return i;
            }
        }
        return -1;
    }
}

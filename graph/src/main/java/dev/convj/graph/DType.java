package dev.convj.graph;

/** The element type of a node: float tensors and integer class labels. */
public enum DType {
    F32("f32"),
    F64("f64"),
    I32("i32");

    private final String shortName;

    DType(String shortName) {
        this.shortName = shortName;
    }

    /** The short name used in text dumps, as in {@code f32[64,6,28,28]}. */
    public String shortName() {
        return shortName;
    }

    public boolean isFloat() {
        return this != I32;
    }
}

package dev.convj.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A static tensor shape; the empty shape is a scalar. Every extent is at least 1. */
public record Shape(List<Integer> dims) {

    public Shape {
        dims = List.copyOf(dims);
        for (int d : dims) {
            if (d < 1) {
                throw new IllegalArgumentException("every extent of a shape must be ≥ 1, got " + format(dims));
            }
        }
    }

    public static Shape of(int... dims) {
        return new Shape(Arrays.stream(dims).boxed().toList());
    }

    public static Shape scalar() {
        return new Shape(List.of());
    }

    public int rank() {
        return dims.size();
    }

    /** The extent of axis {@code axis}; negative axes count from the end. */
    public int dim(int axis) {
        return dims.get(axis < 0 ? dims.size() + axis : axis);
    }

    /** The number of elements. */
    public int size() {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("shape " + this + " has more than 2^31 elements");
        }
        return (int) n;
    }

    public boolean isScalar() {
        return dims.isEmpty();
    }

    /** Row-major strides, in elements. */
    public int[] strides() {
        int[] s = new int[dims.size()];
        int acc = 1;
        for (int i = dims.size() - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= dims.get(i);
        }
        return s;
    }

    public int[] toArray() {
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The axes from {@code from} (inclusive) on, e.g. the spatial extents of an N,C,H,W shape. */
    public List<Integer> tail(int from) {
        return dims.subList(from, dims.size());
    }

    /** This shape with axis {@code axis} replaced by {@code extent}. */
    public Shape with(int axis, int extent) {
        List<Integer> d = new ArrayList<>(dims);
        d.set(axis, extent);
        return new Shape(d);
    }

    /** A shape made of a prefix of extents followed by a list of extents. */
    public static Shape concat(List<Integer> head, List<Integer> rest) {
        List<Integer> d = new ArrayList<>(head);
        d.addAll(rest);
        return new Shape(d);
    }

    @Override
    public String toString() {
        return format(dims);
    }

    static String format(List<Integer> dims) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < dims.size(); i++) {
            b.append(i == 0 ? "" : ",").append(dims.get(i));
        }
        return b.append(']').toString();
    }
}

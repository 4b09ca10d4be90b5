package dev.convj.runtime;

import dev.convj.graph.Fmt;
import dev.convj.graph.Shape;
import java.util.Arrays;
import java.util.Random;
import java.util.function.IntToDoubleFunction;

/**
 * A dense row-major tensor of float64 values (float32 results are stored rounded). A tensor never changes
 * after it is built; {@link #data()} hands out a copy.
 */
public final class Tensor {
    private final Shape shape;
    private final double[] values;

    private Tensor(Shape shape, double[] values) {
        if (values.length != shape.size()) {
            throw new IllegalArgumentException("shape " + shape + " holds " + shape.size() + " values, got "
                    + values.length);
        }
        this.shape = shape;
        this.values = values;
    }

    /** A tensor holding a copy of {@code values}. */
    public static Tensor of(Shape shape, double... values) {
        return new Tensor(shape, values.clone());
    }

    /** A tensor that takes ownership of {@code values}: the caller must not change the array afterwards. */
    public static Tensor wrap(Shape shape, double[] values) {
        return new Tensor(shape, values);
    }

    public static Tensor scalar(double value) {
        return new Tensor(Shape.scalar(), new double[] {value});
    }

    public static Tensor zeros(Shape shape) {
        return new Tensor(shape, new double[shape.size()]);
    }

    public static Tensor fill(Shape shape, double value) {
        double[] v = new double[shape.size()];
        Arrays.fill(v, value);
        return new Tensor(shape, v);
    }

    /** Element i (row-major) from {@code f}. */
    public static Tensor generate(Shape shape, IntToDoubleFunction f) {
        double[] v = new double[shape.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = f.applyAsDouble(i);
        }
        return new Tensor(shape, v);
    }

    /** Independent draws from U(lo, hi). */
    public static Tensor uniform(Shape shape, double lo, double hi, Random random) {
        return generate(shape, i -> lo + (hi - lo) * random.nextDouble());
    }

    /** A 2-D tensor from rows, e.g. a worked example's matrices. */
    public static Tensor matrix(double[][] rows) {
        int h = rows.length, w = rows[0].length;
        double[] v = new double[h * w];
        for (int i = 0; i < h; i++) {
            if (rows[i].length != w) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " values, not " + w);
            }
            System.arraycopy(rows[i], 0, v, i * w, w);
        }
        return new Tensor(Shape.of(h, w), v);
    }

    public Shape shape() {
        return shape;
    }

    public int size() {
        return values.length;
    }

    /** Element {@code i} in row-major order. */
    public double get(int i) {
        return values[i];
    }

    /** The element at a multi-index. */
    public double at(int... index) {
        if (index.length != shape.rank()) {
            throw new IllegalArgumentException("index of rank " + index.length + " for shape " + shape);
        }
        int flat = 0;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape.dim(i)) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " outside " + shape);
            }
            flat = flat * shape.dim(i) + index[i];
        }
        return values[flat];
    }

    /** A copy of the values in row-major order. */
    public double[] data() {
        return values.clone();
    }

    public Tensor reshape(Shape newShape) {
        return new Tensor(newShape, values);
    }

    /** A copy with element {@code i} replaced. */
    public Tensor with(int i, double value) {
        double[] v = values.clone();
        v[i] = value;
        return new Tensor(shape, v);
    }

    /** The multi-index of flat position {@code flat}. */
    public int[] unflatten(int flat) {
        int[] idx = new int[shape.rank()];
        for (int i = shape.rank() - 1; i >= 0; i--) {
            idx[i] = flat % shape.dim(i);
            flat /= shape.dim(i);
        }
        return idx;
    }

    /** The largest absolute difference to {@code other}, which must have the same shape. */
    public double maxAbsDiff(Tensor other) {
        if (!shape.equals(other.shape)) {
            throw new IllegalArgumentException("shapes differ: " + shape + " and " + other.shape);
        }
        double m = 0;
        for (int i = 0; i < values.length; i++) {
            m = Math.max(m, Math.abs(values[i] - other.values[i]));
        }
        return m;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && shape.equals(t.shape) && Arrays.equals(values, t.values);
    }

    @Override
    public int hashCode() {
        return 31 * shape.hashCode() + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("Tensor").append(shape).append(' ');
        int shown = Math.min(values.length, 16);
        b.append('[');
        for (int i = 0; i < shown; i++) {
            b.append(i == 0 ? "" : ", ").append(Fmt.num(values[i]));
        }
        return b.append(values.length > shown ? ", …]" : "]").toString();
    }
}

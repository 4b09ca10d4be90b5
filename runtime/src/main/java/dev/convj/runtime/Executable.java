package dev.convj.runtime;

import dev.convj.graph.Graph;

/**
 * A graph made runnable for its static shapes: set the inputs and parameters, run, read any computed node.
 * Implementations: the reference interpreter ({@link InterpretedExecutable}) and compiled code. Values are float32
 * arrays in row-major order; integer inputs (labels) are passed as int arrays. Not thread-safe: one caller at a
 * time.
 */
public interface Executable {

    Graph graph();

    /** Copies {@code values} into the input or parameter node {@code name}; the length must match its shape. */
    void set(String name, float[] values);

    /** Copies integer {@code values} (class labels) into the i32 input node {@code name}. */
    void setInts(String name, int[] values);

    /** Computes the graph's outputs from the values set so far. */
    void run();

    /**
     * The value of node {@code name} after the last {@link #run()}: one of the graph's outputs, or an input or
     * parameter. The array may be the executable's own buffer: read it before the next run and do not change it.
     */
    float[] get(String name);
}

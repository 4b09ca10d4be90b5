package dev.convj.codegen;

/**
 * What every class generated for in-process use implements: buffers per node, and a step that computes the
 * graph's outputs from the fed buffers. Generated classes take the thread count in their constructor.
 */
public interface GeneratedGraph extends AutoCloseable {

    /** The float buffer holding node {@code id}'s value (at offset 0), or null for integer and inlined nodes. */
    float[] floats(int id);

    /** The int buffer of integer input {@code id}, or null. */
    int[] ints(int id);

    /** Computes every output from the inputs and parameters set in their buffers. */
    void run();

    /** Stops the worker threads. */
    @Override
    void close();
}

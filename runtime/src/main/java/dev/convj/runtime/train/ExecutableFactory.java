package dev.convj.runtime.train;

import dev.convj.graph.Graph;
import dev.convj.runtime.Executable;
import dev.convj.runtime.InterpretedExecutable;
import dev.convj.runtime.compile.GraphCompiler;
import dev.convj.runtime.interp.ReferenceInterpreter;

/**
 * Makes a graph runnable: the trainer's only link to a backend. The trainer calls it once per graph it needs
 * (the training step and the forward pass, for each batch size it meets) and caches the result. Plug compiled
 * code in with e.g. {@code graph -> compiler.compile(graph, threads)}.
 */
@FunctionalInterface
public interface ExecutableFactory {

    Executable create(Graph graph);

    /**
     * Generated code, compiled once per graph structure (cached in memory and on disk by
     * {@link GraphCompiler#standard()}), splitting each step across {@code threads} threads.
     */
    static ExecutableFactory compiled(int threads) {
        return graph -> GraphCompiler.standard().compile(graph, threads);
    }

    /** The float32 reference interpreter: always correct, slow; for tests and tiny runs. */
    static ExecutableFactory interpreter() {
        return graph -> new InterpretedExecutable(graph, ReferenceInterpreter.Precision.FLOAT32);
    }
}

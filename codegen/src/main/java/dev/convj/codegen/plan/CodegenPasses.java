package dev.convj.codegen.plan;

import dev.convj.graph.Graph;
import dev.convj.graph.passes.Simplify;

/**
 * The graph passes that prepare a graph for code generation, defined once: the class and standalone emitters run
 * them on the graph they are given, and so does every caller that plans a graph.
 */
public final class CodegenPasses {
    private CodegenPasses() {}

    /**
     * The graph generated code computes, equal to {@code graph}: {@code step(x)} rewritten as {@code step(relu(x))}
     * where a ReLU of x exists, which frees x for a ReLU fused into the layer that produces it.
     */
    public static Graph apply(Graph graph) {
        return Simplify.stepOfRelu(graph);
    }
}

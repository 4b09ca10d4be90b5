package dev.convj.runtime.compile;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.codegen.Schedule;
import dev.convj.graph.DType;
import dev.convj.graph.Graph;
import dev.convj.graph.Node;
import dev.convj.runtime.Tensor;
import dev.convj.runtime.interp.ReferenceInterpreter;
import java.util.List;
import java.util.Map;

/** Runs a graph as generated code and on the float64 interpreter, and compares every output. */
final class Differential {
    private Differential() {}

    /** Largest |generated − reference| allowed: float32 rounding, relative to the output's magnitude. */
    static double tolerance(Tensor reference) {
        double max = 0;
        for (int i = 0; i < reference.size(); i++) {
            max = Math.max(max, Math.abs(reference.get(i)));
        }
        return 1e-5 + 2e-4 * max;
    }

    static void assertMatches(GraphCompiler compiler, Graph graph, Map<String, Tensor> feeds, int threads) {
        assertMatches(compiler, graph, feeds, Schedule.threads(threads));
    }

    /** As above, the generated code compiled under {@code schedule} (algorithms forced per node). */
    static void assertMatches(GraphCompiler compiler, Graph graph, Map<String, Tensor> feeds, Schedule schedule) {
        int threads = schedule.threads();
        List<String> outputs = graph.outputs().stream().map(Node::name).toList();
        Map<String, Tensor> reference = ReferenceInterpreter.float64().run(graph, feeds, outputs);
        try (CompiledGraph compiled = compiler.compile(graph, schedule)) {
            for (Map.Entry<String, Tensor> f : feeds.entrySet()) {
                Node n = graph.node(f.getKey());
                double[] v = f.getValue().data();
                if (n.dtype() == DType.I32) {
                    int[] ints = new int[v.length];
                    for (int i = 0; i < v.length; i++) {
                        ints[i] = (int) v[i];
                    }
                    compiled.setInts(n.name(), ints);
                } else {
                    float[] floats = new float[v.length];
                    for (int i = 0; i < v.length; i++) {
                        floats[i] = (float) v[i];
                    }
                    compiled.set(n.name(), floats);
                }
            }
            compiled.run();
            for (String out : outputs) {
                Tensor ref = reference.get(out);
                float[] got = compiled.get(out);
                double tol = tolerance(ref), worst = 0;
                int at = 0;
                for (int i = 0; i < ref.size(); i++) {
                    double err = Math.abs(got[i] - ref.get(i));
                    if (err > worst) {
                        worst = err;
                        at = i;
                    }
                }
                assertTrue(worst <= tol, "output " + out + " " + graph.node(out).typeString() + " with " + threads
                        + " thread(s): generated " + got[at] + " vs reference " + ref.get(at) + " at flat index " + at
                        + " (|error| " + worst + " > tolerance " + tol + ")");
            }
        }
    }
}

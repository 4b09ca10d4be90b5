package dev.convj.examples.bench.jmh;

import dev.convj.examples.Models;
import dev.convj.graph.Graph;
import dev.convj.graph.ModelGraph;
import dev.convj.graph.Node;
import dev.convj.graph.autodiff.Autodiff;
import dev.convj.runtime.compile.CompiledGraph;
import dev.convj.runtime.compile.GraphCompiler;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One training step (forward, every gradient) of a reference model as generated code, batch 64. Run from the
 * shaded jar, with the GC profiler to see the allocation per step:
 * {@code java -cp examples/target/convj.jar org.openjdk.jmh.Main TrainingStepBenchmark -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Dconvj.cache=none"})
public class TrainingStepBenchmark {

    @Param({"lenet5", "vgg"})
    public String model;

    @Param({"1", "2"})
    public int threads;

    private CompiledGraph step;

    @Setup(Level.Trial)
    public void compile() {
        ModelGraph mg = Models.byName(model).graph(64);
        Graph g = Autodiff.gradients(mg.graph(), mg.lossName()).graph();
        step = new GraphCompiler(null).compile(g, threads);
        Random random = new Random(1);
        for (Node n : g.nodes()) {
            boolean fed = n.op() instanceof dev.convj.graph.ops.Input || n.op() instanceof dev.convj.graph.ops.Parameter;
            if (!fed) {
                continue;
            }
            if (n.dtype().isFloat()) {
                float[] v = new float[n.shape().size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = random.nextFloat() * 0.2f - 0.1f;
                }
                step.set(n.name(), v);
            } else {
                int[] v = new int[n.shape().size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = random.nextInt(10);
                }
                step.setInts(n.name(), v);
            }
        }
    }

    @Benchmark
    public float trainingStep() {
        step.run();
        return step.get("loss")[0];
    }

    @TearDown(Level.Trial)
    public void close() {
        step.close();
    }
}

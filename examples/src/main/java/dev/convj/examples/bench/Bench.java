package dev.convj.examples.bench;

import dev.convj.codegen.Schedule;
import dev.convj.codegen.kernels.KernelChoice;
import dev.convj.codegen.plan.ConvAlgorithm;
import dev.convj.codegen.plan.ConvSchedule;
import dev.convj.dsl.Network;
import dev.convj.examples.Backend;
import dev.convj.examples.Models;
import dev.convj.graph.DType;
import dev.convj.graph.Graph;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.ModelGraph;
import dev.convj.graph.Node;
import dev.convj.graph.ParamInit;
import dev.convj.graph.Shape;
import dev.convj.graph.autodiff.Autodiff;
import dev.convj.graph.ops.AvgPool;
import dev.convj.graph.ops.Conv;
import dev.convj.graph.ops.ConvGeometry;
import dev.convj.graph.ops.ConvTranspose;
import dev.convj.graph.ops.ConvWeightGrad;
import dev.convj.graph.ops.Dense;
import dev.convj.graph.ops.MaxPool;
import dev.convj.graph.ops.Mul;
import dev.convj.graph.ops.Op;
import dev.convj.graph.ops.PoolGeometry;
import dev.convj.graph.ops.Relu;
import dev.convj.graph.ops.SoftmaxCrossEntropy;
import dev.convj.graph.ops.Sum;
import dev.convj.runtime.Executable;
import dev.convj.runtime.InterpretedExecutable;
import dev.convj.runtime.compile.CompiledGraph;
import dev.convj.runtime.compile.GraphCompiler;
import dev.convj.runtime.interp.ReferenceInterpreter;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * The figures of {@code convj bench}, measured in one run: generated code against the reference interpreter per op
 * family and per training step, training images/s per thread count, GFLOP/s of each convolution layer and pass,
 * and compile latency. Each figure is the median of three timed windows after a warm-up window; a figure taken
 * while other processes kept the machine busy is marked with an asterisk and explained under its table.
 */
public final class Bench {
    private final PrintWriter out;
    private final double seconds;
    private final Timer timer;
    private final GraphCompiler compiler = new GraphCompiler(null);
    /** The largest share of the CPU other processes used during a flagged figure of this table, or −1. */
    private double loadInTable = -1;

    /** Tables go to {@code out}; lines saying that a measurement waits for a quiet machine go to {@code progress}. */
    public Bench(PrintWriter out, PrintWriter progress, double seconds) {
        this(out, seconds, Timer.standard(line -> {
            progress.println(line);
            progress.flush();
        }));
    }

    Bench(PrintWriter out, double seconds, Timer timer) {
        this.out = out;
        this.seconds = seconds;
        this.timer = timer;
    }

    /** {@code value} in {@code format}, then an asterisk if taken under load, else a space. */
    private String cell(String format, double value, Timer.Timing t) {
        if (t.underLoad()) {
            loadInTable = Math.max(loadInTable, t.foreignShare());
        }
        return String.format(Locale.ROOT, format, value) + (t.underLoad() ? "*" : " ");
    }

    /** Explains the asterisks of the table just printed, if any. */
    /** Which threads allocated, for each figure of the table above that is not 0 B: where to look first. */
    private final List<String> allocationNotes = new ArrayList<>();

    private void allocationNote(String model, int threads, Allocation.PerCall allocated) {
        if (allocated.bytes() > 0) {
            allocationNotes.add(String.format(Locale.ROOT, "%s, %d thr: %s a call", model, threads,
                    allocated.byThread()));
        }
    }

    private void allocationNotes() {
        for (String note : allocationNotes) {
            out.printf(Locale.ROOT, "allocated by thread: %s%n", note);
        }
        allocationNotes.clear();
        out.flush();
    }

    private void loadNote() {
        if (loadInTable >= 0) {
            out.printf(Locale.ROOT, "* taken under load: no quiet %.1f s came within %.0f s, and other processes used up"
                    + " to %.0f %% of the CPU meanwhile; rerun on a quieter machine for a clean figure%n", seconds,
                    seconds * timer.patience(), 100 * loadInTable);
            out.flush();
        }
        loadInTable = -1;
    }

    /** One convolution layer of the reference models, as in ../shared/bench/torch_bench.py. */
    public record ConvShape(int cin, int h, int w, int cout, int k, int pad) {
        String label() {
            return "(" + cin + "," + h + "," + w + ")→" + cout + " " + k + "×" + k + " pad " + pad;
        }
    }

    public static final List<ConvShape> CONV_SHAPES = List.of(
            new ConvShape(1, 28, 28, 6, 5, 2), new ConvShape(6, 14, 14, 16, 5, 0),
            new ConvShape(32, 28, 28, 32, 3, 1), new ConvShape(64, 14, 14, 64, 3, 1));

    public void header() {
        out.printf(Locale.ROOT, "convj bench — %s, %d cores, %s%n", System.getProperty("java.vm.name") + " "
                        + Runtime.version(), Runtime.getRuntime().availableProcessors(),
                Backend.kernel());
        out.print(KernelChoice.trialsReport());
        out.flush();
    }

    /** Training-step images/s of the generated code for each model and thread count. */
    public void trainingSteps(List<String> models, List<Integer> threads, int batch) {
        out.printf(Locale.ROOT, "%n## Training step, batch %d (images/s, generated code; bytes allocated per warm step, "
                + "all threads)%n", batch);
        out.printf(Locale.ROOT, "%-8s %s%n", "model", threads.stream().map(t -> String.format(Locale.ROOT, "%18s",
                t + " thr")).reduce("", String::concat));
        for (String model : models) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-8s ", model));
            for (int t : threads) {
                TrainingFigures f = trainingFigures(model, batch, t);
                row.append(cell("%10.0f", f.imagesPerSecond(), f.timing()))
                        // a space always: a cold JIT's megabytes must not run into the asterisk before them
                        .append(String.format(Locale.ROOT, " %4.0f B", f.allocated().bytes()));
                allocationNote(model, t, f.allocated());
            }
            out.println(row);
            out.flush();
        }
        loadNote();
        allocationNotes();
    }

    /**
     * Inference (each model's inference graph: running batch-norm statistics, no dropout): images/s at batch
     * {@code batch} and the latency of one image, per thread count, and bytes allocated per warm call.
     */
    public void inference(List<String> models, List<Integer> threads, int batch) {
        out.printf(Locale.ROOT, "%n## Inference (images/s at batch %d; ms per image at batch 1; bytes allocated per warm"
                + " call, all threads)%n", batch);
        out.printf(Locale.ROOT, "%-8s %s%n", "model", threads.stream().map(t -> String.format(Locale.ROOT,
                "%30s", t + " thr: img/s  ms  B")).reduce("", String::concat));
        for (String model : models) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-8s ", model));
            Network network = Models.byName(model);
            for (int t : threads) {
                Graph big = network.inferenceGraph(batch).graph(), one = network.inferenceGraph(1).graph();
                try (CompiledGraph c = compiler.compile(big, t); CompiledGraph single = compiler.compile(one, t)) {
                    feed(c, big, 1);
                    feed(single, one, 1);
                    Timer.Timing throughput = timer.secondsPerCall(c::run, seconds, 3);
                    Timer.Timing latency = timer.secondsPerCall(single::run, seconds / 2, 3);
                    row.append(cell("%14.0f", batch / throughput.secondsPerCall(), throughput))
                            .append(cell("%8.3f", 1e3 * latency.secondsPerCall(), latency));
                    Allocation.PerCall allocated = Allocation.bytesPerCall(c::run, 10);
                    row.append(String.format(Locale.ROOT, " %5.0f", allocated.bytes()));
                    allocationNote(model, t, allocated);
                }
            }
            out.println(row);
            out.flush();
        }
        loadNote();
        allocationNotes();
    }

    /** One model's training step: images/s (and how they were timed), and bytes allocated per step once warm. */
    record TrainingFigures(double imagesPerSecond, Timer.Timing timing, Allocation.PerCall allocated) {}

    TrainingFigures trainingFigures(String model, int batch, int threads) {
        Graph g = trainingStep(Models.byName(model), batch);
        try (CompiledGraph c = compiler.compile(g, threads)) {
            feed(c, g, 1);
            Timer.Timing t = timer.secondsPerCall(c::run, seconds, 3);
            return new TrainingFigures(batch / t.secondsPerCall(), t, Allocation.bytesPerCall(c::run, 60));
        }
    }

    static Graph trainingStep(Network network, int batch) {
        ModelGraph mg = network.graph(batch);
        return Autodiff.gradients(mg.graph(), mg.lossName()).graph();
    }

    /** Generated code against the float32 reference interpreter on the same graphs. */
    public void interpreterVsGenerated() {
        out.printf(Locale.ROOT, "%n## Reference interpreter vs generated code (1 thread, images/s)%n");
        out.printf(Locale.ROOT, "%-44s %12s %12s %9s%n", "graph (training step: forward + every gradient)",
                "interpreter", "generated", "speed-up");
        List<Object[]> cases = new ArrayList<>();
        cases.add(new Object[] {"conv 3×3 (32,14,14)→32 pad 1, batch 8", opStep(8, Shape.of(8, 32, 14, 14), (b, x) -> {
            Node w = b.parameter("w", Shape.of(32, 32, 3, 3), new ParamInit.Uniform(0.1));
            return b.apply("y", new Conv(geometry(1)), x, w);
        })});
        cases.add(new Object[] {"max + avg pool 2×2 (16,28,28), batch 8", opStep(8, Shape.of(8, 16, 28, 28), (b, x) -> {
            PoolGeometry p = new PoolGeometry(List.of(2, 2), List.of(2, 2), List.of(0, 0), false);
            Node m = b.apply("max", new MaxPool(p), x);
            return b.apply("y", new Mul(), m, b.apply("avg", new AvgPool(p, true), x));
        })});
        cases.add(new Object[] {"dense 400→120 + relu, batch 8", opStep(8, Shape.of(8, 400), (b, x) -> {
            Node w = b.parameter("w", Shape.of(120, 400), new ParamInit.Uniform(0.05));
            return b.apply("y", new Relu(), b.apply("fc", new Dense(), x, w));
        })});
        cases.add(new Object[] {"softmax cross-entropy, 10 classes, batch 64", crossEntropyStep(64)});
        cases.add(new Object[] {"LeNet-5, batch 16", trainingStep(Models.lenet5(), 16)});
        // the batch that training and the other figures of this benchmark use
        cases.add(new Object[] {"LeNet-5, batch 64", trainingStep(Models.lenet5(), 64)});
        cases.add(new Object[] {"small VGG, batch 4", trainingStep(Models.smallVgg(), 4)});
        for (Object[] c : cases) {
            Graph g = (Graph) c[1];
            int batch = g.inputs().get(0).shape().dim(0);
            Executable interp = new InterpretedExecutable(g, ReferenceInterpreter.Precision.FLOAT32);
            feed(interp, g, 1);
            Timer.Timing ti = timer.secondsPerCall(interp::run, seconds / 2, 1);
            Timer.Timing tg;
            try (CompiledGraph compiled = compiler.compile(g, 1)) {
                feed(compiled, g, 1);
                tg = timer.secondsPerCall(compiled::run, seconds / 2, 3);
            }
            double interpreted = batch / ti.secondsPerCall(), generated = batch / tg.secondsPerCall();
            out.printf(Locale.ROOT, "%-44s %s %s %8.0f×%n", c[0], cell("%11.0f", interpreted, ti),
                    cell("%11.0f", generated, tg), generated / interpreted);
            out.flush();
        }
        loadNote();
    }

    private static ConvGeometry geometry(int pad) {
        return new ConvGeometry(List.of(1, 1), List.of(pad, pad), List.of(pad, pad), List.of(1, 1), 1);
    }

    /** x → body → loss = Σ y·r, differentiated with respect to x and every parameter. */
    private static Graph opStep(int batch, Shape input, java.util.function.BiFunction<GraphBuilder, Node, Node> body) {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", input, DType.F32);
        Node y = body.apply(b, x);
        Node r = b.input("r", y.shape(), DType.F32);
        Node loss = b.apply("loss", new Sum(IntStream.range(0, y.shape().rank()).boxed().toList()),
                b.apply("weighted", new Mul(), y, r));
        b.output(loss);
        Graph g = b.build();
        List<String> wrt = new ArrayList<>(List.of("x"));
        g.parameters().forEach(p -> wrt.add(p.name()));
        return Autodiff.gradients(g, "loss", wrt).graph();
    }

    private static Graph crossEntropyStep(int batch) {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(batch, 10), DType.F32);
        Node labels = b.input("labels", Shape.of(batch), DType.I32);
        b.output(b.apply("loss", new SoftmaxCrossEntropy(), x, labels));
        return Autodiff.gradients(b.build(), "loss", List.of("x")).graph();
    }

    /**
     * GFLOP/s of each convolution layer's three passes, each compiled and timed on its own: the algorithm the cost
     * model chooses, then the Winograd sizes that fit, or every algorithm that fits when {@code allAlgorithms}.
     */
    public void convolutionLayers(int batch, List<Integer> threads, boolean allAlgorithms) {
        out.printf(Locale.ROOT, "%n## Convolution layers, batch %d (GFLOP/s; FLOPs = 2·N·O·H'·W'·C·k²)%n", batch);
        FmaPeak.measure(5, 300).ifPresent(peak -> out.printf(Locale.ROOT,
                "one core's FMA peak in this JVM: %.1f GFLOP/s (%d-lane vector FMAs, nothing loaded or stored)%n",
                peak.gflops(), peak.lanes()));
        out.printf(Locale.ROOT, "%-28s %-12s %s%n", "layer", "pass", threads.stream()
                .map(t -> String.format(Locale.ROOT, "%10s", t + " thr")).reduce("", String::concat));
        for (ConvShape s : CONV_SHAPES) {
            int ho = s.h() + 2 * s.pad() - s.k() + 1, wo = s.w() + 2 * s.pad() - s.k() + 1;
            double flops = 2.0 * batch * s.cout() * ho * wo * s.cin() * s.k() * s.k();
            ConvGeometry g = geometry(s.pad());
            Shape x = Shape.of(batch, s.cin(), s.h(), s.w()), w = Shape.of(s.cout(), s.cin(), s.k(), s.k());
            Shape dy = Shape.of(batch, s.cout(), ho, wo);
            List<Object[]> passes = List.of(
                    new Object[] {"forward", single(new Conv(g), x, w)},
                    new Object[] {"input grad", single(new ConvTranspose(g, List.of(s.h(), s.w())), dy, w)},
                    new Object[] {"weight grad", single(new ConvWeightGrad(g, List.of(s.k(), s.k())), x, dy)});
            for (Object[] p : passes) {
                Graph graph = (Graph) p[1];
                ConvSchedule chosen = GraphCompiler.plan(graph, Schedule.defaults()).of(graph.node("y"));
                // the chosen algorithm, then the others that do fewer multiplications (Winograd) or all, forced
                List<ConvAlgorithm> algorithms = new ArrayList<>(List.of(chosen.algorithm()));
                for (ConvAlgorithm a : ConvAlgorithm.values()) {
                    if ((a.winograd() != null || allAlgorithms) && a != chosen.algorithm() && fits(graph, a)) {
                        algorithms.add(a);
                    }
                }
                for (int i = 0; i < algorithms.size(); i++) {
                    ConvAlgorithm a = algorithms.get(i);
                    String pass = p[0] + (i == 0 ? "" : " [" + a.label() + "]");
                    StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-28s %-12s", s.label(), pass));
                    for (int t : threads) {
                        Schedule schedule = i == 0 ? Schedule.threads(t) : Schedule.threads(t).withAlgorithm("y", a);
                        try (CompiledGraph c = compiler.compile(graph, schedule)) {
                            feed(c, graph, 2);
                            Timer.Timing timing = timer.secondsPerCall(c::run, seconds / 2, 3);
                            row.append(cell("%9.1f", flops / timing.secondsPerCall() / 1e9, timing));
                        }
                    }
                    out.println(row + (i == 0 ? "  (" + a.label() + ", chosen)" : ""));
                    out.flush();
                }
            }
        }
        loadNote();
    }

    /** Whether the schedule can force {@code a} on node y of a one-node graph. */
    private static boolean fits(Graph graph, ConvAlgorithm a) {
        try {
            GraphCompiler.plan(graph, Schedule.threads(1).withAlgorithm("y", a));
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static Graph single(Op op, Shape a, Shape b) {
        GraphBuilder g = new GraphBuilder();
        Node x = g.input("a", a, DType.F32), y = g.input("b", b, DType.F32);
        g.output(g.apply("y", op, x, y));
        return g.build();
    }

    /** Random values for every input and parameter (labels within 10 classes). */
    static void feed(Executable e, Graph g, long seed) {
        Random random = new Random(seed);
        for (Node n : g.nodes()) {
            if (n.op() instanceof dev.convj.graph.ops.Input || n.op() instanceof dev.convj.graph.ops.Parameter) {
                int size = n.shape().size();
                if (n.dtype() == DType.I32) {
                    int[] v = new int[size];
                    for (int i = 0; i < size; i++) {
                        v[i] = random.nextInt(n.shape().isScalar() ? 1 : 10);
                    }
                    e.setInts(n.name(), v);
                } else {
                    float[] v = new float[size];
                    for (int i = 0; i < size; i++) {
                        v[i] = random.nextFloat() * 0.2f - 0.1f;
                    }
                    e.set(n.name(), v);
                }
            }
        }
    }

    /** Compile latency: cold javac, warm javac, in-memory hit; the disk hit in a fresh JVM is measured by the caller. */
    public void compileLatency(Function<Graph, String> freshJvmDiskHit) {
        out.printf(Locale.ROOT, "%n## Compile latency, LeNet-5 training step (batch 64)%n");
        GraphCompiler fresh = new GraphCompiler(null);
        Graph lenet = trainingStep(Models.lenet5(), 64);
        long t0 = System.nanoTime();
        fresh.load(lenet);
        double cold = (System.nanoTime() - t0) / 1e6;
        Graph lenet32 = trainingStep(Models.lenet5(), 32);
        t0 = System.nanoTime();
        fresh.load(lenet32);
        double warm = (System.nanoTime() - t0) / 1e6;
        t0 = System.nanoTime();
        fresh.load(trainingStep(Models.lenet5(), 64));
        double hit = (System.nanoTime() - t0) / 1e6;
        out.printf(Locale.ROOT, "%-52s %8.0f ms%n", "first javac in this JVM (cold)", cold);
        out.printf(Locale.ROOT, "%-52s %8.0f ms%n", "javac again (warm compiler, batch 32)", warm);
        out.printf(Locale.ROOT, "%-52s %8.1f ms%n", "in-memory cache hit (graph rebuilt, hashed, found)", hit);
        out.printf(Locale.ROOT, "%-52s %s%n", "on-disk cache hit in a fresh JVM", freshJvmDiskHit.apply(lenet));
        out.flush();
    }
}

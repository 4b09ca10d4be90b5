package dev.convj.examples.cli;

import dev.convj.codegen.GeneratedSource;
import dev.convj.examples.ModelStore;
import dev.convj.graph.Graph;
import dev.convj.graph.ModelGraph;
import dev.convj.graph.autodiff.Autodiff;
import dev.convj.codegen.Schedule;
import dev.convj.runtime.compile.GraphCompiler;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code convj compile}: generates, compiles and caches a model's code, and can dump the source. */
@Command(name = "compile", mixinStandardHelpOptions = true,
        description = "Generate Java for a model's training step (or forward pass), compile it in memory and cache it;"
                + " --dump writes the generated source so you can read what runs.")
final class CompileCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", defaultValue = "lenet5", description = "lenet5, vgg, all-ops, or a saved model (.convj) "
            + "(default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--batch", defaultValue = "64", description = "Batch size the code is specialized for (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--forward", description = "Only the forward pass (default: the training step with every gradient).")
    boolean forward;

    @Option(names = "--dump", description = "Directory to write the generated .java file into.")
    Path dump;

    @Override
    public Integer call() throws IOException {
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be ≥ 1");
        }
        ModelGraph mg = ModelStore.resolve(model).network().graph(batch);
        Graph g = forward || mg.loss().isEmpty() ? mg.graph() : Autodiff.gradients(mg.graph(), mg.lossName()).graph();
        GraphCompiler compiler = GraphCompiler.standard();
        PrintWriter out = spec.commandLine().getOut();
        long start = System.nanoTime();
        try (var compiled = compiler.compile(g, 1)) {
            double ms = (System.nanoTime() - start) / 1e6;
            GraphCompiler.Stats s = compiler.stats();
            String how = s.compilations() > 0 ? "compiled with javac" : s.diskHits() > 0 ? "loaded from the disk cache"
                    : "found in memory";
            out.printf("%s (%s, batch %d, %d nodes): %s in %.0f ms as %s%n", model, forward ? "forward" : "training step",
                    batch, g.size(), how, ms, compiled.className());
        }
        if (dump != null) {
            GeneratedSource source = compiler.generate(g);
            Files.createDirectories(dump);
            Path file = dump.resolve(source.simpleName() + ".java");
            Files.writeString(file, source.source(), StandardCharsets.UTF_8);
            out.println("wrote " + file + " (" + source.source().lines().count() + " lines)");
            Path plan = dump.resolve(source.simpleName() + ".plan.txt");
            Files.writeString(plan, GraphCompiler.plan(g, Schedule.defaults()).toText(), StandardCharsets.UTF_8);
            out.println("wrote " + plan + " (how each convolution runs: node, pass, algorithm, tile, threads, "
                    + "estimated GFLOP and MB)");
        }
        out.flush();
        return 0;
    }
}

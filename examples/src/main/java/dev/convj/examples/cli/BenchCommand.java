package dev.convj.examples.cli;

import dev.convj.examples.bench.Bench;
import dev.convj.graph.Graph;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code convj bench}: ConvJ's speed figures, measured in one run; compare them with PyTorch's, measured right after. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure generated code: training images/s (LeNet-5, small VGG) per thread count, inference "
                + "(batch 256 images/s, batch-1 latency), generated code vs the reference interpreter per op family, "
                + "GFLOP/s of each convolution layer and pass, compile latency. Run bench/torch_bench.py right after "
                + "for PyTorch's figures; nothing else should run meanwhile.")
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--threads", split = ",", defaultValue = "1,2", description = "Thread counts (default: ${DEFAULT-VALUE}).")
    List<Integer> threads;

    @Option(names = "--seconds", defaultValue = "2", description = "Length of each timed window (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--only", split = ",", description = "Sections to run: train, infer, interpreter, conv, compile (default: all).")
    List<String> only;

    @Option(names = "--models", split = ",", defaultValue = "lenet5,vgg",
            description = "Models of the training section (default: ${DEFAULT-VALUE}).")
    List<String> models;

    @Option(names = "--all-algorithms",
            description = "In the conv section, time every algorithm that can compute each pass, not only the chosen one"
                    + " and the Winograd sizes.")
    boolean allAlgorithms;

    @Override
    public Integer call() {
        if (seconds <= 0 || threads.stream().anyMatch(t -> t < 1)) {
            throw new IllegalArgumentException("--seconds must be > 0 and every --threads value ≥ 1");
        }
        PrintWriter out = spec.commandLine().getOut();
        Bench bench = new Bench(out, spec.commandLine().getErr(), seconds);
        bench.header();
        if (wants("compile")) {
            // First, while javac is still cold in this JVM.
            bench.compileLatency(BenchCommand::diskHitInFreshJvm);
        }
        if (wants("train")) {
            bench.trainingSteps(models, threads, 64);
        }
        if (wants("infer")) {
            bench.inference(models, threads, 256);
        }
        if (wants("conv")) {
            bench.convolutionLayers(64, threads, allAlgorithms);
        }
        if (wants("interpreter")) {
            bench.interpreterVsGenerated();
        }
        return 0;
    }

    private boolean wants(String section) {
        return only == null || only.contains(section);
    }

    /** Runs {@code convj compile} twice in fresh JVMs on an empty cache: the second one hits the disk. */
    private static String diskHitInFreshJvm(Graph ignored) {
        Path cache = null;
        try {
            cache = Files.createTempDirectory("convj-bench-cache");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String classpath = System.getProperty("java.class.path");
            List<String> command = new ArrayList<>(List.of(java, "-Dconvj.cache=" + cache, "-cp", classpath,
                    "dev.convj.examples.cli.ConvjCommand", "compile", "--model", "lenet5"));
            run(command);
            String second = run(command);
            Matcher m = Pattern.compile("loaded from the disk cache in (\\d+) ms").matcher(second);
            return m.find() ? String.format("%8s ms", m.group(1)) : "not measured: " + second.strip();
        } catch (IOException | InterruptedException e) {
            return "not measured: " + e.getMessage();
        } finally {
            deleteQuietly(cache);
        }
    }

    /** The throw-away cache goes once measured; a leftover would only fill the temporary directory. */
    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: the directory is in the system's temporary area
        }
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return output;
    }
}

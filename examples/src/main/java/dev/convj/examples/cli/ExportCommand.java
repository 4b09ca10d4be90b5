package dev.convj.examples.cli;

import dev.convj.dsl.Network;
import dev.convj.examples.ModelStore;
import dev.convj.graph.ModelGraph;
import dev.convj.onnx.export.OnnxExporter;
import dev.convj.runtime.compile.StandaloneExport;
import dev.convj.runtime.train.Trainer;
import dev.convj.runtime.train.WeightInit;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code convj export}: a saved model as one standalone .java file, or any model as an ONNX file. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write a saved model as one Java file that needs only the JDK: the generated forward pass, the"
                + " weights inside, and predict(float[] image) / classify(float[] image).",
                "With --format onnx, write a model's inference graph (running batch-norm statistics, no dropout) as an"
                        + " ONNX file: opset " + OnnxExporter.OPSET + ", a dynamic batch dimension, batch norm as "
                        + "BatchNormalization."})
final class ExportCommand implements Callable<Integer> {

    /** What the export writes. */
    enum Format { java, onnx }

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, description = "A saved model (.convj), e.g. runs/lenet5/model.convj; "
            + "with --format onnx also a built-in model (lenet5, vgg, resnet, all-ops) or a network description, with "
            + "seeded, untrained weights.")
    String model;

    @Option(names = "--format", defaultValue = "java",
            description = "java (default): one standalone .java file; onnx: an ONNX model file.")
    Format format;

    @Option(names = "--class", description = "With --format java: the fully qualified class name, e.g. "
            + "com.acme.FashionNet.")
    String className;

    @Option(names = "--out", required = true,
            description = "With --format java: the directory for the .java file; with --format onnx: the .onnx file.")
    Path out;

    @Option(names = "--vector", description = "With --format java: carry the Vector API micro-kernel (faster; compile "
            + "and run with --add-modules jdk.incubator.vector).")
    boolean vector;

    @Override
    public Integer call() throws IOException {
        return format == Format.onnx ? onnx() : java();
    }

    private Integer java() throws IOException {
        if (className == null) {
            throw new IllegalArgumentException("--format java needs --class, e.g. --class com.acme.FashionNet");
        }
        ModelStore.Loaded loaded = ModelStore.resolve(model);
        if (!loaded.trained()) {
            throw new IllegalArgumentException("'" + model + "' has no trained weights; export a saved .convj model");
        }
        ModelGraph mg = loaded.network().inferenceGraph(1); // running statistics, no dropout
        Path file = StandaloneExport.export(mg, loaded.weights(), className, out, vector);
        PrintWriter console = spec.commandLine().getOut();
        console.println("wrote " + file + "; compile it with: javac -d classes "
                + (vector ? "--add-modules jdk.incubator.vector " : "") + file + " (it needs only the JDK)");
        console.flush();
        return 0;
    }

    private Integer onnx() throws IOException {
        if (className != null || vector) {
            throw new IllegalArgumentException("--class and --vector apply to --format java only");
        }
        ModelStore.Loaded loaded = ModelStore.resolve(model);
        Network network = loaded.network();
        Map<String, float[]> weights = loaded.trained() ? loaded.weights() : seeded(network);
        OnnxExporter.write(out, network, weights);
        ModelGraph one = network.inferenceGraph(1);
        PrintWriter console = spec.commandLine().getOut();
        console.println("wrote " + out + ": ONNX opset " + OnnxExporter.OPSET + ", input " + one.input() + " "
                + shape(network.inputShape()) + ", output " + one.output() + " "
                + shape(one.graph().node(one.output()).shape().tail(1)) + ", "
                + (loaded.trained() ? "trained weights" : "seeded, untrained weights") + " from " + loaded.source());
        console.flush();
        return 0;
    }

    /** The weights {@code convj infer} runs a model without trained weights with: seed 1, running statistics 0 and 1. */
    static Map<String, float[]> seeded(Network network) {
        if (network.graph(1).loss().isPresent()) {
            return Trainer.builder(network::graph).inference(network::inferenceGraph).seed(1).build().weights();
        }
        return new LinkedHashMap<>(WeightInit.DEFAULT.initialize(network.inferenceGraph(1).graph(), 1));
    }

    private static String shape(List<Integer> perImage) {
        StringBuilder b = new StringBuilder("[N");
        perImage.forEach(d -> b.append(", ").append(d));
        return b.append(']').toString();
    }
}

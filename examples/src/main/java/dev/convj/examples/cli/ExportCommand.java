package dev.convj.examples.cli;

import dev.convj.examples.ModelStore;
import dev.convj.graph.ModelGraph;
import dev.convj.runtime.compile.StandaloneExport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code convj export}: a saved model as one standalone .java file. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a saved model as one Java file that needs only the JDK: the generated forward pass, the"
                + " weights inside, and predict(float[] image) / classify(float[] image).")
final class ExportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, description = "A saved model (.convj), e.g. runs/lenet5/model.convj.")
    String model;

    @Option(names = "--class", required = true, description = "Fully qualified class name, e.g. com.acme.FashionNet.")
    String className;

    @Option(names = "--out", required = true, description = "Directory for the .java file.")
    Path out;

    @Option(names = "--vector", description = "Carry the Vector API micro-kernel (faster; compile and run with "
            + "--add-modules jdk.incubator.vector).")
    boolean vector;

    @Override
    public Integer call() throws IOException {
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
}

package dev.convj.examples.cli;

import dev.convj.examples.ModelStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code convj import}: an ONNX model kept as a ConvJ model file (architecture as text, weights). */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Import an ONNX model (opsets 11-18: convolutions, pooling, batch norm, dense layers, "
                + "activations, concatenated branches, residual additions, arithmetic with constants) and save it "
                + "as a ConvJ model file, to run, evaluate, fine-tune or export like any other.")
final class ImportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, description = "The ONNX file (.onnx).")
    Path model;

    @Option(names = "--out", required = true, description = "The ConvJ model file to write (.convj).")
    Path out;

    @Override
    public Integer call() throws IOException {
        if (!model.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx")) {
            throw new IllegalArgumentException("--model " + model + ": expected an ONNX file (.onnx)");
        }
        ModelStore.Loaded loaded = ModelStore.importOnnx(model);
        ModelStore.save(out, loaded.network(), loaded.weights(), loaded.metadata());
        long parameters = loaded.weights().values().stream().mapToLong(w -> w.length).sum();
        PrintWriter console = spec.commandLine().getOut();
        console.printf(Locale.ROOT, "%s: %d layers, %,d values (weights and running statistics), input %s, output %s;"
                        + " written to %s%n", model, loaded.network().layers().size(), parameters,
                loaded.network().inputShape(), loaded.network().outputShape(), out);
        console.flush();
        return 0;
    }
}

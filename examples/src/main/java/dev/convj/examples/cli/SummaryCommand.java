package dev.convj.examples.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code convj summary}: the per-layer table of a model. */
@Command(name = "summary", mixinStandardHelpOptions = true,
        description = "Print each layer's output shape, parameters, multiply-adds and receptive field.")
final class SummaryCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", defaultValue = "lenet5", description = "A built-in model (lenet5, vgg, all-ops, …), a model file (.convj), an ONNX file (.onnx) or a network description (default: ${DEFAULT-VALUE}).")
    String model;

    @Override
    public Integer call() throws java.io.IOException {
        spec.commandLine().getOut().print(dev.convj.examples.ModelStore.resolve(model).network().summary());
        spec.commandLine().getOut().flush();
        return 0;
    }
}

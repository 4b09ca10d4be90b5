package dev.convj.examples.cli;

import dev.convj.examples.Models;
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

    @Option(names = "--model", defaultValue = "lenet5", description = "Built-in model: lenet5, vgg or all-ops (default: ${DEFAULT-VALUE}).")
    String model;

    @Override
    public Integer call() {
        spec.commandLine().getOut().print(Models.byName(model).summary());
        spec.commandLine().getOut().flush();
        return 0;
    }
}

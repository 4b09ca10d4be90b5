package dev.convj.examples.cli;

import dev.convj.runtime.train.Adam;
import dev.convj.runtime.train.LrSchedule;
import dev.convj.runtime.train.Optimizer;
import dev.convj.runtime.train.Sgd;
import dev.convj.runtime.train.WeightInit;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * The optimizer, learning-rate schedule and initialization options every training command takes
 * ({@code convj train}, {@code convj-spark train}): one definition, mixed in with {@code @Mixin}.
 */
public final class OptimizerOptions {

    @Option(names = "--optimizer", defaultValue = "sgd", description = "sgd, nesterov, adam or adamw (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--lr", description = "Learning rate (default: 0.01 for sgd/nesterov, 0.001 for adam/adamw).")
    Double lr;

    @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum (default: ${DEFAULT-VALUE}).")
    double momentum;

    @Option(names = "--weight-decay", defaultValue = "-1",
            description = "Weight decay (default: 0, or 0.01 for adamw, as PyTorch).")
    double weightDecay;

    @Option(names = "--schedule", defaultValue = "constant",
            description = "Learning-rate schedule: constant, step (×0.1 every --step-size epochs) or cosine (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--step-size", defaultValue = "3", description = "Epochs between step-schedule decays (default: ${DEFAULT-VALUE}).")
    int stepSize;

    @Option(names = "--init", defaultValue = "default",
            description = "Weight initialization: default (PyTorch's), kaiming, kaiming-normal, xavier, xavier-normal.")
    String init;

    /** The optimizer the options name; a bad name or rate is refused naming the option. */
    public Optimizer optimizer() {
        String name = optimizer.toLowerCase(Locale.ROOT);
        double rate = lr != null ? lr : name.startsWith("adam") ? 1e-3 : 0.01;
        if (!(rate > 0)) {
            throw new IllegalArgumentException("--lr must be > 0, got " + rate);
        }
        return switch (name) {
            case "sgd" -> new Sgd(rate, momentum, 0, Math.max(weightDecay, 0), false);
            case "nesterov" -> new Sgd(rate, momentum, 0, Math.max(weightDecay, 0), true);
            case "adam" -> Adam.adam(rate).withWeightDecay(Math.max(weightDecay, 0));
            case "adamw" -> weightDecay >= 0 ? Adam.adamW(rate).withWeightDecay(weightDecay) : Adam.adamW(rate);
            default -> throw new IllegalArgumentException("--optimizer " + optimizer + ": use sgd, nesterov, adam or adamw");
        };
    }

    /** The learning-rate schedule over {@code epochs} epochs. */
    public LrSchedule schedule(int epochs) {
        OptionChecks.atLeast("--step-size", stepSize, 1, null);
        return switch (schedule) {
            case "constant" -> LrSchedule.constant();
            case "step" -> LrSchedule.step(stepSize, 0.1);
            case "cosine" -> LrSchedule.cosine(epochs, 0);
            default -> throw new IllegalArgumentException("--schedule " + schedule + ": use constant, step or cosine");
        };
    }

    public WeightInit init() {
        return WeightInit.parse(init);
    }
}

package dev.convj.examples.cli;

import dev.convj.dsl.ActivationLayer;
import dev.convj.dsl.Layer;
import dev.convj.dsl.Network;
import dev.convj.dsl.NetworkSpec;
import dev.convj.examples.Backend;
import dev.convj.examples.ModelStore;
import dev.convj.examples.data.FashionData;
import dev.convj.graph.viz.DotExport;
import dev.convj.runtime.data.Dataset;
import dev.convj.runtime.data.FashionMnist;
import dev.convj.runtime.train.Curves;
import dev.convj.runtime.model.ModelFile;
import dev.convj.runtime.model.SavedModel;
import dev.convj.runtime.train.EarlyStopping;
import dev.convj.runtime.train.EpochStats;
import dev.convj.runtime.train.Evaluation;
import dev.convj.runtime.train.History;
import dev.convj.runtime.train.LrSchedule;
import dev.convj.runtime.train.ModelCheckpoint;
import dev.convj.runtime.train.Monitor;
import dev.convj.runtime.train.Optimizer;
import dev.convj.runtime.train.Trainer;
import dev.convj.runtime.train.WeightInit;
import dev.convj.runtime.viz.DiagramRenderer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code convj train}: trains a model on Fashion-MNIST and writes the model, curves and diagram. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a model on Fashion-MNIST (the full set when installed or given with --data, else the "
                + "subset embedded in ConvJ), print the test accuracy, and write into --out: model.convj, "
                + "history.csv, loss/accuracy curves (.png, .svg) and the model's diagram (.svg, .dot).",
                "With no options: LeNet-5, 5 epochs, SGD momentum 0.9, lr 0.01, batch 64."})
final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    OptimizerOptions training = new OptimizerOptions();

    @Option(names = "--model", defaultValue = "lenet5",
            description = "lenet5, vgg, a saved model (.convj: continue training) or a network description file (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--epochs", defaultValue = "5", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", defaultValue = "64", description = "Batch size; the last partial batch is trained too (default: ${DEFAULT-VALUE}).")
    int batch;








    @Option(names = "--patience", defaultValue = "0",
            description = "Stop when validation accuracy (loss, for a regression model) has not improved for this many "
                    + "epochs; 0: never (default: ${DEFAULT-VALUE}).")
    int patience;

    @Option(names = "--threads", defaultValue = "0", description = "Threads for compiled code; 0: all cores (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--seed", defaultValue = "1", description = "Seed for weights, shuffling and the validation split (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--data", description = "Directory holding the four Fashion-MNIST IDX files (raw or .gz).")
    Path data;

    @Option(names = "--limit", defaultValue = "0",
            description = "Train on only the first N training images left after the validation split; 0: all.")
    int limit;

    @Option(names = "--val-split", description = "Training images held out (seeded, class-balanced) to validate on after "
            + "each epoch; they choose the epoch kept and drive --patience, and the test set is evaluated once, at the "
            + "end (default: 5,000, or a tenth of a smaller training set such as the embedded subset's; 0: none, the "
            + "last epoch is kept).")
    Integer valSplit;

    @Option(names = "--test-limit", defaultValue = "0", description = "Evaluate on only the first N test images; 0: all.")
    int testLimit;

    @Option(names = "--out", description = "Output directory (default: runs/MODEL).")
    Path out;

    @Option(names = "--progress", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Show a progress bar on the terminal (default: on when a terminal is attached).")
    boolean progress;

    @Override
    public Integer call() throws IOException {
        OptionChecks.atLeast("--epochs", epochs, 1, null);
        OptionChecks.atLeast("--batch", batch, 1, null);
        OptionChecks.atLeast("--limit", limit, 0, "all training images");
        OptionChecks.atLeast("--test-limit", testLimit, 0, "all test images");
        OptionChecks.atLeast("--patience", patience, 0, "never stop early");
        OptionChecks.atLeast("--threads", threads, 0, "all cores");
        if (valSplit != null) {
            OptionChecks.atLeast("--val-split", valSplit, 0, "no validation, the last epoch is kept");
        }
        if (patience > 0 && valSplit != null && valSplit == 0) {
            throw new IllegalArgumentException("--patience " + patience + ": needs a validation split (--val-split ≥ 1)");
        }
        PrintWriter console = spec.commandLine().getOut();
        ModelStore.Loaded loaded = ModelStore.resolve(model);
        Network network = loaded.network();
        Optimizer opt = training.optimizer();
        LrSchedule lrSchedule = training.schedule(epochs);
        WeightInit weightInit = training.init();
        Path dir = out != null ? out : Path.of("runs", safeName(loaded.source()));
        OptionChecks.writableDirectory("--out", dir);

        FashionMnist.Split split = FashionData.locate(data, printStream(console));
        Dataset all = split.train(), validation = null;
        int held = valSplit != null ? valSplit : Math.min(DEFAULT_VAL_SPLIT, all.size() / 10);
        if (held >= all.size()) {
            throw new IllegalArgumentException("--val-split " + held + ": must be less than the " + all.size()
                    + " training images");
        }
        if (held > 0) {
            Dataset.Holdout holdout = all.holdOut(held, seed);
            all = holdout.train();
            validation = holdout.validation();
        }
        Dataset train = limit > 0 ? all.take(limit) : all;
        Dataset test = testLimit > 0 ? split.test().take(testLimit) : split.test();
        console.println(validationLine(held, split.train().size()));
        console.printf(Locale.ROOT, "model %s: %,d parameters; %s; batch %d; %d epochs%n", loaded.source(),
                network.summary().totalParameters(), opt, batch, epochs);
        console.println("backend: " + Backend.describe(threads));
        if (endsInSoftmax(network)) {
            console.println("note: the model ends in softmax, so the loss is the cross-entropy of softmax(probabilities):"
                    + " it trains, but slowly; export the model's logits (no final Softmax) to fine-tune it well");
        }
        console.flush();

        String architecture = NetworkSpec.write(network);
        Trainer.Builder builder = Trainer.builder(network::graph).inference(network::inferenceGraph)
                .factory(Backend.factory(threads))
                .optimizer(opt).schedule(lrSchedule).batchSize(batch).seed(seed).init(weightInit)
                .log(line -> {
                    console.println(line);
                    console.flush();
                });
        if (loaded.trained()) {
            builder.weights(loaded.weights());
        }
        if (progress && System.console() != null) {
            builder.progressBar(System.err);
        }
        Monitor monitor = validation == null ? null
                : Trainer.isRegression(network.graph(1)) ? Monitor.VAL_LOSS : Monitor.VAL_ACCURACY;
        // model.convj is written only from the best epoch, so a run that gets worse never replaces a better model.
        ModelCheckpoint checkpoint = new ModelCheckpoint(dir.resolve("checkpoint.convj"), architecture, monitor);
        builder.callback(checkpoint);
        if (patience > 0) {
            builder.callback(new EarlyStopping(monitor, patience, 0, true));
        }
        Trainer trainer = builder.build();
        if (trainer.isRegression()) {
            // An MSE model on images learns to reproduce them: each image is its own target (an autoencoder).
            train = train.autoencoding();
            test = test.autoencoding();
            validation = validation == null ? null : validation.autoencoding();
        }
        Path modelFile = dir.resolve("model.convj");
        long start = System.nanoTime();
        History history;
        try {
            history = trainer.fit(train, validation, epochs);
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + "; " + modelFile + (Files.exists(modelFile)
                    ? " was left as it was" : " was not written") + (checkpoint.savedEpoch() > 0
                    ? "; the best epoch before it (" + checkpoint.savedEpoch() + ") is in " + checkpoint.file() : ""), e);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (checkpoint.savedEpoch() != history.last().epoch()) {
            trainer.setWeights(ModelStore.load(checkpoint.file()).weights());
            console.printf(Locale.ROOT, "keeping epoch %d, the best by %s%n", checkpoint.savedEpoch(),
                    monitor.name().toLowerCase(Locale.ROOT));
        }

        Evaluation evaluation = trainer.evaluate(test);
        console.println();
        console.printf(Locale.ROOT, "test set, evaluated once, with the weights of epoch %d:%n", checkpoint.savedEpoch());
        console.print(evaluation.format(FashionMnist.CLASSES));
        if (evaluation.isClassification()) {
            console.printf(Locale.ROOT, "test accuracy: %.2f%% after %d epochs (%.1f s)%n", 100 * evaluation.accuracy(),
                    history.size(), seconds);
        } else {
            console.printf(Locale.ROOT, "test loss: %.6f after %d epochs (%.1f s)%n", evaluation.loss(), history.size(),
                    seconds);
        }

        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("epochs", Integer.toString(checkpoint.savedEpoch()));
        meta.put("optimizer", opt.toString());
        meta.put("batch", Integer.toString(batch));
        meta.put("seed", Long.toString(seed));
        meta.put("train_images", Integer.toString(train.size()));
        meta.put("val_images", Integer.toString(held));
        history.epochs().stream().filter(e -> e.epoch() == checkpoint.savedEpoch() && e.hasValidation()).findFirst()
                .ifPresent(e -> meta.put(e.hasAccuracy() ? "val_accuracy" : "val_loss", String.format(Locale.ROOT,
                        "%.6f", e.hasAccuracy() ? e.valAccuracy() : e.valLoss())));
        if (evaluation.isClassification()) {
            meta.put("test_accuracy", String.format(Locale.ROOT, "%.6f", evaluation.accuracy()));
        } else {
            meta.put("test_loss", String.format(Locale.ROOT, "%.6f", evaluation.loss()));
        }
        Path target = modelFile;
        EpochStats kept = history.epochs().stream().filter(e -> e.epoch() == checkpoint.savedEpoch()).findFirst()
                .orElseThrow();
        String better = validation == null ? null : betterPrevious(modelFile, architecture, trainer, validation, monitor,
                kept);
        if (better != null) {
            target = dir.resolve("candidate.convj");
            console.println(better + "; this run's model is in " + target);
        }
        ModelStore.save(target, network, trainer.weights(), meta);
        Files.deleteIfExists(dir.resolve("checkpoint.convj"));
        Files.writeString(dir.resolve("history.csv"), history.toCsv(), StandardCharsets.UTF_8);
        Curves.write(history, dir, loaded.source());
        String dot = DotExport.of(network.graph(1).graph(), DotExport.Options.defaults().withTitle(loaded.source()));
        DiagramRenderer.render(dot, dir.resolve("model.dot"));
        boolean drawn = false;
        try {
            DiagramRenderer.Rendered r = DiagramRenderer.render(dot, dir.resolve("model.svg"));
            r.note().ifPresent(console::println);
            drawn = r.note().isEmpty();
        } catch (IOException e) {
            console.println("warning: diagram not rendered: " + e.getMessage());
        }
        console.println("wrote " + target + ", history.csv, loss.png/.svg, "
                + (evaluation.isClassification() ? "accuracy.png/.svg, " : "") + (drawn ? "model.svg/.dot" : "model.dot")
                + " in " + dir);
        console.flush();
        return 0;
    }

    /**
     * Scores the model already in {@code file}, when it has this architecture, on this run's validation set; if it
     * beats the epoch kept, says so (and it is not replaced), else returns null. An unreadable file is replaced.
     */
    private static String betterPrevious(Path file, String architecture, Trainer trainer, Dataset validation,
                                         Monitor monitor, EpochStats kept) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        SavedModel previous;
        try {
            previous = ModelFile.load(file);
        } catch (IOException e) {
            return null;
        }
        if (!previous.architecture().equals(architecture)) {
            return null;
        }
        Map<String, float[]> ours = trainer.weights();
        Evaluation e;
        try {
            trainer.setWeights(previous.weights());
            e = trainer.evaluate(validation);
        } catch (IllegalArgumentException mismatch) {
            return null;
        } finally {
            trainer.setWeights(ours);
        }
        boolean accuracy = monitor == Monitor.VAL_ACCURACY;
        double theirs = accuracy ? e.accuracy() : e.loss(), best = monitor.of(kept);
        if (!monitor.improves(theirs, best, 0)) {
            return null;
        }
        String format = accuracy ? "%s %.2f%%" : "%s %.4f";
        double scale = accuracy ? 100 : 1;
        String name = accuracy ? "val_acc" : "val_loss";
        return file + " kept: it scores " + String.format(Locale.ROOT, format, name, scale * theirs)
                + " on this run's validation set, better than this run's best, "
                + String.format(Locale.ROOT, format, name, scale * best) + " (epoch " + kept.epoch() + ")";
    }

    /** The held-out part of the training set when --val-split is not given. */
    static final int DEFAULT_VAL_SPLIT = 5000;

    /** Says where validation figures come from, and that the test set is kept for the end. */
    private String validationLine(int held, int trainingImages) {
        if (held == 0) {
            return "validation: none (--val-split 0): the last epoch is kept; the test set is evaluated once, at the end";
        }
        return String.format(Locale.ROOT, "validation: %,d of the %,d training images held out (seed %d) choose the "
                + "epoch kept%s; the test set is evaluated once, at the end%s", held, trainingImages, seed,
                patience > 0 ? " and when to stop" : "", valSplit == null && held < DEFAULT_VAL_SPLIT
                ? String.format(Locale.ROOT, " (the default %,d scaled to a tenth of this smaller training set)",
                DEFAULT_VAL_SPLIT) : "");
    }

    /** Whether the last layer is a softmax, whose output the loss would squash a second time. */
    static boolean endsInSoftmax(Network network) {
        List<Layer> layers = network.layers();
        return !layers.isEmpty() && layers.get(layers.size() - 1) instanceof ActivationLayer a
                && a.function() == ActivationLayer.Function.SOFTMAX;
    }

    static String safeName(String source) {
        String base = Path.of(source).getFileName().toString().replaceFirst("\\.[^.]+$", "");
        return base.replaceAll("[^A-Za-z0-9_-]", "_");
    }

    static java.io.PrintStream printStream(PrintWriter writer) {
        return new java.io.PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                writer.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                writer.write(new String(b, off, len, StandardCharsets.UTF_8));
            }

            @Override
            public void flush() {
                writer.flush();
            }
        }, true, StandardCharsets.UTF_8);
    }
}

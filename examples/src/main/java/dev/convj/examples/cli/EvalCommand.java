package dev.convj.examples.cli;

import dev.convj.examples.Backend;
import dev.convj.examples.ModelStore;
import dev.convj.examples.data.FashionData;
import dev.convj.runtime.data.Dataset;
import dev.convj.runtime.data.FashionMnist;
import dev.convj.runtime.train.Evaluation;
import dev.convj.runtime.train.Trainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code convj eval}: a saved model's loss, accuracy, per-class accuracy and confusion matrix on the test set. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a saved model on the Fashion-MNIST test set: loss, accuracy, per-class accuracy, "
                + "confusion matrix.")
final class EvalCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, description = "A saved model file (.convj), e.g. runs/lenet5/model.convj.")
    Path model;

    @Option(names = "--data", description = "Directory holding the Fashion-MNIST IDX files (default: installed set, else the embedded subset).")
    Path data;

    @Option(names = "--limit", defaultValue = "0", description = "Evaluate only the first N test images; 0: all.")
    int limit;

    @Option(names = "--batch", defaultValue = "100", description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--threads", defaultValue = "0", description = "Threads for compiled code; 0: all cores (default: ${DEFAULT-VALUE}).")
    int threads;

    @Override
    public Integer call() throws IOException {
        OptionChecks.atLeast("--limit", limit, 0, "all test images");
        OptionChecks.atLeast("--batch", batch, 1, null);
        OptionChecks.atLeast("--threads", threads, 0, "all cores");
        PrintWriter console = spec.commandLine().getOut();
        ModelStore.Loaded loaded = ModelStore.load(model);
        Dataset all = FashionData.locateTest(data, TrainCommand.printStream(console));
        Dataset test = limit > 0 ? all.take(limit) : all;
        Trainer trainer = Trainer.builder(loaded.network()::graph).inference(loaded.network()::inferenceGraph)
                .factory(Backend.factory(threads)).weights(loaded.weights()).batchSize(batch).build();
        Evaluation e = trainer.evaluate(trainer.isRegression() ? test.autoencoding() : test);
        console.print(e.format(FashionMnist.CLASSES));
        console.flush();
        return 0;
    }
}

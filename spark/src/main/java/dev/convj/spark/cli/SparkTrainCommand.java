package dev.convj.spark.cli;

import dev.convj.codegen.kernels.KernelChoice;
import dev.convj.dsl.Network;
import dev.convj.examples.ModelStore;
import dev.convj.examples.cli.OptimizerOptions;
import dev.convj.runtime.data.Dataset;
import dev.convj.runtime.data.FashionMnist;
import dev.convj.runtime.model.ModelFile;
import dev.convj.runtime.model.SavedModel;
import dev.convj.runtime.train.Curves;
import dev.convj.runtime.train.Evaluation;
import dev.convj.runtime.train.History;
import dev.convj.runtime.train.LrSchedule;
import dev.convj.runtime.train.Optimizer;
import dev.convj.runtime.train.WeightInit;
import dev.convj.spark.Shard;
import dev.convj.spark.SparkData;
import dev.convj.spark.SparkTrainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code convj-spark train}: data-parallel training on Fashion-MNIST, writing what {@code convj train} writes. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a model on Fashion-MNIST data-parallel on Spark: each round the driver broadcasts the "
                + "weights, every partition runs --local-steps steps on its share of the global batch, "
                + "treeAggregate sums the results and the driver updates the model.",
                "Writes into --out: model.convj (the last epoch's weights, readable by convj eval), history.csv, "
                + "loss/accuracy curves (.png, .svg), and resume.convj while training (--resume continues from it)."})
final class SparkTrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--master", description = "Spark master: local[N], spark://HOST:PORT, yarn, k8s://…; under "
            + "spark-submit, its --master (default: local[*] when neither is given).")
    String master;

    @Option(names = "--partitions", description = "Partitions of the training set, one task each per round "
            + "(default: Spark's default parallelism, the task slots).")
    Integer partitions;

    @Mixin
    OptimizerOptions training = new OptimizerOptions();

    @Option(names = "--model", defaultValue = "lenet5",
            description = "lenet5, vgg, resnet, a saved model (.convj: continue training), an ONNX file or a network description file (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--epochs", defaultValue = "5", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", defaultValue = "64",
            description = "Global batch: images per step over all partitions, a multiple of --partitions (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--local-steps", defaultValue = "" + DEFAULT_LOCAL_STEPS,
            description = "K: local steps per round. 1 is synchronous SGD (gradients averaged every step, exact); more "
                    + "is local SGD (models averaged every K steps), far fewer rounds for slow networks (default: ${DEFAULT-VALUE}).")
    int localSteps;








    @Option(names = "--threads-per-task", defaultValue = "1",
            description = "Threads the generated code of each task uses; set spark.task.cpus to match (default: ${DEFAULT-VALUE}).")
    int threadsPerTask;

    @Option(names = "--seed", defaultValue = "1",
            description = "Seed for weights, the partitioning, each partition's order per epoch and the validation split (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--data", description = "Directory of the four Fashion-MNIST IDX files (raw or .gz), in any file "
            + "system Hadoop reads: a local path, hdfs://…, s3a://… (default: " + "/usr/share/datasets/fashion-mnist).")
    String data;

    @Option(names = "--val-split", defaultValue = "5000",
            description = "Training images held out (seeded, class-balanced) to validate on after each epoch; 0: none (default: ${DEFAULT-VALUE}).")
    int valSplit;

    @Option(names = "--limit", defaultValue = "0", description = "Train on only the first N training images; 0: all.")
    int limit;

    @Option(names = "--out", description = "Output directory (default: runs/MODEL-spark).")
    Path out;

    @Option(names = "--checkpoint-every", defaultValue = "20",
            description = "Rounds between checkpoints (resume.convj, written atomically; also after every epoch); 0: only after epochs (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--resume", description = "Continue from --out's resume.convj (same settings) instead of starting afresh.")
    boolean resume;

    /** Local steps per round by default: enough rounds of LeNet-5 on local[2] amortize Spark's ~50 ms per round. */
    static final int DEFAULT_LOCAL_STEPS = 64;

    @Override
    public Integer call() throws IOException {
        check("--epochs", epochs, 1);
        check("--batch", batch, 1);
        check("--local-steps", localSteps, 1);
        check("--threads-per-task", threadsPerTask, 1);
        check("--val-split", valSplit, 0);
        check("--limit", limit, 0);
        check("--checkpoint-every", checkpointEvery, 0);
        PrintWriter console = spec.commandLine().getOut();
        Loaded loaded = resolve(model);
        Network network = loaded.network();
        Optimizer opt = training.optimizer();
        LrSchedule lrSchedule = training.schedule(epochs);
        WeightInit weightInit = training.init();
        Path dir = out != null ? out : Path.of("runs", loaded.name() + "-spark");
        Files.createDirectories(dir);
        if (!Files.isWritable(dir)) {
            throw new IllegalArgumentException("--out " + dir + ": not writable");
        }
        if (!resume && Files.exists(dir.resolve(SparkTrainer.RESUME_FILE))) {
            console.println("note: " + dir.resolve(SparkTrainer.RESUME_FILE) + " exists; starting afresh (it will be "
                    + "replaced); pass --resume to continue from it");
        }

        SparkConf conf = new SparkConf().setAppName("convj-spark train " + loaded.name());
        if (master != null) {
            conf.setMaster(master);
        } else if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]");
        }
        conf.setIfMissing("spark.ui.showConsoleProgress", "false");
        // Executors in other JVMs need the Vector API module too, or their kernels run plain Java.
        conf.setIfMissing("spark.executor.extraJavaOptions", "--add-modules jdk.incubator.vector");
        if (conf.get("spark.master").startsWith("local")) {
            conf.setIfMissing("spark.ui.enabled", "false");
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
        }
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            String source = data != null ? data : FashionMnist.SYSTEM_DIR.toString();
            FashionMnist.Split split = SparkData.fashionMnist(source, sc.hadoopConfiguration());
            Dataset all = split.train(), validation = null;
            if (valSplit >= all.size()) {
                throw new IllegalArgumentException("--val-split " + valSplit + ": must be less than the " + all.size()
                        + " training images");
            }
            if (valSplit > 0) {
                Dataset.Holdout holdout = all.holdOut(valSplit, seed);
                all = holdout.train();
                validation = holdout.validation();
            }
            Dataset train = limit > 0 ? all.take(Math.min(limit, all.size())) : all;
            int parts = partitions != null ? partitions : sc.defaultParallelism();
            check("--partitions", parts, 1);
            JavaRDD<Shard> shards = SparkData.shards(sc, train, parts, seed);
            console.printf(Locale.ROOT, "data: Fashion-MNIST from %s: %,d training images in %d partitions, %,d held "
                    + "out for validation, %,d test%n", source, train.size(), parts, valSplit, split.test().size());
            console.printf(Locale.ROOT, "model %s: %,d parameters; %s; global batch %d (%d per partition); K = %d "
                            + "local step%s per round (%s); %d epochs%n", loaded.name(),
                    network.summary().totalParameters(), opt, batch, batch / parts, localSteps, localSteps == 1 ? ""
                            : "s", localSteps == 1 ? "synchronous SGD" : "local SGD, models averaged", epochs);
            console.printf(Locale.ROOT, "spark: master %s, %d executor(s), default parallelism %d; generated code on "
                    + "%d thread(s) per task, kernel: %s%n", sc.master(), sc.sc().getExecutorMemoryStatus().size(),
                    sc.defaultParallelism(), threadsPerTask, KernelChoice.describe());
            console.flush();

            SparkTrainer.Builder builder = SparkTrainer.builder(sc, network).optimizer(opt).schedule(lrSchedule)
                    .init(weightInit).globalBatch(batch).localSteps(localSteps).threadsPerTask(threadsPerTask)
                    .seed(seed).checkpoint(dir, checkpointEvery).resume(resume).log(line -> {
                        console.println(line);
                        console.flush();
                    });
            if (loaded.weights() != null) {
                builder.weights(loaded.weights());
            }
            SparkTrainer trainer = builder.build();
            long start = System.nanoTime();
            History history = trainer.fit(shards, validation, epochs);
            double seconds = (System.nanoTime() - start) / 1e9;

            Evaluation evaluation = trainer.evaluate(split.test());
            console.println();
            console.printf(Locale.ROOT, "test set, evaluated once, with the weights of epoch %d:%n",
                    history.last().epoch());
            console.print(evaluation.format(FashionMnist.CLASSES));
            console.printf(Locale.ROOT, "test accuracy: %.2f%% after %d epochs (%.1f s)%n",
                    100 * evaluation.accuracy(), history.size(), seconds);

            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("epochs", Integer.toString(history.last().epoch()));
            meta.put("optimizer", opt.toString());
            meta.put("batch", Integer.toString(batch));
            meta.put("seed", Long.toString(seed));
            meta.put("train_images", Integer.toString(train.size()));
            meta.put("val_images", Integer.toString(valSplit));
            meta.put("spark_partitions", Integer.toString(parts));
            meta.put("spark_local_steps", Integer.toString(localSteps));
            if (history.last().hasValidation()) {
                meta.put("val_accuracy", String.format(Locale.ROOT, "%.6f", history.last().valAccuracy()));
            }
            meta.put("test_accuracy", String.format(Locale.ROOT, "%.6f", evaluation.accuracy()));
            ModelFile.save(dir.resolve("model.convj"), new SavedModel(trainer.architecture(), trainer.weights(), meta));
            dev.convj.runtime.AtomicFiles.write(dir.resolve("history.csv"),
                    history.toCsv().getBytes(StandardCharsets.UTF_8));
            Curves.write(history, dir, loaded.name() + " on Spark");
            console.println("wrote model.convj, history.csv, loss.png/.svg, accuracy.png/.svg in " + dir
                    + " (" + SparkTrainer.RESUME_FILE + " is kept: --resume with more --epochs trains on)");
            console.flush();
        }
        return 0;
    }

    /** A network, its name for the run directory and titles and, when it came from a model file, its weights. */
    record Loaded(String name, Network network, Map<String, float[]> weights) {}

    /** {@code --model} as {@code convj train} reads it: a built-in name, a model file or a description. */
    static Loaded resolve(String model) throws IOException {
        ModelStore.Loaded loaded = ModelStore.resolve(model);
        String name = Path.of(loaded.source()).getFileName().toString().replaceFirst("\\.[^.]+$", "")
                .replaceAll("[^A-Za-z0-9_-]", "_");
        return new Loaded(name, loaded.network(), loaded.weights());
    }

    private static void check(String option, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(option + " " + value + ": must be ≥ " + min);
        }
    }
}

package dev.convj.spark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.dsl.NetworkSpec;
import dev.convj.runtime.data.Dataset;
import dev.convj.runtime.data.FashionMnist;
import dev.convj.runtime.data.IdxWriter;
import dev.convj.runtime.model.ModelFile;
import dev.convj.runtime.model.SavedModel;
import dev.convj.runtime.train.Evaluation;
import dev.convj.runtime.train.ExecutableFactory;
import dev.convj.runtime.train.Trainer;
import dev.convj.spark.SparkTrainer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code convj-spark train} end to end on local[2]: a small IDX data set, a model file, a resumed second epoch. */
class SparkTrainCommandTest {

    /** 28×28 images whose class (of 10) is which of ten horizontal bands is bright, as pixel bytes /255 allow. */
    static Dataset bands(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n * 784];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(10);
            for (int p = 0; p < 784; p++) {
                boolean lit = (p / 28) * 10 / 28 == y[i];
                x[i * 784 + p] = Math.round(255 * Math.min(1, Math.max(0, (lit ? 0.8 : 0.1) + 0.1 * r.nextGaussian())))
                        / 255f;
            }
        }
        return new Dataset("bands", x, y, 1, 28, 28, 10);
    }

    private static String run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = new CommandLine(new SparkCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute(args);
        assertEquals(0, code, out + "\n" + err);
        return out.toString();
    }

    @Test
    void trainsWritesAModelThatEvaluatesAndResumesForAnotherEpoch(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        Files.createDirectories(data);
        IdxWriter.write(bands(640, 1), data.resolve(FashionMnist.TRAIN_IMAGES + ".gz"),
                data.resolve(FashionMnist.TRAIN_LABELS + ".gz"));
        IdxWriter.write(bands(200, 2), data.resolve(FashionMnist.TEST_IMAGES), data.resolve(FashionMnist.TEST_LABELS));
        Path out = tmp.resolve("run");
        List<String> common = List.of("train", "--master", "local[2]", "--model", "lenet5", "--data", data.toString(),
                "--out", out.toString(), "--val-split", "64", "--batch", "32", "--local-steps", "3",
                "--checkpoint-every", "2");
        List<String> first = new java.util.ArrayList<>(common);
        first.addAll(List.of("--epochs", "1"));
        String console = run(first.toArray(String[]::new));
        assertTrue(console.contains("576 training images in 2 partitions, 64 held out for validation"), console);
        assertTrue(console.contains("K = 3 local steps per round (local SGD, models averaged)"), console);
        assertTrue(console.contains("epoch 1/1 round 6/6"), console);
        for (String f : List.of("model.convj", "history.csv", "loss.png", "loss.svg", "accuracy.png", "accuracy.svg",
                SparkTrainer.RESUME_FILE)) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        assertEquals(2, Files.readAllLines(out.resolve("history.csv")).size());

        List<String> second = new java.util.ArrayList<>(common);
        second.addAll(List.of("--epochs", "2", "--resume"));
        console = run(second.toArray(String[]::new));
        assertTrue(console.contains("resuming from " + out.resolve(SparkTrainer.RESUME_FILE) + ": epoch 2, round 0 of 6 "
                + "(1 epochs done)"), console);
        List<String> history = Files.readAllLines(out.resolve("history.csv"));
        assertEquals(3, history.size(), String.join("\n", history));

        // What convj eval does: the architecture and weights of the file, the inference graph, the test set.
        SavedModel saved = ModelFile.load(out.resolve("model.convj"));
        var network = NetworkSpec.read(saved.architecture());
        Trainer t = Trainer.builder(network::graph).inference(network::inferenceGraph)
                .factory(ExecutableFactory.compiled(1)).weights(saved.weights()).build();
        Evaluation e = t.evaluate(bands(200, 2));
        assertEquals(Double.parseDouble(saved.metadata().get("test_accuracy")), e.accuracy(), 1e-6);
        assertTrue(e.accuracy() > 0.5, "test accuracy " + e.accuracy());
    }
}

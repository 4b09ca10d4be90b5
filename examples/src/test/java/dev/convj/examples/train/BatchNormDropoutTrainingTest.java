package dev.convj.examples.train;

import static dev.convj.dsl.LayerOption.pad;
import static dev.convj.dsl.LayerOption.seed;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.dsl.Network;
import dev.convj.examples.ModelStore;
import dev.convj.runtime.data.Dataset;
import dev.convj.runtime.train.Adam;
import dev.convj.runtime.train.Evaluation;
import dev.convj.runtime.train.ExecutableFactory;
import dev.convj.runtime.train.History;
import dev.convj.runtime.train.Trainer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer with batch normalization (running statistics) and dropout (the step input), training vs inference. */
class BatchNormDropoutTrainingTest {

    /** Two-channel 6×6 images: channel 0 ~ N(3, 2²), channel 1 ~ N(−1, 0.5²), plus a class-dependent bright square. */
    static Dataset data(int n, long seedValue) {
        Random r = new Random(seedValue);
        int per = 2 * 6 * 6;
        float[] x = new float[n * per];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 3;
            for (int c = 0; c < 2; c++) {
                for (int p = 0; p < 36; p++) {
                    double v = c == 0 ? 3 + 2 * r.nextGaussian() : -1 + 0.5 * r.nextGaussian();
                    int row = p / 6, col = p % 6;
                    if (c == 0 && row / 2 == y[i] && col < 3) {
                        v += 4; // the class shows as a brighter band, rows 2y..2y+1
                    }
                    x[i * per + c * 36 + p] = (float) v;
                }
            }
        }
        return new Dataset("bands", x, y, 2, 6, 6, 3);
    }

    static final Network NET = Network.input(2, 6, 6)
            .batchNorm()
            .conv2d(4, 3, pad(1)).batchNorm().relu()
            .flatten().dropout(0.3, seed(5)).dense(3)
            .softmaxCrossEntropy();

    static Trainer trainer(ExecutableFactory factory) {
        return Trainer.builder(NET::graph).inference(NET::inferenceGraph).factory(factory)
                .optimizer(Adam.adam(0.01)).batchSize(25).seed(3).build();
    }

    @Test
    void trainsWithDropoutAndBatchNormThroughGeneratedCode() {
        Dataset train = data(300, 1), test = data(150, 2);
        Trainer t = trainer(ExecutableFactory.compiled(1));
        Evaluation before = t.evaluate(test);
        History h = t.fit(train, test, 4);
        assertEquals(4 * 12, t.steps(), "one step per batch, counted across epochs");
        assertTrue(h.last().trainLoss() < h.epochs().get(0).trainLoss() * 0.8, h.toCsv());
        Evaluation after = t.evaluate(test);
        assertTrue(after.loss() < before.loss() * 0.5, before.loss() + " → " + after.loss());
        assertTrue(after.accuracy() > 0.9, "accuracy " + after.accuracy());

        // Evaluation runs the inference graph: no dropout, running statistics, so the same figures twice.
        assertEquals(after.loss(), t.evaluate(test).loss(), 0.0);
        assertArrayEquals(t.outputs(test.image(0), 1), t.outputs(test.image(0), 1));

        // The first layer normalizes the raw data, so its running statistics approach the data's.
        Map<String, float[]> w = t.weights();
        assertTrue(w.keySet().containsAll(List.of("bn1.running_mean", "bn1.running_var", "bn2.running_mean",
                "bn2.running_var")), w.keySet().toString());
        float[] mean = w.get("bn1.running_mean"), var = w.get("bn1.running_var");
        double band = 4 * 6.0 / 36; // the bright band adds 4 to 6 of 36 pixels of channel 0
        double expectedVar0 = 4 + 16 * (6.0 / 36) * (30.0 / 36);
        assertEquals(3 + band, mean[0], 0.25);
        assertEquals(-1, mean[1], 0.1);
        assertEquals(expectedVar0, var[0], 0.6);
        assertEquals(0.25, var[1], 0.05);
    }

    @Test
    void twoFitsWithTheSameSeedGiveTheSameWeightsAndRunningStatistics() {
        Dataset train = data(100, 4);
        Trainer a = trainer(ExecutableFactory.interpreter()), b = trainer(ExecutableFactory.interpreter());
        a.fit(train, null, 2);
        b.fit(train, null, 2);
        Map<String, float[]> wa = a.weights(), wb = b.weights();
        assertEquals(wa.keySet(), wb.keySet());
        wa.forEach((k, v) -> assertArrayEquals(v, wb.get(k), k));
        assertEquals(8, a.steps());
    }

    /** bn: y = γ(x − μ)/√(σ² + ε) + β with the running μ, σ² at inference, the batch's while training. */
    @Test
    void evaluationUsesTheRunningStatisticsByHand() {
        Network net = Network.input(2).batchNorm().mse();
        Trainer t = Trainer.builder(net::graph).inference(net::inferenceGraph).batchSize(1).build();
        Map<String, float[]> w = new LinkedHashMap<>();
        w.put("bn1.weight", new float[] {2, 1});
        w.put("bn1.bias", new float[] {0.5f, 0});
        w.put("bn1.running_mean", new float[] {1, -1});
        w.put("bn1.running_var", new float[] {4, 0.25f});
        t.setWeights(w);
        // y0 = 2·(3 − 1)/√(4 + 1e-5) + 0.5 ≈ 2.5; y1 = 1·(0 + 1)/√(0.25 + 1e-5) + 0 ≈ 2.
        float[] y = t.outputs(new float[] {3, 0}, 1);
        assertEquals(2.5, y[0], 1e-5);
        assertEquals(2.0, y[1], 1e-4);
        // MSE against a zero target: (2.5² + 2²)/2 = 5.125. The training graph (batch statistics of one image,
        // variance 0) would give y = β = (0.5, 0) and an MSE of 0.125.
        Dataset one = new Dataset("one", new float[] {3, 0}, new int[] {0}, 2, 1, 1, 1).withTargets(new float[2], 2);
        assertEquals(5.125, t.evaluate(one).loss(), 1e-4);

        // One training step on that image folds its statistics: mean ← 0.9·μ + 0.1·x; with one value per channel
        // the unbiased correction is skipped (m = 1), so var ← 0.9·σ² + 0.1·0.
        t.fit(one, null, 1);
        Map<String, float[]> after = t.weights();
        assertArrayEquals(new float[] {0.9f * 1 + 0.1f * 3, 0.9f * -1 + 0.1f * 0}, after.get("bn1.running_mean"), 1e-6f);
        assertArrayEquals(new float[] {0.9f * 4, 0.9f * 0.25f}, after.get("bn1.running_var"), 1e-6f);
    }

    @Test
    void savedModelsCarryTheRunningStatistics(@TempDir Path dir) throws Exception {
        Dataset train = data(50, 6), test = data(30, 7);
        Trainer t = trainer(ExecutableFactory.interpreter());
        t.fit(train, null, 1);
        Path file = dir.resolve("bn.convj");
        ModelStore.save(file, NET, t.weights(), Map.of());
        ModelStore.Loaded loaded = ModelStore.load(file);
        Trainer again = Trainer.builder(loaded.network()::graph).inference(loaded.network()::inferenceGraph)
                .weights(loaded.weights()).batchSize(25).build();
        assertEquals(t.evaluate(test).loss(), again.evaluate(test).loss(), 0.0);

        Map<String, float[]> missing = t.weights();
        missing.remove("bn2.running_var");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> again.setWeights(missing));
        assertTrue(e.getMessage().contains("running statistic 'bn2.running_var'"), e.getMessage());
        // Without the inference graph, a network with batch normalization is refused at once.
        e = assertThrows(IllegalArgumentException.class, () -> Trainer.builder(NET::graph).build());
        assertTrue(e.getMessage().contains("inference(network::inferenceGraph)"), e.getMessage());
    }

    @Test
    void everyInitializationSchemeKeepsBatchNormsConstants() {
        Map<String, float[]> w = Trainer.builder(NET::graph).inference(NET::inferenceGraph)
                .init(dev.convj.runtime.train.WeightInit.KAIMING_UNIFORM).build().weights();
        assertArrayEquals(new float[] {1, 1, 1, 1}, w.get("bn2.weight"));
        assertArrayEquals(new float[] {0, 0, 0, 0}, w.get("bn2.bias"));
        assertArrayEquals(new float[] {0, 0}, w.get("bn1.running_mean"));
        assertArrayEquals(new float[] {1, 1}, w.get("bn1.running_var"));
        assertArrayEquals(new float[3], w.get("fc1.bias"), "biases of dense layers still start at zero");
    }
}

package dev.convj.examples.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.dsl.Network;
import dev.convj.runtime.data.Dataset;
import dev.convj.runtime.train.Adam;
import dev.convj.runtime.train.EarlyStopping;
import dev.convj.runtime.train.Evaluation;
import dev.convj.runtime.train.ExecutableFactory;
import dev.convj.runtime.train.History;
import dev.convj.runtime.train.Monitor;
import dev.convj.runtime.train.Trainer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The trainer on MSE models: float targets per image, loss only. */
class RegressionTrainingTest {

    /** 1×4×4 images whose target is the sum of each row (4 values): a linear map a dense layer can learn exactly. */
    static Dataset rowSums(int n, long seed) {
        java.util.Random r = new java.util.Random(seed);
        float[] x = new float[n * 16], t = new float[n * 4];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < 16; p++) {
                x[i * 16 + p] = (float) r.nextGaussian();
                t[i * 4 + p / 4] += x[i * 16 + p];
            }
        }
        return new Dataset("rows", x, new int[n], 1, 4, 4, 1).withTargets(t, 4);
    }

    static final Network NET = Network.input(1, 4, 4).flatten().dense(4).mse();

    @Test
    void trainsAnMseModelReportingTheLossOnly() {
        Dataset train = rowSums(200, 1), test = rowSums(50, 2);
        Trainer t = Trainer.builder(NET::graph).inference(NET::inferenceGraph).factory(ExecutableFactory.interpreter())
                .optimizer(Adam.adam(0.05)).batchSize(20).seed(1)
                .callback(new EarlyStopping(Monitor.VAL_LOSS, 3, 0, true)).build();
        assertTrue(t.isRegression());
        double before = t.evaluate(test).loss();
        History h = t.fit(train, test, 6);
        Evaluation after = t.evaluate(test);
        assertTrue(after.loss() < before * 0.05, before + " → " + after.loss());
        assertFalse(after.isClassification());
        assertTrue(Double.isNaN(after.accuracy()));
        assertTrue(after.format(null).contains("loss"));
        assertFalse(h.last().hasAccuracy());
        assertFalse(h.last().line(6).contains("acc"), h.last().line(6));
        String row = h.toCsv().lines().skip(1).findFirst().orElseThrow();
        assertEquals("", row.split(",", -1)[3], "accuracy column empty: " + row);
        assertEquals("", row.split(",", -1)[5], "val_accuracy column empty: " + row);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Monitor.VAL_ACCURACY.of(h.last()));
        assertTrue(e.getMessage().contains("regression model has no accuracy"), e.getMessage());
        // outputs() gives the predictions: row sums of an all-ones image are 4.
        float[] y = t.outputs(new float[16], 1);
        assertEquals(4, y.length);
        float[] ones = new float[16];
        java.util.Arrays.fill(ones, 1);
        assertEquals(4, t.outputs(ones, 1)[2], 0.3);
    }

    @Test
    void anAutoencoderLearnsItsImagesAndTargetsAreChecked() {
        Network ae = Network.input(1, 4, 4).flatten().dense(16).reshape(1, 4, 4).mse();
        Dataset train = rowSums(100, 3).autoencoding();
        assertEquals(16, train.targetSize());
        assertEquals(List.of(train.image(5)[7]), List.of(train.target(5)[7]));
        assertEquals(train.image(2)[3], train.take(10).target(2)[3]);
        Trainer t = Trainer.builder(ae::graph).inference(ae::inferenceGraph).optimizer(Adam.adam(0.02)).batchSize(25)
                .build();
        History h = t.fit(train, null, 3);
        assertTrue(h.last().trainLoss() < h.epochs().get(0).trainLoss(), h.toCsv());

        Dataset labelsOnly = new Dataset("plain", new float[16], new int[1], 1, 4, 4, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.fit(labelsOnly, null, 1));
        assertTrue(e.getMessage().contains("autoencoding()"), e.getMessage());
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
                () -> t.evaluate(rowSums(5, 1)));
        assertTrue(wrong.getMessage().contains("targets of 4 values"), wrong.getMessage());
    }
}

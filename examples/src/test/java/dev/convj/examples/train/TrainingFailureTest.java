package dev.convj.examples.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.examples.data.FashionData;
import dev.convj.runtime.data.Dataset;
import dev.convj.runtime.train.ExecutableFactory;
import dev.convj.runtime.train.Optimizer;
import dev.convj.runtime.train.Sgd;
import dev.convj.runtime.train.Trainer;
import dev.convj.runtime.train.TrainingDivergedException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When training fails, the message names the cause found: bad input, a bad weight, or divergence. */
class TrainingFailureTest {

    private static Dataset train() throws Exception {
        return FashionData.embedded().train().take(120);
    }

    private static Trainer trainer(Optimizer optimizer) {
        return Trainer.builder(EmbeddedTrainingTest.TINY::graph).factory(ExecutableFactory.interpreter())
                .optimizer(optimizer).batchSize(40).seed(3).build();
    }

    /** The same images with {@code value} written at {@code element} of image {@code image}. */
    private static Dataset with(Dataset d, int image, int element, float value) {
        float[] pixels = new float[d.size() * d.imageSize()];
        int[] labels = new int[d.size()];
        for (int i = 0; i < d.size(); i++) {
            d.copyImage(i, pixels, i * d.imageSize());
            labels[i] = d.label(i);
        }
        pixels[image * d.imageSize() + element] = value;
        return new Dataset("poisoned", pixels, labels, d.channels(), d.height(), d.width(), d.classes());
    }

    @Test
    void aNonFiniteInputNamesTheBatchImageAndElement() throws Exception {
        Dataset poisoned = with(train(), 57, 300, Float.NaN);
        Trainer t = trainer(Sgd.of(0.01));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.fit(poisoned, null, 1));
        assertTrue(e.getMessage().matches("epoch 1, batch [123]: poisoned image 57 holds NaN at element 300; the "
                + "input data must be finite"), e.getMessage());
        Dataset infinite = with(train(), 3, 0, Float.NEGATIVE_INFINITY);
        IllegalStateException inf = assertThrows(IllegalStateException.class,
                () -> trainer(Sgd.of(0.01)).fit(infinite, null, 1));
        assertTrue(inf.getMessage().matches("epoch 1, batch [123]: poisoned image 3 holds -Infinity at element 0; the "
                + "input data must be finite"), inf.getMessage());
    }

    @Test
    void aNonFiniteWeightNamesTheTensorElementAndStep() throws Exception {
        Optimizer poisoning = new Optimizer(0.01) {
            @Override
            protected void allocate(List<float[]> params) {}

            @Override
            protected int slots() {
                return 4;
            }

            @Override
            protected void update(int slot, float[] param, float[] grad, long t) {
                if (t == 2 && slot == 2) {
                    param[7] = param[7] / 0f * 0f;   // NaN from a finite gradient, as an unstable update makes it
                }
            }

            @Override
            public String toString() {
                return "Poisoning(lr=0.01)";
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> trainer(poisoning).fit(train(), null, 1));
        assertTrue(e.getMessage().startsWith("weight fc1.weight[7] became NaN after step 2 (epoch 1, batch 2): the "
                + "optimizer's update made it so from the finite gradient "), e.getMessage());
        assertTrue(e.getMessage().endsWith(" (Poisoning(lr=0.01))"), e.getMessage());
    }

    @Test
    void aForwardOverflowWithFiniteInputsAndWeightsSaysSo() throws Exception {
        Trainer t = trainer(Sgd.of(0.01));
        java.util.Map<String, float[]> huge = t.weights();
        huge.values().forEach(w -> java.util.Arrays.fill(w, 1e37f));   // finite, but their products are not
        t.setWeights(huge);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.fit(train(), null, 1));
        assertEquals("the loss became NaN at epoch 1, batch 1 although the inputs and weights are finite: the forward "
                + "pass overflowed on the first batch (are the inputs scaled?)", e.getMessage());
    }

    @Test
    void aLossFarAboveTheStartAndRisingIsDivergence() throws Exception {
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> trainer(Sgd.momentum(100, 0.9)).fit(FashionData.embedded().train().take(400), null, 3));
        assertTrue(e.getMessage().matches("training diverged(: the loss became \\S+ at epoch 1, batch \\d after rising "
                + "from 2\\.\\d{3} at the first batch to \\S+| at epoch 1: mean loss \\S+, more than 10× the starting "
                + "loss 2\\.\\d{3} and not falling); lower the learning rate \\(now 100\\)"), e.getMessage());
        assertEquals(1, e.epoch());
    }

    @Test
    void aNonFiniteStartingWeightIsNamedBeforeAnyStep() throws Exception {
        Trainer t = trainer(Sgd.of(0.01));
        java.util.Map<String, float[]> w = t.weights();
        w.get("fc1.bias")[4] = Float.POSITIVE_INFINITY;
        t.setWeights(w);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.fit(train(), null, 1));
        assertEquals("the starting weight fc1.bias[4] is Infinity", e.getMessage());
        assertEquals(0, t.steps());
    }
}

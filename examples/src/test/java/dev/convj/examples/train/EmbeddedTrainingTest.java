package dev.convj.examples.train;

import static dev.convj.dsl.LayerOption.stride;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.dsl.Network;
import dev.convj.examples.data.FashionData;
import dev.convj.runtime.data.Dataset;
import dev.convj.runtime.data.FashionMnist;
import dev.convj.runtime.train.Adam;
import dev.convj.runtime.train.Evaluation;
import dev.convj.runtime.train.ExecutableFactory;
import dev.convj.runtime.train.History;
import dev.convj.runtime.train.Trainer;
import java.util.Arrays;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A short run on the embedded Fashion-MNIST subset through the float32 interpreter. */
public class EmbeddedTrainingTest {

    public static final Network TINY = Network.input(1, 28, 28)
            .conv2d(4, 5, stride(2)).relu().maxPool(2)   // 4×6×6
            .flatten().dense(10)
            .softmaxCrossEntropy();

    @Test
    void embeddedSubsetIsClassBalanced() throws Exception {
        FashionMnist.Split data = FashionData.embedded();
        assertEquals(5000, data.train().size());
        assertEquals(1000, data.test().size());
        int[] expectedTrain = new int[10], expectedTest = new int[10];
        Arrays.fill(expectedTrain, 500);
        Arrays.fill(expectedTest, 100);
        assertEquals(Arrays.toString(expectedTrain), Arrays.toString(data.train().classCounts()));
        assertEquals(Arrays.toString(expectedTest), Arrays.toString(data.test().classCounts()));
    }

    @Test
    void shortRunReducesTheLossAndBeatsChance() throws Exception {
        FashionMnist.Split data = FashionData.embedded();
        Dataset train = data.train().take(1030);   // 1030 = 20 batches of 50 and a partial batch of 30
        Dataset test = data.test().take(500);
        Trainer trainer = Trainer.builder(TINY::graph)
                .factory(ExecutableFactory.interpreter())
                .optimizer(Adam.adam(0.01))
                .batchSize(50).seed(7).build();
        Evaluation before = trainer.evaluate(test);
        History history = trainer.fit(train, test, 2);
        Evaluation after = trainer.evaluate(test);
        assertEquals(2, history.size());
        assertEquals(Set.of(50, 30), trainer.trainingBatchSizes(), "the last partial batch is trained, not dropped");
        assertTrue(after.loss() < before.loss() * 0.6, "loss " + before.loss() + " → " + after.loss());
        assertTrue(history.last().trainLoss() < history.epochs().get(0).trainLoss());
        assertTrue(after.accuracy() > 0.55, "test accuracy " + after.accuracy() + " (chance is 0.10)");
        assertEquals(after.accuracy(), history.last().valAccuracy(), 1e-12);
    }
}

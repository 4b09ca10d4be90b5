package dev.convj.examples.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.convj.dsl.Network;
import dev.convj.examples.Models;
import dev.convj.examples.data.FashionData;
import dev.convj.runtime.data.Dataset;
import dev.convj.runtime.train.ExecutableFactory;
import dev.convj.runtime.train.Sgd;
import dev.convj.runtime.train.Trainer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The same seed and thread count train to bit-identical weights: every thread split is static and every sum runs
 * in a fixed order, whichever algorithms (direct, Winograd) the cost model picked for the small VGG's layers.
 */
class DeterminismTest {

    private static Map<String, float[]> train(Network network, Dataset data, int threads) {
        Trainer t = Trainer.builder(network::graph).inference(network::inferenceGraph)
                .factory(ExecutableFactory.compiled(threads)).optimizer(Sgd.of(0.05)).batchSize(64).seed(11).build();
        t.fit(data, null, 1);
        return t.weights();
    }

    @Test
    void twoRunsOnTwoThreadsGiveBitIdenticalWeights() throws Exception {
        Network vgg = Models.smallVgg();
        Dataset data = FashionData.embedded().train().take(320);
        Map<String, float[]> first = train(vgg, data, 2), second = train(vgg, data, 2);
        assertEquals(first.keySet(), second.keySet());
        Map<String, float[]> initial = Trainer.builder(vgg::graph).seed(11).build().weights();
        for (String name : first.keySet()) {
            assertArrayEquals(first.get(name), second.get(name), name);
        }
        assertFalse(java.util.Arrays.equals(initial.get("conv3.weight"), first.get("conv3.weight")),
                "the runs trained");
    }
}

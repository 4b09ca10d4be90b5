package dev.convj.examples.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.dsl.Network;
import dev.convj.dsl.NetworkSpec;
import dev.convj.examples.Models;
import dev.convj.examples.data.FashionData;
import dev.convj.runtime.data.Dataset;
import dev.convj.runtime.data.FashionMnist;
import dev.convj.runtime.train.Evaluation;
import dev.convj.runtime.train.ExecutableFactory;
import dev.convj.runtime.train.Sgd;
import dev.convj.runtime.train.Trainer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The built-in small ResNet: its size, its text form, and a short compiled run that learns. */
class ResNetTrainingTest {

    @Test
    void hasTorchvisionStyleBlocksAndPyTorchsParameterCount() {
        Network resnet = Models.byName("resnet");
        // bench/torch_bench.py's SmallResNet counts the same 77,754 parameters.
        assertEquals(77_754, resnet.summary().totalParameters());
        assertEquals(List.of(10), resnet.outputShape());
        assertEquals(NetworkSpec.write(resnet), NetworkSpec.write(NetworkSpec.read(NetworkSpec.write(resnet))));
        assertEquals(List.of("res1", "res2", "res3"), resnet.layers().stream()
                .filter(l -> l.kind().equals("residual")).map(l -> l.name()).toList());
    }

    @Test
    void aShortCompiledRunOnTheEmbeddedSubsetLearns() throws Exception {
        Network resnet = Models.smallResNet();
        FashionMnist.Split data = FashionData.embedded();
        Dataset train = data.train().take(1280);
        Dataset test = data.test().take(500);
        Trainer trainer = Trainer.builder(resnet::graph).inference(resnet::inferenceGraph)
                .factory(ExecutableFactory.compiled(1)).optimizer(Sgd.of(0.05))
                .batchSize(64).seed(3).build();
        Evaluation before = trainer.evaluate(test);
        trainer.fit(train, test, 2);
        Evaluation after = trainer.evaluate(test);
        assertTrue(after.loss() < before.loss() * 0.8, "loss " + before.loss() + " → " + after.loss());
        assertTrue(after.accuracy() > 0.45, "test accuracy " + after.accuracy() + " (chance is 0.10)");
    }
}

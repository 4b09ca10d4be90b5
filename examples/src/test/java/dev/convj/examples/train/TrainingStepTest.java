package dev.convj.examples.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.convj.dsl.Network;
import dev.convj.graph.RunningStatistic;
import dev.convj.runtime.data.Batches;
import dev.convj.runtime.data.Dataset;
import dev.convj.runtime.train.ExecutableFactory;
import dev.convj.runtime.train.Sgd;
import dev.convj.runtime.train.Trainer;
import dev.convj.runtime.train.TrainingStep;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** TrainingStep plus an optimizer outside the trainer's loop takes the trainer's step, bit for bit. */
class TrainingStepTest {

    private static Network network() {
        return Network.input(1, 6, 6).conv2d(3, 3).batchNorm().relu().flatten().dense(4).softmaxCrossEntropy();
    }

    private static Dataset data(int n) {
        Random r = new Random(9);
        float[] x = new float[n * 36];
        int[] y = new int[n];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(4);
        }
        return new Dataset("noise", x, y, 1, 6, 6, 4);
    }

    @Test
    void oneStepByHandEqualsOneTrainerStepIncludingRunningStatistics() {
        Network net = network();
        Dataset data = data(8);
        Trainer trainer = Trainer.builder(net::graph).inference(net::inferenceGraph)
                .factory(ExecutableFactory.interpreter()).optimizer(Sgd.momentum(0.1, 0.9)).batchSize(8).seed(4)
                .build();
        Map<String, float[]> start = trainer.weights();
        trainer.fit(data, null, 1);

        TrainingStep step = TrainingStep.create(net.graph(8), ExecutableFactory.interpreter());
        assertEquals(8, step.batch());
        assertEquals(36, step.imageSize());
        List<float[]> weights = new ArrayList<>();
        step.parameterNames().forEach(p -> weights.add(start.get(p).clone()));
        // The trainer's first epoch visits the data in this order (seed·1,000,003 + epoch).
        Batches order = Batches.shuffled(8, 8, 4 * 1_000_003L + 1);
        float[] x = new float[8 * 36];
        int[] y = new int[8];
        for (int k = 0; k < 8; k++) {
            data.copyImage(order.index(0, k), x, k * 36);
            y[k] = data.label(order.index(0, k));
        }
        TrainingStep.Result r = step.run(weights, x, y, null, 0);
        Sgd.momentum(0.1, 0.9).step(weights, r.gradients());
        Map<String, float[]> expected = trainer.weights();
        for (int i = 0; i < weights.size(); i++) {
            assertArrayEquals(expected.get(step.parameterNames().get(i)), weights.get(i), step.parameterNames().get(i));
        }
        assertEquals(2, step.statistics().size());
        for (RunningStatistic s : step.statistics()) {
            float[] running = start.get(s.runningParameter()).clone();
            TrainingStep.fold(s, running, r.batchStatistics().get(s.runningParameter()));
            assertArrayEquals(expected.get(s.runningParameter()), running, s.runningParameter());
        }
    }

    @Test
    void aClassifierStepRefusesFloatTargetsAndAShortWeightList() {
        TrainingStep step = TrainingStep.create(network().graph(2), ExecutableFactory.interpreter());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> step.run(List.of(), new float[72], new int[2], null, 0));
        assertEquals("the model has 6 parameters " + step.parameterNames() + ", got 0 weight arrays", e.getMessage());
        List<float[]> none = new ArrayList<>();
        step.parameterNames().forEach(p -> none.add(null));
        e = assertThrows(IllegalArgumentException.class, () -> step.run(none, new float[72], null, new float[2], 0));
        assertEquals("this classifier learns labels: pass labels, not targets", e.getMessage());
    }
}

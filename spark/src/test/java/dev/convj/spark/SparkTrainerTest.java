package dev.convj.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.dsl.Network;
import dev.convj.runtime.data.Dataset;
import dev.convj.runtime.train.Adam;
import dev.convj.runtime.train.ExecutableFactory;
import dev.convj.runtime.train.History;
import dev.convj.runtime.train.Optimizer;
import dev.convj.runtime.train.Sgd;
import dev.convj.runtime.train.Trainer;
import dev.convj.runtime.train.TrainingStep;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spark training against one-process training, under injected faults, and across a resume: one local[2,3] context. */
class SparkTrainerTest {
    private static JavaSparkContext sc;
    /** Attempts that the fault hooks failed, counted in this JVM (local mode runs every task here). */
    static final AtomicInteger INJECTED = new AtomicInteger();

    @BeforeAll
    static void start() {
        // local[2,3]: two task threads, a task may fail three times before its job is aborted.
        sc = new JavaSparkContext(new SparkConf().setMaster("local[2,3]").setAppName("SparkTrainerTest")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"));
    }

    @AfterAll
    static void stop() {
        sc.stop();
    }

    /** A small convolutional classifier: compiles in about a second, trains in milliseconds. */
    static Network network() {
        return Network.input(1, 10, 10).conv2d(4, 3).relu().maxPool(2).flatten().dense(16).relu().dense(3)
                .softmaxCrossEntropy();
    }

    /** Images whose class is the brightest of three horizontal bands, plus noise. */
    static Dataset data(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n * 100];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(3);
            for (int p = 0; p < 100; p++) {
                int band = Math.min(2, (p / 10) / 4);
                x[i * 100 + p] = (float) (r.nextGaussian() * 0.3 + (band == y[i] ? 1 : 0));
            }
        }
        return new Dataset("bands", x, y, 1, 10, 10, 3);
    }

    private static SparkTrainer.Builder spark(Optimizer optimizer, int batch, int k) {
        return SparkTrainer.builder(sc, network()).optimizer(optimizer).globalBatch(batch).localSteps(k).seed(7)
                .evaluationFactory(ExecutableFactory.compiled(1));
    }

    private static double maxDifference(Map<String, float[]> a, Map<String, float[]> b) {
        assertEquals(a.keySet(), b.keySet());
        double max = 0;
        for (String name : a.keySet()) {
            float[] u = a.get(name), v = b.get(name);
            for (int i = 0; i < u.length; i++) {
                max = Math.max(max, Math.abs(u[i] - v[i]));
            }
        }
        return max;
    }

    private static void assertSameWeights(Map<String, float[]> expected, Map<String, float[]> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((name, w) -> assertArrayEquals(w, actual.get(name), name));
    }

    /**
     * K = 1 over 2 partitions is synchronous SGD: on a training set of exactly one global batch, every epoch is one
     * step of the whole batch on both sides, so the weights must agree to float rounding. The only difference is
     * the order of summation of the mean gradient (two halves of 32, summed in double, against one sum of 64 in
     * generated code): a few ulps of each gradient, so |Δw| stays below 1e-6 for weights of order 0.1-1.
     */
    @Test
    void oneLocalStepOverTwoPartitionsMatchesOneProcessOnTheSameGlobalBatch() throws Exception {
        for (Supplier<Optimizer> optimizer : List.<Supplier<Optimizer>>of(() -> Sgd.momentum(0.05, 0.9),
                () -> Adam.adam(0.01))) {
            Dataset data = data(64, 3);
            Trainer single = Trainer.builder(network()::graph).factory(ExecutableFactory.compiled(1))
                    .optimizer(optimizer.get()).batchSize(64).seed(7).build();
            History h1 = single.fit(data, null, 4);
            SparkTrainer distributed = spark(optimizer.get(), 64, 1).build();
            History h2 = distributed.fit(SparkData.shards(sc, data, 2, 7), null, 4);
            double diff = maxDifference(single.weights(), distributed.weights());
            System.out.println(optimizer.get() + ": max |Δw| after 4 steps = " + diff);
            assertTrue(diff < 1e-6, optimizer.get() + ": max |Δw| = " + diff);
            for (int e = 0; e < 4; e++) {
                assertEquals(h1.epochs().get(e).trainLoss(), h2.epochs().get(e).trainLoss(), 1e-5, "epoch " + e);
            }
            assertEquals(4, distributed.steps());
        }
    }

    /**
     * K local steps on one partition are plain sequential training over that partition's plan, with the optimizer's
     * state carried from round to round through the driver: replaying the plan by hand gives the same bits.
     */
    @Test
    void localStepsOnOnePartitionReplayTheirPlanExactly() throws Exception {
        Dataset data = data(200, 5);
        JavaRDD<Shard> shards = SparkData.shards(sc, data, 1, 7);
        SparkTrainer distributed = spark(Sgd.momentum(0.05, 0.9), 32, 3).build();
        Map<String, float[]> start = distributed.weights();
        distributed.fit(shards, null, 2);

        Shard shard = shards.collect().get(0);
        Network net = network();
        List<String> names = net.graph(1).parameters().stream().map(n -> n.name()).toList();
        List<float[]> weights = new ArrayList<>();
        names.forEach(n -> weights.add(start.get(n).clone()));
        Optimizer optimizer = Sgd.momentum(0.05, 0.9);
        for (int epoch = 1; epoch <= 2; epoch++) {
            EpochPlan plan = EpochPlan.of(shard.size(), 32, 7, epoch, 0);
            for (int s = 0; s < plan.steps(); s++) {
                int n = plan.sizeOf(s);
                TrainingStep step = TrainingStep.create(net.graph(n), ExecutableFactory.compiled(1));
                float[] x = new float[n * 100];
                int[] y = new int[n];
                for (int k = 0; k < n; k++) {
                    shard.copyImage(plan.index(s, k), x, k * 100);
                    y[k] = shard.labels()[plan.index(s, k)];
                }
                optimizer.step(weights, step.run(weights, x, y, null, 0).gradients());
            }
        }
        Map<String, float[]> actual = distributed.weights();
        for (int i = 0; i < names.size(); i++) {
            assertArrayEquals(weights.get(i), actual.get(names.get(i)), names.get(i));
        }
    }

    /** A task that throws once is retried (local[2,3]) and the round's result is unchanged, bit for bit. */
    @Test
    void aTaskThatFailsOnceLeavesTheResultUnchanged() throws Exception {
        Dataset data = data(256, 11);
        JavaRDD<Shard> shards = SparkData.shards(sc, data, 2, 7);
        for (int k : new int[] {1, 2}) {
            SparkTrainer clean = spark(Adam.adam(0.01), 64, k).build();
            clean.fit(shards, null, 2);
            int before = INJECTED.get();
            SparkTrainer faulty = spark(Adam.adam(0.01), 64, k).taskHook(SparkTrainerTest::failFirstAttemptOfRound2)
                    .build();
            faulty.fit(shards, null, 2);
            assertEquals(before + 2, INJECTED.get(), "one injected failure per epoch");
            assertSameWeights(clean.weights(), faulty.weights());
        }
    }

    static void failFirstAttemptOfRound2(int epoch, int round, int partition, int attempt) {
        if (round == 1 && partition == 1 && attempt == 0) {
            INJECTED.incrementAndGet();
            throw new IllegalStateException("injected failure: epoch " + epoch + ", round 2, partition 1, attempt 0");
        }
    }

    static void alwaysFailEpoch2Round3(int epoch, int round, int partition, int attempt) {
        if (epoch == 2 && round == 2 && partition == 0) {
            throw new IllegalStateException("injected failure: epoch 2, round 3, partition 0, attempt " + attempt);
        }
    }

    /**
     * A run whose task keeps failing is aborted after Spark's retries, naming the injected failure; resuming from
     * its last checkpoint finishes with the same weights and history as a run never stopped.
     */
    @Test
    void resumeAfterAStoppedRunEndsWhereAnUninterruptedRunEnds(@TempDir Path dir) throws Exception {
        Dataset data = data(256, 13);
        JavaRDD<Shard> shards = SparkData.shards(sc, data, 2, 7);
        SparkTrainer whole = spark(Sgd.momentum(0.05, 0.9), 64, 1).build();
        History expected = whole.fit(shards, null, 3);

        SparkTrainer stopped = spark(Sgd.momentum(0.05, 0.9), 64, 1).checkpoint(dir, 1)
                .taskHook(SparkTrainerTest::alwaysFailEpoch2Round3).build();
        SparkException e = assertThrows(SparkException.class, () -> stopped.fit(shards, null, 3));
        assertTrue(e.getMessage().contains("injected failure: epoch 2, round 3, partition 0, attempt 2"),
                e.getMessage());
        assertTrue(Files.isRegularFile(dir.resolve(SparkTrainer.RESUME_FILE)));

        SparkTrainer resumed = spark(Sgd.momentum(0.05, 0.9), 64, 1).checkpoint(dir, 1).resume(true).build();
        History history = resumed.fit(shards, null, 3);
        assertSameWeights(whole.weights(), resumed.weights());
        assertEquals(expected.size(), history.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.epochs().get(i).trainLoss(), history.epochs().get(i).trainLoss(), 0, "epoch " + i);
        }
        assertEquals(whole.steps(), resumed.steps());

        SparkTrainer otherBatch = spark(Sgd.momentum(0.05, 0.9), 32, 1).checkpoint(dir, 1).resume(true).build();
        IllegalArgumentException mismatch = assertThrows(IllegalArgumentException.class,
                () -> otherBatch.fit(shards, null, 3));
        assertTrue(mismatch.getMessage().contains("global_batch = 64, this run has 32"), mismatch.getMessage());
    }

    @Test
    void aGlobalBatchThatDoesNotSplitOverThePartitionsIsRefused() {
        JavaRDD<Shard> shards = SparkData.shards(sc, data(30, 1), 3, 7);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> spark(Sgd.of(0.1), 64, 1).build().fit(shards, null, 1));
        assertEquals("the global batch 64 does not split evenly over 3 partitions: use a multiple of 3 (e.g. 63) or "
                + "another partition count", e.getMessage());
    }

    @Test
    void localSgdLearns() throws Exception {
        Dataset data = data(512, 17);
        SparkTrainer t = spark(Sgd.momentum(0.05, 0.9), 32, 4).build();
        History h = t.fit(SparkData.shards(sc, data, 2, 7), data(200, 19), 4);
        assertTrue(h.last().valAccuracy() > 0.9, h.toCsv());
        assertTrue(Arrays.stream(new double[] {h.last().trainLoss()}).allMatch(l -> l < h.epochs().get(0).trainLoss()));
    }

    /** An RDD of labelled images from user code (e.g. a DataFrame's rows mapped) trains as the dealt shards do. */
    @Test
    void labelledImagesFromAnRddBecomeOneShardPerPartition() throws Exception {
        Dataset data = data(300, 23);
        List<LabelledImage> rows = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            rows.add(new LabelledImage(data.image(i), data.label(i)));
        }
        JavaRDD<Shard> shards = SparkData.shards(sc.parallelize(rows, 5), 2, 7);
        List<Shard> collected = shards.collect();
        assertEquals(2, collected.size());
        assertEquals(300, collected.get(0).size() + collected.get(1).size());
        assertEquals(List.of(0, 1), collected.stream().map(Shard::partition).toList());
        int[] counts = new int[3];
        collected.forEach(s -> Arrays.stream(s.labels()).forEach(l -> counts[l]++));
        assertArrayEquals(data.classCounts(), counts);
        SparkTrainer t = spark(Sgd.momentum(0.05, 0.9), 32, 2).build();
        History h = t.fit(shards, null, 3);
        assertTrue(h.last().trainLoss() < h.epochs().get(0).trainLoss(), h.toCsv());
        SparkTrainer again = spark(Sgd.momentum(0.05, 0.9), 32, 2).build();
        again.fit(SparkData.shards(sc.parallelize(rows, 5), 2, 7), null, 3);
        assertSameWeights(t.weights(), again.weights());
    }

    @Test
    void imagesOfDifferentSizesAreRefusedNamingThePartition() {
        List<LabelledImage> rows = List.of(new LabelledImage(new float[100], 0), new LabelledImage(new float[99], 1));
        SparkException e = assertThrows(SparkException.class,
                () -> SparkData.shards(sc.parallelize(rows, 1), 1, 7).count());
        assertTrue(e.getMessage().contains("partition 0: an image has 99 pixels where the first has 100; every image "
                + "must have the model's input size"), e.getMessage());
    }
}

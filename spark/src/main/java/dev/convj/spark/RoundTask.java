package dev.convj.spark;

import dev.convj.dsl.Network;
import dev.convj.dsl.NetworkSpec;
import dev.convj.graph.RunningStatistic;
import dev.convj.runtime.train.ExecutableFactory;
import dev.convj.runtime.train.Optimizer;
import dev.convj.runtime.train.TrainingStep;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.spark.TaskContext;

/**
 * What one task does in a round, on an executor: up to K local steps of the generated training step on its
 * partition's share (as {@link EpochPlan} deals it), then its images-weighted contribution to the round's sum. The
 * result depends only on the broadcast, the shard and (seed, epoch, round, partition), so a retried attempt
 * returns the same sum. Compiled steps are kept per executor JVM, one per task thread at a time, so that each
 * model and batch size is generated and compiled once per JVM (and found in the disk cache by the next JVM).
 */
final class RoundTask {
    private RoundTask() {}

    private static final Map<String, Network> NETWORKS = new ConcurrentHashMap<>();
    private static final Map<String, ConcurrentLinkedQueue<PooledStep>> STEPS = new ConcurrentHashMap<>();

    /** A compiled step and its input buffers, used by one task at a time. */
    private record PooledStep(TrainingStep step, float[] x, int[] y) {}

    static RoundSum run(Shard shard, RoundInput in, WorkerConfig cfg) {
        TaskContext task = TaskContext.get();
        cfg.hook().beforeRound(in.epoch(), in.round(), shard.partition(), task == null ? 0 : task.attemptNumber());
        long start = System.nanoTime();
        EpochPlan plan = EpochPlan.of(shard.size(), cfg.localBatch(), cfg.seed(), in.epoch(), shard.partition());
        int first = in.round() * cfg.localSteps(), last = Math.min(first + cfg.localSteps(), plan.steps());
        RoundSum sum = RoundSum.empty();
        if (first >= last) {
            return sum; // this partition's share of the epoch ran out before the others'
        }
        float[][] weights = copy(in.weights());
        float[][] running = copy(in.running());
        Optimizer optimizer = cfg.averagesGradients() ? null : copyOf(in.optimizer());
        List<float[]> weightList = Arrays.asList(weights);
        float[][] gradients = null;
        for (int s = first; s < last; s++) {
            int n = plan.sizeOf(s);
            String key = cfg.architecture() + "\n" + n + "\n" + cfg.threadsPerTask();
            ConcurrentLinkedQueue<PooledStep> pool = STEPS.computeIfAbsent(key, k -> new ConcurrentLinkedQueue<>());
            PooledStep pooled = pool.poll();
            if (pooled == null) {
                pooled = compile(cfg, n);
            }
            try {
                for (int k = 0; k < n; k++) {
                    int i = plan.index(s, k);
                    shard.copyImage(i, pooled.x(), k * shard.imageSize());
                    pooled.y()[k] = shard.labels()[i];
                }
                long counter = (in.stepBase() + s - first) * cfg.partitions() + shard.partition();
                TrainingStep.Result r = pooled.step().run(weightList, pooled.x(), pooled.y(), null, counter);
                if (!Double.isFinite(r.loss())) {
                    throw new IllegalStateException("the loss became " + r.loss() + " in epoch " + in.epoch()
                            + ", round " + (in.round() + 1) + ", partition " + shard.partition() + ", local step "
                            + (s - first + 1) + "; lower the learning rate (now " + (optimizer != null
                            ? optimizer.learningRate() : "the driver's") + ")");
                }
                sum.lossSum += r.loss() * n;
                sum.correct += r.correct();
                sum.images += n;
                List<RunningStatistic> statistics = pooled.step().statistics();
                for (RunningStatistic stat : statistics) {
                    int at = cfg.runningNames().indexOf(stat.runningParameter());
                    TrainingStep.fold(stat, running[at], r.batchStatistics().get(stat.runningParameter()));
                }
                if (optimizer == null) {
                    // K = 1: one step, whose mean gradient the driver weights by n (copied: the buffers are reused)
                    gradients = r.gradients().stream().map(float[]::clone).toArray(float[][]::new);
                } else {
                    optimizer.step(weightList, r.gradients());
                }
            } finally {
                pool.add(pooled);
            }
        }
        RoundSum own = RoundSum.own(sum.images, optimizer == null ? gradients : weights, running,
                optimizer == null ? null : optimizer.state().tables());
        own.lossSum = sum.lossSum;
        own.correct = sum.correct;
        own.maxSteps = last - first;
        own.workers = 1;
        sum = own;
        sum.maxComputeNanos = System.nanoTime() - start;
        return sum;
    }

    private static PooledStep compile(WorkerConfig cfg, int batch) {
        Network network = NETWORKS.computeIfAbsent(cfg.architecture(), NetworkSpec::read);
        TrainingStep step = TrainingStep.create(network.graph(batch),
                ExecutableFactory.compiled(cfg.threadsPerTask()));
        return new PooledStep(step, new float[batch * step.imageSize()], new int[batch]);
    }

    private static float[][] copy(float[][] a) {
        float[][] c = new float[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }

    /** A private copy: the broadcast optimizer is shared by every task of the executor. */
    static <T> T copyOf(T value) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(value);
            }
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                @SuppressWarnings("unchecked")
                T copy = (T) in.readObject();
                return copy;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }
}

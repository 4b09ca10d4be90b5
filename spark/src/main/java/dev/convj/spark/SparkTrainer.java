package dev.convj.spark;

import dev.convj.dsl.Network;
import dev.convj.dsl.NetworkSpec;
import dev.convj.runtime.data.Dataset;
import dev.convj.runtime.train.EpochStats;
import dev.convj.runtime.train.Evaluation;
import dev.convj.runtime.train.ExecutableFactory;
import dev.convj.runtime.train.History;
import dev.convj.runtime.train.LrSchedule;
import dev.convj.runtime.train.Optimizer;
import dev.convj.runtime.train.Trainer;
import dev.convj.runtime.train.WeightInit;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * Data-parallel training on Spark by synchronous rounds. Each round the driver broadcasts the weights; every
 * partition runs K local steps of the generated training step on its share of the global batch; {@code treeAggregate}
 * sums the images-weighted results; the driver updates the model. K = 1 is synchronous SGD: the partitions'
 * gradients average to the gradient of the global batch and the driver's optimizer steps, so its state (momentum,
 * Adam's moments) stays on the driver, exactly as in one process. K &gt; 1 is local SGD (model averaging): each
 * worker steps a copy of the optimizer, state included, and the driver averages weights and state, so that momentum
 * carries over from round to round instead of restarting. The learning-rate schedule is applied per epoch on the
 * driver. Every {@code checkpointEvery} rounds and after each epoch the driver writes {@value #RESUME_FILE}
 * atomically; {@link Builder#resume} continues from it.
 */
public final class SparkTrainer {
    /** The file in the checkpoint directory that {@link Builder#resume} continues from. */
    public static final String RESUME_FILE = "resume.convj";

    private final JavaSparkContext sc;
    private final Network network;
    private final String architecture;
    private final Optimizer optimizer;
    private final LrSchedule schedule;
    private final double baseLearningRate;
    private final int globalBatch, localSteps, threadsPerTask, checkpointEvery;
    private final long seed;
    private final Path checkpointDir;
    private final boolean resume;
    private final TaskHook hook;
    private final Consumer<String> log;
    /** Evaluates on the driver, and holds the initial weights and running statistics. */
    private final Trainer evaluator;
    private final List<String> parameterNames, runningNames;
    private float[][] weights, running;
    private long steps;
    private int roundsRun;
    private final List<EpochStats> finished = new ArrayList<>();

    private SparkTrainer(Builder b) {
        this.sc = b.sc;
        this.network = b.network;
        this.architecture = NetworkSpec.write(b.network);
        this.optimizer = b.optimizer;
        this.baseLearningRate = b.optimizer.learningRate();
        this.schedule = b.schedule;
        this.globalBatch = b.globalBatch;
        this.localSteps = b.localSteps;
        this.threadsPerTask = b.threadsPerTask;
        this.checkpointEvery = b.checkpointEvery;
        this.seed = b.seed;
        this.checkpointDir = b.checkpointDir;
        this.resume = b.resume;
        this.hook = b.hook;
        this.log = b.log;
        Trainer.Builder t = Trainer.builder(network::graph).inference(network::inferenceGraph)
                .factory(b.evaluationFactory).batchSize(256).seed(seed).init(b.init);
        if (b.weights != null) {
            t.weights(b.weights);
        }
        this.evaluator = t.build();
        if (evaluator.isRegression()) {
            throw new IllegalArgumentException("Spark training trains classifiers (integer labels); this model learns "
                    + "float targets");
        }
        Map<String, float[]> initial = evaluator.weights();
        this.parameterNames = network.graph(1).parameters().stream().map(n -> n.name()).toList();
        this.runningNames = initial.keySet().stream().filter(n -> !parameterNames.contains(n)).toList();
        this.weights = parameterNames.stream().map(initial::get).toArray(float[][]::new);
        this.running = runningNames.stream().map(initial::get).toArray(float[][]::new);
    }

    /** A builder for training {@code network} on the cluster behind {@code sc}. */
    public static Builder builder(JavaSparkContext sc, Network network) {
        return new Builder(sc, network);
    }

    /** Settings; defaults: SGD lr 0.01, global batch 64, K = 1, one thread per task, seed 1, no checkpoints. */
    public static final class Builder {
        private final JavaSparkContext sc;
        private final Network network;
        private Optimizer optimizer = dev.convj.runtime.train.Sgd.of(0.01);
        private LrSchedule schedule = LrSchedule.constant();
        private WeightInit init = WeightInit.DEFAULT;
        private Map<String, float[]> weights;
        private int globalBatch = 64, localSteps = 1, threadsPerTask = 1, checkpointEvery = 0;
        private long seed = 1;
        private Path checkpointDir;
        private boolean resume;
        private TaskHook hook = TaskHook.none();
        private Consumer<String> log = line -> {};
        private ExecutableFactory evaluationFactory = ExecutableFactory.compiled(
                Runtime.getRuntime().availableProcessors());

        private Builder(JavaSparkContext sc, Network network) {
            this.sc = sc;
            this.network = network;
        }

        public Builder optimizer(Optimizer o) {
            this.optimizer = o;
            return this;
        }

        public Builder schedule(LrSchedule s) {
            this.schedule = s;
            return this;
        }

        public Builder init(WeightInit i) {
            this.init = i;
            return this;
        }

        /** Starts from these weights and running statistics (e.g. a loaded model) instead of initializing. */
        public Builder weights(Map<String, float[]> w) {
            this.weights = w;
            return this;
        }

        /** Images per global step, split evenly over the partitions (a multiple of their number). */
        public Builder globalBatch(int b) {
            this.globalBatch = b;
            return this;
        }

        /** K: local steps per round; 1 is synchronous SGD, more trades exactness for fewer rounds (local SGD). */
        public Builder localSteps(int k) {
            this.localSteps = k;
            return this;
        }

        /** Threads each task's generated code uses (match spark.task.cpus). */
        public Builder threadsPerTask(int t) {
            this.threadsPerTask = t;
            return this;
        }

        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** Writes {@value #RESUME_FILE} into {@code dir} every {@code rounds} rounds (0: only after each epoch). */
        public Builder checkpoint(Path dir, int rounds) {
            this.checkpointDir = dir;
            this.checkpointEvery = rounds;
            return this;
        }

        /** Continues from the checkpoint directory's {@value #RESUME_FILE} when there is one. */
        public Builder resume(boolean r) {
            this.resume = r;
            return this;
        }

        public Builder taskHook(TaskHook h) {
            this.hook = h;
            return this;
        }

        /** Receives the progress lines (per round, at most about one a second) and one line per epoch. */
        public Builder log(Consumer<String> lines) {
            this.log = lines;
            return this;
        }

        /** How the driver runs evaluation (default: generated code on all the driver's cores). */
        public Builder evaluationFactory(ExecutableFactory f) {
            this.evaluationFactory = f;
            return this;
        }

        public SparkTrainer build() {
            if (globalBatch < 1 || localSteps < 1 || threadsPerTask < 1 || checkpointEvery < 0) {
                throw new IllegalArgumentException("Spark training needs a global batch ≥ 1, K ≥ 1 local steps, ≥ 1 "
                        + "thread per task and checkpoints every ≥ 0 rounds; got batch " + globalBatch + ", K "
                        + localSteps + ", threads " + threadsPerTask + ", checkpoint every " + checkpointEvery);
            }
            if (resume && checkpointDir == null) {
                throw new IllegalArgumentException("resume needs a checkpoint directory: call checkpoint(dir, rounds)");
            }
            return new SparkTrainer(this);
        }
    }

    /** What one round did, for the progress line. */
    private record RoundLog(int epoch, int round, int rounds, long images, double seconds, double computeSeconds,
                            int workers) {}

    /**
     * Trains for {@code epochs} epochs over {@code shards} (one {@link Shard} per partition), evaluating on
     * {@code validation} (may be null) after each. On resume the epochs already finished are skipped and the history
     * returned includes them.
     */
    public History fit(JavaRDD<Shard> shards, Dataset validation, int epochs) throws IOException {
        if (epochs < 1) {
            throw new IllegalArgumentException("the number of epochs must be ≥ 1, got " + epochs);
        }
        int partitions = shards.getNumPartitions();
        if (globalBatch % partitions != 0) {
            throw new IllegalArgumentException("the global batch " + globalBatch + " does not split evenly over "
                    + partitions + " partitions: use a multiple of " + partitions + " (e.g. "
                    + Math.max(partitions, globalBatch / partitions * partitions) + ") or another partition count");
        }
        WorkerConfig cfg = new WorkerConfig(architecture, globalBatch / partitions, localSteps, threadsPerTask,
                partitions, seed, runningNames, hook);
        int[] sizes = shards.map(Shard::size).collect().stream().mapToInt(Integer::intValue).toArray();
        int maxSteps = 0;
        for (int s : sizes) {
            maxSteps = Math.max(maxSteps, (s + cfg.localBatch() - 1) / cfg.localBatch());
        }
        int rounds = (maxSteps + localSteps - 1) / localSteps;
        Progress at = new Progress(1, 0, new EpochSums());
        if (resume && ResumeFile.exists(checkpointDir)) {
            ResumeFile.State state = ResumeFile.load(checkpointDir, architecture, settings(partitions));
            weights = state.weights(parameterNames);
            running = state.running(runningNames);
            optimizer.restore(state.optimizer());
            steps = state.steps();
            finished.clear();
            finished.addAll(state.history());
            at = new Progress(state.epoch(), state.roundsDone(), state.sums());
            log.accept(String.format(Locale.ROOT, "resuming from %s: epoch %d, round %d of %d (%d epochs done)",
                    checkpointDir.resolve(RESUME_FILE), at.epoch, at.round, rounds, finished.size()));
        }
        for (int epoch = at.epoch; epoch <= epochs; epoch++) {
            optimizer.setLearningRate(schedule.rate(epoch - 1, baseLearningRate));
            EpochSums sums = epoch == at.epoch ? at.sums : new EpochSums();
            for (int round = epoch == at.epoch ? at.round : 0; round < rounds; round++) {
                long start = System.nanoTime();
                RoundSum sum = round(shards, cfg, epoch, round);
                double seconds = (System.nanoTime() - start) / 1e9;
                apply(sum, epoch, round);
                sums.add(sum, seconds);
                roundsRun++;
                progress(new RoundLog(epoch, round + 1, rounds, sum.images, seconds, sum.maxComputeNanos / 1e9,
                        sum.workers), sums, epochs, round + 1 == rounds);
                if (checkpointDir != null && checkpointEvery > 0 && round + 1 < rounds
                        && roundsRun % checkpointEvery == 0) {
                    save(partitions, epoch, round + 1, sums);
                }
            }
            double valLoss = Double.NaN, valAcc = Double.NaN;
            if (validation != null) {
                Evaluation v = evaluate(validation);
                valLoss = v.loss();
                valAcc = v.accuracy();
            }
            EpochStats stats = new EpochStats(epoch, optimizer.learningRate(), sums.lossSum / sums.images,
                    (double) sums.correct / sums.images, valLoss, valAcc, sums.seconds, sums.images / sums.seconds);
            finished.add(stats);
            log.accept(stats.line(epochs) + String.format(Locale.ROOT, "  (%d rounds of K=%d over %d partitions)",
                    rounds, localSteps, partitions));
            if (checkpointDir != null) {
                save(partitions, epoch + 1, 0, new EpochSums());
            }
        }
        return History.of(finished);
    }

    private record Progress(int epoch, int round, EpochSums sums) {}

    private Map<String, String> settings(int partitions) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("global_batch", Integer.toString(globalBatch));
        s.put("local_steps", Integer.toString(localSteps));
        s.put("partitions", Integer.toString(partitions));
        s.put("seed", Long.toString(seed));
        s.put("optimizer", optimizer.getClass().getSimpleName());
        return s;
    }

    private void save(int partitions, int epoch, int roundsDone, EpochSums sums) throws IOException {
        ResumeFile.save(checkpointDir, architecture, settings(partitions), parameterNames, weights, runningNames,
                running, optimizer.state(), steps, epoch, roundsDone, sums, finished);
    }

    private RoundSum round(JavaRDD<Shard> shards, WorkerConfig cfg, int epoch, int round) {
        RoundInput input = new RoundInput(epoch, round, steps, weights, running,
                cfg.averagesGradients() ? null : optimizer);
        Broadcast<RoundInput> broadcast = sc.broadcast(input);
        try {
            RoundSum sum = shards.treeAggregate(RoundSum.empty(),
                    (acc, shard) -> acc.merge(RoundTask.run(shard, broadcast.value(), cfg)), RoundSum::merge, 2);
            if (sum.isEmpty()) {
                throw new IllegalStateException("epoch " + epoch + ", round " + (round + 1) + ": no partition had an "
                        + "image left to train on");
            }
            return sum;
        } finally {
            broadcast.destroy();
        }
    }

    /** The driver's update: one optimizer step on the averaged gradient (K = 1), or the averaged model (K > 1). */
    private void apply(RoundSum sum, int epoch, int round) {
        float[][] mean = sum.meanParams();
        if (localSteps == 1) {
            optimizer.step(Arrays.asList(weights), Arrays.asList(mean));
            steps++;
        } else {
            weights = mean;
            float[][][] tables = new float[sum.tableCount()][][];
            for (int t = 0; t < tables.length; t++) {
                tables[t] = sum.meanTable(t);
            }
            optimizer.restore(new Optimizer.State(optimizer.steps() + sum.maxSteps, tables));
            steps += sum.maxSteps;
        }
        if (running.length > 0) {
            running = sum.meanRunning();
        }
        for (int i = 0; i < weights.length; i++) {
            for (int j = 0; j < weights[i].length; j++) {
                if (!Float.isFinite(weights[i][j])) {
                    throw new IllegalStateException("weight " + parameterNames.get(i) + "[" + j + "] became "
                            + weights[i][j] + " after epoch " + epoch + ", round " + (round + 1) + " (" + optimizer
                            + "): lower the learning rate");
                }
            }
        }
    }

    private long lastPrint;

    private void progress(RoundLog r, EpochSums sums, int epochs, boolean last) {
        long now = System.nanoTime();
        if (!last && now - lastPrint < 1_000_000_000L) {
            return;
        }
        lastPrint = now;
        log.accept(String.format(Locale.ROOT, "epoch %d/%d round %d/%d  loss %.4f  acc %.2f%%  %,.0f img/s  "
                        + "%d workers  round %.0f ms (compute %.0f, Spark %.0f)", r.epoch(), epochs, r.round(),
                r.rounds(), sums.lossSum / sums.images, 100.0 * sums.correct / sums.images,
                sums.images / sums.seconds, r.workers(), 1e3 * r.seconds(), 1e3 * r.computeSeconds(),
                1e3 * Math.max(0, r.seconds() - r.computeSeconds())));
    }

    /** Loss, accuracy and confusion matrix of the current weights on {@code data}, evaluated on the driver. */
    public Evaluation evaluate(Dataset data) {
        evaluator.setWeights(weights());
        return evaluator.evaluate(data);
    }

    /** A copy of the current weights by parameter name, then the running statistics: what a model file saves. */
    public Map<String, float[]> weights() {
        Map<String, float[]> w = new LinkedHashMap<>();
        for (int i = 0; i < parameterNames.size(); i++) {
            w.put(parameterNames.get(i), weights[i].clone());
        }
        for (int i = 0; i < runningNames.size(); i++) {
            w.put(runningNames.get(i), running[i].clone());
        }
        return w;
    }

    /** The network's description, as a model file stores it. */
    public String architecture() {
        return architecture;
    }

    /** Global steps so far: one per round for K = 1, K per round otherwise. */
    public long steps() {
        return steps;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    /** A running epoch's sums: images, loss, hits and seconds spent in rounds. */
    static final class EpochSums {
        long images, correct;
        double lossSum, seconds;

        void add(RoundSum sum, double roundSeconds) {
            images += sum.images;
            correct += sum.correct;
            lossSum += sum.lossSum;
            seconds += roundSeconds;
        }
    }
}

package dev.convj.runtime.train;

import dev.convj.graph.Roles;
import dev.convj.graph.DType;
import dev.convj.graph.Fmt;
import dev.convj.graph.Graph;
import dev.convj.graph.ModelGraph;
import dev.convj.graph.Node;
import dev.convj.graph.RunningStatistic;
import dev.convj.graph.autodiff.Autodiff;
import dev.convj.graph.autodiff.GradientGraph;
import dev.convj.runtime.Executable;
import dev.convj.runtime.data.Batches;
import dev.convj.runtime.data.Dataset;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * Trains a model through the {@link Executable} interface: a classifier (integer labels, e.g. softmax
 * cross-entropy; loss and accuracy are reported) or a regression model (a float target per image, e.g. an
 * autoencoder's MSE; only the loss is reported). For each batch size it meets (the batch size and, when the dataset
 * is not a multiple of it, the size of the last partial batch) it lowers the model with {@code model.apply(batch)},
 * derives the gradient graph with {@link Autodiff}, asks the {@link ExecutableFactory} for an executable and caches
 * it. A step sets the parameters, images and targets (and the global step counter when the graph has the i32 input
 * {@value #STEP}, which seeds dropout masks), runs, reads the loss, the output and every parameter's gradient, lets
 * the {@link Optimizer} update the parameters in place, and folds the batch statistics the graph outputs into the
 * running statistics ({@link ModelGraph#runningStatistics()}, e.g. batch normalization's). This class is the loop;
 * the weights live in a {@code WeightStore} and evaluation runs in an {@code Evaluator}, both of this package.
 * <p>Evaluation and prediction run the inference graph ({@link Builder#inference}, e.g. {@code network::inferenceGraph}:
 * running statistics, no dropout), whose extra parameters (the running statistics) the trainer keeps beside the
 * weights: {@link #weights()} returns both, so that a saved model carries them.
 * <pre>{@code
 * Trainer trainer = Trainer.builder(network::graph).inference(network::inferenceGraph)
 *         .factory(ExecutableFactory.interpreter())
 *         .optimizer(Sgd.momentum(0.01, 0.9)).batchSize(64).seed(1).build();
 * History history = trainer.fit(data.train(), data.test(), 5);
 * }</pre>
 * Not thread-safe.
 */
public final class Trainer {
    /** The name of the i32 scalar input that receives the global step counter (the DSL's dropout reads it). */
    public static final String STEP = Roles.STEP;

    private final IntFunction<ModelGraph> model;
    private final IntFunction<ModelGraph> inference;
    private final boolean regression;
    private final ExecutableFactory factory;
    private final Optimizer optimizer;
    private final LrSchedule schedule;
    private final double baseLearningRate;
    private final int batchSize;
    private final long seed;
    private final List<Callback> callbacks;
    private final Consumer<String> log;
    private final PrintStream progressBar;
    private final WeightStore store;
    private final Evaluator evaluator;
    /** The store's live arrays by name. */
    private final Map<String, float[]> weights;
    private final List<String> parameterNames;
    private final List<String> stateNames;
    private final Map<Integer, TrainStep> trainSteps = new HashMap<>();
    private final List<float[]> weightList;
    private int epochsDone;
    private long steps;
    /** The loss of the first batch of the current {@link #fit}: the starting model's, which divergence is judged by. */
    private double firstLoss = Double.NaN;
    /** The loss of the batch trained last, for the message when a loss becomes non-finite. */
    private double lastLoss = Double.NaN;

    /** An epoch whose mean loss exceeds this multiple of the starting loss, and is not falling, has diverged. */
    static final double DIVERGENCE_FACTOR = 10;

    private Trainer(Builder b) {
        this.model = b.model;
        this.inference = b.inference != null ? b.inference : b.model;
        this.factory = b.factory;
        this.optimizer = b.optimizer;
        this.schedule = b.schedule;
        this.baseLearningRate = b.optimizer.learningRate();
        this.batchSize = b.batchSize;
        this.seed = b.seed;
        this.callbacks = List.copyOf(b.callbacks);
        this.log = b.log;
        this.progressBar = b.progressBar;
        ModelGraph probe = model.apply(1);
        ModelGraph inferenceProbe = inference.apply(1);
        Node target = probe.graph().node(probe.targetName());
        if (target.dtype() != DType.I32 && target.dtype() != DType.F32) {
            throw new IllegalArgumentException("the trainer trains classifiers (integer labels) and regression models "
                    + "(float targets); this model's target " + target.name() + " is " + target.typeString());
        }
        this.regression = isRegression(probe);
        checkInference(probe, inferenceProbe);
        this.store = new WeightStore(probe, inferenceProbe);
        this.weights = store.values();
        this.parameterNames = store.parameterNames();
        this.stateNames = store.stateNames();
        this.weightList = store.trainable();
        this.evaluator = new Evaluator(inference, factory, regression, batchSize, store, () -> steps);
        Map<String, float[]> initial = b.weights;
        if (initial == null) {
            initial = new LinkedHashMap<>(b.init.initialize(probe.graph(), seed));
            // Running statistics start from their own rule (mean 0, variance 1), whatever the weights' scheme.
            Map<String, float[]> state = WeightInit.DEFAULT.initialize(inferenceProbe.graph(), seed);
            for (String name : stateNames) {
                initial.put(name, state.get(name));
            }
        }
        setWeights(initial);
    }

    /** The inference graph must read the same image and produce the same output, and hold every running statistic. */
    private void checkInference(ModelGraph training, ModelGraph inf) {
        Node x = training.graph().node(training.input()), y = training.graph().node(training.output());
        Node ix = inf.graph().node(inf.input()), iy = inf.graph().node(inf.output());
        if (!x.shape().equals(ix.shape()) || !y.shape().equals(iy.shape())) {
            throw new IllegalArgumentException("the inference graph maps " + ix.typeString() + " to " + iy.typeString()
                    + " but the training graph maps " + x.typeString() + " to " + y.typeString());
        }
        for (RunningStatistic r : training.runningStatistics()) {
            if (!inf.graph().has(r.runningParameter()) || inf.parameters().stream()
                    .noneMatch(p -> p.name().equals(r.runningParameter()))) {
                throw new IllegalArgumentException("the training graph keeps the running statistic "
                        + r.runningParameter() + " (from " + r.batchNode() + ") but the inference graph has no such "
                        + "parameter; pass the network's inference graph with inference(network::inferenceGraph)");
            }
        }
    }

    /** A builder for a model given as batch size → graph, e.g. {@code network::graph}. */
    public static Builder builder(IntFunction<ModelGraph> model) {
        return new Builder(model);
    }

    /** Settings of a trainer; defaults: interpreter, SGD lr 0.01, batch 64, seed 1, PyTorch's initialization. */
    public static final class Builder {
        private final IntFunction<ModelGraph> model;
        private IntFunction<ModelGraph> inference;
        private ExecutableFactory factory = ExecutableFactory.interpreter();
        private Optimizer optimizer = Sgd.of(0.01);
        private LrSchedule schedule = LrSchedule.constant();
        private int batchSize = 64;
        private long seed = 1;
        private WeightInit init = WeightInit.DEFAULT;
        private Map<String, float[]> weights;
        private final List<Callback> callbacks = new ArrayList<>();
        private Consumer<String> log;
        private PrintStream progressBar;

        private Builder(IntFunction<ModelGraph> model) {
            this.model = model;
        }

        /**
         * The graph that {@link #evaluate} and {@link #logits} run, e.g. {@code network::inferenceGraph} (batch
         * normalization with running statistics, no dropout); default: the training graph.
         */
        public Builder inference(IntFunction<ModelGraph> inferenceModel) {
            this.inference = inferenceModel;
            return this;
        }

        /** The backend: how graphs become executables (default: the float32 interpreter). */
        public Builder factory(ExecutableFactory f) {
            this.factory = f;
            return this;
        }

        public Builder optimizer(Optimizer o) {
            this.optimizer = o;
            return this;
        }

        /** Sets the learning rate of each epoch from the optimizer's initial one. */
        public Builder schedule(LrSchedule s) {
            this.schedule = s;
            return this;
        }

        public Builder batchSize(int b) {
            if (b < 1) {
                throw new IllegalArgumentException("the batch size must be ≥ 1, got " + b);
            }
            this.batchSize = b;
            return this;
        }

        /** Seeds the initial weights and each epoch's shuffle. */
        public Builder seed(long s) {
            this.seed = s;
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

        public Builder callback(Callback c) {
            this.callbacks.add(c);
            return this;
        }

        /** Receives one line per epoch (and a note when training stops early); null (the default) is silent. */
        public Builder log(Consumer<String> lines) {
            this.log = lines;
            return this;
        }

        /** Prints one line per epoch to {@code out}. */
        public Builder log(PrintStream out) {
            this.log = out::println;
            return this;
        }

        /** Shows a progress bar (images, loss, accuracy, images/s) on {@code out} while an epoch runs; null: none. */
        public Builder progressBar(PrintStream out) {
            this.progressBar = out;
            return this;
        }

        public Trainer build() {
            return new Trainer(this);
        }
    }

    /** One cached training-step executable and its reusable buffers; y holds labels, t float targets (one is null). */
    private record TrainStep(Executable exe, String loss, String output, String input, String target, boolean step,
                             List<String> gradients, List<RunningStatistic> statistics, float[] x, int[] y, float[] t,
                             List<float[]> gradBuffers) {}


    private TrainStep trainStep(int batch) {
        return trainSteps.computeIfAbsent(batch, b -> {
            ModelGraph mg = model.apply(b);
            GradientGraph gg = Autodiff.gradients(mg.graph(), mg.lossName());
            List<String> grads = parameterNames.stream().map(p -> gg.gradientOf(p).name()).toList();
            Set<String> outputs = new LinkedHashSet<>(List.of(mg.lossName(), mg.output()));
            outputs.addAll(grads);
            mg.runningStatistics().forEach(r -> outputs.add(r.batchNode()));
            Graph g = gg.graph().withOutputs(new ArrayList<>(outputs));
            Executable exe = factory.create(g);
            int per = g.node(mg.input()).shape().size() / b;
            int perTarget = g.node(mg.targetName()).shape().size() / b;
            return new TrainStep(exe, mg.lossName(), mg.output(), mg.input(), mg.targetName(), hasStep(g), grads,
                    mg.runningStatistics(), new float[b * per], regression ? null : new int[b],
                    regression ? new float[b * perTarget] : null,
                    new ArrayList<>(Collections.nCopies(grads.size(), null)));
        });
    }


    static boolean hasStep(Graph g) {
        return g.has(STEP) && g.inputs().stream().anyMatch(n -> n.name().equals(STEP) && n.dtype() == DType.I32);
    }

    /** The batch sizes for which a training executable was created so far. */
    public Set<Integer> trainingBatchSizes() {
        return Collections.unmodifiableSet(trainSteps.keySet());
    }

    /**
     * Trains for {@code epochs} epochs over {@code train} in a seeded shuffled order, evaluating on
     * {@code validation} (may be null) after each epoch and calling the callbacks.
     */
    public History fit(Dataset train, Dataset validation, int epochs) {
        if (epochs < 1) {
            throw new IllegalArgumentException("the number of epochs must be ≥ 1, got " + epochs);
        }
        evaluator.checkShape(train);
        if (validation != null) {
            evaluator.checkShape(validation);
        }
        History history = new History();
        firstLoss = Double.NaN;
        lastLoss = Double.NaN;
        // Later checks take the weights as finite; a model loaded with NaN in it is named here, not blamed on a step.
        weights.forEach((name, w) -> {
            int bad = NonFinite.find(w);
            if (bad >= 0) {
                throw new IllegalStateException("the starting weight " + name + "[" + bad + "] is " + w[bad]);
            }
        });
        try {
            for (int e = 0; e < epochs; e++) {
                int epoch = ++epochsDone;
                double lr = schedule.rate(epoch - 1, baseLearningRate);
                optimizer.setLearningRate(lr);
                long start = System.nanoTime();
                double[] lossAcc = trainEpoch(train, epoch, epochs, e + 1);
                double seconds = (System.nanoTime() - start) / 1e9;
                checkDivergence(epoch, lossAcc[0], history);
                double valLoss = Double.NaN, valAcc = Double.NaN;
                if (validation != null) {
                    Evaluation v = evaluate(validation);
                    valLoss = v.loss();
                    valAcc = v.accuracy();
                }
                EpochStats stats = new EpochStats(epoch, lr, lossAcc[0], lossAcc[1], valLoss, valAcc, seconds,
                        train.size() / Math.max(seconds, 1e-9));
                history.add(stats);
                if (log != null) {
                    log.accept(stats.line(epochs));
                }
                boolean stop = false;
                for (Callback c : callbacks) {
                    c.onEpochEnd(this, stats);
                }
                for (Callback c : callbacks) {
                    stop |= c.stopTraining();
                }
                if (stop) {
                    if (log != null) {
                        log.accept("stopping early after epoch " + epoch);
                    }
                    break;
                }
            }
            for (Callback c : callbacks) {
                c.onTrainEnd(this, history);
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return history;
    }

    /** One epoch; returns {mean loss, accuracy (NaN for a regression model)} over the epoch's images. */
    private double[] trainEpoch(Dataset data, int epoch, int epochs, int ordinal) {
        Batches batches = Batches.shuffled(data.size(), batchSize, seed * 1_000_003L + epoch);
        ProgressReporter progress = progressBar != null
                ? new ProgressReporter(progressBar, "epoch " + ordinal + "/" + epochs, data.size()) : null;
        double lossSum = 0;
        long correct = 0, seen = 0;
        try {
            for (int b = 0; b < batches.count(); b++) {
                int n = batches.sizeOf(b);
                TrainStep step = trainStep(n);
                fill(data, batches, b, n, step.x(), step.y(), step.t());
                checkInputs(data, batches, b, step.x(), step.t(), epoch);
                Executable exe = step.exe();
                for (String p : parameterNames) {
                    exe.set(p, weights.get(p));
                }
                exe.set(step.input(), step.x());
                setTarget(exe, step.target(), step.y(), step.t());
                if (step.step()) {
                    exe.setInts(STEP, new int[] {(int) steps});
                }
                exe.run();
                float loss = exe.get(step.loss())[0];
                if (!Float.isFinite(loss)) {
                    throw nonFiniteLoss(loss, where(epoch, b));
                }
                if (Double.isNaN(firstLoss)) {
                    firstLoss = loss;
                }
                lastLoss = loss;
                if (!regression) {
                    correct += countCorrect(exe.get(step.output()), step.y(), n);
                }
                lossSum += (double) loss * n;
                seen += n;
                List<float[]> grads = step.gradBuffers();
                for (int i = 0; i < grads.size(); i++) {
                    grads.set(i, exe.get(step.gradients().get(i)));
                }
                for (RunningStatistic r : step.statistics()) {
                    fold(r, exe.get(r.batchNode()));
                }
                optimizer.step(weightList, grads);
                steps++;
                checkWeights(grads, epoch, b, loss);
                if (progress != null) {
                    progress.advance(n, lossSum / seen, regression ? Double.NaN : (double) correct / seen);
                }
            }
        } finally {
            if (progress != null) {
                progress.close();
            }
        }
        return new double[] {lossSum / seen, regression ? Double.NaN : (double) correct / seen};
    }

    /**
     * Refuses a batch whose images (or float targets) hold NaN or infinity, naming the batch, the image's index in
     * the dataset and the element: such a value poisons every weight it reaches and would be blamed on the learning
     * rate.
     */
    private static void checkInputs(Dataset data, Batches batches, int b, float[] x, float[] t, int epoch) {
        int bad = NonFinite.find(x);
        if (bad >= 0) {
            int per = data.imageSize(), k = bad / per;
            throw new IllegalStateException(where(epoch, b) + ": " + data.name() + " image " + batches.index(b, k)
                    + " holds " + x[bad] + " at element " + bad % per + "; the input data must be finite");
        }
        if (t != null && (bad = NonFinite.find(t)) >= 0) {
            int per = data.targetSize(), k = bad / per;
            throw new IllegalStateException(where(epoch, b) + ": " + data.name() + " target " + batches.index(b, k)
                    + " holds " + t[bad] + " at element " + bad % per + "; the targets must be finite");
        }
    }

    /**
     * Inputs and weights are known finite here (both are checked), so a non-finite loss comes from the forward pass
     * overflowing; a loss that had already risen far above the starting one says training diverged.
     */
    private IllegalStateException nonFiniteLoss(float loss, String where) {
        if (lastLoss > DIVERGENCE_FACTOR * firstLoss) {
            return new TrainingDivergedException(epochsDone, "training diverged: the loss became " + loss + " at "
                    + where + " after rising from " + g4(firstLoss) + " at the first batch to " + g4(lastLoss)
                    + "; lower the learning rate (now " + Fmt.python(optimizer.learningRate()) + ")");
        }
        return new IllegalStateException("the loss became " + loss + " at " + where + " although the inputs and "
                + "weights are finite: the forward pass overflowed" + (Double.isNaN(lastLoss)
                ? " on the first batch (are the inputs scaled?)" : " (the previous batch's loss was " + g4(lastLoss)
                + ")"));
    }

    /**
     * Checks every weight and running statistic after step {@link #steps}: a non-finite one names the tensor, the
     * element and why, its gradient (the backward pass overflowed) or the update itself.
     */
    private void checkWeights(List<float[]> grads, int epoch, int b, float loss) {
        for (int i = 0; i < parameterNames.size(); i++) {
            float[] w = weightList.get(i);
            int bad = NonFinite.find(w);
            if (bad < 0) {
                continue;
            }
            String name = parameterNames.get(i);
            float g = grads.get(i)[bad];
            String cause = Float.isFinite(g)
                    ? "the optimizer's update made it so from the finite gradient " + g + " (" + optimizer + ")"
                    : "its gradient was " + g + " although the loss was " + loss + ": the backward pass overflowed";
            throw new IllegalStateException("weight " + name + "[" + bad + "] became " + w[bad] + " after step " + steps
                    + " (" + where(epoch, b) + "): " + cause);
        }
        for (String name : stateNames) {
            float[] w = weights.get(name);
            int bad = NonFinite.find(w);
            if (bad >= 0) {
                throw new IllegalStateException("running statistic " + name + "[" + bad + "] became " + w[bad]
                        + " after step " + steps + " (" + where(epoch, b) + "): the batch statistics overflowed");
            }
        }
    }

    /**
     * An epoch whose mean loss is far above the starting model's and not below the previous epoch's has diverged:
     * its weights are worse than the ones it started from, and more epochs will not bring them back.
     */
    private void checkDivergence(int epoch, double loss, History history) {
        double previous = history.size() == 0 ? firstLoss : history.last().trainLoss();
        if (!Double.isFinite(loss) || (loss > DIVERGENCE_FACTOR * firstLoss && loss >= previous)) {
            throw new TrainingDivergedException(epoch, "training diverged at epoch " + epoch + ": mean loss " + g4(loss)
                    + ", more than " + Fmt.python(DIVERGENCE_FACTOR) + "× the starting loss " + g4(firstLoss)
                    + " and not falling; lower the learning rate (now " + Fmt.python(optimizer.learningRate()) + ")");
        }
    }

    /** Batch {@code b} (from 0) of {@code epoch}, as messages name it (from 1). */
    private static String where(int epoch, int b) {
        return "epoch " + epoch + ", batch " + (b + 1);
    }

    /** Four significant digits, as the logs print losses. */
    private static String g4(double x) {
        return String.format(java.util.Locale.ROOT, "%.4g", x);
    }

    /** running ← (1 − momentum)·running + momentum·correction·batch, in place. */
    private void fold(RunningStatistic r, float[] batch) {
        float[] running = weights.get(r.runningParameter());
        double[] current = new double[running.length], observed = new double[batch.length];
        for (int i = 0; i < running.length; i++) {
            current[i] = running[i];
        }
        for (int i = 0; i < batch.length; i++) {
            observed[i] = batch[i];
        }
        double[] next = r.fold(current, observed);
        for (int i = 0; i < running.length; i++) {
            running[i] = (float) next[i];
        }
    }

    static void setTarget(Executable exe, String target, int[] labels, float[] values) {
        if (labels != null) {
            exe.setInts(target, labels);
        } else {
            exe.set(target, values);
        }
    }

    /** Copies batch {@code b}'s images into x and its labels into y, or its float targets into t. */
    static void fill(Dataset data, Batches batches, int b, int n, float[] x, int[] y, float[] t) {
        int per = data.imageSize();
        for (int k = 0; k < n; k++) {
            int i = batches.index(b, k);
            data.copyImage(i, x, k * per);
            if (y != null) {
                y[k] = data.label(i);
            } else {
                data.copyTarget(i, t, k * data.targetSize());
            }
        }
    }

    private static int countCorrect(float[] logits, int[] labels, int n) {
        int classes = logits.length / n, correct = 0;
        for (int k = 0; k < n; k++) {
            if (argmax(logits, k * classes, classes) == labels[k]) {
                correct++;
            }
        }
        return correct;
    }

    static int argmax(float[] v, int offset, int length) {
        int best = 0;
        for (int j = 1; j < length; j++) {
            if (v[offset + j] > v[offset + best]) {
                best = j;
            }
        }
        return best;
    }




    /**
     * Mean loss, and for a classifier accuracy and confusion matrix, of the current weights on {@code data}, in
     * batches, through the inference graph.
     */
    public Evaluation evaluate(Dataset data) {
        return evaluator.evaluate(data);
    }

    /**
     * The outputs of {@code n} images laid out one after another in {@code images}, through the inference graph:
     * a classifier's logits ([n, classes] row-major), a regression model's predictions (e.g. reconstructions).
     */
    public float[] outputs(float[] images, int n) {
        return evaluator.outputs(images, n);
    }

    /** The logits of {@code n} images laid out one after another in {@code images} ([n, classes] row-major). */
    public float[] logits(float[] images, int n) {
        return outputs(images, n);
    }

    /** Whether the model is trained against float targets (only the loss is reported) rather than labels. */
    public boolean isRegression() {
        return regression;
    }

    /** Whether a model graph is trained against float targets (a regression model): answerable before any build. */
    public static boolean isRegression(ModelGraph model) {
        return model.graph().node(model.targetName()).dtype() == DType.F32;
    }

    /** Training steps (batches) taken so far; the value fed to the {@value #STEP} input of the next step. */
    public long steps() {
        return steps;
    }


    /**
     * A copy of the current weights by parameter name, in graph order, followed by the running statistics (the
     * inference graph's parameters that are not trained); a model file saves them all.
     */
    public Map<String, float[]> weights() {
        return store.copy();
    }

    /** Replaces every weight and running statistic; names and sizes must match the model's parameters exactly. */
    public void setWeights(Map<String, float[]> values) {
        store.set(values);
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Epochs trained so far by this trainer. */
    public int epochsDone() {
        return epochsDone;
    }
}

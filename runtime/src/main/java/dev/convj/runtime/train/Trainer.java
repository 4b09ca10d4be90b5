package dev.convj.runtime.train;

import dev.convj.graph.DType;
import dev.convj.graph.Graph;
import dev.convj.graph.ModelGraph;
import dev.convj.graph.Node;
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
 * Trains a classifier through the {@link Executable} interface. For each batch size it meets (the batch size
 * and, when the dataset is not a multiple of it, the size of the last partial batch) it lowers the model with
 * {@code model.apply(batch)}, derives the gradient graph with {@link Autodiff}, asks the {@link ExecutableFactory}
 * for an executable and caches it. A step sets the parameters, images and labels, runs, reads the loss, the
 * logits and every parameter's gradient, and lets the {@link Optimizer} update the parameters in place.
 * <pre>{@code
 * Trainer trainer = Trainer.builder(network::graph)
 *         .factory(ExecutableFactory.interpreter())
 *         .optimizer(Sgd.momentum(0.01, 0.9)).batchSize(64).seed(1).build();
 * History history = trainer.fit(data.train(), data.test(), 5);
 * }</pre>
 * Not thread-safe.
 */
public final class Trainer {
    private final IntFunction<ModelGraph> model;
    private final ExecutableFactory factory;
    private final Optimizer optimizer;
    private final LrSchedule schedule;
    private final double baseLearningRate;
    private final int batchSize;
    private final long seed;
    private final List<Callback> callbacks;
    private final Consumer<String> log;
    private final PrintStream progressBar;
    private final Map<String, float[]> weights;
    private final List<String> parameterNames;
    private final Map<Integer, TrainStep> trainSteps = new HashMap<>();
    private final Map<Integer, ForwardStep> forwardSteps = new HashMap<>();
    private final List<float[]> weightList = new WeightList();
    private int epochsDone;

    private Trainer(Builder b) {
        this.model = b.model;
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
        Node target = probe.graph().node(probe.targetName());
        if (target.dtype() != DType.I32) {
            throw new IllegalArgumentException("the trainer trains classifiers (a softmaxCrossEntropy loss with integer "
                    + "labels); this model's target " + target.name() + " is " + target.typeString());
        }
        this.parameterNames = probe.parameters().stream().map(Node::name).toList();
        this.weights = new LinkedHashMap<>();
        Map<String, float[]> initial = b.weights != null ? b.weights : b.init.initialize(probe.graph(), seed);
        for (Node p : probe.parameters()) {
            weights.put(p.name(), new float[p.shape().size()]);
        }
        setWeights(initial);
    }

    /** A builder for a model given as batch size → graph, e.g. {@code network::graph}. */
    public static Builder builder(IntFunction<ModelGraph> model) {
        return new Builder(model);
    }

    /** Settings of a trainer; defaults: interpreter, SGD lr 0.01, batch 64, seed 1, PyTorch's initialization. */
    public static final class Builder {
        private final IntFunction<ModelGraph> model;
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

        /** Starts from these weights (e.g. a loaded model) instead of initializing. */
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

    /** One cached training-step executable and its reusable buffers. */
    private record TrainStep(Executable exe, String loss, String logits, String input, String labels,
                             List<String> gradients, float[] x, int[] y, List<float[]> gradBuffers) {}

    /** One cached forward executable. */
    private record ForwardStep(Executable exe, String loss, String logits, String input, String labels, float[] x,
                               int[] y) {}

    private TrainStep trainStep(int batch) {
        return trainSteps.computeIfAbsent(batch, b -> {
            ModelGraph mg = model.apply(b);
            GradientGraph gg = Autodiff.gradients(mg.graph(), mg.lossName());
            List<String> grads = parameterNames.stream().map(p -> gg.gradientOf(p).name()).toList();
            Set<String> outputs = new LinkedHashSet<>(List.of(mg.lossName(), mg.output()));
            outputs.addAll(grads);
            Graph g = gg.graph().withOutputs(new ArrayList<>(outputs));
            Executable exe = factory.create(g);
            int per = g.node(mg.input()).shape().size() / b;
            return new TrainStep(exe, mg.lossName(), mg.output(), mg.input(), mg.targetName(), grads,
                    new float[b * per], new int[b], new ArrayList<>(Collections.nCopies(grads.size(), null)));
        });
    }

    private ForwardStep forwardStep(int batch) {
        return forwardSteps.computeIfAbsent(batch, b -> {
            ModelGraph mg = model.apply(b);
            Graph g = mg.graph().withOutputs(List.of(mg.output(), mg.lossName()));
            int per = g.node(mg.input()).shape().size() / b;
            return new ForwardStep(factory.create(g), mg.lossName(), mg.output(), mg.input(), mg.targetName(),
                    new float[b * per], new int[b]);
        });
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
        checkShape(train);
        if (validation != null) {
            checkShape(validation);
        }
        History history = new History();
        try {
            for (int e = 0; e < epochs; e++) {
                int epoch = ++epochsDone;
                double lr = schedule.rate(epoch - 1, baseLearningRate);
                optimizer.setLearningRate(lr);
                long start = System.nanoTime();
                double[] lossAcc = trainEpoch(train, epoch, epochs, e + 1);
                double seconds = (System.nanoTime() - start) / 1e9;
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

    /** One epoch; returns {mean loss, accuracy} over the epoch's images. */
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
                fill(data, batches, b, n, step.x(), step.y());
                Executable exe = step.exe();
                for (String p : parameterNames) {
                    exe.set(p, weights.get(p));
                }
                exe.set(step.input(), step.x());
                exe.setInts(step.labels(), step.y());
                exe.run();
                float loss = exe.get(step.loss())[0];
                if (!Float.isFinite(loss)) {
                    throw new IllegalStateException("the loss became " + loss + " at epoch " + epoch + ", batch " + (b + 1)
                            + "; lower the learning rate (now " + optimizer.learningRate() + ")");
                }
                correct += countCorrect(exe.get(step.logits()), step.y(), n);
                lossSum += (double) loss * n;
                seen += n;
                List<float[]> grads = step.gradBuffers();
                for (int i = 0; i < grads.size(); i++) {
                    grads.set(i, exe.get(step.gradients().get(i)));
                }
                optimizer.step(weightList, grads);
                if (progress != null) {
                    progress.advance(n, lossSum / seen, (double) correct / seen);
                }
            }
        } finally {
            if (progress != null) {
                progress.close();
            }
        }
        return new double[] {lossSum / seen, (double) correct / seen};
    }

    /** The weights as a list view in parameter order, without copying. */
    private final class WeightList extends java.util.AbstractList<float[]> {
        @Override
        public float[] get(int i) {
            return weights.get(parameterNames.get(i));
        }

        @Override
        public int size() {
            return parameterNames.size();
        }
    }

    private static void fill(Dataset data, Batches batches, int b, int n, float[] x, int[] y) {
        int per = data.imageSize();
        for (int k = 0; k < n; k++) {
            int i = batches.index(b, k);
            data.copyImage(i, x, k * per);
            y[k] = data.label(i);
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

    /** Mean loss, accuracy and confusion matrix of the current weights on {@code data}, in batches. */
    public Evaluation evaluate(Dataset data) {
        checkShape(data);
        Batches batches = Batches.inOrder(data.size(), batchSize);
        ConfusionMatrix confusion = null;
        double lossSum = 0;
        for (int b = 0; b < batches.count(); b++) {
            int n = batches.sizeOf(b);
            ForwardStep step = forwardStep(n);
            fill(data, batches, b, n, step.x(), step.y());
            Executable exe = step.exe();
            for (String p : parameterNames) {
                exe.set(p, weights.get(p));
            }
            exe.set(step.input(), step.x());
            exe.setInts(step.labels(), step.y());
            exe.run();
            lossSum += (double) exe.get(step.loss())[0] * n;
            float[] logits = exe.get(step.logits());
            int classes = logits.length / n;
            if (confusion == null) {
                confusion = new ConfusionMatrix(classes);
            }
            for (int k = 0; k < n; k++) {
                confusion.add(step.y()[k], argmax(logits, k * classes, classes));
            }
        }
        return new Evaluation(data.name(), data.size(), data.size() == 0 ? Double.NaN : lossSum / data.size(),
                confusion == null ? new ConfusionMatrix(data.classes()) : confusion);
    }

    /** The logits of {@code n} images laid out one after another in {@code images} ([n, classes] row-major). */
    public float[] logits(float[] images, int n) {
        if (n < 1 || images.length % n != 0) {
            throw new IllegalArgumentException(images.length + " values do not split into " + n + " images");
        }
        ForwardStep step = forwardStep(n);
        if (images.length != step.x().length) {
            throw new IllegalArgumentException("the model takes " + step.x().length / n + " values per image, got "
                    + images.length / n);
        }
        Executable exe = step.exe();
        for (String p : parameterNames) {
            exe.set(p, weights.get(p));
        }
        exe.set(step.input(), images);
        exe.setInts(step.labels(), new int[n]);
        exe.run();
        return exe.get(step.logits()).clone();
    }

    private void checkShape(Dataset data) {
        ModelGraph probe = model.apply(1);
        int expected = probe.graph().node(probe.input()).shape().size();
        if (data.imageSize() != expected) {
            throw new IllegalArgumentException(data.name() + " has images of " + data.channels() + "×" + data.height()
                    + "×" + data.width() + " = " + data.imageSize() + " values; the model's input "
                    + probe.graph().node(probe.input()).typeString() + " takes " + expected);
        }
    }

    /** A copy of the current weights by parameter name, in graph order. */
    public Map<String, float[]> weights() {
        Map<String, float[]> copy = new LinkedHashMap<>();
        weights.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }

    /** Replaces every weight; names and sizes must match the model's parameters exactly. */
    public void setWeights(Map<String, float[]> values) {
        for (String name : values.keySet()) {
            if (!weights.containsKey(name)) {
                throw new IllegalArgumentException("the model has no parameter '" + name + "'; it has " + parameterNames);
            }
        }
        for (String name : parameterNames) {
            float[] v = values.get(name);
            if (v == null) {
                throw new IllegalArgumentException("no value for parameter '" + name + "'");
            }
            float[] dst = weights.get(name);
            if (v.length != dst.length) {
                throw new IllegalArgumentException("parameter '" + name + "' holds " + dst.length + " values, got "
                        + v.length);
            }
            System.arraycopy(v, 0, dst, 0, v.length);
        }
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

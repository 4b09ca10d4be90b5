package dev.convj.runtime.train;

import dev.convj.graph.Graph;
import dev.convj.graph.ModelGraph;
import dev.convj.graph.Node;
import dev.convj.runtime.Executable;
import dev.convj.runtime.data.Batches;
import dev.convj.runtime.data.Dataset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;

/**
 * A model's inference graph run on the current weights: evaluation over a dataset in batches, and the outputs of
 * images. One forward executable per batch size, made on first use.
 */
final class Evaluator {
    private final IntFunction<ModelGraph> inference;
    private final ExecutableFactory factory;
    private final boolean regression;
    private final int batchSize;
    private final WeightStore store;
    /** The training steps taken so far: the step input, which an inference graph may read. */
    private final LongSupplier steps;
    private final Map<Integer, ForwardStep> forwardSteps = new HashMap<>();

    Evaluator(IntFunction<ModelGraph> inference, ExecutableFactory factory, boolean regression, int batchSize,
              WeightStore store, LongSupplier steps) {
        this.inference = inference;
        this.factory = factory;
        this.regression = regression;
        this.batchSize = batchSize;
        this.store = store;
        this.steps = steps;
    }

    /** One cached forward executable of the inference graph. */
    private record ForwardStep(Executable exe, String loss, String output, String input, String target, boolean step,
                               List<String> parameters, float[] x, int[] y, float[] t) {}

    private ForwardStep forwardStep(int batch) {
        return forwardSteps.computeIfAbsent(batch, b -> {
            ModelGraph mg = inference.apply(b);
            Graph g = mg.graph().withOutputs(List.of(mg.output(), mg.lossName()));
            int per = g.node(mg.input()).shape().size() / b;
            int perTarget = g.node(mg.targetName()).shape().size() / b;
            List<String> params = mg.parameters().stream().map(Node::name).toList();
            return new ForwardStep(factory.create(g), mg.lossName(), mg.output(), mg.input(), mg.targetName(),
                    Trainer.hasStep(g), params, new float[b * per], regression ? null : new int[b],
                    regression ? new float[b * perTarget] : null);
        });
    }

    /**
     * Mean loss, and for a classifier accuracy and confusion matrix, of the current weights on {@code data}, in
     * batches, through the inference graph.
     */
    Evaluation evaluate(Dataset data) {
        checkShape(data);
        Batches batches = Batches.inOrder(data.size(), batchSize);
        ConfusionMatrix confusion = null;
        double lossSum = 0;
        for (int b = 0; b < batches.count(); b++) {
            int n = batches.sizeOf(b);
            ForwardStep step = forwardStep(n);
            Trainer.fill(data, batches, b, n, step.x(), step.y(), step.t());
            Executable exe = prepare(step, step.x());
            Trainer.setTarget(exe, step.target(), step.y(), step.t());
            exe.run();
            lossSum += (double) exe.get(step.loss())[0] * n;
            if (regression) {
                continue;
            }
            float[] logits = exe.get(step.output());
            int classes = logits.length / n;
            if (confusion == null) {
                confusion = new ConfusionMatrix(classes);
            }
            for (int k = 0; k < n; k++) {
                confusion.add(step.y()[k], Trainer.argmax(logits, k * classes, classes));
            }
        }
        if (!regression && confusion == null) {
            confusion = new ConfusionMatrix(data.classes());
        }
        return new Evaluation(data.name(), data.size(), data.size() == 0 ? Double.NaN : lossSum / data.size(),
                confusion);
    }

    /** Sets the weights, running statistics, step and images of a forward step. */
    private Executable prepare(ForwardStep step, float[] images) {
        Executable exe = step.exe();
        for (String p : step.parameters()) {
            exe.set(p, store.values().get(p));
        }
        exe.set(step.input(), images);
        if (step.step()) {
            exe.setInts(Trainer.STEP, new int[] {(int) steps.getAsLong()});
        }
        return exe;
    }

    /**
     * The outputs of {@code n} images laid out one after another in {@code images}, through the inference graph:
     * a classifier's logits ([n, classes] row-major), a regression model's predictions (e.g. reconstructions).
     */
    float[] outputs(float[] images, int n) {
        if (n < 1 || images.length % n != 0) {
            throw new IllegalArgumentException(images.length + " values do not split into " + n + " images");
        }
        ForwardStep step = forwardStep(n);
        if (images.length != step.x().length) {
            throw new IllegalArgumentException("the model takes " + step.x().length / n + " values per image, got "
                    + images.length / n);
        }
        Executable exe = prepare(step, images);
        Trainer.setTarget(exe, step.target(), step.y() == null ? null : new int[n],
                step.t() == null ? null : new float[step.t().length]);
        exe.run();
        return exe.get(step.output()).clone();
    }

    void checkShape(Dataset data) {
        ModelGraph probe = inference.apply(1);
        int expected = probe.graph().node(probe.input()).shape().size();
        if (data.imageSize() != expected) {
            throw new IllegalArgumentException(data.name() + " has images of " + data.channels() + "×" + data.height()
                    + "×" + data.width() + " = " + data.imageSize() + " values; the model's input "
                    + probe.graph().node(probe.input()).typeString() + " takes " + expected);
        }
        if (regression) {
            Node target = probe.graph().node(probe.targetName());
            if (!data.hasTargets()) {
                throw new IllegalArgumentException("the model is trained against float targets (" + target.name() + " "
                        + target.typeString() + ") but " + data.name() + " has only labels; give targets with "
                        + "withTargets(...) or, for an autoencoder, autoencoding()");
            }
            if (data.targetSize() != target.shape().size()) {
                throw new IllegalArgumentException(data.name() + " has targets of " + data.targetSize()
                        + " values; the model's target " + target.typeString() + " takes " + target.shape().size());
            }
        }
    }
}

package dev.convj.runtime.train;

import dev.convj.graph.Graph;
import dev.convj.graph.ModelGraph;
import dev.convj.graph.Node;
import dev.convj.graph.RunningStatistic;
import dev.convj.graph.autodiff.Autodiff;
import dev.convj.graph.autodiff.GradientGraph;
import dev.convj.runtime.Executable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model's training step for one batch size, outside {@link Trainer}'s loop: given the weights and a batch, it runs
 * forward and backward and returns the loss, how many images it classified right, every parameter's gradient and
 * the batch statistics. The caller applies the optimizer, where it likes: what a data-parallel worker runs, the
 * driver or the worker updating the weights. Not thread-safe: one step object per thread.
 */
public final class TrainingStep {
    private final Executable exe;
    private final ModelGraph model;
    private final List<String> parameterNames;
    private final List<String> gradients;
    private final boolean regression;
    private final boolean step;
    private final int imageSize, targetSize;

    private TrainingStep(ModelGraph model, Executable exe, List<String> gradients) {
        this.model = model;
        this.exe = exe;
        this.parameterNames = model.parameters().stream().map(Node::name).toList();
        this.gradients = gradients;
        this.regression = Trainer.isRegression(model);
        this.step = Trainer.hasStep(exe.graph());
        this.imageSize = exe.graph().node(model.input()).shape().size() / model.batch();
        this.targetSize = exe.graph().node(model.targetName()).shape().size() / model.batch();
    }

    /** The gradient graph of {@code model} (lowered for its batch size), made runnable by {@code factory}. */
    public static TrainingStep create(ModelGraph model, ExecutableFactory factory) {
        GradientGraph gg = Autodiff.gradients(model.graph(), model.lossName());
        List<String> grads = model.parameters().stream().map(p -> gg.gradientOf(p.name()).name()).toList();
        Set<String> outputs = new LinkedHashSet<>(List.of(model.lossName(), model.output()));
        outputs.addAll(grads);
        model.runningStatistics().forEach(r -> outputs.add(r.batchNode()));
        Graph g = gg.graph().withOutputs(new ArrayList<>(outputs));
        return new TrainingStep(model, factory.create(g), grads);
    }

    /** What one step measured; the arrays are the executable's own buffers, valid until the next {@link #run}. */
    public record Result(double loss, int correct, List<float[]> gradients, Map<String, float[]> batchStatistics) {}

    /** Images per step. */
    public int batch() {
        return model.batch();
    }

    /** The trained parameters, in the order {@link #run} takes their values and returns their gradients. */
    public List<String> parameterNames() {
        return parameterNames;
    }

    /** The running statistics that batch statistics fold into (e.g. batch normalization's); empty for most models. */
    public List<RunningStatistic> statistics() {
        return model.runningStatistics();
    }

    /** Whether the model learns float targets rather than labels (then {@link Result#correct()} is 0). */
    public boolean isRegression() {
        return regression;
    }

    /** Floats per image. */
    public int imageSize() {
        return imageSize;
    }

    /** Floats per target of a regression model; 1 (the label) for a classifier. */
    public int targetSize() {
        return targetSize;
    }

    /**
     * One forward and backward pass: {@code weights} in {@link #parameterNames()} order, {@code images} of
     * {@link #batch()} × {@link #imageSize()} floats, {@code labels} (a classifier) or {@code targets} (a
     * regression model; the other is null), and {@code stepCounter} for a graph that seeds dropout from it.
     */
    public Result run(List<float[]> weights, float[] images, int[] labels, float[] targets, long stepCounter) {
        if (weights.size() != parameterNames.size()) {
            throw new IllegalArgumentException("the model has " + parameterNames.size() + " parameters "
                    + parameterNames + ", got " + weights.size() + " weight arrays");
        }
        if ((labels == null) != regression) {
            throw new IllegalArgumentException(regression ? "this model learns float targets: pass targets, not labels"
                    : "this classifier learns labels: pass labels, not targets");
        }
        for (int i = 0; i < weights.size(); i++) {
            exe.set(parameterNames.get(i), weights.get(i));
        }
        exe.set(model.input(), images);
        Trainer.setTarget(exe, model.targetName(), labels, targets);
        if (step) {
            exe.setInts(Trainer.STEP, new int[] {(int) stepCounter});
        }
        exe.run();
        double loss = exe.get(model.lossName())[0];
        int correct = 0;
        if (!regression) {
            float[] logits = exe.get(model.output());
            int n = model.batch(), classes = logits.length / n;
            for (int k = 0; k < n; k++) {
                if (Trainer.argmax(logits, k * classes, classes) == labels[k]) {
                    correct++;
                }
            }
        }
        List<float[]> grads = new ArrayList<>(gradients.size());
        for (String g : gradients) {
            grads.add(exe.get(g));
        }
        Map<String, float[]> stats = new LinkedHashMap<>();
        for (RunningStatistic r : model.runningStatistics()) {
            stats.put(r.runningParameter(), exe.get(r.batchNode()));
        }
        return new Result(loss, correct, grads, stats);
    }

    /** running ← (1 − momentum)·running + momentum·correction·batch, in place: as {@link Trainer} folds them. */
    public static void fold(RunningStatistic r, float[] running, float[] batch) {
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
}

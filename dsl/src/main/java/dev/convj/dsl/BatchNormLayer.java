package dev.convj.dsl;

import dev.convj.graph.Node;
import dev.convj.graph.ParamInit;
import dev.convj.graph.Shape;
import dev.convj.graph.ops.Add;
import dev.convj.graph.ops.BroadcastTo;
import dev.convj.graph.ops.Conv;
import dev.convj.graph.ops.Mean;
import dev.convj.graph.ops.Mul;
import dev.convj.graph.ops.Pow;
import dev.convj.graph.ops.Reshape;
import dev.convj.graph.ops.Sub;
import java.util.ArrayList;
import java.util.List;

/**
 * Batch normalization over every axis but the channels, as PyTorch's BatchNorm1d/2d/3d: y = γ·(x − μ)/√(σ² + ε) + β
 * with γ = {@code name.weight} (init 1) and β = {@code name.bias} (init 0).
 * <p>The graph is functional, so running statistics are not state inside it. A training graph normalizes with the
 * batch's own mean and biased variance and also outputs them as {@code name.batch_mean} and {@code name.batch_var};
 * the trainer folds them into the running statistics after each step ({@link dev.convj.graph.RunningStatistic#fold}: momentum 0.1
 * and the unbiased variance, as PyTorch). An inference graph reads the running statistics from the parameters
 * {@code name.running_mean} (init 0) and {@code name.running_var} (init 1), which only inference graphs hold and
 * which no optimizer should update. After a convolution, the inference form is folded into the convolution's
 * weights and bias.
 */
public record BatchNormLayer(String name, double epsilon, double momentum) implements Layer {

    public BatchNormLayer {
        if (!(epsilon > 0) || !(momentum > 0 && momentum <= 1)) {
            throw new IllegalArgumentException("batch normalization needs ε > 0 and a momentum in (0, 1], got ε = "
                    + epsilon + " and momentum " + momentum);
        }
    }

    @Override
    public String kind() {
        return "batch_norm";
    }

    @Override
    public String namePrefix() {
        return "bn";
    }

    @Override
    public Layer withName(String newName) {
        return new BatchNormLayer(newName, epsilon, momentum);
    }

    /** The axes averaged over: all but the channel axis 1. */
    static List<Integer> reducedAxes(Shape x) {
        List<Integer> axes = new ArrayList<>();
        for (int a = 0; a < x.rank(); a++) {
            if (a != 1) {
                axes.add(a);
            }
        }
        return axes;
    }

    @Override
    public Node lower(Lowering lowering, Node x) {
        Shape s = x.shape();
        if (s.rank() < 2) {
            throw new IllegalArgumentException("expects [N, C, …], got " + x.name() + " " + x.typeString());
        }
        Shape channels = Shape.of(s.dim(1));
        Node gamma = lowering.parameter(this, "weight", channels, new ParamInit.Constant(1));
        Node beta = lowering.parameter(this, "bias", channels, new ParamInit.Constant(0));
        Node eps = lowering.constant(this, "epsilon", channels, epsilon);
        if (lowering.training()) {
            List<Integer> axes = reducedAxes(s);
            Node mean = lowering.inner(this, "batch_mean", new Mean(axes), x);
            Node centered = lowering.inner(this, "centered", new Sub(), x, spread(lowering, "mean_b", mean, s));
            Node square = lowering.inner(this, "square", new Mul(), centered, centered);
            Node var = lowering.inner(this, "batch_var", new Mean(axes), square);
            lowering.exportOutput(mean);
            lowering.exportOutput(var);
            Node scale = scale(lowering, gamma, var, eps);
            Node scaled = lowering.inner(this, "normalized", new Mul(), centered, spread(lowering, "scale_b", scale, s));
            return lowering.output(this, new Add(), scaled, spread(lowering, "bias_b", beta, s));
        }
        // Inference folds everything per channel: y = x·scale + (β − μ·scale) with scale = γ/√(σ² + ε).
        Node mean = lowering.parameter(this, "running_mean", channels, new ParamInit.Constant(0));
        Node var = lowering.parameter(this, "running_var", channels, new ParamInit.Constant(1));
        Node scale = scale(lowering, gamma, var, eps);
        Node shift = lowering.inner(this, "shift", new Sub(), beta,
                lowering.inner(this, "mean_scaled", new Mul(), mean, scale));
        if (lowering.foldBatchNorm() && x.op() instanceof Conv conv) {
            return foldedInto(lowering, x, conv, scale, shift);
        }
        Node scaled = lowering.inner(this, "normalized", new Mul(), x, spread(lowering, "scale_b", scale, s));
        return lowering.output(this, new Add(), scaled, spread(lowering, "shift_b", shift, s));
    }

    /**
     * Batch normalization after a convolution, folded into it: conv(x, w)·scale + shift = conv(x, w') + b' with
     * w'[o, …] = w[o, …]·scale[o] and b' = b·scale + shift (or shift without a bias), computed from the parameter and
     * statistic nodes in the graph, so the weights stay inputs. The unfolded convolution is left without consumers
     * (dead code, pruned from the inference graph) unless something else reads it.
     */
    private Node foldedInto(Lowering lowering, Node y, Conv conv, Node scale, Node shift) {
        Node x = lowering.node(y.inputs().get(0)), w = lowering.node(y.inputs().get(1));
        List<Integer> perFilter = new ArrayList<>();
        for (int a = 0; a < w.shape().rank(); a++) {
            perFilter.add(a == 0 ? w.shape().dim(0) : 1);
        }
        Node column = lowering.inner(this, "scale_w.r", new Reshape(new Shape(perFilter)), scale);
        Node folded = lowering.inner(this, "folded_weight", new Mul(), w,
                lowering.inner(this, "scale_w", new BroadcastTo(w.shape()), column));
        Node bias = y.inputs().size() == 3
                ? lowering.inner(this, "folded_bias", new Add(),
                        lowering.inner(this, "bias_scaled", new Mul(), lowering.node(y.inputs().get(2)), scale), shift)
                : shift;
        return lowering.output(this, conv, x, folded, bias);
    }

    /** γ / √(σ² + ε), per channel. */
    private Node scale(Lowering lowering, Node gamma, Node var, Node eps) {
        Node inv = lowering.inner(this, "inv_std", new Pow(-0.5), lowering.inner(this, "var_eps", new Add(), var, eps));
        return lowering.inner(this, "scale", new Mul(), gamma, inv);
    }

    /** A per-channel vector [C] broadcast to x's shape [N, C, …]. */
    private Node spread(Lowering lowering, String suffix, Node perChannel, Shape x) {
        List<Integer> kept = new ArrayList<>();
        for (int a = 0; a < x.rank(); a++) {
            kept.add(a == 1 ? x.dim(1) : 1);
        }
        Node column = lowering.inner(this, suffix + ".r", new Reshape(new Shape(kept)), perChannel);
        return lowering.inner(this, suffix, new BroadcastTo(x), column);
    }
}

package dev.convj.runtime.train;

import dev.convj.graph.Fmt;
import java.util.List;
import java.util.Locale;

/**
 * Stochastic gradient descent with PyTorch's {@code torch.optim.SGD} semantics and defaults (momentum 0,
 * dampening 0, no Nesterov, no weight decay):
 * <pre>
 * g = grad + wd·p
 * b = g on the first step, else b = μ·b + (1−dampening)·g          (only when μ ≠ 0)
 * g = g + μ·b with Nesterov, else g = b
 * p = p − lr·g
 * </pre>
 */
public final class Sgd extends Optimizer {
    private final double momentum, dampening, weightDecay;
    private final boolean nesterov;
    private float[][] buffers;

    public Sgd(double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {
        super(lr);
        if (momentum < 0 || weightDecay < 0 || dampening < 0 || dampening > 1) {
            throw new IllegalArgumentException("SGD needs momentum ≥ 0, weight decay ≥ 0 and 0 ≤ dampening ≤ 1, got "
                    + momentum + ", " + weightDecay + ", " + dampening);
        }
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("Nesterov momentum requires a momentum > 0 and zero dampening");
        }
        this.momentum = momentum;
        this.dampening = dampening;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
    }

    /** Plain SGD. */
    public static Sgd of(double lr) {
        return new Sgd(lr, 0, 0, 0, false);
    }

    /** SGD with (heavy-ball) momentum. */
    public static Sgd momentum(double lr, double momentum) {
        return new Sgd(lr, momentum, 0, 0, false);
    }

    /** SGD with Nesterov momentum. */
    public static Sgd nesterov(double lr, double momentum) {
        return new Sgd(lr, momentum, 0, 0, true);
    }

    /** The same optimizer with L2 weight decay added to the gradient. */
    public Sgd withWeightDecay(double wd) {
        return new Sgd(learningRate(), momentum, dampening, wd, nesterov);
    }

    @Override
    protected void allocate(List<float[]> params) {
        buffers = new float[params.size()][];
        if (momentum != 0) {
            for (int i = 0; i < buffers.length; i++) {
                buffers[i] = new float[params.get(i).length];
            }
        }
    }

    @Override
    protected int slots() {
        return buffers.length;
    }

    @Override
    protected float[][][] tables() {
        return new float[][][] {buffers};
    }

    @Override
    protected void tables(float[][][] tables) {
        if (tables.length != 1) {
            throw new IllegalArgumentException("SGD keeps one state table (momentum buffers), got " + tables.length);
        }
        if (momentum != 0) {
            for (int i = 0; i < tables[0].length; i++) {
                if (tables[0][i] == null) {
                    throw new IllegalArgumentException("SGD with momentum needs a momentum buffer for parameter " + i);
                }
            }
        }
        buffers = tables[0];
    }

    @Override
    protected void update(int slot, float[] p, float[] grad, long t) {
        float lr = (float) learningRate(), wd = (float) weightDecay, mu = (float) momentum;
        float keep = (float) (1 - dampening);
        float[] b = buffers[slot];
        for (int i = 0; i < p.length; i++) {
            float g = grad[i];
            if (wd != 0) {
                g = g + wd * p[i];
            }
            if (mu != 0) {
                float bi = t == 1 ? g : mu * b[i] + keep * g;
                b[i] = bi;
                g = nesterov ? g + mu * bi : bi;
            }
            p[i] = p[i] - lr * g;
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "SGD(lr=%s, momentum=%s%s%s%s)", Fmt.python(learningRate()), Fmt.python(momentum),
                dampening != 0 ? ", dampening=" + Fmt.python(dampening) : "", nesterov ? ", nesterov" : "",
                weightDecay != 0 ? ", weight_decay=" + Fmt.python(weightDecay) : "");
    }
}

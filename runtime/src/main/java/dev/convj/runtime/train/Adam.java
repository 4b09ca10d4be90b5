package dev.convj.runtime.train;

import dev.convj.graph.Fmt;
import java.util.List;
import java.util.Locale;

/**
 * Adam and AdamW with PyTorch's formulas, operation order and defaults (lr 1e-3, β = (0.9, 0.999), ε = 1e-8;
 * weight decay 0 for Adam, 0.01 for AdamW):
 * <pre>
 * AdamW: p = p·(1 − lr·wd)            Adam: g = grad + wd·p
 * m = m + (1−β1)·(g − m)              (lerp, as torch)
 * v = β2·v + (1−β2)·g²
 * p = p − (lr / (1−β1^t)) · m / (√v / √(1−β2^t) + ε)
 * </pre>
 */
public final class Adam extends Optimizer {
    private final double beta1, beta2, eps, weightDecay;
    private final boolean decoupled;
    private float[][] m, v;

    public Adam(double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled) {
        super(lr);
        if (beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1 || !(eps >= 0) || weightDecay < 0) {
            throw new IllegalArgumentException("Adam needs 0 ≤ β1, β2 < 1, ε ≥ 0 and weight decay ≥ 0, got β1=" + beta1
                    + " β2=" + beta2 + " ε=" + eps + " wd=" + weightDecay);
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.decoupled = decoupled;
    }

    /** {@code torch.optim.Adam(params, lr)}. */
    public static Adam adam(double lr) {
        return new Adam(lr, 0.9, 0.999, 1e-8, 0, false);
    }

    /** {@code torch.optim.AdamW(params, lr)}: decoupled weight decay 0.01. */
    public static Adam adamW(double lr) {
        return new Adam(lr, 0.9, 0.999, 1e-8, 0.01, true);
    }

    /** The same optimizer with another weight decay (L2 for Adam, decoupled for AdamW). */
    public Adam withWeightDecay(double wd) {
        return new Adam(learningRate(), beta1, beta2, eps, wd, decoupled);
    }

    public Adam withBetas(double b1, double b2) {
        return new Adam(learningRate(), b1, b2, eps, weightDecay, decoupled);
    }

    @Override
    protected void allocate(List<float[]> params) {
        m = new float[params.size()][];
        v = new float[params.size()][];
        for (int i = 0; i < m.length; i++) {
            m[i] = new float[params.get(i).length];
            v[i] = new float[params.get(i).length];
        }
    }

    @Override
    protected int slots() {
        return m.length;
    }

    @Override
    protected float[][][] tables() {
        return new float[][][] {m, v};
    }

    @Override
    protected void tables(float[][][] tables) {
        if (tables.length != 2 || tables[0].length != tables[1].length) {
            throw new IllegalArgumentException("Adam keeps two state tables (first and second moments) of one array "
                    + "per parameter, got " + tables.length + " tables");
        }
        m = tables[0];
        v = tables[1];
    }

    @Override
    protected void update(int slot, float[] p, float[] grad, long t) {
        double lr = learningRate();
        // Scalars are computed in double as PyTorch computes them in Python, then applied in float32.
        float stepSize = (float) (lr / (1 - Math.pow(beta1, t)));
        float bc2Sqrt = (float) Math.sqrt(1 - Math.pow(beta2, t));
        float decay = (float) (1 - lr * weightDecay), wd = (float) weightDecay;
        float oneMinusB1 = (float) (1 - beta1), b2 = (float) beta2, oneMinusB2 = (float) (1 - beta2);
        float e = (float) eps;
        float[] mi = m[slot], vi = v[slot];
        for (int i = 0; i < p.length; i++) {
            float g = grad[i];
            if (weightDecay != 0) {
                if (decoupled) {
                    p[i] = p[i] * decay;
                } else {
                    g = g + wd * p[i];
                }
            }
            mi[i] = mi[i] + oneMinusB1 * (g - mi[i]);
            vi[i] = vi[i] * b2 + oneMinusB2 * g * g;
            float denom = (float) Math.sqrt(vi[i]) / bc2Sqrt + e;
            p[i] = p[i] - stepSize * (mi[i] / denom);
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s(lr=%s, betas=(%s, %s), eps=%s, weight_decay=%s)",
                decoupled ? "AdamW" : "Adam", Fmt.python(learningRate()), Fmt.python(beta1), Fmt.python(beta2), Fmt.python(eps),
                Fmt.python(weightDecay));
    }
}

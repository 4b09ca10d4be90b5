package dev.convj.graph.ops;

import dev.convj.graph.DType;
import dev.convj.graph.Fmt;
import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * Inverted dropout, (x, step) → y with y[i] = x[i] / (1 − rate) where {@link #keep} holds, else 0. The mask is a
 * pure function of the op's {@code seed}, the i32 scalar {@code step} fed each training step, and the flat index i,
 * so that the same step gives the same mask everywhere (interpreter, generated code, finite differences) and a new
 * step a new mask. Inference graphs leave dropout out.
 */
public record Dropout(double rate, long seed) implements Op {
    public Dropout {
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException("the dropout rate must be in [0, 1), got " + rate);
        }
    }

    /**
     * Whether element {@code index} survives at {@code step}: u ≥ rate for u uniform in [0, 1) drawn as
     * u = (mix(mix(seed ⊕ mix(step)) + (index + 1)·γ) >>> 11)·2⁻⁵³, mix being SplitMix64's finalizer and γ its
     * increment 0x9E3779B97F4A7C15. Code generators must reproduce exactly this.
     */
    public static boolean keep(double rate, long seed, long step, long index) {
        long key = mix(seed ^ mix(step));
        double u = (mix(key + (index + 1) * 0x9E3779B97F4A7C15L) >>> 11) * 0x1.0p-53;
        return u >= rate;
    }

    /** SplitMix64's output function. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public String kind() {
        return "dropout";
    }

    @Override
    public Shape inferShape(List<Node> in) {
        Checks.arity(in, 2, 2, "x, step");
        Checks.floating(in.get(0));
        Node step = in.get(1);
        if (!step.shape().isScalar() || step.dtype() != DType.I32) {
            throw new IllegalArgumentException("step " + step.name() + " must be an i32 scalar (the training step "
                    + "counter that picks the mask), got " + step.typeString());
        }
        return in.get(0).shape();
    }

    /** Linear in x with the mask fixed: dL/dx = dropout(dL/dy) with the same mask; the step takes none. */
    @Override
    public List<Node> gradients(GradientContext g) {
        return Arrays.asList(g.apply(this, g.gradOutput(), g.input(1)), null);
    }

    @Override
    public String attributes() {
        return "rate=" + Fmt.num(rate) + " seed=" + seed;
    }

    @Override
    public <R> R accept(OpVisitor<R> visitor) {
        return visitor.visit(this);
    }
}

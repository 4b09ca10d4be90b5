package dev.convj.runtime.train;

import java.util.List;

/**
 * Updates parameters in place from their gradients, one step at a time. State (momentum, moments) is allocated
 * on the first step, once per parameter; later steps allocate nothing. The learning rate can be changed between
 * steps (by a {@link LrSchedule}).
 */
public abstract class Optimizer {
    private double learningRate;
    private long steps;

    protected Optimizer(double learningRate) {
        if (!(learningRate >= 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("the learning rate must be a finite number ≥ 0, got " + learningRate);
        }
        this.learningRate = learningRate;
    }

    public final double learningRate() {
        return learningRate;
    }

    public final void setLearningRate(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("the learning rate must be a finite number ≥ 0, got " + lr);
        }
        this.learningRate = lr;
    }

    /** Steps taken so far. */
    public final long steps() {
        return steps;
    }

    /** Applies one update: {@code params.get(i)} is changed in place from {@code grads.get(i)}. */
    public final void step(List<float[]> params, List<float[]> grads) {
        if (params.size() != grads.size()) {
            throw new IllegalArgumentException(params.size() + " parameters but " + grads.size() + " gradients");
        }
        if (steps == 0) {
            allocate(params);
        } else if (params.size() != slots()) {
            throw new IllegalArgumentException("the optimizer was set up for " + slots() + " parameters, got "
                    + params.size());
        }
        steps++;
        for (int i = 0; i < params.size(); i++) {
            float[] p = params.get(i), g = grads.get(i);
            if (p.length != g.length) {
                throw new IllegalArgumentException("parameter " + i + " has " + p.length + " values but its gradient "
                        + g.length);
            }
            update(i, p, g, steps);
        }
    }

    /** Allocates per-parameter state for these parameters. */
    protected abstract void allocate(List<float[]> params);

    /** The number of parameters the state was allocated for. */
    protected abstract int slots();

    /** Updates parameter {@code slot} in place; {@code t} counts steps from 1. */
    protected abstract void update(int slot, float[] param, float[] grad, long t);

    /** A one-line description with the hyper-parameters, for logs. */
    @Override
    public abstract String toString();
}

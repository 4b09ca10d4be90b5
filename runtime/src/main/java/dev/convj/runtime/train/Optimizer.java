package dev.convj.runtime.train;

import java.io.Serializable;
import java.util.List;

/**
 * Updates parameters in place from their gradients, one step at a time. State (momentum, moments) is allocated
 * on the first step, once per parameter; later steps allocate nothing. The learning rate can be changed between
 * steps (by a {@link LrSchedule}). Serializable, state included, so that a distributed trainer can ship it to
 * workers; {@link #state()} and {@link #restore} copy the state out and in (checkpoints, averaging).
 */
public abstract class Optimizer implements Serializable {
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

    /**
     * A copy of the optimizer's state: the steps taken and its tables (e.g. SGD's momentum buffers, Adam's first
     * and second moments), each a per-parameter list of arrays in the order {@link #step} receives them; no
     * tables before the first step. Entries of a table may be null where a parameter keeps no state.
     */
    public final State state() {
        float[][][] live = steps == 0 ? new float[0][][] : tables();
        float[][][] copy = new float[live.length][][];
        for (int t = 0; t < live.length; t++) {
            copy[t] = new float[live[t].length][];
            for (int i = 0; i < live[t].length; i++) {
                copy[t][i] = live[t][i] == null ? null : live[t][i].clone();
            }
        }
        return new State(steps, copy);
    }

    /**
     * Replaces the state with a copy of {@code state}, as taken by {@link #state()} from an optimizer of the same
     * kind and hyper-parameters for the same parameters; the learning rate is left as it is.
     */
    public final void restore(State state) {
        if (state.steps() == 0) {
            steps = 0;
            return;
        }
        float[][][] own = state.tables();
        float[][][] copy = new float[own.length][][];
        for (int t = 0; t < own.length; t++) {
            copy[t] = new float[own[t].length][];
            for (int i = 0; i < own[t].length; i++) {
                copy[t][i] = own[t][i] == null ? null : own[t][i].clone();
            }
        }
        tables(copy);
        steps = state.steps();
    }

    /**
     * An optimizer's state: steps taken, and tables of per-parameter arrays (tables[t][i] for parameter i).
     * Serializable for checkpoints and for workers.
     */
    public record State(long steps, float[][][] tables) implements Serializable {
        public State {
            if (steps < 0) {
                throw new IllegalArgumentException("an optimizer state needs steps ≥ 0, got " + steps);
            }
        }
    }

    /**
     * The live state tables, after the first step (see {@link #state()}). Optimizers that keep state override this
     * and {@link #tables(float[][][])}; the default refuses, so that such state is never silently dropped.
     */
    protected float[][][] tables() {
        throw new UnsupportedOperationException(this + " does not expose its state: override tables() and "
                + "tables(float[][][]) to checkpoint it or to average it across workers");
    }

    /** Adopts {@code tables} (owned from now on) as the state; their shape must be what {@link #tables()} returns. */
    protected void tables(float[][][] tables) {
        throw new UnsupportedOperationException(this + " cannot restore a state: override tables() and "
                + "tables(float[][][])");
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

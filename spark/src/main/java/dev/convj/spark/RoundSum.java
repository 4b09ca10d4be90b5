package dev.convj.spark;

import java.io.Serializable;

/**
 * The sum that {@code treeAggregate} builds over a round's partitions, every term weighted by the images behind it:
 * Σ n·gradient (K = 1) or Σ n·weights (K &gt; 1), Σ n·running statistics, Σ n·optimizer state (K &gt; 1), the loss and
 * hits, and how long the slowest partition computed. A partition ships its own values in float with their image
 * count (half the bytes of a double sum); where two results meet they become double sums, so the order in which
 * Spark merges results (arrival order) changes the float result rarely, by at most one ulp (never, for two
 * partitions).
 */
final class RoundSum implements Serializable {
    long images;
    double lossSum;
    long correct;
    /** Local steps of the partition that took the most. */
    int maxSteps;
    int workers;
    long maxComputeNanos;
    double[][] params;
    double[][] running;
    /** Optimizer tables [t][parameter][element]; a null entry where the optimizer keeps no state. */
    double[][][] tables;
    /** One partition's own values, each to be weighted by {@link #images}, until a merge turns them into sums. */
    float[][] ownParams, ownRunning;
    float[][][] ownTables;

    static RoundSum empty() {
        return new RoundSum();
    }

    boolean isEmpty() {
        return images == 0;
    }

    /** Adds {@code n}·{@code values} into {@code into} (allocated on first use). */
    static double[][] addScaled(double[][] into, float[][] values, double n) {
        if (values == null) {
            return into;
        }
        if (into == null) {
            into = new double[values.length][];
        }
        for (int i = 0; i < values.length; i++) {
            float[] v = values[i];
            if (v == null) {
                continue;
            }
            if (into[i] == null) {
                into[i] = new double[v.length];
            }
            double[] d = into[i];
            for (int j = 0; j < v.length; j++) {
                d[j] += n * v[j];
            }
        }
        return into;
    }

    /** One partition's result: its values as they are, weighted by its images when results are merged. */
    static RoundSum own(long images, float[][] params, float[][] running, float[][][] tables) {
        RoundSum s = new RoundSum();
        s.images = images;
        s.ownParams = params;
        s.ownRunning = running;
        s.ownTables = tables;
        return s;
    }

    /** Turns own values into images-weighted double sums. */
    private void promote() {
        if (ownParams != null) {
            params = addScaled(null, ownParams, images);
            ownParams = null;
        }
        if (ownRunning != null) {
            running = addScaled(new double[ownRunning.length][], ownRunning, images);
            ownRunning = null;
        }
        if (ownTables != null) {
            tables = new double[ownTables.length][][];
            for (int t = 0; t < tables.length; t++) {
                tables[t] = addScaled(new double[ownTables[t].length][], ownTables[t], images);
            }
            ownTables = null;
        }
    }

    /** Adds {@code other} into this one and returns this one (what treeAggregate's combine may do). */
    RoundSum merge(RoundSum other) {
        if (other.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return other;
        }
        promote();
        other.promote();
        images += other.images;
        lossSum += other.lossSum;
        correct += other.correct;
        maxSteps = Math.max(maxSteps, other.maxSteps);
        workers += other.workers;
        maxComputeNanos = Math.max(maxComputeNanos, other.maxComputeNanos);
        params = add(params, other.params);
        running = add(running, other.running);
        if (other.tables != null) {
            if (tables == null) {
                tables = other.tables;
            } else {
                for (int t = 0; t < tables.length; t++) {
                    tables[t] = add(tables[t], other.tables[t]);
                }
            }
        }
        return this;
    }

    private static double[][] add(double[][] a, double[][] b) {
        if (b == null) {
            return a;
        }
        if (a == null) {
            return b;
        }
        for (int i = 0; i < a.length; i++) {
            if (b[i] == null) {
                continue;
            }
            if (a[i] == null) {
                a[i] = b[i];
                continue;
            }
            for (int j = 0; j < a[i].length; j++) {
                a[i][j] += b[i][j];
            }
        }
        return a;
    }

    /** The images-weighted mean of the parameters (gradients for K = 1, weights for K > 1). */
    float[][] meanParams() {
        return ownParams != null ? ownParams : mean(params);
    }

    float[][] meanRunning() {
        return ownRunning != null ? ownRunning : mean(running);
    }

    /** The images-weighted mean of optimizer table {@code t}. */
    float[][] meanTable(int t) {
        return ownTables != null ? ownTables[t] : mean(tables[t]);
    }

    int tableCount() {
        return ownTables != null ? ownTables.length : tables.length;
    }

    /** The images-weighted mean of a summed table, as floats; null entries stay null. */
    private float[][] mean(double[][] sums) {
        float[][] out = new float[sums.length][];
        for (int i = 0; i < sums.length; i++) {
            if (sums[i] == null) {
                continue;
            }
            out[i] = new float[sums[i].length];
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] = (float) (sums[i][j] / images);
            }
        }
        return out;
    }
}

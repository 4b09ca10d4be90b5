package dev.convj.runtime.train;

import java.util.Map;

/**
 * Stops training when {@code monitor} has not improved by more than {@code minDelta} for {@code patience}
 * epochs, as Keras' EarlyStopping; optionally puts back the weights of the best epoch.
 */
public final class EarlyStopping implements Callback {
    private final Monitor monitor;
    private final int patience;
    private final double minDelta;
    private final boolean restoreBest;
    private double best = Double.NaN;
    private int bestEpoch, waited;
    private boolean stop;
    private Map<String, float[]> bestWeights;

    public EarlyStopping(Monitor monitor, int patience, double minDelta, boolean restoreBest) {
        if (patience < 0 || minDelta < 0) {
            throw new IllegalArgumentException("early stopping needs patience ≥ 0 and minDelta ≥ 0");
        }
        this.monitor = monitor;
        this.patience = patience;
        this.minDelta = minDelta;
        this.restoreBest = restoreBest;
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochStats stats) {
        double v = monitor.of(stats);
        if (monitor.improves(v, best, minDelta)) {
            best = v;
            bestEpoch = stats.epoch();
            waited = 0;
            if (restoreBest) {
                bestWeights = trainer.weights();
            }
        } else if (++waited >= patience) {
            stop = true;
        }
    }

    @Override
    public boolean stopTraining() {
        return stop;
    }

    @Override
    public void onTrainEnd(Trainer trainer, History history) {
        if (restoreBest && bestWeights != null && bestEpoch != history.last().epoch()) {
            trainer.setWeights(bestWeights);
        }
    }

    /** Whether it ended training early. */
    public boolean stopped() {
        return stop;
    }

    /** The epoch with the best monitored value (0 before any). */
    public int bestEpoch() {
        return bestEpoch;
    }
}

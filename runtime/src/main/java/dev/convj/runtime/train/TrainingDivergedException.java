package dev.convj.runtime.train;

/** Training stopped because its loss grew without bound; the weights of the epoch that diverged are not kept. */
public final class TrainingDivergedException extends IllegalStateException {
    private final int epoch;

    public TrainingDivergedException(int epoch, String message) {
        super(message);
        this.epoch = epoch;
    }

    /** The epoch that diverged, counted from 1. */
    public int epoch() {
        return epoch;
    }
}

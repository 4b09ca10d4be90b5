package dev.convj.runtime.train;

/** A per-epoch figure that callbacks watch, and whether larger is better. */
public enum Monitor {
    LOSS(false), ACCURACY(true), VAL_LOSS(false), VAL_ACCURACY(true);

    private final boolean higherIsBetter;

    Monitor(boolean higherIsBetter) {
        this.higherIsBetter = higherIsBetter;
    }

    public double of(EpochStats s) {
        double v = switch (this) {
            case LOSS -> s.trainLoss();
            case ACCURACY -> s.trainAccuracy();
            case VAL_LOSS -> s.valLoss();
            case VAL_ACCURACY -> s.valAccuracy();
        };
        if (Double.isNaN(v) && higherIsBetter && !s.hasAccuracy()) {
            throw new IllegalStateException(name().toLowerCase() + " is watched but a regression model has no accuracy;"
                    + " watch the loss");
        }
        if (Double.isNaN(v)) {
            throw new IllegalStateException(name().toLowerCase() + " is watched but training has no validation set");
        }
        return v;
    }

    /** Whether {@code candidate} beats {@code best} by more than {@code minDelta}. */
    public boolean improves(double candidate, double best, double minDelta) {
        if (Double.isNaN(best)) {
            return true;
        }
        return higherIsBetter ? candidate > best + minDelta : candidate < best - minDelta;
    }
}

package dev.convj.runtime.train;

/**
 * The learning rate of each epoch (counted from 0) given the base rate, applied at the start of the epoch as
 * PyTorch's schedulers stepped once per epoch.
 */
@FunctionalInterface
public interface LrSchedule {

    double rate(int epoch, double base);

    /** The base rate throughout. */
    static LrSchedule constant() {
        return (epoch, base) -> base;
    }

    /** {@code StepLR(step_size, gamma)}: base · γ^⌊epoch / stepSize⌋. */
    static LrSchedule step(int stepSize, double gamma) {
        if (stepSize < 1 || !(gamma > 0)) {
            throw new IllegalArgumentException("step schedule needs stepSize ≥ 1 and γ > 0, got " + stepSize + ", " + gamma);
        }
        return (epoch, base) -> base * Math.pow(gamma, epoch / stepSize);
    }

    /** {@code CosineAnnealingLR(T_max, eta_min)}: η_min + (base − η_min)·(1 + cos(π·epoch/T_max))/2. */
    static LrSchedule cosine(int tMax, double etaMin) {
        if (tMax < 1 || etaMin < 0) {
            throw new IllegalArgumentException("cosine schedule needs T_max ≥ 1 and η_min ≥ 0, got " + tMax + ", " + etaMin);
        }
        return (epoch, base) -> etaMin + (base - etaMin) * (1 + Math.cos(Math.PI * epoch / tMax)) / 2;
    }
}

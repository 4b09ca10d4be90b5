package dev.convj.spark;

import java.io.Serializable;

/**
 * Called by every task before it trains its partition's share of a round: tests inject a fault with it (a throw in
 * one attempt), monitoring code can log. {@code attempt} counts Spark's attempts of the task from 0.
 */
@FunctionalInterface
public interface TaskHook extends Serializable {

    void beforeRound(int epoch, int round, int partition, int attempt);

    /** Does nothing. */
    static TaskHook none() {
        return (epoch, round, partition, attempt) -> {};
    }
}

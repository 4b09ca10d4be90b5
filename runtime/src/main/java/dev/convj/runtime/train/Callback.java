package dev.convj.runtime.train;

/** Hooks into {@link Trainer#fit}: called after each epoch, in the order they were added. */
public interface Callback {

    /** Called after epoch {@code stats.epoch()}'s validation; the trainer's weights are those after the epoch. */
    default void onEpochEnd(Trainer trainer, EpochStats stats) throws java.io.IOException {}

    /** Asked after every callback has seen the epoch: true ends training. */
    default boolean stopTraining() {
        return false;
    }

    /** Called once when training ends (normally or early). */
    default void onTrainEnd(Trainer trainer, History history) throws java.io.IOException {}
}

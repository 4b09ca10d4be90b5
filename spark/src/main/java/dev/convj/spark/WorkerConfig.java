package dev.convj.spark;

import java.io.Serializable;
import java.util.List;

/**
 * What every task of a training run needs besides the round's broadcast: the model (as the DSL's text, so that an
 * executor builds and compiles it once), how a partition steps, and the seeds.
 *
 * @param localBatch   images per local step (the global batch divided by the partitions)
 * @param localSteps   K: local steps per round; 1 is synchronous SGD (workers return gradients), more is local SGD
 *                     (workers step their own optimizer copy and return weights and optimizer state to average)
 * @param runningNames the running statistics, in the order {@link RoundInput#running()} holds them
 */
record WorkerConfig(String architecture, int localBatch, int localSteps, int threadsPerTask, int partitions, long seed,
                    List<String> runningNames, TaskHook hook) implements Serializable {

    WorkerConfig {
        runningNames = List.copyOf(runningNames);
    }

    /** K = 1: gradients are averaged and the driver's optimizer steps (exact synchronous SGD). */
    boolean averagesGradients() {
        return localSteps == 1;
    }
}

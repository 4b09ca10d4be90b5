package dev.convj.spark;

import dev.convj.runtime.train.Optimizer;
import java.io.Serializable;

/**
 * What the driver broadcasts for one round: where training stands, the weights (in the model's parameter order),
 * the running statistics, and for local SGD (K &gt; 1) the optimizer with its state, which each worker copies and
 * steps on its own. Workers must not change these arrays: in local mode every task of an executor shares them.
 *
 * @param stepBase global steps taken before this round (a worker's k-th local step is step stepBase + k)
 */
record RoundInput(int epoch, int round, long stepBase, float[][] weights, float[][] running, Optimizer optimizer)
        implements Serializable {}

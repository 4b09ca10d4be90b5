package dev.convj.graph;

/**
 * How a trainer keeps one running statistic of a batch-normalization layer: after each training step,
 * running ← (1 − momentum)·running + momentum·correction·batch, where {@code batchNode} is the training graph's
 * output holding the batch value and {@code runningParameter} the inference graph's parameter. The correction is
 * 1 for the mean and m/(m − 1) for the variance (m values per channel), PyTorch's unbiased running variance.
 */
public record RunningStatistic(String batchNode, String runningParameter, double momentum, double correction) {

    /** The folded running values. */
    public double[] fold(double[] running, double[] batch) {
        if (running.length != batch.length) {
            throw new IllegalArgumentException(runningParameter + " holds " + running.length + " values but "
                    + batchNode + " " + batch.length);
        }
        double[] next = new double[running.length];
        for (int i = 0; i < next.length; i++) {
            next[i] = (1 - momentum) * running[i] + momentum * correction * batch[i];
        }
        return next;
    }
}

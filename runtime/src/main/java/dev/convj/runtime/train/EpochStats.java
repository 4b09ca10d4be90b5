package dev.convj.runtime.train;

import dev.convj.graph.Fmt;
import java.util.Locale;

/**
 * What one epoch measured. Validation figures are NaN when no validation set was given; accuracies are NaN for a
 * regression model.
 *
 * @param epoch           counted from 1
 * @param imagesPerSecond training images processed per second of training (validation excluded)
 */
public record EpochStats(int epoch, double learningRate, double trainLoss, double trainAccuracy, double valLoss,
                         double valAccuracy, double seconds, double imagesPerSecond) {

    public boolean hasValidation() {
        return !Double.isNaN(valLoss);
    }

    /** Whether accuracies were measured (a classifier), as opposed to a regression model's loss alone. */
    public boolean hasAccuracy() {
        return !Double.isNaN(trainAccuracy);
    }

    /**
     * One line for logs: {@code epoch 2/5  loss 0.4123  acc 85.10%  val_loss 0.43  val_acc 84.20%  1,234 img/s}
     * (without the accuracies for a regression model).
     */
    public String line(int epochs) {
        String s = String.format(Locale.ROOT, "epoch %d/%d  lr %s  loss %.4f", epoch, epochs, Fmt.python(learningRate),
                trainLoss);
        if (hasAccuracy()) {
            s += String.format(Locale.ROOT, "  acc %.2f%%", 100 * trainAccuracy);
        }
        if (hasValidation()) {
            s += String.format(Locale.ROOT, "  val_loss %.4f", valLoss);
            if (hasAccuracy()) {
                s += String.format(Locale.ROOT, "  val_acc %.2f%%", 100 * valAccuracy);
            }
        }
        return s + String.format(Locale.ROOT, "  %,.0f img/s  %.1f s", imagesPerSecond, seconds);
    }
}

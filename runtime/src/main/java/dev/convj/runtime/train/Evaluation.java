package dev.convj.runtime.train;

import java.util.List;
import java.util.Locale;

/**
 * A model's figures on a dataset: mean loss and, for a classifier, accuracy, per-class accuracy and the confusion
 * matrix ({@code confusion} is null for a regression model, whose accuracy is NaN).
 */
public record Evaluation(String dataset, int images, double loss, ConfusionMatrix confusion) {

    /** Whether the model classifies (has a confusion matrix and an accuracy). */
    public boolean isClassification() {
        return confusion != null;
    }

    /** The fraction of images classified correctly; NaN for a regression model. */
    public double accuracy() {
        return confusion == null ? Double.NaN : confusion.accuracy();
    }

    public double[] perClassAccuracy() {
        if (confusion == null) {
            throw new IllegalStateException("a regression model has no per-class accuracy");
        }
        return confusion.perClassAccuracy();
    }

    /** The summary line and the confusion matrix, naming classes when {@code classNames} is given. */
    public String format(List<String> classNames) {
        if (confusion == null) {
            return String.format(Locale.ROOT, "%s: %d images, loss %.6f%n", dataset, images, loss);
        }
        return String.format(Locale.ROOT, "%s: %d images, loss %.4f, accuracy %.2f%%%n", dataset, images, loss,
                100 * accuracy()) + confusion.format(classNames);
    }
}

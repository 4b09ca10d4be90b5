package dev.convj.runtime.train;

import java.util.List;
import java.util.Locale;

/** A model's figures on a dataset: mean loss, accuracy, per-class accuracy and the confusion matrix. */
public record Evaluation(String dataset, int images, double loss, ConfusionMatrix confusion) {

    public double accuracy() {
        return confusion.accuracy();
    }

    public double[] perClassAccuracy() {
        return confusion.perClassAccuracy();
    }

    /** The summary line and the confusion matrix, naming classes when {@code classNames} is given. */
    public String format(List<String> classNames) {
        return String.format(Locale.ROOT, "%s: %d images, loss %.4f, accuracy %.2f%%%n", dataset, images, loss,
                100 * accuracy()) + confusion.format(classNames);
    }
}

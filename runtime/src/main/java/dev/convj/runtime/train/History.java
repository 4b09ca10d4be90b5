package dev.convj.runtime.train;

import dev.convj.graph.Fmt;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** The per-epoch record of a training run, in order. */
public final class History {
    private final List<EpochStats> epochs = new ArrayList<>();

    /** A history of these epochs, in order (e.g. measured by a distributed trainer, or read back on resume). */
    public static History of(List<EpochStats> epochs) {
        History h = new History();
        epochs.forEach(h::add);
        return h;
    }

    void add(EpochStats stats) {
        epochs.add(stats);
    }

    public List<EpochStats> epochs() {
        return Collections.unmodifiableList(epochs);
    }

    public int size() {
        return epochs.size();
    }

    public EpochStats last() {
        if (epochs.isEmpty()) {
            throw new IllegalStateException("no epoch was trained");
        }
        return epochs.get(epochs.size() - 1);
    }

    /**
     * epoch, lr, loss, accuracy, val_loss, val_accuracy, seconds, images_per_second: one row per epoch; figures not
     * measured (no validation set, or accuracies of a regression model) are empty.
     */
    public String toCsv() {
        StringBuilder b = new StringBuilder("epoch,lr,loss,accuracy,val_loss,val_accuracy,seconds,images_per_second\n");
        for (EpochStats e : epochs) {
            b.append(String.format(Locale.ROOT, "%d,%s,%.6f,%s,%s,%s,%.3f,%.1f%n", e.epoch(), Fmt.python(e.learningRate()),
                    e.trainLoss(), orEmpty(e.trainAccuracy()), orEmpty(e.valLoss()), orEmpty(e.valAccuracy()),
                    e.seconds(), e.imagesPerSecond()));
        }
        return b.toString();
    }

    private static String orEmpty(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6f", v);
    }

    @Override
    public String toString() {
        return toCsv();
    }
}

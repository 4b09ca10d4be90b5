package dev.convj.runtime.train;

import dev.convj.runtime.model.ModelFile;
import dev.convj.runtime.model.SavedModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Saves the model after each epoch (or only when {@code monitor} improves) to a model file, atomically: a crash
 * during a save keeps the previous checkpoint.
 */
public final class ModelCheckpoint implements Callback {
    private final Path file;
    private final String architecture;
    private final Monitor monitor;
    private double best = Double.NaN;
    private int saves;
    private int savedEpoch;

    /** Saves after every epoch when {@code monitor} is null, else only on improvement. */
    public ModelCheckpoint(Path file, String architecture, Monitor monitor) {
        this.file = file;
        this.architecture = architecture;
        this.monitor = monitor;
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochStats stats) throws IOException {
        if (monitor != null) {
            double v = monitor.of(stats);
            if (!monitor.improves(v, best, 0)) {
                return;
            }
            best = v;
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("epoch", Integer.toString(stats.epoch()));
        meta.put("loss", String.format(Locale.ROOT, "%.6f", stats.trainLoss()));
        if (stats.hasValidation()) {
            meta.put("val_accuracy", String.format(Locale.ROOT, "%.6f", stats.valAccuracy()));
        }
        ModelFile.save(file, new SavedModel(architecture, trainer.weights(), meta));
        saves++;
        savedEpoch = stats.epoch();
    }

    /** The epoch whose weights the file holds (the best one when a monitor is watched); 0 before the first save. */
    public int savedEpoch() {
        return savedEpoch;
    }

    /** The file it saves to. */
    public Path file() {
        return file;
    }

    /** How many times it saved. */
    public int saves() {
        return saves;
    }
}

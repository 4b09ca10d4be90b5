package dev.convj.spark;

import dev.convj.runtime.model.ModelFile;
import dev.convj.runtime.model.SavedModel;
import dev.convj.runtime.train.EpochStats;
import dev.convj.runtime.train.Optimizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The driver's checkpoint, {@value SparkTrainer#RESUME_FILE}: one model file (written atomically) holding the
 * weights and running statistics, the optimizer's state as extra tensors named {@code @optimizer/TABLE/PARAM}, and
 * in its metadata where training stands (epoch, rounds done, steps, the running epoch's sums, the finished epochs'
 * figures) and the settings a resumed run must share (global batch, K, partitions, seed, optimizer).
 */
final class ResumeFile {
    private ResumeFile() {}

    private static final String OPTIMIZER = "@optimizer/";

    static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve(SparkTrainer.RESUME_FILE));
    }

    static void save(Path dir, String architecture, Map<String, String> settings, List<String> parameterNames,
                     float[][] weights, List<String> runningNames, float[][] running, Optimizer.State optimizer,
                     long steps, int epoch, int roundsDone, SparkTrainer.EpochSums sums, List<EpochStats> history)
            throws IOException {
        Map<String, float[]> tensors = new LinkedHashMap<>();
        for (int i = 0; i < parameterNames.size(); i++) {
            tensors.put(parameterNames.get(i), weights[i]);
        }
        for (int i = 0; i < runningNames.size(); i++) {
            tensors.put(runningNames.get(i), running[i]);
        }
        float[][][] tables = optimizer.tables();
        for (int t = 0; t < tables.length; t++) {
            for (int i = 0; i < tables[t].length; i++) {
                if (tables[t][i] != null) {
                    tensors.put(OPTIMIZER + t + "/" + i, tables[t][i]);
                }
            }
        }
        Map<String, String> meta = new LinkedHashMap<>(settings);
        meta.put("epoch", Integer.toString(epoch));
        meta.put("rounds_done", Integer.toString(roundsDone));
        meta.put("steps", Long.toString(steps));
        meta.put("optimizer_steps", Long.toString(optimizer.steps()));
        meta.put("optimizer_tables", tables.length + "x" + (tables.length == 0 ? 0 : tables[0].length));
        meta.put("epoch_images", Long.toString(sums.images));
        meta.put("epoch_correct", Long.toString(sums.correct));
        meta.put("epoch_loss_sum", Double.toString(sums.lossSum));
        meta.put("epoch_seconds", Double.toString(sums.seconds));
        StringBuilder rows = new StringBuilder();
        for (EpochStats e : history) {
            rows.append(String.join(",", Integer.toString(e.epoch()), Double.toString(e.learningRate()),
                    Double.toString(e.trainLoss()), Double.toString(e.trainAccuracy()), Double.toString(e.valLoss()),
                    Double.toString(e.valAccuracy()), Double.toString(e.seconds()),
                    Double.toString(e.imagesPerSecond()))).append('\n');
        }
        meta.put("history", rows.toString());
        Files.createDirectories(dir);
        ModelFile.save(dir.resolve(SparkTrainer.RESUME_FILE), new SavedModel(architecture, tensors, meta));
    }

    /** What a checkpoint restores. */
    record State(Map<String, float[]> tensors, Optimizer.State optimizer, long steps, int epoch, int roundsDone,
                 SparkTrainer.EpochSums sums, List<EpochStats> history) {

        float[][] weights(List<String> names) {
            return names.stream().map(n -> tensors.get(n).clone()).toArray(float[][]::new);
        }

        float[][] running(List<String> names) {
            return weights(names);
        }
    }

    static State load(Path dir, String architecture, Map<String, String> settings) throws IOException {
        Path file = dir.resolve(SparkTrainer.RESUME_FILE);
        SavedModel saved = ModelFile.load(file);
        if (!saved.architecture().equals(architecture)) {
            throw new IllegalArgumentException(file + " holds another network than the one being trained; resume "
                    + "with the same --model, or delete the file to start afresh");
        }
        Map<String, String> meta = saved.metadata();
        for (Map.Entry<String, String> e : settings.entrySet()) {
            if (!e.getValue().equals(meta.get(e.getKey()))) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "%s was written with %s = %s, this run "
                        + "has %s: a resumed run must repeat the settings its rounds depend on (global batch, K, "
                        + "partitions, seed, optimizer), or delete the file to start afresh", file, e.getKey(),
                        meta.get(e.getKey()), e.getValue()));
            }
        }
        String[] shape = meta.get("optimizer_tables").split("x");
        int tableCount = Integer.parseInt(shape[0]), params = Integer.parseInt(shape[1]);
        float[][][] tables = new float[tableCount][params][];
        for (Map.Entry<String, float[]> e : saved.weights().entrySet()) {
            if (e.getKey().startsWith(OPTIMIZER)) {
                String[] at = e.getKey().substring(OPTIMIZER.length()).split("/");
                tables[Integer.parseInt(at[0])][Integer.parseInt(at[1])] = e.getValue();
            }
        }
        SparkTrainer.EpochSums sums = new SparkTrainer.EpochSums();
        sums.images = Long.parseLong(meta.get("epoch_images"));
        sums.correct = Long.parseLong(meta.get("epoch_correct"));
        sums.lossSum = Double.parseDouble(meta.get("epoch_loss_sum"));
        sums.seconds = Double.parseDouble(meta.get("epoch_seconds"));
        List<EpochStats> history = new ArrayList<>();
        for (String row : meta.get("history").split("\n")) {
            if (row.isEmpty()) {
                continue;
            }
            String[] f = row.split(",");
            history.add(new EpochStats(Integer.parseInt(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                    Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5]),
                    Double.parseDouble(f[6]), Double.parseDouble(f[7])));
        }
        return new State(saved.weights(), new Optimizer.State(Long.parseLong(meta.get("optimizer_steps")), tables),
                Long.parseLong(meta.get("steps")), Integer.parseInt(meta.get("epoch")),
                Integer.parseInt(meta.get("rounds_done")), sums, history);
    }
}

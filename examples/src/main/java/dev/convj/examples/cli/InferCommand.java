package dev.convj.examples.cli;

import dev.convj.examples.Backend;
import dev.convj.examples.ModelStore;
import dev.convj.graph.ModelGraph;
import dev.convj.runtime.data.Npy;
import dev.convj.runtime.train.Trainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code convj infer}: a model's outputs for a batch of any size, from and to NumPy {@code .npy} files. */
@Command(name = "infer", mixinStandardHelpOptions = true,
        description = "Run a model's inference graph (running batch-norm statistics, no dropout) on the images of a "
                + ".npy file (float32, [N, C, H, W] or one image [C, H, W]) and write its outputs ([N, outputs], "
                + "float32: a classifier's logits) as .npy.")
final class InferCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true,
            description = "A model file (.convj), an ONNX file (.onnx, imported), or a built-in model (lenet5, vgg) with seeded, untrained weights.")
    String model;

    @Option(names = "--input", required = true, description = "The images: a float32 .npy file.")
    Path input;

    @Option(names = "--out", required = true, description = "Where to write the outputs (.npy).")
    Path out;

    @Option(names = "--threads", defaultValue = "0", description = "Worker threads; 0 = all cores (default).")
    int threads;

    @Option(names = "--batch", defaultValue = "256",
            description = "Images per compiled step; the last, partial one gets its own (default: ${DEFAULT-VALUE}).")
    int batch;

    @Override
    public Integer call() throws IOException {
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be ≥ 1, got " + batch);
        }
        if (threads < 0) {
            throw new IllegalArgumentException("--threads must be ≥ 0 (0 = all cores), got " + threads);
        }
        ModelStore.Loaded loaded = ModelStore.resolve(model);
        List<Integer> image = loaded.network().inputShape();
        Npy.Array x = Npy.read(input);
        if (x.floats() == null) {
            throw new IllegalArgumentException(input + " holds " + x.dtype() + " values; the model takes float32 images"
                    + " (save a.astype(np.float32))");
        }
        int[] shape = x.shape();
        int n = shape.length == image.size() + 1 ? shape[0] : 1;
        List<Integer> each = Arrays.stream(shape, shape.length - Math.min(shape.length, image.size()), shape.length)
                .boxed().toList();
        if ((shape.length != image.size() && shape.length != image.size() + 1) || !each.equals(image)) {
            throw new IllegalArgumentException(input + " has shape " + Arrays.toString(shape) + "; " + loaded.source()
                    + " takes images of " + image + ", so [N, " + String.join(", ", image.stream()
                    .map(String::valueOf).toList()) + "] or one image " + image);
        }
        Trainer trainer = Trainer.builder(loaded.network()::graph).inference(loaded.network()::inferenceGraph)
                .factory(Backend.factory(threads)).weights(loaded.weights()).seed(1).build();
        ModelGraph one = loaded.network().inferenceGraph(1);
        int perImage = one.graph().node(one.output()).shape().size(), pixels = x.floats().length / Math.max(n, 1);
        float[] y = new float[n * perImage];
        long start = System.nanoTime();
        for (int from = 0; from < n; from += batch) {
            int count = Math.min(batch, n - from);
            float[] chunk = Arrays.copyOfRange(x.floats(), from * pixels, (from + count) * pixels);
            System.arraycopy(trainer.outputs(chunk, count), 0, y, from * perImage, count * perImage);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Npy.write(out, Npy.Array.of(y, n, perImage));
        PrintWriter console = spec.commandLine().getOut();
        console.printf(Locale.ROOT, "%s: %d image(s) in %.3f s (%s), outputs [%d, %d] written to %s%n",
                loaded.source(), n, seconds, loaded.weights() == null ? "seeded, untrained weights" : "trained weights",
                n, perImage, out);
        console.flush();
        return 0;
    }
}

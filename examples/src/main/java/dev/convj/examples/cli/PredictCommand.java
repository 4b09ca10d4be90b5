package dev.convj.examples.cli;

import dev.convj.examples.Backend;
import dev.convj.examples.ModelStore;
import dev.convj.examples.data.FashionData;
import dev.convj.runtime.data.Dataset;
import dev.convj.runtime.data.FashionMnist;
import dev.convj.runtime.train.Trainer;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code convj predict}: the most likely classes of one image, from a file or the test set. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Print the top classes a saved model predicts for an image file (PNG, JPEG, …; made grey and "
                + "28×28) or for test image number --index.")
final class PredictCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, description = "A saved model file (.convj).")
    Path model;

    static final class Source {
        @Option(names = "--image", description = "An image file; scaled to the model's input size.")
        Path image;

        @Option(names = "--index", description = "The index of an image of the test set (IDX).")
        Integer index;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--invert", description = "Invert the image file's grey levels (Fashion-MNIST shows light clothes on black).")
    boolean invert;

    @Option(names = "--data", description = "Directory holding the Fashion-MNIST IDX files (for --index).")
    Path data;

    @Option(names = "--top", defaultValue = "3", description = "How many classes to print (default: ${DEFAULT-VALUE}).")
    int top;

    @Override
    public Integer call() throws IOException {
        PrintWriter console = spec.commandLine().getOut();
        ModelStore.Loaded loaded = ModelStore.load(model);
        List<Integer> in = loaded.network().inputShape();
        if (in.size() != 3 || in.get(0) != 1) {
            throw new IllegalArgumentException(model + ": predict handles models of one-channel images, this one takes "
                    + in);
        }
        float[] pixels;
        if (source.image != null) {
            pixels = readImage(source.image, in.get(1), in.get(2), invert);
            console.println("image " + source.image);
        } else {
            Dataset test = FashionData.locateTest(data, TrainCommand.printStream(console));
            int i = source.index;
            if (i < 0 || i >= test.size()) {
                throw new IllegalArgumentException("--index " + i + ": the test set has images 0.." + (test.size() - 1));
            }
            pixels = test.image(i);
            console.println("test image " + i + ", true class: " + FashionMnist.CLASSES.get(test.label(i)));
        }
        Trainer trainer = Trainer.builder(loaded.network()::graph).inference(loaded.network()::inferenceGraph)
                .factory(Backend.factory(1)).weights(loaded.weights()).build();
        if (trainer.isRegression()) {
            throw new IllegalArgumentException(model + " is a regression model (MSE loss); predict prints the top classes"
                    + " of a classifier");
        }
        float[] logits = trainer.logits(pixels, 1);
        double[] p = softmax(logits);
        Integer[] order = IntStream.range(0, p.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble((Integer c) -> -p[c]));
        for (int k = 0; k < Math.min(Math.max(top, 1), p.length); k++) {
            int c = order[k];
            String name = c < FashionMnist.CLASSES.size() ? FashionMnist.CLASSES.get(c) : "class " + c;
            console.printf(Locale.ROOT, "%d. %-12s %6.2f%%%n", k + 1, name, 100 * p[c]);
        }
        console.flush();
        return 0;
    }

    static double[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double[] p = new double[logits.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** Reads an image as grey levels in [0, 1], scaled to {@code h}×{@code w}. */
    static float[] readImage(Path file, int h, int w, boolean invert) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--image " + file + ": no such file");
        }
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = ImageIO.read(file.toFile());
        if (img == null) {
            throw new IllegalArgumentException("--image " + file + ": not an image format Java can read (use PNG or JPEG)");
        }
        BufferedImage grey = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = grey.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(img, 0, 0, w, h, null);
        g.dispose();
        float[] pixels = new float[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float v = (grey.getRaster().getSample(x, y, 0)) / 255f;
                pixels[y * w + x] = invert ? 1 - v : v;
            }
        }
        return pixels;
    }
}

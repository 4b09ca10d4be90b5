package dev.convj.examples.lessons;

import static dev.convj.dsl.LayerOption.outputPadding;
import static dev.convj.dsl.LayerOption.pad;
import static dev.convj.dsl.LayerOption.stride;

import dev.convj.dsl.Network;
import dev.convj.examples.Backend;
import dev.convj.examples.data.FashionData;
import dev.convj.runtime.data.Dataset;
import dev.convj.runtime.data.FashionMnist;
import dev.convj.runtime.train.Adam;
import dev.convj.runtime.train.ExecutableFactory;
import dev.convj.runtime.train.History;
import dev.convj.runtime.train.Trainer;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Lesson 6: a convolutional autoencoder, the "reconstruction" use of transposed convolution. Strided
 * convolutions squeeze a 28×28 image into a code of 4 maps of 7×7; transposed convolutions with the same strides grow it back;
 * the loss is the mean squared error between the reconstruction and the image itself. The program prints the test
 * MSE beside that of the best constant guess (the mean training image) and writes a PNG: test images on the top row,
 * their reconstructions below. Options: {@code --epochs N --images N (0: all) --batch N --threads N --seed N
 * --data DIR --out DIR}.
 */
public final class Lesson06Autoencoder {
    private Lesson06Autoencoder() {}

    /**
     * 1×28×28 → 16×14×14 → 32×7×7 → a code of 4×7×7 = 196 values (a quarter of the pixels) → 16×14×14 → 1×28×28;
     * each transposed convolution undoes the size change of a stride-2 convolution.
     */
    public static Network network() {
        return Network.input(1, 28, 28)
                .conv2d(16, 3, stride(2), pad(1)).relu()
                .conv2d(32, 3, stride(2), pad(1)).relu()
                .conv2d(4, 3, pad(1)).relu()
                .convTranspose2d(16, 3, stride(2), pad(1), outputPadding(1)).relu()
                .convTranspose2d(1, 3, stride(2), pad(1), outputPadding(1)).sigmoid()
                .mse();
    }

    /** What a run is given: sizes, data and where the picture goes. */
    public record Config(int epochs, int images, int testImages, int batch, double learningRate, int shown, int scale,
                         long seed, Path data, Path out, ExecutableFactory factory) {

        /** The defaults of {@code main}: 3 epochs on up to 15,000 images (under two minutes on two cores). */
        public static Config defaults() {
            return new Config(3, 15_000, 2_000, 32, 2e-3, 10, 3, 1, null, Path.of("runs", "lesson06"),
                    Backend.factory(0));
        }
    }

    /** The outcome: test MSE, the mean image's MSE, the picture, the training time and history. */
    public record Result(double testMse, double meanImageMse, Path picture, double seconds, History history) {}

    public static Result run(Config c, PrintStream console) throws IOException {
        FashionMnist.Split split = FashionData.locate(c.data(), console);
        Dataset train = (c.images() > 0 ? split.train().take(c.images()) : split.train()).autoencoding();
        Dataset test = (c.testImages() > 0 ? split.test().take(c.testImages()) : split.test()).autoencoding();
        Network net = network();
        console.printf(Locale.ROOT, "autoencoder: %,d parameters; %,d training and %,d test images; %d epochs, batch %d%n",
                net.summary().totalParameters(), train.size(), test.size(), c.epochs(), c.batch());
        Trainer trainer = Trainer.builder(net::graph).inference(net::inferenceGraph)
                .factory(c.factory()).optimizer(Adam.adam(c.learningRate()))
                .batchSize(c.batch()).seed(c.seed()).log(console)
                .build();
        long start = System.nanoTime();
        History history = trainer.fit(train, null, c.epochs());
        double seconds = (System.nanoTime() - start) / 1e9;
        double mse = trainer.evaluate(test).loss();
        double baseline = meanImageMse(train, test);
        Files.createDirectories(c.out());
        Path png = c.out().resolve("reconstructions.png");
        int[] shown = firstOfEachClass(test, c.shown());
        float[] originals = new float[shown.length * test.imageSize()];
        for (int k = 0; k < shown.length; k++) {
            test.copyImage(shown[k], originals, k * test.imageSize());
        }
        float[] reconstructions = trainer.outputs(originals, shown.length);
        writePicture(png, originals, reconstructions, shown.length, test.height(), test.width(), c.scale());
        console.printf(Locale.ROOT, "test MSE %.5f (predicting the mean training image: %.5f), trained in %.1f s%n", mse,
                baseline, seconds);
        console.println("wrote " + png + ": test images on top, reconstructions below");
        return new Result(mse, baseline, png, seconds, history);
    }

    /** The test MSE of the best constant guess: the mean training image. */
    static double meanImageMse(Dataset train, Dataset test) {
        int per = train.imageSize();
        double[] mean = new double[per];
        float[] x = new float[per];
        for (int i = 0; i < train.size(); i++) {
            train.copyImage(i, x, 0);
            for (int j = 0; j < per; j++) {
                mean[j] += x[j];
            }
        }
        double sum = 0;
        for (int i = 0; i < test.size(); i++) {
            test.copyImage(i, x, 0);
            for (int j = 0; j < per; j++) {
                double d = x[j] - mean[j] / train.size();
                sum += d * d;
            }
        }
        return sum / ((double) test.size() * per);
    }

    /** Up to {@code n} test images: the first of each class in turn, then the next ones. */
    static int[] firstOfEachClass(Dataset test, int n) {
        int count = Math.min(n, test.size());
        int[] chosen = new int[count];
        boolean[] taken = new boolean[test.size()];
        int k = 0;
        for (int c = 0; c < test.classes() && k < count; c++) {
            for (int i = 0; i < test.size(); i++) {
                if (test.label(i) == c) {
                    chosen[k++] = i;
                    taken[i] = true;
                    break;
                }
            }
        }
        for (int i = 0; i < test.size() && k < count; i++) {
            if (!taken[i]) {
                chosen[k++] = i;
            }
        }
        return chosen;
    }

    /** Grey levels in [0, 1], n images in a row over their n reconstructions, each pixel a scale×scale block. */
    static void writePicture(Path file, float[] top, float[] bottom, int n, int h, int w, int scale) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(n * w * scale, 2 * h * scale, BufferedImage.TYPE_BYTE_GRAY);
        for (int row = 0; row < 2; row++) {
            float[] src = row == 0 ? top : bottom;
            for (int k = 0; k < n; k++) {
                for (int y = 0; y < h * scale; y++) {
                    for (int x = 0; x < w * scale; x++) {
                        float v = src[k * h * w + (y / scale) * w + x / scale];
                        int g = Math.round(255 * Math.max(0, Math.min(1, v)));
                        img.getRaster().setSample(k * w * scale + x, row * h * scale + y, 0, g);
                    }
                }
            }
        }
        if (!ImageIO.write(img, "png", file.toFile())) {
            throw new IOException("no PNG writer in this JDK");
        }
    }

    public static void main(String[] args) throws Exception {
        Config d = Config.defaults();
        int epochs = d.epochs(), images = d.images(), batch = d.batch(), threads = 0;
        long seed = d.seed();
        Path data = null, out = d.out();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            String v = args[++i];
            switch (flag) {
                case "--epochs" -> epochs = Integer.parseInt(v);
                case "--images" -> images = Integer.parseInt(v);
                case "--batch" -> batch = Integer.parseInt(v);
                case "--threads" -> threads = Integer.parseInt(v);
                case "--seed" -> seed = Long.parseLong(v);
                case "--data" -> data = Path.of(v);
                case "--out" -> out = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + flag
                        + "; use --epochs --images --batch --threads --seed --data --out");
            }
        }
        System.out.println("backend: " + Backend.describe(threads));
        run(new Config(epochs, images, d.testImages(), batch, d.learningRate(), d.shown(), d.scale(), seed, data, out,
                Backend.factory(threads)), System.out);
    }
}

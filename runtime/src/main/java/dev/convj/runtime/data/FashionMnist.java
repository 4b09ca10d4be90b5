package dev.convj.runtime.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST (Zalando): 28×28 grey images of 10 kinds of clothing, 60,000 for training and 10,000 for testing,
 * in four IDX files with MNIST's names, gzip-compressed or raw. Debian's package {@code dataset-fashion-mnist}
 * installs them in {@link #SYSTEM_DIR}.
 */
public final class FashionMnist {
    private FashionMnist() {}

    public static final Path SYSTEM_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    /** The class names, by label. */
    public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";

    /**
     * Mean and standard deviation of the 60,000 training images' pixels scaled to [0, 1] (0.286041 and 0.353024):
     * what a network's {@code normalize} layer takes to standardize its input.
     */
    public static final double PIXEL_MEAN = 0.2860;
    public static final double PIXEL_STD = 0.3530;

    /** The training and the test set. */
    public record Split(Dataset train, Dataset test) {}

    /** Whether {@code dir} holds the four files (each raw or with .gz). */
    public static boolean isPresent(Path dir) {
        for (String f : List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)) {
            if (find(dir, f) == null) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code dir} holds the two test-set files (each raw or with .gz), all that evaluation needs. */
    public static boolean isTestPresent(Path dir) {
        return find(dir, TEST_IMAGES) != null && find(dir, TEST_LABELS) != null;
    }

    /** Reads only the test set of {@code dir}. */
    public static Dataset loadTest(Path dir) throws IOException {
        return load(dir, TEST_IMAGES, TEST_LABELS, "Fashion-MNIST test");
    }

    /** Reads the four files of {@code dir}. */
    public static Split load(Path dir) throws IOException {
        return new Split(load(dir, TRAIN_IMAGES, TRAIN_LABELS, "Fashion-MNIST train"),
                load(dir, TEST_IMAGES, TEST_LABELS, "Fashion-MNIST test"));
    }

    private static Dataset load(Path dir, String images, String labels, String name) throws IOException {
        return Dataset.fromIdx(name, IdxReader.readImages(require(dir, images)),
                IdxReader.readLabels(require(dir, labels)), CLASSES.size());
    }

    /**
     * Reads the four gzip files from class-path resources beside {@code anchor} under {@code folder} (e.g. an
     * embedded subset shipped in a jar), naming the sets {@code name} train/test.
     */
    public static Split loadResources(Class<?> anchor, String folder, String name) throws IOException {
        return new Split(resource(anchor, folder, TRAIN_IMAGES, TRAIN_LABELS, name + " train"),
                resource(anchor, folder, TEST_IMAGES, TEST_LABELS, name + " test"));
    }

    private static Dataset resource(Class<?> anchor, String folder, String images, String labels, String name)
            throws IOException {
        return Dataset.fromIdx(name, readResource(anchor, folder + "/" + images + ".gz", 3),
                readResource(anchor, folder + "/" + labels + ".gz", 1), CLASSES.size());
    }

    private static IdxArray readResource(Class<?> anchor, String path, int rank) throws IOException {
        try (InputStream in = anchor.getResourceAsStream(path)) {
            if (in == null) {
                throw new NoSuchFileException(path, null, "resource not found beside " + anchor.getName());
            }
            return IdxReader.read(in, path, rank);
        }
    }

    private static Path require(Path dir, String base) throws IOException {
        Path p = find(dir, base);
        if (p == null) {
            throw new NoSuchFileException(dir.resolve(base + ".gz").toString(), null,
                    "Fashion-MNIST file missing (looked for " + base + " and " + base + ".gz)");
        }
        return p;
    }

    private static Path find(Path dir, String base) {
        for (String name : List.of(base + ".gz", base)) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }
}
